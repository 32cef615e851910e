import { readFile } from 'node:fs/promises';

/** The harness version from its own package.json (also recorded with runs). */
export async function readPackageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
