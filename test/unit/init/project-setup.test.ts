/**
 * readProjectSetup on real folders: a package.json with a UTF-8 byte order mark (a Windows
 * editor's) is read as npm reads it. It was taken for no package.json at all: its
 * "packageManager" was ignored and the CI workflow init wrote installed with npm.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProjectSetup } from '../../../src/init/project-setup.ts';
import { tempDir } from '../../helpers/run-harness.ts';

let t: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('readProjectSetup', () => {
  it('reads a package.json that starts with a byte order mark', async () => {
    t = await tempDir('bess-setup-bom-');
    await writeFile(
      path.join(t.dir, 'package.json'),
      `\uFEFF${JSON.stringify({ name: 'bom', packageManager: 'pnpm@9.1.0' }, null, 2)}\r\n`,
    );
    const setup = await readProjectSetup(t.dir);
    expect(setup.manager).toBe('pnpm');
    expect(setup.pkg).toMatchObject({ name: 'bom' });
  });
});
