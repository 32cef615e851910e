import path from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { pathExists } from '../../data/index.ts';
import { HarnessError } from '../../errors.ts';
import {
  contractHolds,
  DEFAULT_CHECK_RUNS,
  DEFAULT_PROCESS_CHECK_RUNS,
  DEFAULT_CHECK_SEED,
  formatContractReport,
  replayNotReproduced,
} from '../../check/index.ts';
import { CONTRACT_RULES, type ContractReport, type ViolationKind } from '../../check/types.ts';
import { checkInWorker } from '../../runner/index.ts';
import { suiteModelOrigin } from '../check-suite-model.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness check <model|path> [--suite NAME] [--runs N] [--seed S] [--path P --rule R] [--assume I] [--timeout MS] [--json]

Checks a model plugin against the plugin contract on generated edge-case fleets (1–3 systems,
short series, gaps, constant / all-NaN / absent sensors, extreme values): fit and score must not
throw (fit may refuse a training set with an Error), scores must be finite, must not depend on
the order systems are scored in, must be the same from two instances with the same seed and
from an instance restored from saveState() (the second instance and the restored one come from
another worker's import of the module, as in a run), and must not change under the time shift
or unit scale the plugin declares in invariantTo.
Each violation is printed with its shrunk fixture and the command that replays it.

  <model|path>   a model name (plugins/, the config's models, an npm package) or a path to a
                 plugin module whose default export is a factory or a plugin
  --suite NAME   check the model as that suite configures it (its options), as the suite's
                 contract assertion does; that assertion's replay line names it
  --runs N       fleets per rule (default ${DEFAULT_CHECK_RUNS}; ${DEFAULT_PROCESS_CHECK_RUNS} for a process model of the config,
                 which starts a process for every instance)
  --seed S       fast-check seed (default ${DEFAULT_CHECK_SEED}); the same seed checks the same fleets
  --path P       replay one counterexample (from a report); needs --rule. Exit 1 when it no
                 longer fails, 2 when the seed and rule have no such path
  --rule R       only these rules, comma-separated: ${CONTRACT_RULES.join(', ')}
  --assume I     check invariances the plugin does not declare, comma-separated: timeShift,unitScale
                 (to show why a plugin cannot declare them; suites do the same with toHonorContract)
  --timeout MS   per-call timeout when the plugin declares none (default: the config's)
  --json         print the report as JSON

Exit 0 when the contract holds, 1 when a rule is violated, 2 when the check could not run.`;

/** A path to a module rather than a name: what the user would type for a file. */
function isModulePath(arg: string): boolean {
  return arg.startsWith('.') || path.isAbsolute(arg) || /\.(c|m)?(t|j)s$/.test(arg);
}

function parseRules(raw: string | undefined): readonly ViolationKind[] | undefined {
  if (raw === undefined) return undefined;
  const rules = raw.split(',').map((r) => r.trim());
  for (const r of rules) {
    if (!(CONTRACT_RULES as readonly string[]).includes(r))
      throw new HarnessError(
        'E_ARGS',
        `--rule: unknown rule "${r}" (one of ${CONTRACT_RULES.join(', ')})`,
      );
  }
  return rules as ViolationKind[];
}

/** `--assume timeShift,unitScale` → the invariances to check as if declared. */
export function parseAssume(
  raw: string | undefined,
): { timeShift?: boolean; unitScale?: boolean } | undefined {
  if (raw === undefined) return undefined;
  const out: { timeShift?: boolean; unitScale?: boolean } = {};
  for (const w of raw.split(',').map((x) => x.trim())) {
    if (w !== 'timeShift' && w !== 'unitScale')
      throw new HarnessError(
        'E_ARGS',
        `--assume: unknown invariance "${w}" (timeShift or unitScale)`,
      );
    out[w] = true;
  }
  return out;
}

/** Why `--rule` checked nothing: each rule asked for, and why it does not apply to the plugin. */
function noRuleApplies(target: string, rule: string, report: ContractReport): string {
  const why = report.rules.map((r) => `${r.kind}: ${r.note ?? 'not declared'}`).join('; ');
  const invariance = report.rules.some((r) => r.kind === 'time_shift' || r.kind === 'unit_scale');
  return (
    `harness check ${target}: --rule ${rule}: no rule asked for applies to ${report.model} (${why}), so nothing would be checked` +
    (invariance ? '; --assume timeShift,unitScale checks an invariance it does not declare' : '')
  );
}

export const checkCommand: Command = {
  usage: USAGE,
  summary:
    'check a model plugin against the plugin contract on generated edge cases (exit 1 on a violation)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'check',
      argv,
      {
        runs: { type: 'string' },
        seed: { type: 'string' },
        path: { type: 'string' },
        rule: { type: 'string' },
        timeout: { type: 'string' },
        assume: { type: 'string' },
        suite: { type: 'string' },
        json: { type: 'boolean' },
      },
      USAGE,
      true,
    );
    const [target, ...extra] = positionals;
    if (target === undefined || extra.length > 0)
      throw new HarnessError(
        'E_ARGS',
        `harness check: give exactly one model name or plugin path\n\n${USAGE}`,
      );
    // fast-check's seed: a 32-bit whole number, signed or not.
    const seed = intFlag('seed', values.seed, -(2 ** 31)) ?? DEFAULT_CHECK_SEED;
    const rules = parseRules(values.rule);
    if (values.path !== undefined && rules?.length !== 1) {
      throw new HarnessError(
        'E_ARGS',
        "--path replays one rule's counterexample: give that rule with --rule (the replay line of a report has both)",
      );
    }

    const config = await loadConfig();
    let resolveConfig = config;
    if (values.suite !== undefined && isModulePath(target))
      throw new HarnessError(
        'E_ARGS',
        `harness check: --suite takes the model's name in that suite, not a path (${target})`,
      );
    if (isModulePath(target)) {
      const file = path.resolve(target);
      if (!(await pathExists(file)))
        throw new HarnessError(
          'E_PLUGIN',
          `harness check: no plugin module at ${displayPath(file)}`,
        );
      // Resolved through the config's `models` map, exactly as a suite naming it would be.
      resolveConfig = { ...config, models: { ...config.models, [target]: file } };
    }
    const assume = parseAssume(values.assume);
    const origin =
      values.suite === undefined
        ? { entry: target, from: 'harness check' }
        : await suiteModelOrigin(config, values.suite, target);
    const report = await checkInWorker(origin, resolveConfig, {
      seed,
      numRuns:
        intFlag('runs', values.runs) ??
        (typeof config.models[target] === 'object'
          ? DEFAULT_PROCESS_CHECK_RUNS
          : DEFAULT_CHECK_RUNS),
      timeoutMs: intFlag('timeout', values.timeout) ?? config.timeoutMs,
      target,
      ...(values.suite !== undefined ? { suite: values.suite } : {}),
      ...(assume ? { assume } : {}),
      ...(rules ? { rules } : {}),
      ...(values.path !== undefined ? { path: values.path } : {}),
    });
    // A report of the loader already says `harness check: …` (its `from` above).
    if (typeof report === 'string')
      throw new HarnessError(
        'E_PLUGIN',
        report.startsWith('harness check') ? report : `harness check ${target}: ${report}`,
      );
    // Rules asked for that all do not apply checked nothing: "contract holds: 0 rules" would
    // pass a CI gate on no evidence.
    if (report.rules.every((r) => r.status === 'not_declared'))
      throw new HarnessError('E_ARGS', noRuleApplies(target, values.rule ?? '', report));
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : formatContractReport(report),
    );
    // A replay whose counterexample no longer fails is a check that failed to show what it was
    // asked to, never "contract holds".
    if (report.violations.length > 0 || replayNotReproduced(report)) return 1;
    return contractHolds(report) ? 0 : 2;
  },
};
