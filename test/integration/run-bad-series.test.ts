/**
 * A suite on a data folder whose series has a bad cell: the case errors (exit 2), and its error
 * says where the cell is, as `harness validate` would. It once said only "1 problem in
 * raw/sys-0001.csv", and the reporters and results.json carried nothing more.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 's', dataset: { path: 'fleet' }, models: ['random'] });
`,
  });
  const gen = await runHarness(
    [
      'generate',
      '--scenario',
      'smoke',
      '--systems',
      '6',
      '--days',
      '2',
      '--interval',
      '1h',
      '--seed',
      '1',
      '--out',
      'fleet',
    ],
    { cwd: project.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
});
afterAll(() => project.cleanup());

it("a bad cell in a series errors the case with the cell's file, line and column", async () => {
  const file = path.join(project.dir, 'fleet', 'raw', 'sys-0001.csv');
  const lines = readFileSync(file, 'utf8').split('\n');
  // Line 5, column 2 (voltage_v): the text NaN, which the contract refuses.
  lines[4] = lines[4]!.replace(/^([^,]*),[^,]*,/, '$1,NaN,');
  writeFileSync(file, lines.join('\n'));
  const r = await runHarness(['run', '--reporter', 'plain', '--no-history', '--no-cache'], {
    cwd: project.dir,
  });
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stdout).toMatch(
    /random\s+errored: .*cannot load the series of sys-0001: .*fleet\/raw\/sys-0001\.csv:5:2: not a number: "NaN"/,
  );
});
