import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import type { ScenarioSpec } from '../synth/types.ts';
import { pathExists } from '../data/index.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

/** The harness's own scenario fixtures, found when a project has none of that name. */
const BUILTIN_SCENARIOS = path.join(PACKAGE_ROOT, 'suites', 'scenarios');
const SUFFIX = '.scenario.ts';

/**
 * Finds a scenario fixture by name (`suites/scenarios/<name>.scenario.ts` in the project, then
 * the built-in ones) or by path, and imports its default export.
 */
export async function loadScenario(
  nameOrPath: string,
  cwd = process.cwd(),
): Promise<{ spec: ScenarioSpec; file: string }> {
  const file = await locateScenario(nameOrPath, cwd);
  const spec = await loadDefaultExport(file, { what: 'scenario' });
  if (
    typeof spec !== 'object' ||
    spec === null ||
    typeof (spec as { name?: unknown }).name !== 'string'
  ) {
    throw new HarnessError(
      'E_SCENARIO',
      `${file}: expected \`export default defineScenario({ name: '…', … })\``,
    );
  }
  return { spec: spec as ScenarioSpec, file };
}

async function locateScenario(nameOrPath: string, cwd: string): Promise<string> {
  const looksLikePath =
    nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.endsWith('.ts');
  const candidates = looksLikePath
    ? [path.resolve(cwd, nameOrPath)]
    : [
        path.join(cwd, 'suites', 'scenarios', nameOrPath + SUFFIX),
        path.join(BUILTIN_SCENARIOS, nameOrPath + SUFFIX),
      ];
  for (const c of candidates) {
    if (await pathExists(c)) return c;
  }
  const known = await listScenarioNames(cwd);
  throw new HarnessError(
    'E_SCENARIO',
    `no scenario "${nameOrPath}" (looked in ${candidates.join(', ')})` +
      (known.length ? `; known scenarios: ${known.join(', ')}` : ''),
  );
}

/** Names of the scenario fixtures visible from `cwd` (the project's and the built-in ones). */
export async function listScenarioNames(cwd = process.cwd()): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of [path.join(cwd, 'suites', 'scenarios'), BUILTIN_SCENARIOS]) {
    try {
      for (const f of await readdir(dir))
        if (f.endsWith(SUFFIX)) names.add(f.slice(0, -SUFFIX.length));
    } catch {
      // a project without its own scenarios folder is fine
    }
  }
  return [...names].sort();
}
