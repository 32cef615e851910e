/**
 * `harness sample`: a stratified random sample of real systems nobody has labelled yet, for
 * the labeling queue. Each stratum (a combination of the `by` metadata columns) gets seats in
 * proportion to its unlabelled systems, rounded by largest remainder so the seats add up to n;
 * within a stratum the systems are drawn with a seeded shuffle. The same data, n, by and seed
 * give the same queue.
 */
import seedrandom from 'seedrandom';
import { HarnessError } from '../errors.ts';
import {
  describeLayout,
  didYouMean,
  labelsPathOf,
  loadMetadata,
  METADATA_OPTIONAL,
  METADATA_REQUIRED,
  readLabelsFile,
  resolveDataDir,
} from '../data/index.ts';
import type { MetadataRow } from '../data/types.ts';
import { shuffled } from '../synth/index.ts';
import type { LabelQueue } from './queue.ts';

/** Metadata columns a sample can be stratified by (one value per system). */
export const SAMPLE_COLUMNS = [
  'operational_mode',
  'season',
  'chemistry',
  'climate',
  'capacity_kwh',
] as const;

export interface SampleOptions {
  readonly dataDir?: string;
  readonly n: number;
  readonly by?: readonly string[];
  readonly seed: string;
  /** Time written into the queue; default now. */
  readonly now?: Date;
}

export interface SampleResult {
  readonly queue: LabelQueue;
  /** Unlabelled real systems there were to draw from. */
  readonly available: number;
  /** Per stratum: unlabelled systems and seats. */
  readonly strata: readonly {
    readonly key: string;
    readonly size: number;
    readonly seats: number;
  }[];
}

/**
 * Largest-remainder (Hamilton) allocation of `n` seats to groups of the given sizes,
 * proportional to size. Ties in the remainder go to the larger group, then the earlier one.
 * With n ≥ the total, every group gets its size.
 */
export function largestRemainder(sizes: readonly number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return sizes.map(() => 0);
  if (n >= total) return [...sizes];
  const quotas = sizes.map((s) => (n * s) / total);
  const seats = quotas.map(Math.floor);
  let left = n - seats.reduce((a, b) => a + b, 0);
  const order = sizes
    .map((s, i) => ({ i, rem: quotas[i]! - seats[i]!, s }))
    .sort((a, b) => b.rem - a.rem || b.s - a.s || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    if (seats[i]! < sizes[i]!) {
      seats[i]!++;
      left--;
    }
  }
  return seats;
}

export async function sampleUnlabelled(opts: SampleOptions): Promise<SampleResult> {
  const by = opts.by ?? [];
  for (const c of by) {
    if (!(SAMPLE_COLUMNS as readonly string[]).includes(c)) {
      // A metadata column --by does not take (system_id, source, scenario_tags) is named as
      // such: "did you mean" offered the very column given.
      const column = ([...METADATA_REQUIRED, ...METADATA_OPTIONAL] as readonly string[]).includes(
        c,
      );
      throw new HarnessError(
        'E_ARGS',
        column
          ? `--by ${c}: a metadata column, but not one to stratify by; --by takes ${SAMPLE_COLUMNS.join(', ')}`
          : `--by ${c}: not a metadata column to stratify by${didYouMean(c, SAMPLE_COLUMNS)}; --by takes ${SAMPLE_COLUMNS.join(', ')}`,
      );
    }
  }
  if (!Number.isInteger(opts.n) || opts.n < 1)
    throw new HarnessError('E_ARGS', `--n must be a whole number ≥ 1 (got ${opts.n})`);
  const dataDir = resolveDataDir(opts.dataDir);
  const layout = describeLayout(dataDir);
  if (!layout.sources.some((s) => s.source === 'real')) {
    throw new HarnessError(
      'E_DATA',
      `no real data in ${dataDir}: import some with \`harness import\` first`,
    );
  }
  const metadata = await loadMetadata({ dataDir, source: 'real' });
  const labelsPath = labelsPathOf(layout, 'real');
  const folderSource = layout.kind === 'data-dir' ? { folderSource: 'real' as const } : {};
  const labelled = new Set(
    (await readLabelsFile(labelsPath, { allowMissing: true, ...folderSource }))
      .filter((l) => l.source === 'real')
      .map((l) => l.system_id),
  );
  const unlabelled = metadata.filter((m) => !labelled.has(m.system_id));

  const keyOf = (m: MetadataRow): string =>
    by.map((c) => String((m as unknown as Record<string, unknown>)[c] ?? '(missing)')).join('|');
  const groups = new Map<string, string[]>();
  for (const m of unlabelled) {
    const k = keyOf(m);
    const g = groups.get(k);
    if (g) g.push(m.system_id);
    else groups.set(k, [m.system_id]);
  }
  const keys = [...groups.keys()].sort();
  const seats = largestRemainder(
    keys.map((k) => groups.get(k)!.length),
    opts.n,
  );
  const picked: string[] = [];
  const strata: { key: string; size: number; seats: number }[] = [];
  keys.forEach((k, i) => {
    const ids = [...groups.get(k)!].sort();
    const rng = seedrandom(`${opts.seed}:sample:${k}`);
    picked.push(...shuffled(ids, rng).slice(0, seats[i]!));
    strata.push({ key: k, size: ids.length, seats: seats[i]! });
  });
  // Label in a shuffled order, so that stopping half-way still leaves a spread sample.
  const systems = shuffled(picked.sort(), seedrandom(`${opts.seed}:sample:order`));
  const queue: LabelQueue = {
    created_at: (opts.now ?? new Date()).toISOString(),
    seed: opts.seed,
    by: [...by],
    systems,
    ...(by.length > 0 ? { strata: Object.fromEntries(strata.map((s) => [s.key, s.seats])) } : {}),
  };
  return { queue, available: unlabelled.length, strata };
}
