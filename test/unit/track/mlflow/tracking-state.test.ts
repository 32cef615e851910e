/**
 * tracking.json as the uploader, `harness runs sync` and `harness runs show` read it. A file
 * that is JSON but not a tracking state (`"runs": {}`, `"mlflow": "x"`, `"uri": 5`) crashed the
 * upload (`prior.map is not a function`) or was printed as `mlflow undefined · undefined`; now it
 * is a HarnessError naming the file and the field, and saying how to start over.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../../src/errors.ts';
import { readTrackingState } from '../../../../src/track/mlflow/tracking-state.ts';
import { tempDir } from '../../../helpers/run-harness.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('tracking-state-');
});
afterAll(() => tmp.cleanup());

const U = 'http://127.0.0.1:5999';
const run = { suite: 's', model: 'm', experiment_id: '1', run_id: 'r', complete: true };
const mlflow = { uri: U, status: 'synced', at: '2026-12-01T08:00:00.000Z', runs: [run] };

async function stateOf(name: string, json: unknown) {
  const dir = path.join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'tracking.json'), JSON.stringify(json));
  return { dir, file: path.join(dir, 'tracking.json') };
}

describe('readTrackingState', () => {
  it('reads a tracking state, and null when no upload was tried', async () => {
    const { dir } = await stateOf('ok', { mlflow, other: { kept: true } });
    expect(await readTrackingState(dir)).toEqual({ mlflow, other: { kept: true } });
    expect(await readTrackingState(path.join(tmp.dir, 'none'))).toBeNull();
  });

  it.each(
    (
      [
        [{ mlflow: 'x' }, 'mlflow must be an object'],
        [{ mlflow: { ...mlflow, uri: 5 } }, 'mlflow.uri must be a string'],
        [{ mlflow: { ...mlflow, status: 'done' } }, 'mlflow.status must be "synced" or "failed"'],
        [{ mlflow: { ...mlflow, at: undefined } }, 'mlflow.at must be a string (an ISO 8601 time)'],
        [{ mlflow: { ...mlflow, error: ['x'] } }, 'mlflow.error must be a string'],
        [{ mlflow: { ...mlflow, status: 'failed', runs: {} } }, 'mlflow.runs must be a list'],
        [
          { mlflow: { ...mlflow, runs: [null] } },
          'mlflow.runs[0] must be { suite, model, experiment_id, run_id } (strings) and complete (true or false)',
        ],
        [
          { mlflow: { ...mlflow, runs: [run, { ...run, complete: 'yes' }] } },
          'mlflow.runs[1] must be { suite, model, experiment_id, run_id } (strings) and complete (true or false)',
        ],
        [[mlflow], 'the file must hold a JSON object (a tracking state)'],
      ] as const
    ).map(([json, message]) => [message, json] as const),
  )('names the field: %s', async (message, json) => {
    const { dir, file } = await stateOf(message.replace(/\W+/g, '-'), json);
    const err = await readTrackingState(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toBe(
      `${file}: ${message}; delete the file to upload the run again`,
    );
  });
});
