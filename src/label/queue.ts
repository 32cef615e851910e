/**
 * The labeling queue: which real systems a person should label next, in order. `harness sample`
 * writes it; the labeling app (`harness label`) opens it. One JSON file, default
 * `<dataDir>/label-queue.json`:
 *
 * ```json
 * { "created_at": "2026-01-01T00:00:00.000Z", "seed": "bess", "by": ["operational_mode", "season"],
 *   "systems": ["site9-rack3", "site9-rack1"] }
 * ```
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { resolveDataDir, SYSTEM_ID_PATTERN, writeFileAtomic } from '../data/index.ts';

export interface LabelQueue {
  /** ISO 8601 time the queue was made. */
  readonly created_at: string;
  /** Seed of the random draw (the same seed and data give the same queue). */
  readonly seed: string;
  /** Metadata columns the sample was stratified by (empty: a simple random sample). */
  readonly by: readonly string[];
  /** Real system ids to label, in the order to label them. */
  readonly systems: readonly string[];
  /** Systems drawn per stratum (`arbitrage|summer` → 3), when stratified. */
  readonly strata?: Readonly<Record<string, number>>;
}

export const QUEUE_FILE = 'label-queue.json';

/** The default queue file of a data folder. */
export function queuePath(dataDir?: string): string {
  return path.join(resolveDataDir(dataDir), QUEUE_FILE);
}

/** Checks a parsed queue; throws a HarnessError naming the file and the field. */
export function parseQueue(raw: unknown, file: string): LabelQueue {
  const fail = (msg: string): never => {
    throw new HarnessError('E_DATA', `${file}: not a label queue: ${msg}`, [
      { file, line: 0, column: 0, message: msg },
    ]);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('expected an object { created_at, seed, by, systems }');
  const o = raw as Record<string, unknown>;
  if (typeof o['created_at'] !== 'string') fail('created_at: expected an ISO 8601 string');
  if (typeof o['seed'] !== 'string') fail('seed: expected a string');
  if (!Array.isArray(o['by']) || o['by'].some((b) => typeof b !== 'string'))
    fail('by: expected a list of column names');
  const systems = o['systems'];
  if (!Array.isArray(systems)) return fail('systems: expected a list of system ids');
  systems.forEach((s, i) => {
    if (typeof s !== 'string' || !SYSTEM_ID_PATTERN.test(s))
      fail(`systems[${i}]: ${JSON.stringify(s)} is not a safe system id`);
  });
  return {
    created_at: o['created_at'] as string,
    seed: o['seed'] as string,
    by: o['by'] as string[],
    systems: systems as string[],
    ...(typeof o['strata'] === 'object' && o['strata'] !== null
      ? { strata: o['strata'] as Record<string, number> }
      : {}),
  };
}

/** Reads a queue file (default `<dataDir>/label-queue.json`); null when there is none. */
export async function readQueue(
  dataDir?: string,
  file = queuePath(dataDir),
): Promise<LabelQueue | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HarnessError(
      'E_DATA',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HarnessError(
      'E_DATA',
      `${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      [{ file, line: 1, column: 0, message: 'not valid JSON' }],
    );
  }
  return parseQueue(raw, file);
}

/** Writes a queue atomically. */
export async function writeQueue(file: string, queue: LabelQueue): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(queue, null, 2)}\n`);
}
