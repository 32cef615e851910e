import { randomBytes } from 'node:crypto';

/**
 * A new run id: the run's UTC start time to the second, then 6 random hex digits, so ids sort by
 * start time and two runs started in the same second still differ. The random part comes from
 * node:crypto on purpose: it names a folder and feeds no computation, so results stay
 * deterministic under their seeds.
 */
export function newRunId(startedAt: string): string {
  const iso = new Date(startedAt).toISOString(); // 2026-11-26T15:30:12.345Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A run id as {@link newRunId} makes it: the name of a run's folder in the store. */
export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
