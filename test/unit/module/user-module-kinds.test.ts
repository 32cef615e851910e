/**
 * Every kind of user module, loaded by the code that uses it, in a project whose package.json
 * has no "type": "module" (CommonJS-scoped, where TypeScript used to fail with "Cannot
 * require() ES Module … in a cycle"): a config, a suite, a plugin named by a suite, a
 * reporter, a scenario file and an import mapping. Each loads; a syntax error is located at
 * file:line:column; a throw at import names the file; each with the kind's own error code.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { makeProject, REPO_ROOT, runCommand } from '../../helpers/run-harness.ts';
import {
  FILES,
  KINDS,
  kindFiles,
  LOADED,
  loaders,
  type Kind,
  type Variant,
} from './kinds-fixture.ts';

let project: Awaited<ReturnType<typeof makeProject>>;
let load: ReturnType<typeof loaders>;
beforeAll(async () => {
  project = await makeProject(kindFiles());
  load = loaders(project.dir);
});
afterAll(() => project.cleanup());

const abs = (rel: string): string => path.join(project.dir, rel);
const CODES: Readonly<Record<Kind, string>> = {
  config: 'E_CONFIG',
  suite: 'E_SUITE',
  plugin: 'E_PLUGIN',
  reporter: 'E_REPORTER',
  scenario: 'E_SCENARIO',
  mapping: 'E_MAPPING',
};

async function failure(kind: Kind, v: Variant): Promise<HarnessError> {
  const err = await load[kind](v).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  const e = err as HarnessError;
  expect(e.code).toBe(CODES[kind]);
  expect(e.message).toContain(`${abs(FILES[kind](v))} could not be loaded: `);
  expect(e.message).not.toMatch(/\n\s+at /);
  return e;
}

describe.each(KINDS)('a %s in a folder without "type": "module"', (kind) => {
  it('loads', async () => {
    expect(await load[kind]('ok')).toEqual(LOADED[kind]);
  });

  it('with a syntax error, fails at file:line:column', async () => {
    const e = await failure(kind, 'syntax');
    expect(e.message).toMatch(/could not be loaded: syntax error$/);
    expect(e.problems).toEqual([
      {
        file: abs(FILES[kind]('syntax')),
        line: 3,
        column: 13,
        message: 'Expected identifier but found ","',
      },
    ]);
  });

  it('that throws at import, fails naming the file and what it threw', async () => {
    const e = await failure(kind, 'throws');
    expect(e.message).toMatch(new RegExp(`could not be loaded: ${kind} exploded$`));
  });
});

// vitest compiles the modules a test imports itself, whatever their folder's "type": only a
// plain Node process, with tsx registered as bin/harness.js does, meets Node's CommonJS rules.
it('every kind loads in a plain Node process too, as under the CLI', async () => {
  const fixture = pathToFileURL(
    path.join(REPO_ROOT, 'test', 'unit', 'module', 'kinds-fixture.ts'),
  ).href;
  const script = `import { register } from 'tsx/esm/api';
register();
const { loadEveryKind } = await import(${JSON.stringify(fixture)});
process.stdout.write(JSON.stringify(await loadEveryKind(${JSON.stringify(project.dir)})));
`;
  const r = await runCommand(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
  });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual(LOADED);
}, 30_000);
