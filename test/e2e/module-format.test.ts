/**
 * A project loads whatever its package.json's "type" says: the project `harness init --yes`
 * writes (config, plugin, suite in TypeScript, importing `bess-harness`) runs `harness run` to
 * the same exit code and the same results with "type": "module" and without it (CommonJS
 * scope, where Node used to refuse the TypeScript with "Cannot require() ES Module … in a
 * cycle"), with the models scored in worker threads.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness, type RunResult } from '../helpers/run-harness.ts';

type Project = Awaited<ReturnType<typeof makeProject>>;

/**
 * Keys of results.json that differ between two runs of the same project: times, paths, cache
 * state, and `dataHash` (it includes the series files' mtimes; the data's own `hash` stays).
 */
const RUN_SPECIFIC = new Set([
  'started_at',
  'durationMs',
  'duration_ms',
  'timings_ms',
  'generated',
  'cached',
  'dataDir',
  'dataHash',
]);

/** results.json without what differs from run to run, the project's folder written as `<project>`. */
async function results(project: Project): Promise<unknown> {
  const text = await readFile(
    path.join(project.dir, '.harness', 'last-run', 'results.json'),
    'utf8',
  );
  return JSON.parse(text.replaceAll(project.dir, '<project>'), (key, value: unknown) =>
    RUN_SPECIFIC.has(key) ? undefined : value,
  );
}

/** A project as `harness init --yes` leaves it, with the package.json given. */
async function initProject(pkg: Record<string, unknown>): Promise<Project> {
  const project = await makeProject({
    'package.json': JSON.stringify({ name: 'module-format', private: true }),
  });
  const init = await runHarness(['init', '--yes'], { cwd: project.dir });
  if (init.code !== 0) throw new Error(`init exited ${init.code}\n${init.stderr}`);
  await writeFile(path.join(project.dir, 'package.json'), JSON.stringify(pkg));
  return project;
}

describe('the same project with and without "type": "module"', () => {
  let esm: Project;
  let cjs: Project;
  let runs: { esm: RunResult; cjs: RunResult };

  beforeAll(async () => {
    [esm, cjs] = await Promise.all([
      initProject({ name: 'module-format', private: true, type: 'module' }),
      initProject({ name: 'module-format', private: true }),
    ]);
    const run = (p: Project) =>
      runHarness(
        ['run', '--no-history', '--workers', '2', '--reporter', 'plain', '--reporter', 'json'],
        { cwd: p.dir, env: { CI: 'true' } },
      );
    const [e, c] = await Promise.all([run(esm), run(cjs)]);
    runs = { esm: e, cjs: c };
  }, 120_000);
  afterAll(async () => {
    await esm?.cleanup();
    await cjs?.cleanup();
  });

  it('runs to the same exit code (0: the checklist passes) and prints nothing on stderr', () => {
    expect(runs.esm.code, runs.esm.stderr).toBe(0);
    expect(runs.cjs.code, runs.cjs.stderr).toBe(0);
    expect(runs.cjs.stderr).toBe(runs.esm.stderr);
    expect(runs.cjs.stdout).toMatch(
      /PASS {2}Assertions 7 passed, 0 failed · Cases 8 scored · Suites 4/,
    );
  });

  it('gives the same results.json, scores and assertions included', async () => {
    const [e, c] = await Promise.all([results(esm), results(cjs)]);
    expect((c as { suites: unknown[] }).suites).toHaveLength(4);
    expect(c).toEqual(e);
  });
});
