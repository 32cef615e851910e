import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editableSources } from '../../../src/runner/editable-installs.ts';

describe('editableSources: the folders a venv’s editable installs point to', () => {
  let sp = '';
  beforeAll(async () => {
    sp = path.join(await mkdtemp(path.join(tmpdir(), 'bess-editable-')), 'site-packages');
    await mkdir(sp, { recursive: true });
    // Code lines, comments, a folder inside site-packages (pywin32's) and a filesystem root are not sources.
    await writeFile(
      path.join(sp, 'mixed.pth'),
      "# a comment\nimport os; os.environ.get('X')\nwin32\n/\n/src/a\n\n",
    );
    await writeFile(
      path.join(sp, '__editable___b_1_finder.py'),
      "import sys\nMAPPING: dict[str, str] = {'b': '/src/b/b', 'c': \"/src/c.py\"}\nNAMESPACES: dict[str, list[str]] = {'ns': ['/src/ns']}\nPATH_PLACEHOLDER = '/'\n",
    );
    await writeFile(path.join(sp, '_editable_impl_d.py'), "F = x()\nF.map('d', '/src/d/d')\n");
    await writeFile(path.join(sp, 'other.py'), "MAPPING = {'e': '/src/e'}\n");
  });
  afterAll(() => rm(path.dirname(sp), { recursive: true, force: true }));

  it('reads .pth path lines and the finders’ mappings, and nothing else', () => {
    const names = ['__editable___b_1_finder.py', '_editable_impl_d.py', 'mixed.pth', 'other.py'];
    expect(editableSources(sp, names)).toEqual(
      ['/src/a', '/src/b/b', '/src/c.py', '/src/d/d', '/src/ns'].map((p) => path.resolve(p)),
    );
  });
});
