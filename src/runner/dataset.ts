import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadScenario } from '../config/index.ts';
import type { ResolvedConfig } from '../config/types.ts';
import {
  assertSnapshotHolds,
  describeLayout,
  inSnapshot,
  type FleetMember,
  seriesFiles,
  formatLabelsCsv,
  loadDataset,
  makeDir,
  pathExists,
  withFileLock,
  writeFleet,
} from '../data/index.ts';
import type { Dataset } from '../data/types.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { GENERATOR_VERSION, planFleet, resolveScenario, systemParts } from '../synth/index.ts';
import type { ResolvedScenario } from '../synth/types.ts';
import { generateWait } from './generate-wait.ts';
import type { DatasetSpec } from './suite.ts';

export interface ResolvedDataset {
  readonly dataset: Dataset;
  readonly kind: 'scenario' | 'source' | 'path';
  readonly name: string;
  readonly hash: string;
  readonly generated: boolean;
  /** The resolved scenario a generated dataset came from (the severity law injects faults with it). */
  readonly scenario?: ResolvedScenario;
}

/**
 * Loads a suite's dataset. A scenario is generated on first use into the cache, in a folder
 * named by a hash of the resolved fixture and the generator version, so a changed fixture or
 * generator never reuses stale data and an unchanged one is not generated twice.
 */
export async function resolveDataset(
  spec: DatasetSpec,
  config: ResolvedConfig,
  suiteFile: string,
): Promise<ResolvedDataset> {
  if (typeof spec === 'string' || 'scenario' in spec) {
    const s = typeof spec === 'string' ? { scenario: spec } : spec;
    const { spec: fixture, file } =
      typeof s.scenario === 'string'
        ? await loadScenario(s.scenario, config.root)
        : { spec: s.scenario, file: suiteFile };
    const scenario = resolveScenario(
      fixture,
      { systems: s.systems, days: s.days, interval: s.interval, seed: s.seed },
      { file: displayPath(file), overrides: displayPath(suiteFile) },
    );
    const hash = sha256(JSON.stringify({ scenario, generator: GENERATOR_VERSION }));
    const dir = path.join(
      config.cacheDir,
      'datasets',
      `${safeName(scenario.name)}-${hash.slice(0, 16)}`,
    );
    const generated = await generateOnce(dir, scenario);
    return {
      dataset: await loadDataset({ dataDir: dir }),
      kind: 'scenario',
      name: scenario.name,
      hash,
      generated,
      scenario,
    };
  }
  if ('source' in spec && !('path' in spec)) {
    const layout = describeLayout(config.dataDir);
    if (layout.sources.length === 0) {
      throw new HarnessError(
        'E_DATA',
        `${suiteFile}: the suite reads data from ${config.dataDir}, which holds no data yet; run \`harness generate\` (synthetic) or \`harness import\` (real) first`,
      );
    }
    const dataset = await loadDataset({ dataDir: config.dataDir, source: spec.source });
    return {
      dataset,
      kind: 'source',
      name: spec.source,
      hash: await dataHash(config.dataDir, dataset),
      generated: false,
    };
  }
  const dir = path.resolve(config.root, spec.path);
  const dataset = await loadDataset({ dataDir: dir, source: spec.source ?? 'all' });
  return {
    dataset,
    kind: 'path',
    name: spec.path,
    hash: await dataHash(dir, dataset),
    generated: false,
  };
}

/**
 * Generates the scenario into its cache folder `dir` unless it is there; true when this call
 * generated it. One process at a time, under a lock of its own beside the folder (not the
 * folder's labels lock, which the commit takes itself): two runs sharing a scenario on a cold
 * cache both generated it, and the second commit replaced the version the first was reading,
 * which stopped with exit 2 ("was replaced by `harness generate`"). Now the second waits and
 * finds the data there, for as long as the generator makes progress (generate-wait.ts). The
 * cache's folder is made first, so the lock is in it from the start.
 */
