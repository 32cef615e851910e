/**
 * The user-module loader on real files: every extension in a CommonJS-scoped folder (no
 * "type" in package.json) and in an ESM one, and each way a module fails to load, as a
 * HarnessError naming the file (file:line:column for a syntax error), never a stack trace.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { loadDefaultExport } from '../../../src/module/load-user-module.ts';
import { tempDir } from '../../helpers/run-harness.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
const at = (...parts: string[]): string => path.join(tmp.dir, ...parts);

/** Per folder: file name → source. `kind` in each default export says which file was loaded. */
const MODULES: Readonly<Record<string, string>> = {
  'esm.ts':
    "const n: number = 1;\nexport const named = 'n';\nexport default { kind: 'esm.ts', n };\n",
  'esm.mts': "const n: number = 1;\nexport default { kind: 'esm.mts', n };\n",
  'cjs.cts': "const n: number = 1;\nmodule.exports = { kind: 'cjs.cts', n };\n",
  'esm.mjs': "export default { kind: 'esm.mjs' };\n",
  'cjs.cjs': "module.exports = { kind: 'cjs.cjs' };\n",
  'factory.cjs': "module.exports = function factory() { return 'made'; };\n",
};

/** The failures, the same in both folders. */
const BROKEN: Readonly<Record<string, string>> = {
  'syntax.ts': "const a = 1;\nexport default {\n  seed: 'x',,\n};\n",
  'syntax.cjs': "const a = 1;\nmodule.exports = {\n  seed: 'x',,\n};\n",
  'imports-syntax.ts': "import x from './syntax.ts';\nexport default x;\n",
  'thrower.ts':
    "const n: number = 1;\n\nfunction boom(): never {\n  throw new Error('exploded at import');\n}\nboom();\nexport default n;\n",
  'imports-thrower.ts': "import n from './thrower.ts';\nexport default n;\n",
  'missing-import.ts': "import x from './nope.ts';\nexport default x;\n",
};

beforeAll(async () => {
  tmp = await tempDir('bess-loader-');
  for (const [folder, pkg] of [
    ['cjs', { name: 'cjs-folder', private: true }],
    ['esm', { name: 'esm-folder', private: true, type: 'module' }],
  ] as const) {
    await mkdir(at(folder));
    await writeFile(at(folder, 'package.json'), JSON.stringify(pkg));
    for (const [name, text] of Object.entries({ ...MODULES, ...BROKEN }))
      await writeFile(at(folder, name), text);
  }
  // A .js file means what its folder's "type" says: ESM syntax in the ESM folder, CommonJS in the other.
  await writeFile(at('esm', 'plain.js'), "export default { kind: 'plain.js' };\n");
  await writeFile(at('cjs', 'plain.js'), "module.exports = { kind: 'plain.js' };\n");
  // ESM syntax in a .js file of a CommonJS folder: tsx compiles it.
  await writeFile(at('cjs', 'esm-syntax.js'), "export default { kind: 'esm-syntax.js' };\n");
  // A .ts next to the .js of the same name: the .js asked for is the one loaded.
  await writeFile(at('cjs', 'plain.ts'), "export default { kind: 'plain.ts' };\n");
});
afterAll(() => tmp.cleanup());

