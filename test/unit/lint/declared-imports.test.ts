/**
 * Every package the shipped code imports by name is one package.json declares (dependencies or
 * peerDependencies). A package that is only there because another dependency pulls it in (as
 * @uwdata/flechette came with arquero) is hoisted by a default npm install, so nothing fails here,
 * but an isolated install (`npm install --install-strategy=linked`, pnpm) does not hoist it and
 * every command, `--help` included, died with ERR_MODULE_NOT_FOUND.
 */
import { builtinModules } from 'node:module';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
/** The folders the package ships with code in them (package.json `files`). */
const SHIPPED = ['bin', 'src', 'plugins'];
const CODE = /\.(ts|tsx|js|mjs|cjs)$/;

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isBuiltin = (specifier: string): boolean =>
  specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

/** `file: package` for each bare import (type-only ones too: types/ keeps them) of an undeclared package. */
async function undeclaredImports(root: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const found: string[] = [];
  for (const dir of SHIPPED) {
    const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
    for (const e of entries) {
      if (!e.isFile() || !CODE.test(e.name)) continue;
      const file = path.join(e.parentPath, e.name);
      const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
      for (const { fileName: spec } of [...info.importedFiles, ...info.typeReferenceDirectives]) {
        if (spec.startsWith('.') || spec.startsWith('/') || isBuiltin(spec)) continue;
        if (!declared.has(packageOf(spec)))
          found.push(`${path.relative(root, file)}: ${packageOf(spec)}`);
      }
    }
  }
  return found.sort();
}

describe('bare imports of the shipped code', () => {
  it('reports a package that is imported but not declared', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'bess-imports-'));
    try {
      const pkg = { name: 'p', dependencies: { arquero: '8.0.1' }, peerDependencies: { v: '*' } };
      await writeFile(path.join(root, 'package.json'), JSON.stringify(pkg));
      for (const dir of SHIPPED) await mkdir(path.join(root, dir));
      await writeFile(
        path.join(root, 'src/a.ts'),
        [
          "import { readFile } from 'node:fs';",
          "import path from 'path';",
          "import { table } from 'arquero';",
          "import type { V } from 'v/sub';",
          "import { self } from 'p/x';",
          "import { tableFromIPC } from '@uwdata/flechette';",
          "export const lazy = () => import('chalk');",
        ].join('\n'),
      );
      await writeFile(path.join(root, 'bin/b.js'), "import x from '@scope/pkg/deep/file.js';\n");
      expect(await undeclaredImports(root)).toEqual([
        'bin/b.js: @scope/pkg',
        'src/a.ts: @uwdata/flechette',
        'src/a.ts: chalk',
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('names only declared packages in bin/, src/ and plugins/', async () => {
    expect(await undeclaredImports(repo)).toEqual([]);
  });
});
