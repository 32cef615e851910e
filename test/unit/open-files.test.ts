/**
 * openFilesProblem on real errors of a real Node process. Out of descriptors, Node cannot open a
 * package.json and reads the package as having none: the import fails as "Cannot find package
 * '<package>/index.js'" or "Cannot find module '<package>/<subpath>'" though the package is whole.
 * Node's cache of package.json reads gives the same errors without exhausting anything: a package
 * imported before its package.json is written is still read as having none. A module that is
 * truly missing must still be called missing.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCommand, tempDir } from '../helpers/run-harness.ts';

const OPEN_FILES = pathToFileURL(path.join(REPO_ROOT, 'dist', 'src', 'open-files.js')).href;

/** Each case: an import that fails, the package.json written after it (or none), and what openFilesProblem says. */
const SCRIPT = `
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { openFilesProblem } from ${JSON.stringify(OPEN_FILES)};
const out = {};
const pkg = (name, json, files = {}) => {
  mkdirSync('node_modules/' + name + '/lib', { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync('node_modules/' + name + '/' + f, text);
  if (json) writeFileSync('node_modules/' + name + '/package.json', JSON.stringify(json));
};
const failure = async (specifier) => { try { await import(specifier); } catch (e) { return e; } throw new Error(specifier + ' loaded'); };
const MAIN = { 'lib/main.js': 'export default 1;' };

pkg('unread-exports', null, MAIN);
await failure('unread-exports');
pkg('unread-exports', { name: 'unread-exports', type: 'module', exports: { '.': './lib/main.js', './sub': './lib/main.js' } });
out.unreadExports = openFilesProblem(await failure('unread-exports/sub'));

pkg('unread-main', null, MAIN);
const unreadMain = await failure('unread-main');
pkg('unread-main', { name: 'unread-main', type: 'module', main: './lib/main.js' });
out.unreadMain = openFilesProblem(unreadMain);

pkg('no-main', null, {});
out.noMain = openFilesProblem(await failure('no-main'));
pkg('plain', { name: 'plain', type: 'module', main: './lib/main.js' }, MAIN);
out.missingDeepImport = openFilesProblem(await failure('plain/lib/gone.js'));
pkg('broken', { name: 'broken', type: 'module', exports: { '.': './lib/gone.js' } });
out.missingExportTarget = openFilesProblem(await failure('broken'));
out.missingRelative = openFilesProblem(await failure('./gone.js'));
pkg('gone-inside', { name: 'gone-inside', type: 'module', exports: { '.': './lib/main.js' } }, { 'lib/main.js': "import './gone.js';" });
out.missingInsidePackage = openFilesProblem(await failure('gone-inside'));

const held = [];
let emfile;
try { for (;;) held.push(openSync('package.json', 'r')); } catch (e) { emfile = e; }
for (const fd of held) closeSync(fd);
out.emfile = openFilesProblem(emfile);
out.emfileAsCause = openFilesProblem(new Error('the plugin could not start', { cause: emfile }));
out.code = emfile.code;
process.stdout.write(JSON.stringify(out));
`;

let tmp: { dir: string; cleanup: () => Promise<void> };
let got: Record<string, string | undefined> = {};
beforeAll(async () => {
  tmp = await tempDir('open-files-unit-');
  await writeFile(path.join(tmp.dir, 'package.json'), '{"type":"module"}');
  await writeFile(path.join(tmp.dir, 'cases.mjs'), SCRIPT);
  const r = await runCommand(
    'sh',
    ['-c', 'ulimit -n 40 && exec "$@"', 'sh', process.execPath, 'cases.mjs'],
    {
      cwd: tmp.dir,
    },
  );
  expect(r.stderr).toBe('');
  got = JSON.parse(r.stdout) as typeof got;
});
afterAll(() => tmp.cleanup());

const tooMany = /^too many open files \(the limit is 40: raise it with `ulimit -n 4096`[^\n]*\)$/;

describe('openFilesProblem', () => {
  it('tells an EMFILE, and one given as the cause of another error, with the limit', () => {
    expect(got['code']).toBe('EMFILE');
    expect(got['emfile']).toMatch(tooMany);
    expect(got['emfileAsCause']).toMatch(tooMany);
  });

  it('tells a package Node found without reading its package.json: its exports or its main are there', () => {
    expect(got['unreadExports']).toMatch(tooMany);
    expect(got['unreadMain']).toMatch(tooMany);
  });

  it('leaves a module that is truly missing to be called missing', () => {
    expect(got).not.toHaveProperty('noMain');
    expect(got).not.toHaveProperty('missingDeepImport');
    expect(got).not.toHaveProperty('missingExportTarget');
    expect(got).not.toHaveProperty('missingRelative');
    expect(got).not.toHaveProperty('missingInsidePackage');
  });
});