async function generateOnce(dir: string, scenario: ResolvedScenario): Promise<boolean> {
  const exists = () => pathExists(path.join(dir, 'labels.csv'));
  if (await exists()) return false;
  await makeDir(path.dirname(dir));
  return withFileLock(
    `${dir}.generate`,
    async () => {
      if (await exists()) return false;
      await writeFleet({ kind: 'flat', dir }, members(scenario));
      return true;
    },
    generateWait(dir, scenario.name),
  );
}

/**
 * What a run record keeps about a dataset's labels and sources (issue 8, local run history):
 * the highest label_version, a hash of the label rows used (a relabel changes it even when
 * nobody bumped the version), and where the systems come from.
 */
export function labelProvenance(ds: ResolvedDataset): {
  labelVersion: number | null;
  labelsHash: string;
  dataSource: 'synthetic' | 'real' | 'all';
} {
  const labels = ds.dataset.systems.map((s) => s.label);
  let labelVersion: number | null = null;
  for (const l of labels)
    if (labelVersion === null || l.label_version > labelVersion) labelVersion = l.label_version;
  const sources = new Set(ds.dataset.systems.map((s) => s.source));
  const dataSource =
    ds.kind === 'scenario'
      ? 'synthetic'
      : ds.kind === 'source'
        ? ds.dataset.source
        : sources.size === 1
          ? [...sources][0]!
          : 'all';
  return { labelVersion, labelsHash: sha256(formatLabelsCsv(labels)), dataSource };
}

/** One rack at a time: its whole series, or its windows in a window scenario. */
function* members(scenario: ResolvedScenario): Generator<FleetMember> {
  for (const plan of planFleet(scenario)) yield* systemParts(plan, scenario);
}

/**
 * A hash of what identifies a data folder's contents for a baseline: each source folder's labels
 * and metadata files, those of the dataset's sources read from its snapshot (the files it was
 * loaded from, even when a generate replaced the folder since).
 */
async function dataHash(dataDir: string, dataset: Dataset): Promise<string> {
  const layout = describeLayout(dataDir);
  const h = createHash('sha256');
  for (const s of layout.sources) {
    const snap = dataset.snapshots?.[s.source];
    for (const f of [s.labelsPath, s.metadataPath]) {
      h.update(f.slice(dataDir.length));
      h.update(await readFile(snap ? inSnapshot(snap, f) : f).catch(() => Buffer.alloc(0)));
    }
  }
  return h.digest('hex');
}

/**
 * sha256 of every system's series bytes (its CSV, or each part of its Parquet partition), in the
 * dataset's order: what a baseline records so that telemetry replaced under the same labels and
 * metadata makes it stale. Bytes, not size and mtime (the score cache's key): a fresh checkout in
 * CI has other mtimes, and a baseline must still hold there.
 */
export async function seriesHash(dataset: Dataset): Promise<string> {
  const h = createHash('sha256');
  for (const s of dataset.systems) {
    const snap = dataset.snapshots?.[s.source];
    const files = seriesFiles(dataset.dataDir, s.source, s.systemId, snap);
    h.update(`${s.source}\0${s.systemId}\0${files.length}\n`);
    for (const f of files) {
      h.update(`${path.basename(f)}\0`);
      // A file that vanished since the dataset loaded hashes as missing: the baseline is then
      // stale. Unless its folder was replaced (a generate, an import): that is no baseline's hash.
      h.update(
        await readFile(f).catch(() => {
          if (snap) assertSnapshotHolds(snap, true);
          return 'missing';
        }),
      );
      h.update('\n');
    }
  }
  // A real folder is read in place: its raw/ replaced meanwhile gave some other series' bytes.
  for (const snap of new Set(Object.values(dataset.snapshots ?? {})))
    assertSnapshotHolds(snap, false);
  return h.digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'scenario';
}
