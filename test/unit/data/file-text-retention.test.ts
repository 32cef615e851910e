/**
 * Loaded labels and metadata must not keep the text of labels.csv or metadata.csv alive. V8 makes
 * a substring of 13 characters or more a view of the string it was cut from, so a kept field (a
 * `failure_at`, a scenario tag in the shared word table, a long system id) used to hold the whole
 * file for as long as the rows lived: 4 MB at 30k systems in the main thread of a run. Checked in
 * a real heap snapshot, for the records of loadDataset (read through the columns) and the rows of
 * loadLabels / loadMetadata (the row readers), from plain files and from quoted ones.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/run-harness.ts';

const SYSTEMS = 300;
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

/*
 * The probe runs in a process of its own: a snapshot of this test worker's heap holds whatever
 * the earlier test files left there, and parsing it took over a minute on a busy CI machine.
 * It loads the dataset and the rows, snapshots its heap while they are alive, and prints the
 * strings that begin with a file's header and first row (a file's whole text).
 */
const PROBE = `
import v8 from 'node:v8';
import { loadDataset, loadLabels, loadMetadata } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/data/index.ts')).href)};
const [dir, firstId, ...headers] = process.argv.slice(2);
// The records (read through the columns) and the rows (through the row readers), all kept.
const ds = await loadDataset({ dataDir: dir });
const labels = await loadLabels({ dataDir: dir });
const metadata = await loadMetadata({ dataDir: dir });
// V8 keeps the subject of the last regular expression run (RegExp.lastMatch): one string for the
// whole process, replaced by the next match, so not the records'. A match of its own clears it.
/x/.test('x');
const chunks = [];
for await (const c of v8.getHeapSnapshot()) chunks.push(c);
const strings = JSON.parse(Buffer.concat(chunks).toString('utf8')).strings;
const held = strings.filter((s) => headers.some((h) => s.startsWith(h + '\\n' + firstId)));
const first = ds.systems[0];
process.stdout.write(JSON.stringify({
  systems: ds.systems.length,
  rows: labels.length + metadata.length,
  failureAt: first.label.failure_at,
  rowFailureAt: labels[0].failure_at,
  tags: first.metadata.scenario_tags,
  rowTags: metadata[0].scenario_tags,
  held: held.map((s) => s.slice(0, 60) + '…'),
}));
`;

/**
 * Writes the two files into `at` and returns the first line of each (the files' texts are not
 * kept here). `quoted`: a field of each file is quoted, which sends both to the exact CSV parser
 * and the row readers instead of the byte path.
 */
async function writeFleet(at: string, quoted: boolean): Promise<string[]> {
  // Long ids, long tags, timestamps and notes: every kind of field of 13 characters or more.
  const meta = ['system_id,source,operational_mode,season,chemistry,capacity_kwh,climate,scenario_tags'];
  const labels = ['system_id,label,failure_type,lead_time_days,source,label_version,failure_at,onset_at,notes'];
  for (let i = 0; i < SYSTEMS; i++) {
    const chemistry = quoted ? '"LFP, prismatic 280Ah"' : 'LFP-prismatic-280Ah';
    meta.push(`${id(i)},synthetic,frequency_regulation,winter,${chemistry},500,continental-humid,sensor_dropout;timestamp_jitter`);
    labels.push(
      i % 2 === 0
        ? `${id(i)},anomaly,thermal_runaway,3.5,synthetic,1,2025-03-04T05:06:07Z,2025-02-01T00:00:00Z,${quoted ? '"seen, by the operator on site"' : 'seen by the operator on site'}`
        : `${id(i)},normal,none,,synthetic,1,,,`,
    );
  }
  await mkdir(at, { recursive: true });
  await writeFile(path.join(at, 'metadata.csv'), `${meta.join('\n')}\n`);
  await writeFile(path.join(at, 'labels.csv'), `${labels.join('\n')}\n`);
  return [meta[0]!, labels[0]!];
}

const id = (i: number) => `rack-berlin-${String(i).padStart(5, '0')}`;

it.each([
  ['the byte path', false],
  ['the exact parser (quoted fields)', true],
])('records and rows read by %s hold their fields, not the files they were read from', async (_, quoted) => {
  dir ||= await mkdtemp(path.join(tmpdir(), 'bess-retention-'));
  const fleet = path.join(dir, quoted ? 'quoted' : 'plain');
  const headers = await writeFleet(fleet, quoted);
  const probe = path.join(dir, 'probe.mts');
  await writeFile(probe, PROBE);
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe, fleet, id(0), ...headers], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(out.systems).toBe(SYSTEMS);
  expect(out.rows).toBe(2 * SYSTEMS);
  expect([out.failureAt, out.rowFailureAt]).toEqual(['2025-03-04T05:06:07Z', '2025-03-04T05:06:07Z']);
  expect([out.tags, out.rowTags]).toEqual([
    ['sensor_dropout', 'timestamp_jitter'],
    ['sensor_dropout', 'timestamp_jitter'],
  ]);
  // The records were alive at the snapshot, so a file text found there would be theirs.
  expect(out.held).toEqual([]);
}, 60_000);
