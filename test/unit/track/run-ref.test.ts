import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import type { RunList, StoredRun } from '../../../src/track/read-runs.ts';
import { resolveRunRef } from '../../../src/track/run-ref.ts';
import { loaded, run } from './fixture.ts';

const DIR = '/project/.harness/runs';

/** A store of runs with these ids, newest first (as listRuns returns them). */
function store(ids: readonly string[]): RunList {
  const runs: StoredRun[] = ids.map((id) => ({
    dir: `${DIR}/${id}`,
    record: loaded(run([]), id).record,
    tracking: null,
  }));
  return { runsDir: DIR, runs, unreadable: [], warnings: [] };
}

/** The HarnessError `fn` throws. */
function errorOf(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HarnessError) return err;
    throw err;
  }
  throw new Error('expected a HarnessError');
}

const IDS = ['20260302T090000Z-c00003', '20260301T120000Z-b00002', '20260301T110000Z-a00001'];

describe('resolveRunRef', () => {
  const list = store(IDS);
  const id = (ref: string) => resolveRunRef(list, ref).record.run_id;

  it('latest and latest~N count back from the newest run', () => {
    expect(id('latest')).toBe(IDS[0]);
    expect(id('latest~0')).toBe(IDS[0]);
    expect(id('latest~1')).toBe(IDS[1]);
    expect(id('latest~2')).toBe(IDS[2]);
    expect(resolveRunRef(list, 'latest~1').dir).toBe(`${DIR}/${IDS[1]}`);
  });

  it('a full id, or a prefix of exactly one id', () => {
    expect(id(IDS[2]!)).toBe(IDS[2]);
    expect(id('20260302')).toBe(IDS[0]);
    expect(id('20260301T11')).toBe(IDS[2]);
  });

  it('an ambiguous prefix names the store and every id it starts', () => {
    const e = errorOf(() => id('20260301'));
    expect(e.code).toBe('E_RUN_REF');
    expect(e.message).toBe(
      `run "20260301" is ambiguous in ${DIR}: it starts 2 run ids (${IDS[1]}, ${IDS[2]}); give more of the id`,
    );
  });

  it('an unknown ref names the store and the runs it holds, newest first', () => {
    const e = errorOf(() => id('2025'));
    expect(e.message).toBe(
      `no run "2025" in ${DIR} (runs, newest first: ${IDS.join(', ')}; or latest, latest~1, …)`,
    );
    expect(errorOf(() => id('latest~3')).message).toBe(
      `latest~3: ${DIR} holds only 3 runs (${IDS.join(', ')})`,
    );
    expect(errorOf(() => id('latest~x')).message).toMatch(/^no run "latest~x" in /);
    expect(errorOf(() => id('')).message).toMatch(/^no run "" in /);
  });

  it('a long history lists the 10 newest ids and counts the rest', () => {
    const many = Array.from(
      { length: 13 },
      (_, i) => `20260301T${String(23 - i).padStart(2, '0')}0000Z-00000${i.toString(16)}`,
    );
    const e = errorOf(() => resolveRunRef(store(many), 'nope'));
    expect(e.message).toContain(`${many.slice(0, 10).join(', ')} and 3 older`);
    expect(e.message).not.toContain(many[10]!);
  });

  it('an empty store says so and how to fill it', () => {
    expect(errorOf(() => resolveRunRef(store([]), 'latest')).message).toBe(
      `latest: no runs recorded in ${DIR} yet (\`harness run\` records one)`,
    );
    expect(errorOf(() => resolveRunRef(store([]), 'abc')).message).toBe(
      `no run "abc": no runs recorded in ${DIR} yet (\`harness run\` records one)`,
    );
  });

  it('a run folder it cannot read is never silently passed over: latest~N and a prefix that might mean it exit 2', () => {
    const unreadable = (name: string) => ({ dir: `${DIR}/${name}`, reason: 'damaged' });
    const list: RunList = {
      ...store(IDS.slice(1)), // IDS[0], the newest, cannot be read
      unreadable: [unreadable(IDS[0]!), unreadable('notes')],
    };
    expect(errorOf(() => resolveRunRef(list, 'latest')).message).toBe(
      `latest: cannot tell which run that is: the run ${IDS[0]} cannot be read (damaged); repair or remove it, or name the run by its full id (${IDS[1]} is the one that can be read)`,
    );
    expect(errorOf(() => resolveRunRef(list, 'latest~1')).message).toMatch(
      /^latest~1: cannot tell/,
    );
    // 202603 starts one readable id and the unreadable one
    const two: RunList = { ...store([IDS[1]!]), unreadable: [unreadable(IDS[0]!)] };
    expect(errorOf(() => resolveRunRef(two, '202603')).message).toMatch(/^202603: cannot tell/);
    // full ids, and refs the unreadable run cannot be: as before (a folder not named by a run id is no run)
    expect(resolveRunRef(list, IDS[1]!).record.run_id).toBe(IDS[1]);
    expect(resolveRunRef(list, '20260301T12').record.run_id).toBe(IDS[1]);
    const older: RunList = { ...store(IDS.slice(0, 2)), unreadable: [unreadable(IDS[2]!)] };
    expect(resolveRunRef(older, 'latest~1').record.run_id).toBe(IDS[1]);
  });
});
