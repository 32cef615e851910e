/**
 * evaluateFiles from code does what `harness evaluate` does: the options left out take the
 * command's defaults (it required threshold, columns, columnsExplicit, allowMissing and a
 * dataDir function, and `{ scores, labels, threshold }` was "opts.columns is not iterable"), a
 * data folder may be a string, and a wrong option is a HarnessError naming it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFiles, evaluationJson, HarnessError } from '../../src/index.ts';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
const file = (name: string): string => path.join(tmp.dir, name);
beforeAll(async () => {
  tmp = await tempDir('evaluate-api-');
  const made = await runHarness(
    ['generate', '--systems', '16', '--days', '2', '--interval', '1h', '--out', file('fleet')],
    { cwd: tmp.dir },
  );
  expect(made.code, made.stderr).toBe(0);
  // A score per labelled system: its row number, so the ranking is fixed.
  const ids = (await readFile(file('fleet/labels.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]!);
  await writeFile(
    file('scores.csv'),
    `system_id,score\n${ids.map((id, i) => `${id},${(i / ids.length).toFixed(3)}`).join('\n')}\n`,
  );
}, 60_000);
afterAll(() => tmp.cleanup());

describe('evaluateFiles with harness evaluate defaults', () => {
  it('gives what `harness evaluate --json` prints, from the scores and a data folder string', async () => {
    const cli = await runHarness(
      ['evaluate', '--scores', file('scores.csv'), '--data', file('fleet'), '--json'],
      { cwd: tmp.dir },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const evaluation = await evaluateFiles({ scores: file('scores.csv'), dataDir: file('fleet') });
    const fromCode = JSON.parse(
      JSON.stringify(evaluationJson(evaluation, { chosenBy: 'default' })),
    ) as Record<string, unknown>;
    const fromCli = JSON.parse(cli.stdout) as Record<string, unknown>;
    // The files are named relative to each process's working directory.
    delete fromCode['files'];
    delete fromCli['files'];
    expect(fromCode).toEqual(fromCli);
  });

  it('{ scores, labels, threshold } alone', async () => {
    const evaluation = await evaluateFiles({
      scores: file('scores.csv'),
      labels: file('fleet/labels.csv'),
      metadata: file('fleet/metadata.csv'),
      threshold: 0.5,
    });
    expect(evaluation.summary.n).toBe(16);
    expect(evaluation.columns).toContain('failure_type');
  });
});

describe('evaluateFiles refuses a wrong option by name', () => {
  it.each([
    [undefined, 'the options must be an object'],
    [{}, 'scores must be the path of a scores file'],
    [{ scores: 'scores.csv', dataDir: 3 }, 'dataDir must be a folder path or a function'],
    [{ scores: 'scores.csv', threshold: '0.5' }, 'threshold must be a finite number'],
    [{ scores: 'scores.csv', columns: 'source' }, 'columns must be a non-empty list'],
    [{ scores: 'scores.csv', columns: ['sauce'] }, 'unknown column "sauce"'],
    [{ scores: 'scores.csv', allowMissing: 'yes' }, 'allowMissing must be true or false'],
    [{ scores: 'scores.csv', maxMissing: 0.1 }, 'maxMissing caps what allowMissing drops'],
    [{ scores: 'scores.csv', treshold: 0.5 }, 'unknown option treshold'],
  ])('%j', async (options, message) => {
    const err = await evaluateFiles(options as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toContain(`evaluateFiles: ${message}`);
  });
});
