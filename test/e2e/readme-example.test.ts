import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, REPO_ROOT, runHarness } from '../helpers/run-harness.ts';

/** The code blocks of the README marked `<!-- example: <path> -->`, keyed by path. */
async function readmeExamples(): Promise<Record<string, string>> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of readme.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```/g))
    out[m[1]!] = m[2]!;
  return out;
}

describe('the README plugin example', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterAll(async () => project?.cleanup());

  it('runs as written and its assertions hold', async () => {
    const files = await readmeExamples();
    expect(Object.keys(files).sort()).toEqual([
      'plugins/plateau-delta-v/index.ts',
      'suites/delta-v.suite.ts',
    ]);
    // "about 20 lines"
    expect(
      files['plugins/plateau-delta-v/index.ts']!.trim().split('\n').length,
    ).toBeLessThanOrEqual(21);
    project = await makeProject(files);
    const r = await runHarness(['run', 'delta-v'], { cwd: project.dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/✓ plateau-delta-v beats random on roc_auc/);
    expect(r.stdout).toMatch(
      /✓ plateau-delta-v roc_auc\[failure_type=cell_imbalance\] \d\.\d{3} > 0\.7/,
    );
    expect(r.code).toBe(0);
  });
});
