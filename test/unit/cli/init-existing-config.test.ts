/**
 * `harness init` in a project that already has a harness.config.ts reads it: .gitignore gets the
 * config's data folder (not data/), and a `suites` glob that leaves out suites/ is named, since
 * the suite init writes there would otherwise never run while the other suites pass.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../../helpers/run-harness.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('bess-init-config-');
});
afterAll(() => tmp.cleanup());

describe('harness init with an existing config', () => {
  it('follows its dataDir in .gitignore and warns that its suites glob misses suites/', async () => {
    await writeFile(
      path.join(tmp.dir, 'harness.config.ts'),
      "export default { dataDir: 'telemetry', suites: ['checks/**/*.suite.ts'] };\n",
    );
    const r = await runHarness(['init', '--yes'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const gitignore = await readFile(path.join(tmp.dir, '.gitignore'), 'utf8');
    expect(gitignore).toMatch(/^telemetry\/synthetic$/m);
    expect(gitignore).not.toMatch(/^data\//m);
    const line = r.stdout.split('\n').find((l) => l.includes('suites/my-model.suite.ts'));
    expect(line).toMatch(
      /created {2}suites\/my-model\.suite\.ts: not run: .*\(checks\/\*\*\/\*\.suite\.ts\).*add 'suites\/\*\*\/\*\.suite\.ts'/,
    );
  });
});
