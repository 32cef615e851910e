/**
 * A loaded dataset must not keep the text of labels.csv or metadata.csv alive. V8 makes a
 * substring of 13 characters or more a view of the string it was cut from, so a kept field
 * (a `failure_at`, a scenario tag in the shared word table, a long system id) used to hold the
 * whole file for as long as the records lived: 4 MB at 30k systems in the main thread of a run.
 * Checked in a real heap snapshot of this thread.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { afterAll, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/index.ts';

const SYSTEMS = 300;
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every string in this thread's heap (a snapshot: only what is reachable). */
async function heapStrings(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const c of v8.getHeapSnapshot()) chunks.push(c as Buffer);
  return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { strings: string[] }).strings;
}

/** Writes the two files and returns the first line of each (the files' texts are not kept here). */
async function writeFleet(): Promise<string[]> {
  // Long ids, long tags, timestamps and notes: every kind of field of 13 characters or more.
  const meta = ['system_id,source,operational_mode,season,chemistry,capacity_kwh,climate,scenario_tags'];
  const labels = ['system_id,label,failure_type,lead_time_days,source,label_version,failure_at,onset_at,notes'];
  for (let i = 0; i < SYSTEMS; i++) {
    meta.push(`${id(i)},synthetic,frequency_regulation,winter,LFP-prismatic-280Ah,500,continental-humid,sensor_dropout;timestamp_jitter`);
    labels.push(
      i % 2 === 0
        ? `${id(i)},anomaly,thermal_runaway,3.5,synthetic,1,2025-03-04T05:06:07Z,2025-02-01T00:00:00Z,seen by the operator on site`
        : `${id(i)},normal,none,,synthetic,1,,,`,
    );
  }
  await writeFile(path.join(dir, 'metadata.csv'), `${meta.join('\n')}\n`);
  await writeFile(path.join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
  return [meta[0]!, labels[0]!];
}

const id = (i: number) => `rack-berlin-${String(i).padStart(5, '0')}`;

it('records hold their fields, not the files they were read from', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-retention-'));
  const headers = await writeFleet();

  const ds = await loadDataset({ dataDir: dir });
  expect(ds.systems).toHaveLength(SYSTEMS);
  expect(ds.systems[0]!.label.failure_at).toBe('2025-03-04T05:06:07Z');
  expect(ds.systems[0]!.metadata.scenario_tags).toEqual(['sensor_dropout', 'timestamp_jitter']);

  // A file's text is a string that starts with its header and goes on into the rows.
  const held = (await heapStrings()).filter((s) => headers.some((h) => s.startsWith(`${h}\n${id(0)}`)));
  expect(held.map((s) => `${s.slice(0, 60)}…`)).toEqual([]);
  // The records are still alive here, so a file text found above would be theirs.
  expect(ds.systems[SYSTEMS - 1]!.systemId).toBe(id(SYSTEMS - 1));
}, 60_000);
