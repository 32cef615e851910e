/**
 * A labels.history.csv with a git merge conflict left in it (the README says to commit it).
 * Before, `harness validate` passed it (exit 0), every GET of a system in the label app answered
 * 500, and saves still appended to it. Now validate names its line (exit 2), the app shows the
 * label and says why the history cannot be shown, and a save or `import --labels` is refused
 * naming the line, with nothing written.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabelServer } from '../helpers/label-server.ts';
import { hashTree, runHarness, tempDir } from '../helpers/run-harness.ts';
import { hourlyExport, voltageMapping } from '../helpers/real-export.ts';

const LABELS = 'system_id,label,failure_type,lead_time_days,source,label_version';

let t: Awaited<ReturnType<typeof tempDir>>;
const data = (): string => path.join(t.dir, 'data');
const history = (): string => path.join(data(), 'real', 'labels.history.csv');
const run = (...args: string[]) => runHarness(args, { cwd: t.dir });

const save = (url: string, id: string, notes: string) =>
  fetch(`${url}api/systems/real/${id}/label`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ label: 'normal', notes, labeler: 'ann' }),
  });

beforeAll(async () => {
  t = await tempDir('bess-history-damaged-');
  const gen = await run(
    'generate',
    '--systems',
    '2',
    '--days',
    '1',
    '--interval',
    '1h',
    '--data',
    data(),
  );
  expect(gen.code, gen.stderr).toBe(0);
  const files: Record<string, string> = {
    'rack1.csv': hourlyExport(700),
    'rack2.csv': hourlyExport(800),
    'rack1.json': voltageMapping('rack1'),
    'rack2.json': voltageMapping('rack2'),
    'rack2-labels.csv': `${LABELS}\nrack2,normal,none,,real,1\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(t.dir, name), text);
  const first = await run('import', 'rack1.csv', '--mapping', 'rack1.json');
  expect(first.code, first.stderr).toBe(0);
});
afterAll(() => t.cleanup());

describe('a damaged labels.history.csv', () => {
  it('is named by validate, shown beside the label, and refuses saves and import --labels', async () => {
    const server = await startLabelServer(data());
    try {
      // A save first: the server has written the history (and remembers what it wrote).
      expect((await save(server.url, 'rack1', 'first')).status).toBe(200);
      await appendFile(history(), '<<<<<<< HEAD\n');
      const v = await run('validate');
      expect(v.code).toBe(2);
      expect(v.stderr + v.stdout).toContain(
        'data/real/labels.history.csv:3:2: row has 1 field but the header has 6',
      );

      const before = await hashTree(data());
      const shown = await fetch(`${server.url}api/systems/real/rack1`);
      expect(shown.status).toBe(200);
      const body = (await shown.json()) as {
        label: { notes: string } | null;
        history: unknown[];
        history_error: string;
      };
      expect(body.label?.notes).toBe('first');
      expect(body.history).toEqual([]);
      expect(body.history_error).toContain(`${history()}:3:2: row has 1 field`);

      const refused = await save(server.url, 'rack1', 'second');
      expect(refused.status).toBe(500);
      expect(((await refused.json()) as { error: string }).error).toMatch(
        new RegExp(`^${history()}:3:2: row has 1 field.*The label history is damaged`),
      );
      const imported = await run(
        'import',
        'rack2.csv',
        '--mapping',
        'rack2.json',
        '--labels',
        'rack2-labels.csv',
      );
      expect(imported.code).toBe(2);
      expect(imported.stderr).toContain(`${history()}:3:2: row has 1 field`);
      expect(await hashTree(data())).toEqual(before);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(server.stderr()).not.toMatch(/internal error/);
    expect(await readFile(history(), 'utf8')).toMatch(/<<<<<<< HEAD\n$/);
  }, 60_000);
});
