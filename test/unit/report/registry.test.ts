import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { checkReporterEntries, resolveReporters } from '../../../src/report/registry.ts';
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

describe('resolveReporters: option values of a built-in reporter', () => {
  // Each was found only when the run had ended, as a Node internal message, or never.
  it.each([
    [['json', { file: 42 }], 'option `file` must be a file path (a non-empty string), got 42'],
    [['json', { file: '' }], 'option `file` must be a file path (a non-empty string), got ""'],
    [
      ['html', { dir: ['r'] }],
      'option `dir` must be a folder path (a non-empty string), got an array',
    ],
    [['junit', { hostname: 5 }], 'option `hostname` must be a string (a host name), got 5'],
    [
      ['markdown', { stepSummary: true }],
      'option `stepSummary` must be a file path to append the summary to, or false for none, got true',
    ],
    [['markdown', { weakest: 'five' }], 'option `weakest` must be a whole number ≥ 0'],
    [['plain', { weakest: 2.5 }], 'option `weakest` must be a whole number ≥ 0'],
    [['plain', { write: 'stdout' }], 'option `write` must be a function'],
    [['ink', { stdout: 1 }], 'option `stdout` must be a writable terminal stream'],
  ] as const)('%j is refused: %s', async (entry, why) => {
    const message = await refusal(entry as never);
    expect(message).toContain(`reporter "${entry[0]}": ${why}`);
  });

  it('an option left undefined takes its default', async () => {
    expect(await resolveReporters([['json', { file: undefined }]], dir)).toHaveLength(1);
  });

  it('entries of the config name its file and the entry', async () => {
    const err = await resolveReporters(['plain', ['json', { file: 42 }]], dir, {
      configFile: path.join(dir, 'harness.config.ts'),
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /harness\.config\.ts: reporters\[1\]: reporter "json": option `file` must be/,
    );
  });
});

describe('checkReporterEntries: two reporters, one file', () => {
  const out = '/out';
  const check = (entries: Parameters<typeof checkReporterEntries>[0]) => {
    try {
      checkReporterEntries(entries, out, {
        '/out/run-record.json': "the pointer to the run's record",
      });
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(HarnessError);
      return (err as HarnessError).message;
    }
  };

  it('refuses two reporters writing the same file, or one writing the record pointer', () => {
    expect(
      check([['json', { file: 'same.txt' }], 'plain', ['junit', { file: '/out/same.txt' }]]),
    ).toBe(
      'reporters[0] "json" and reporters[2] "junit" both write /out/same.txt: give each its own file (option `file`, or `dir` for html)',
    );
    expect(check(['json', ['markdown', { file: 'results.json' }]])).toContain(
      'reporters[0] "json" and reporters[1] "markdown" both write /out/results.json',
    );
    expect(check([['json', { file: 'report/index.html' }], 'html'])).toContain(
      'both write /out/report/index.html',
    );
    expect(check([['json', { file: 'run-record.json' }]])).toBe(
      `reporters[0] "json" writes /out/run-record.json, where the harness keeps the pointer to the run's record: give it another file`,
    );
  });

  it('refuses a file where a folder must be: the out dir, a folder it is in, or the folder of another report', () => {
    // Each ran the whole run, then failed writing (EISDIR, EEXIST): exit 2 at the end.
    expect(check([['json', { file: 'report' }], 'html'])).toBe(
      'reporters[0] "json" writes /out/report, a folder reporters[1] "html" writes /out/report/index.html in: give each its own place (option `file`, or `dir` for html)',
    );
    expect(
      check([
        ['html', { dir: 'x' }],
        ['junit', { file: 'x/index.html/j.xml' }],
      ]),
    ).toContain(
      'reporters[0] "html" writes /out/x/index.html, a folder reporters[1] "junit" writes /out/x/index.html/j.xml in',
    );
    expect(check([['json', { file: '.' }]])).toBe(
      'reporters[0] "json" writes /out, the out dir itself: give it a file in the out dir',
    );
    expect(check(['plain', ['markdown', { file: '..' }]])).toBe(
      'reporters[1] "markdown" writes /, a folder the out dir /out is in: give it a file in the out dir',
    );
  });

  it('each file its own: fine', () => {
    expect(
      check(['plain', 'json', 'junit', 'markdown', 'html', ['json', { file: 'b.json' }]]),
    ).toBe(null);
    // A file beside the html page, or outside the out dir, is a place of its own.
    expect(check(['html', ['json', { file: 'report/results.json' }]])).toBe(null);
    expect(check([['junit', { file: '../ci/junit.xml' }]])).toBe(null);
  });
});
