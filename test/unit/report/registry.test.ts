import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { resolveReporters } from '../../../src/report/registry.ts';
import { tempDir } from '../../helpers/run-harness.ts';

// Reporter modules of a project's own: each of the wrong shape must be exit 2 naming its file,
// never an internal error, nor a reporter that reports nothing while the run exits 0.
const MODULES: Readonly<Record<string, string>> = {
  'ok-object.ts': 'export default { onRunEnd() {} };\n',
  'ok-factory.ts': 'export default (o: { tag?: string }) => ({ tag: o.tag, onRunEnd() {} });\n',
  'factory-throws.ts': "export default () => { throw new Error('no webhook url'); };\n",
  'no-default.ts': 'export const reporter = { onRunEnd() {} };\n',
  'async-factory.ts': 'export default async () => ({ onRunEnd() {} });\n',
  'number.ts': 'export default 42;\n',
  'hook-not-function.ts': "export default { onRunEnd: 'write junit' };\n",
  'factory-hook-not-function.ts': 'export default () => ({ onSuiteResult: true });\n',
  'no-hooks.ts': 'export default { name: "quiet" };\n',
  'typo-hook.ts': 'export default { onRunEnded() {} };\n',
  'factory-returns-nothing.ts': 'export default () => { /* forgot to return */ };\n',
};

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('c-reporters-'));
  await mkdir(path.join(dir, 'rep'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module","private":true}');
  for (const [name, text] of Object.entries(MODULES))
    await writeFile(path.join(dir, 'rep', name), text);
});
afterAll(() => cleanup());

/** The HarnessError resolving `entry` throws (the test fails if it resolves or throws anything else). */
async function refusal(entry: Parameters<typeof resolveReporters>[0][number]): Promise<string> {
  const err = await resolveReporters([entry], dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  return (err as HarnessError).message;
}

describe('resolveReporters: a reporter module of the project', () => {
  it('takes a reporter object, or a factory given the entry options', async () => {
    const [a, b] = await resolveReporters(
      ['./rep/ok-object.ts', ['./rep/ok-factory.ts', { tag: 'ci' }]],
      dir,
    );
    expect(typeof a!.onRunEnd).toBe('function');
    expect((b as { tag?: string }).tag).toBe('ci');
  });

  it.each([
    ['factory-throws.ts', 'its factory threw: no webhook url'],
    ['no-default.ts', 'it has no default export'],
    ['async-factory.ts', 'its factory returned a Promise'],
    ['number.ts', 'its default export is a number (42), not a reporter'],
    ['hook-not-function.ts', 'its hook `onRunEnd` is a string, not a function'],
    [
      'factory-hook-not-function.ts',
      'its hook `onSuiteResult` is a boolean (true), not a function',
    ],
    ['no-hooks.ts', 'its default export is an object with none of the hooks'],
    ['typo-hook.ts', 'unknown hook `onRunEnded` (did you mean "onRunEnd"?)'],
    ['factory-returns-nothing.ts', 'its factory returned undefined, not a reporter'],
  ])('%s is refused, naming the file: %s', async (name, why) => {
    const message = await refusal(`./rep/${name}`);
    expect(message).toBe(
      message.startsWith(`the reporter ${path.join(dir, 'rep', name)}: `) ? message : '(no file)',
    );
    expect(message).toContain(why);
  });

  it('a reporter object given from code is checked the same way', async () => {
    expect(await refusal({ onRunEnd: 1 } as never)).toContain(
      'reporter 1 (an object): its hook `onRunEnd` is a number (1), not a function',
    );
  });
});

describe('resolveReporters: options of a built-in reporter', () => {
  it('an unknown option key is refused with the closest known one', async () => {
    expect(await refusal(['junit', { fiel: 'ci/junit.xml' }])).toBe(
      'reporter "junit": unknown junit reporter option key `fiel` (did you mean "file"?) (known: file, hostname)',
    );
    expect(await refusal(['markdown', { stepsummary: false }])).toContain(
      '(did you mean "stepSummary"?)',
    );
  });

  it('options that are not an object are refused', async () => {
    expect(await refusal(['json', 'out.json'] as never)).toBe(
      'reporter "json": its options must be an object, e.g. ["json", { … }]',
    );
  });

  it('known keys pass', async () => {
    const reporters = await resolveReporters(
      [
        ['junit', { file: 'j.xml', hostname: 'ci' }],
        ['json', { file: 'r.json' }],
        ['markdown', { file: 's.md', stepSummary: false, weakest: 2 }],
        ['plain', { weakest: 1, write: () => {} }],
        ['html', { dir: 'r' }],
      ],
      dir,
    );
    expect(reporters).toHaveLength(5);
  });
});
