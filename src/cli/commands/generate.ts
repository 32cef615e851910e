import path from 'node:path';
import { loadConfig, loadScenario } from '../../config/index.ts';
import {
  writeFleet,
  type FleetMember,
  type FleetTarget,
  PARQUET_COMPRESSIONS,
  type ParquetCompression,
  type SeriesFormat,
} from '../../data/index.ts';
import { HarnessError } from '../../errors.ts';
import { planFleet, resolveScenario, systemParts } from '../../synth/index.ts';
import type { ResolvedScenario, SystemPlan } from '../../synth/types.ts';
import { intFlag, outputDirFlag, parseCommandArgs } from '../args.ts';
import { displayPath, progressBar } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness generate [--scenario NAME|PATH] [--systems N] [--days D] [--interval 5m] [--seed S] [--out DIR] [--data DIR]
                        [--format csv|parquet] [--compression snappy|zstd|gzip|none]

Generates a synthetic BESS fleet from a scenario fixture (suites/scenarios/<name>.scenario.ts).
Without --out it replaces data/synthetic/ (raw/, metadata.csv, labels.csv) and touches nothing
else: data/real/ and its labels stay as they are. With --out DIR it writes the same three into
DIR. Either is replaced as one unit: the folder is a symlink to a version beside it
(.synthetic.v-<hex>), switched in one rename, so a kill leaves the old fleet or the new one.
DIR must be new, empty or a generated fleet: a folder of yours, or one holding real data, is
refused (exit 2) and left as it is. The same scenario and seed give byte-identical files.

--format parquet writes the series as a hive-partitioned Parquet dataset,
raw/system_id=<id>/part-0.parquet (timestamp as INT64 TIMESTAMP(MILLIS, UTC), sensors as
DOUBLE with null for a missing reading), read by the harness, pyarrow and Spark alike;
metadata.csv and labels.csv stay CSV. --compression picks the Parquet codec: none (the
default: the fastest to load), snappy (a fifth smaller), zstd (a third smaller, as Databricks
writes) or gzip.`;

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
        format: { type: 'string', default: 'csv' },
        compression: { type: 'string' },
      },
      USAGE,
    );
    const format = values.format as SeriesFormat;
    if (format !== 'csv' && format !== 'parquet') {
      throw new HarnessError(
        'E_ARGS',
        `--format: expected csv or parquet, got ${JSON.stringify(values.format)}\n\n${USAGE}`,
      );
    }
    const compression = values.compression as ParquetCompression | undefined;
    if (
      compression !== undefined &&
      !(PARQUET_COMPRESSIONS as readonly string[]).includes(compression)
    ) {
      throw new HarnessError(
        'E_ARGS',
        `--compression: expected ${PARQUET_COMPRESSIONS.join(', ')}, got ${JSON.stringify(compression)}\n\n${USAGE}`,
      );
    }
    if (compression !== undefined && format !== 'parquet') {
      throw new HarnessError(
        'E_ARGS',
        `--compression is for --format parquet (a CSV fleet is not compressed)\n\n${USAGE}`,
      );
    }
    const config = await loadConfig();
    const { spec, file } = await loadScenario(values.scenario ?? config.scenario);
    const scenario = resolveScenario(
      spec,
      {
        systems: intFlag('systems', values.systems),
        days: intFlag('days', values.days),
        interval: values.interval,
        seed: values.seed ?? config.seed ?? undefined,
      },
      { file: displayPath(file) },
    );
    const plans = planFleet(scenario);
    const target: FleetTarget = values.out
      ? { kind: 'flat', dir: await outputDirFlag('out', values.out) }
      : {
          kind: 'data-dir',
          dataDir: values.data ? path.resolve(values.data) : config.dataDir,
          source: 'synthetic',
        };

    const started = performance.now();
    const anomalies = { count: 0 };
    // A window scenario writes each rack as several systems (at most this many: an outage can drop one).
    const perRack = scenario.window
      ? Math.floor((plans[0]?.samples ?? 0) / (scenario.window.seconds / scenario.intervalSeconds))
      : 1;
    const bar = progressBar('generating', plans.length * perRack);
    let result;
    try {
      result = await writeFleet(
        target,
        members(plans, scenario, anomalies),
        (done) => bar.tick(done),
        format,
        compression,
      );
    } catch (err) {
      throw asFleetPath(err);
    } finally {
      bar.end();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const where = target.kind === 'flat' ? target.dir : path.join(target.dataDir, 'synthetic');
    process.stdout.write(
      `generated ${result.systems} systems (${anomalies.count} anomalies, ${result.rows.toLocaleString('en-US')} rows, ` +
        `${(result.bytes / 1e6).toFixed(1)} MB${format === 'parquet' ? ' of Parquet' : ''}) from scenario "${scenario.name}" (${displayPath(file)}), ` +
        `seed "${scenario.seed}", into ${displayPath(where)} in ${seconds} s\n`,
    );
    return 0;
  },
};

/** Generates lazily, one system at a time, so the writer never holds the whole fleet. */
function* members(
  plans: readonly SystemPlan[],
  scenario: ResolvedScenario,
  anomalies: { count: number },
): Generator<FleetMember> {
  for (const plan of plans) {
    // A window scenario writes each rack as its windows (synth/windows.ts).
    for (const part of systemParts(plan, scenario)) {
      if (part.label.label === 'anomaly') anomalies.count++;
      yield part;
    }
  }
}

/**
 * `err` naming the file of the fleet it was writing rather than its copy in the staging folder
 * (`.fleet.staging-<pid>-<hex>/raw/x.csv`, removed by then): a full disk is "cannot write
 * fleet/raw/x.csv: no space left on the device".
 */
function asFleetPath(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof e.path === 'string')
    e.path = e.path.replace(/([\\/])\.([^\\/]+)\.staging-\d+-[0-9a-f]+(?=[\\/]|$)/, '$1$2');
  return err;
}
