import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../../config/index.ts';
import { scaffoldProject, type ExistingConfig, type InitEntry } from '../../init/index.ts';
import { globProblem, globToRegExp } from '../../runner/index.ts';
import { parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness init [--yes] [--dir DIR]

Sets up bess-harness in a project (default: the current folder):
  harness.config.ts                the config, every field optional
  plugins/my-model/index.ts        a model plugin to make your own
  suites/my-model.suite.ts         the validation checklist for it: random ≈ 0.5 AUC, it beats
                                   random, strata break down, all-normal / all-anomaly / missing data
  tsconfig.json                    type-checks them (npx tsc --noEmit)
  .github/workflows/harness.yml    the CI gate, with JUnit as the test report (at the repository root)
  .gitignore                       + data/synthetic, data/.synthetic.* and .harness/
  package.json                     "type": "module" where no "type" is set and no .js file would
                                   change (asks first when package.json exists); a "type" you
                                   set is never changed

It never overwrites a file: what exists is listed and left as it is.

  --yes       answer yes to every question (for scripts)
  --dir DIR   the project folder (created when missing)`;

const MARK: Readonly<Record<InitEntry['action'], string>> = {
  created: 'created',
  exists: 'exists ',
  updated: 'updated',
  left: 'left   ',
};

/** Asks on the terminal; without one (a pipe, CI) nothing is changed unless --yes. */
async function ask(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}

/**
 * The project's config as init must follow it (its data folder, its suite globs); undefined
 * when it cannot be loaded (init then writes the defaults, and `harness run` reports the error).
 */
async function readConfig(dir: string): Promise<ExistingConfig | undefined> {
  const config = await loadConfig(dir).catch(() => undefined);
  if (!config?.configFile) return undefined;
  // A glob the matcher refuses runs no suite; `harness run` names it.
  const globs = config.suites.filter((g) => !globProblem(g)).map((g) => globToRegExp(g));
  return {
    dataDir: config.dataDir,
    outDir: config.outDir,
    suites: config.suites,
    runsSuite: (file) => {
      const rel = path.relative(config.root, path.join(dir, file)).split(path.sep).join('/');
      return globs.some((g) => g.test(rel));
    },
  };
}

/**
 * A path as one POSIX shell word, for the "Next:" lines a user pastes: a folder with a space,
 * a quote or a `$` (`my project`) split or broke `cd my project && npx harness run`.
 */
export function shellWord(p: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(p) ? p : `'${p.replaceAll("'", `'\\''`)}'`;
}

export const initCommand: Command = {
  usage: USAGE,
  summary: 'set up a project: config, a model plugin, its checklist suite, a CI workflow',
  async run(argv) {
    const { values } = parseCommandArgs(
      'init',
      argv,
      { yes: { type: 'boolean', short: 'y' }, dir: { type: 'string' } },
      USAGE,
    );
    const dir = path.resolve(values.dir ?? '.');
    const result = await scaffoldProject({
      dir,
      confirm: values.yes ? async () => true : ask,
      readConfig: () => readConfig(dir),
    });
    process.stdout.write(`harness init in ${dir === process.cwd() ? '.' : displayPath(dir)}\n`);
    for (const e of result.entries) {
      const detail = e.detail ? `: ${e.detail}` : e.action === 'exists' ? ' (left as it is)' : '';
      process.stdout.write(`  ${MARK[e.action]}  ${e.file}${detail}\n`);
    }
    if (result.entries.every((e) => e.action === 'exists'))
      process.stdout.write('Nothing to do: the project is set up.\n');
    const left = result.entries.filter((e) => e.action === 'left');
    for (const e of left) process.stderr.write(`note: ${e.file}: ${e.detail ?? 'left as it is'}\n`);
    // Before "Next:", whose `harness run` this stops.
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const cd = dir === process.cwd() ? '' : `cd ${shellWord(displayPath(dir))} && `;
    const next: readonly (readonly [string, string])[] = [
      [
        `${result.exec} harness run`,
        'your suite on a generated fleet: exit 0 passes, 1 = regressed, 2 = broken',
      ],
      [
        `${result.exec} harness check ${result.modelName}`,
        'the plugin contract on generated edge cases',
      ],
      ...(result.tscNote === undefined
        ? [[result.tscCommand, 'type-checks your plugin and suite'] as const]
        : []),
    ];
    const width = Math.max(...next.map(([c]) => c.length));
    process.stdout.write(
      `\nNext:\n${next.map(([c, why]) => `  ${cd}${c.padEnd(width)}  # ${why}\n`).join('')}`,
    );
    if (result.tscNote !== undefined)
      process.stdout.write(
        `Note: \`${result.tscCommand}\` does not type-check your plugin and suite as things are: ${result.tscNote}\n`,
      );
    for (const n of result.installNotes) process.stderr.write(`note: CI: ${n}\n`);
    return 0;
  },
};
