import path from 'node:path';
import { loadConfig, loadScenario } from '../../config/index.ts';
import { writeFleet, type FleetMember, type FleetTarget } from '../../data/index.ts';
import {
  generateSystem,
  planFleet,
  planToLabel,
  planToMetadata,
  resolveScenario,
} from '../../synth/index.ts';
import type { ResolvedScenario, SystemPlan } from '../../synth/types.ts';
import { intFlag, outputDirFlag, parseCommandArgs } from '../args.ts';
import { displayPath, progressBar } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness generate [--scenario NAME|PATH] [--systems N] [--days D] [--interval 5m] [--seed S] [--out DIR] [--data DIR]

Generates a synthetic BESS fleet from a scenario fixture (suites/scenarios/<name>.scenario.ts).
Without --out it replaces data/synthetic/ (raw/, metadata.csv, labels.csv) and touches nothing
else: data/real/ and its labels stay as they are. With --out DIR it writes the same three into
DIR. Either is replaced as one unit: the folder is a symlink to a version beside it
(.synthetic.v-<hex>), switched in one rename, so a kill leaves the old fleet or the new one.
The same scenario and seed give byte-identical files.`;

export const generateCommand: Command = {
  usage: USAGE,
  summary: 'generate a synthetic fleet (telemetry CSVs, metadata, labels) from a scenario',
  async run(argv) {
    const { values } = parseCommandArgs(
      'generate',
      argv,
      {
        scenario: { type: 'string' },
        systems: { type: 'string' },
        days: { type: 'string' },
        interval: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        data: { type: 'string' },
      },
      USAGE,
    );
    const config = await loadConfig();
    const { spec, file } = await loadScenario(values.scenario ?? config.scenario);
    const scenario = resolveScenario(spec, {
      systems: intFlag('systems', values.systems),
      days: intFlag('days', values.days),
      interval: values.interval,
      seed: values.seed ?? config.seed ?? undefined,
    });
    const plans = planFleet(scenario);
    const target: FleetTarget = values.out
      ? { kind: 'flat', dir: await outputDirFlag('out', values.out) }
      : {
          kind: 'data-dir',
          dataDir: values.data ? path.resolve(values.data) : config.dataDir,
          source: 'synthetic',
        };

    const started = performance.now();
    const bar = progressBar('generating', plans.length);
    let result;
    try {
      result = await writeFleet(target, members(plans, scenario), (done) => bar.tick(done));
    } finally {
      bar.end();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const where = target.kind === 'flat' ? target.dir : path.join(target.dataDir, 'synthetic');
    const anomalies = plans.filter((p) => p.failure !== null).length;
    process.stdout.write(
      `generated ${result.systems} systems (${anomalies} anomalies, ${result.rows.toLocaleString('en-US')} rows, ` +
        `${(result.bytes / 1e6).toFixed(1)} MB) from scenario "${scenario.name}" (${displayPath(file)}), ` +
        `seed "${scenario.seed}", into ${displayPath(where)} in ${seconds} s\n`,
    );
    return 0;
  },
};

/** Generates lazily, one system at a time, so the writer never holds the whole fleet. */
function* members(
  plans: readonly SystemPlan[],
  scenario: ResolvedScenario,
): Generator<FleetMember> {
  for (const plan of plans) {
    const sys = generateSystem(plan, scenario);
    yield {
      systemId: plan.systemId,
      timestamps: sys.timestamps,
      columns: sys.columns,
      metadata: planToMetadata(plan),
      label: planToLabel(plan),
    };
  }
}
