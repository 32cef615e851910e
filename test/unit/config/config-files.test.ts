/**
 * Which config a project has: every config file name is read (a `harness.config.cjs` was
 * skipped, and its suites never ran), and two configs in one folder are refused rather than
 * one of them ignored.
 */
import path from 'node:path';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { HarnessError } from '../../../src/errors.ts';
import { tempDir } from '../../helpers/run-harness.ts';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: root, cleanup } = await tempDir('bess-config-files-')));
afterAll(() => cleanup());

/** A project folder with these files; each its own, as a loaded module is kept by file. */
async function project(name: string, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir);
  const all = { 'package.json': '{"name":"p","type":"module"}', ...files };
  for (const [file, text] of Object.entries(all)) await writeFile(path.join(dir, file), text);
  return dir;
}

const GATES = `{ suites: ['gates/*.suite.ts'] }`;

describe('loadConfig reads every config file name', () => {
  it.each([
    ['harness.config.cjs', `module.exports = ${GATES};\n`],
    [
      'harness.config.mts',
      `const config: { suites: string[] } = ${GATES};\nexport default config;\n`,
    ],
    [
      'harness.config.cts',
      `const config: { suites: string[] } = ${GATES};\nmodule.exports = config;\n`,
    ],
    ['harness.config.json', '{ "suites": ["gates/*.suite.ts"] }\n'],
    ['harness.config.js', `export default ${GATES};\n`],
  ])('%s', async (file, text) => {
    const dir = await project(file, { [file]: text });
    const config = await loadConfig(dir);
    expect(config.configFile).toBe(path.join(dir, file));
    expect(config.suites).toEqual(['gates/*.suite.ts']);
  });

  it('a CommonJS project (no "type") with harness.config.js', async () => {
    const dir = await project('cjs-project', {
      'package.json': '{"name":"p"}',
      'harness.config.js': `module.exports = ${GATES};\n`,
    });
    expect((await loadConfig(dir)).suites).toEqual(['gates/*.suite.ts']);
  });

  it('harness.config.json: a syntax error is located, an empty file is named', async () => {
    const bad = await project('json-bad', { 'harness.config.json': '{\n  "seed": 1,\n}\n' });
    const err = await loadConfig(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).problems).toEqual([
      expect.objectContaining({ file: path.join(bad, 'harness.config.json'), line: 3, column: 1 }),
    ]);
    const empty = await project('json-empty', { 'harness.config.json': '\n' });
    await expect(loadConfig(empty)).rejects.toThrow('harness.config.json holds no config');
  });
});

describe('loadConfig: a config that is a link to nothing', () => {
  it('is refused, naming the link and its target, not taken for no config (the defaults)', async () => {
    // The shared config a monorepo links to was not checked out: the run passed on the defaults.
    const dir = await project('dangling', {});
    await symlink('../shared/harness.config.ts', path.join(dir, 'harness.config.ts'));
    const err = await loadConfig(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toBe(
      `the config ${path.join(dir, 'harness.config.ts')} is a link to ../shared/harness.config.ts, which does not exist: restore it, or remove the link`,
    );
  });

  it('a link to a config that exists is read', async () => {
    const dir = await project('linked', { 'shared.ts': `export default ${GATES};\n` });
    await symlink('shared.ts', path.join(dir, 'harness.config.ts'));
    expect((await loadConfig(dir)).suites).toEqual(['gates/*.suite.ts']);
  });
});

describe('loadConfig refuses two configs in one folder', () => {
  it.each([
    [
      'ts+package',
      {
        'harness.config.ts': 'export default { workers: 1 };\n',
        'package.json': '{"name":"p","type":"module","harness":{"workers":2}}',
      },
      ['harness.config.ts', 'package.json ("harness" key)'],
    ],
    [
      'ts+rc',
      { 'harness.config.ts': 'export default { workers: 1 };\n', '.harnessrc.json': '{}' },
      ['harness.config.ts', '.harnessrc.json'],
    ],
    [
      'cjs+json',
      { 'harness.config.cjs': 'module.exports = {};\n', 'harness.config.json': '{}' },
      ['harness.config.cjs', 'harness.config.json'],
    ],
  ])('%s', async (name, files, named) => {
    const dir = await project(name, files);
    const err = await loadConfig(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('E_CONFIG');
    const message = (err as HarnessError).message;
    expect(message).toContain(`2 configs in ${dir}`);
    for (const file of named) expect(message).toContain(path.join(dir, file));
  });

  it('a package.json without a "harness" key is no second config', async () => {
    const dir = await project('ts-alone', { 'harness.config.ts': 'export default { seed: 3 };\n' });
    expect((await loadConfig(dir)).seed).toBe('3');
  });
});

describe('loadConfig: package.json and JSON configs', () => {
  it('a package.json that is not valid JSON is located, not a crash', async () => {
    const dir = await project('pkg-bad', {
      'package.json': '{\n  "name": "p",\n  "type": "module",\n}\n',
    });
    const err = await loadConfig(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).problems).toEqual([
      expect.objectContaining({ file: path.join(dir, 'package.json'), line: 4, column: 1 }),
    ]);
  });

  it('"harness": null in package.json is an error, as in .harnessrc.json, not the defaults', async () => {
    const dir = await project('pkg-null', { 'package.json': '{"name":"p","harness":null}' });
    await expect(loadConfig(dir)).rejects.toThrow(
      `${path.join(dir, 'package.json')}: "harness" is null`,
    );
  });

  it('a UTF-8 byte order mark is skipped; a later error is located past it', async () => {
    const ok = await project('bom', { '.harnessrc.json': '\uFEFF{ "seed": 5 }' });
    expect((await loadConfig(ok)).seed).toBe('5');
    const bad = await project('bom-bad', { '.harnessrc.json': '\uFEFF{"seed":5,}' });
    const err = await loadConfig(bad).catch((e: unknown) => e);
    expect((err as HarnessError).problems).toEqual([
      expect.objectContaining({ line: 1, column: 11 }),
    ]);
  });
});
