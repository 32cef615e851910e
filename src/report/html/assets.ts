import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { HarnessError } from '../../errors.ts';

/** The browser builds of vega and vega-lite the page inlines, so it works offline. */
export interface VegaScripts {
  readonly vega: string;
  readonly vegaLite: string;
}

/**
 * A file of an installed package, found from the package's resolved entry point. Neither vega
 * nor vega-lite lists its `build/*.min.js` (or its package.json) in `exports`, so
 * `require.resolve('vega/build/vega.min.js')` is refused; the entry resolves, and the package
 * root is the folder above it whose package.json carries the package's name.
 */
async function packageFile(pkg: string, file: string): Promise<string> {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve(pkg));
  } catch {
    throw new HarnessError(
      'E_REPORTER',
      `html reporter: the package "${pkg}" is not installed; run npm install`,
    );
  }
  for (;;) {
    const manifest = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => null);
    if (manifest !== null && (JSON.parse(manifest) as { name?: unknown }).name === pkg)
      return path.join(dir, file);
    const up = path.dirname(dir);
    if (up === dir)
      throw new HarnessError(
        'E_REPORTER',
        `html reporter: could not find the folder of the package "${pkg}"`,
      );
    dir = up;
  }
}

/**
 * Reads the installed minified vega and vega-lite builds: the versions the charts were written
 * for, inlined so a report never depends on a CDN or on the network.
 */
export async function loadVegaScripts(): Promise<VegaScripts> {
  const read = async (pkg: string, file: string): Promise<string> => {
    const full = await packageFile(pkg, file);
    return readFile(full, 'utf8').catch((err: unknown) => {
      throw new HarnessError(
        'E_REPORTER',
        `html reporter: could not read ${full}: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  };
  const [vega, vegaLite] = await Promise.all([
    read('vega', 'build/vega.min.js'),
    read('vega-lite', 'build/vega-lite.min.js'),
  ]);
  return { vega, vegaLite };
}