/** The HarnessError a load throws. */
async function failure(file: string): Promise<HarnessError> {
  const err = await loadDefaultExport(file, { what: 'suite' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  const e = err as HarnessError;
  expect(e.code).toBe('E_SUITE');
  expect(e.message).toContain(`the suite ${file} could not be loaded: `);
  expect(e.message).not.toMatch(/\n\s+at |namespace=/); // no stack trace, no tsx internals
  return e;
}

describe.each(['cjs', 'esm'])('in a %s folder', (folder) => {
  it.each(['esm.ts', 'esm.mts', 'cjs.cts', 'esm.mjs', 'cjs.cjs', 'plain.js'])(
    'loads %s, its default export (module.exports for CommonJS)',
    async (name) => {
      expect(await loadDefaultExport(at(folder, name), { what: 'suite' })).toMatchObject({
        kind: name,
      });
    },
  );

  it('gives a CommonJS factory as the function it is, and the same module on a second load', async () => {
    const factory = await loadDefaultExport(at(folder, 'factory.cjs'), { what: 'plugin' });
    expect(typeof factory === 'function' && (factory as () => string)()).toBe('made');
    expect(await loadDefaultExport(at(folder, 'esm.ts'), { what: 'suite' })).toBe(
      await loadDefaultExport(at(folder, 'esm.ts'), { what: 'config' }),
    );
  });

  it('locates a syntax error at file:line:column, in the module or in one it imports', async () => {
    for (const [name, file] of [
      ['syntax.ts', 'syntax.ts'],
      ['imports-syntax.ts', 'syntax.ts'],
    ]) {
      const e = await failure(at(folder, name!));
      expect(e.message).toMatch(/could not be loaded: syntax error$/);
      expect(e.problems).toEqual([
        {
          file: at(folder, file!),
          line: 3,
          column: 13,
          message: 'Expected identifier but found ","',
        },
      ]);
    }
    const cjs = await failure(at(folder, 'syntax.cjs'));
    expect(cjs.problems).toEqual([
      {
        file: at(folder, 'syntax.cjs'),
        line: 3,
        column: 13,
        message: "SyntaxError: Unexpected token ','",
      },
    ]);
  });

  it('names a module that throws at import, and where it threw when that is a module it imports', async () => {
    const direct = await failure(at(folder, 'thrower.ts'));
    expect(direct.message).toMatch(/thrower\.ts could not be loaded: exploded at import$/);
    const nested = await failure(at(folder, 'imports-thrower.ts'));
    expect(nested.message).toMatch(/imports-thrower\.ts could not be loaded: exploded at import$/);
    // vitest formats stacks without tsx's source maps: the file only (the CLI gives 4:9, test/e2e/module-format.test.ts).
    expect(nested.problems).toEqual([
      { file: at(folder, 'thrower.ts'), line: 0, column: 0, message: 'Error: exploded at import' },
    ]);
  });

  it('names a missing import and the module that imports it; a missing file is "file not found"', async () => {
    const e = await failure(at(folder, 'missing-import.ts'));
    expect(e.message).toMatch(
      /Cannot find module '.*nope\.ts' imported from .*missing-import\.ts$/,
    );
    expect((await failure(at(folder, 'no-such-file.ts'))).message).toMatch(
      /could not be loaded: file not found$/,
    );
  });
});

describe('in a CommonJS folder', () => {
  it('loads ESM syntax in a .ts or .js file, with its named exports left out of the default', async () => {
    expect(await loadDefaultExport(at('cjs', 'esm.ts'), { what: 'suite' })).toEqual({
      kind: 'esm.ts',
      n: 1,
    });
    expect(await loadDefaultExport(at('cjs', 'esm-syntax.js'), { what: 'suite' })).toEqual({
      kind: 'esm-syntax.js',
    });
  });
});

describe('in a folder whose package.json starts with a byte order mark', () => {
  beforeAll(async () => {
    await mkdir(at('esm-bom'));
    await writeFile(
      at('esm-bom', 'package.json'),
      `\uFEFF${JSON.stringify({ name: 'esm-bom', private: true, type: 'module' })}\n`,
    );
    await writeFile(
      at('esm-bom', 'tla.js'),
      "const n = await Promise.resolve(2);\nexport default { kind: 'tla.js', n };\n",
    );
    // Not tla.ts: a TypeScript twin beside tla.js would have it imported as ESM either way.
    await writeFile(
      at('esm-bom', 'typed.ts'),
      "const n: number = await Promise.resolve(1);\nexport default { kind: 'typed.ts', n };\n",
    );
  });

  it('reads its "type": "module" as Node does: a .js module with top-level await loads', async () => {
    // JSON.parse refuses the mark: the folder was taken for CommonJS, and the module failed
    // ("Error parsing: …/package.json", from tsx's CommonJS hook).
    expect(await loadDefaultExport(at('esm-bom', 'tla.js'), { what: 'suite' })).toEqual({
      kind: 'tla.js',
      n: 2,
    });
  });

  it('says why a .ts module beside it cannot load: tsx cannot read the mark', async () => {
    const e = await failure(at('esm-bom', 'typed.ts'));
    expect(e.message).toBe(
      `the suite ${at('esm-bom', 'typed.ts')} could not be loaded: ${at('esm-bom', 'package.json')} starts with a UTF-8 byte order mark, which tsx (the TypeScript loader) cannot read: save it without one`,
    );
  });
});

describe("in a folder whose path holds '?'", () => {
  beforeAll(async () => {
    await mkdir(at('q?x'));
    await writeFile(at('q?x', 'package.json'), JSON.stringify({ name: 'q', type: 'module' }));
    await writeFile(at('q?x', 'plain.js'), "export default { kind: 'plain.js' };\n");
    await writeFile(at('q?x', 'm.ts'), 'export default (k: number): number => k * 2;\n');
    await writeFile(
      at('q?x', 'suite.ts'),
      "import m from './m.ts';\nexport default { kind: 'suite.ts', n: m(2) };\n",
    );
  });

  it('loads a module tsx can load there (no relative .ts import)', async () => {
    expect(await loadDefaultExport(at('q?x', 'plain.js'), { what: 'suite' })).toEqual({
      kind: 'plain.js',
    });
  });

  it('says tsx cannot load TypeScript from such a path, not a syntax error in a file that is not there', async () => {
    // tsx takes the '?' for its own query and loaded ./m.ts as "m.ts.js", untranspiled.
    const e = await failure(at('q?x', 'suite.ts'));
    expect(e.message).toMatch(
      /could not be loaded: tsx cannot load TypeScript from a path holding '\?': move the project to a path without one \(/,
    );
  });
});
