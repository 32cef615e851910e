import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';

/** The harness version from its own package.json (also recorded with runs). */
export async function readPackageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
