import { availableParallelism } from 'node:os';
import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../../../src/config/load-config.ts';
import { HarnessError } from '../../../src/errors.ts';
import { tempDir } from '../../helpers/run-harness.ts';

describe('resolveConfig', () => {
  it('fills defaults and resolves paths against the config folder', () => {
    const c = resolveConfig({}, null, '/proj');
    expect(c).toEqual({
      configFile: null,
      root: '/proj',
      dataDir: path.resolve('/proj', 'data'),
      scenario: 'default',
      seed: null,
      suites: ['suites/**/*.suite.ts'],
      plugins: [path.resolve('/proj', 'plugins')],
      models: {},
      reporters: null,
      outDir: path.resolve('/proj', '.harness', 'last-run'),
      cacheDir: path.resolve('/proj', '.harness', 'cache'),
      runsDir: path.resolve('/proj', '.harness', 'runs'),
      history: true,
      timeoutMs: 60_000,
      cacheEnv: [],
      workers: availableParallelism(),
      tracking: { mlflow: { uri: null } },
    });
    expect(
      resolveConfig({ models: { mine: './m.ts', pkg: 'bess-model-x' } }, null, '/proj').models,
    ).toEqual({ mine: path.resolve('/proj', 'm.ts'), pkg: 'bess-model-x' });
    expect(
      resolveConfig({ dataDir: '../d', seed: 7 }, '/proj/harness.config.ts', '/proj'),
    ).toMatchObject({ dataDir: path.resolve('/d'), seed: '7' });
  });

  it('names every wrong field once, with the file', () => {
    try {
      resolveConfig({ dataDir: '', scenario: 3, sed: 1 }, '/proj/.harnessrc.json', '/proj');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HarnessError);
      const e = err as HarnessError;
      expect(e.code).toBe('E_CONFIG');
      expect(e.problems.map((p) => [p.file, p.message])).toEqual([
        ['/proj/.harnessrc.json', 'dataDir: must be a non-empty string (a folder path)'],
        ['/proj/.harnessrc.json', 'scenario: must be a scenario name or path'],
        [
          '/proj/.harnessrc.json',
          'sed: unknown field (known: dataDir, scenario, seed, suites, plugins, models, reporters, outDir, cacheDir, runsDir, history, timeoutMs, cacheEnv, workers, tracking)',
        ],
      ]);
    }
  });

  it('runsDir is a folder relative to the config; history must be a boolean', () => {
    expect(
      resolveConfig(
        { runsDir: 'history/runs', history: false },
        '/proj/harness.config.ts',
        '/proj',
      ),
    ).toMatchObject({ runsDir: path.resolve('/proj', 'history', 'runs'), history: false });
    try {
      resolveConfig({ runsDir: '', history: 'no' }, '/proj/harness.config.ts', '/proj');
      expect.unreachable();
    } catch (err) {
      expect((err as HarnessError).problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
        '/proj/harness.config.ts: runsDir: must be a non-empty string (a folder path)',
        '/proj/harness.config.ts: history: must be true (record every run in runsDir) or false',
      ]);
    }
  });

  it('names the index of a bad reporter entry', () => {
    expect(() => resolveConfig({ reporters: ['plain', 3] }, 'c.json', '/')).toThrow(HarnessError);
    try {
      resolveConfig({ reporters: ['plain', 3] }, 'c.json', '/');
    } catch (err) {
      expect((err as HarnessError).problems[0]!.message).toBe(
        'reporters[1] must be a reporter name, [name, options] or a module path',
      );
    }
  });

  it('takes an MLflow tracking URI, and names what is wrong with a bad one', () => {
    expect(
      resolveConfig({ tracking: { mlflow: { uri: 'http://127.0.0.1:5000' } } }, 'c.json', '/')
        .tracking,
    ).toEqual({ mlflow: { uri: 'http://127.0.0.1:5000' } });
    expect(resolveConfig({ tracking: {} }, 'c.json', '/').tracking).toEqual({
      mlflow: { uri: null },
    });
    const messages = (tracking: unknown) => {
      try {
        resolveConfig({ tracking }, '/proj/harness.config.ts', '/proj');
      } catch (err) {
        expect((err as HarnessError).code).toBe('E_CONFIG');
        return (err as HarnessError).problems.map((p) => `${p.file}: ${p.message}`);
      }
      return expect.unreachable();
    };
    expect(messages({ mlflow: { uri: 'sqlite:///mlflow.db' } })).toEqual([
      expect.stringMatching(
        /^\/proj\/harness\.config\.ts: tracking\.mlflow\.uri: "sqlite:\/\/\/mlflow\.db" is a database that only the Python client opens/,
      ),
    ]);
    expect(messages({ mlflow: { uri: 'http://127.0.0.1:5000', token: 'abc' } })).toEqual([
      '/proj/harness.config.ts: tracking.mlflow.token: credentials do not belong in a config file; set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN, in the environment',
    ]);
    expect(messages({ mlflow: { url: 'x' } })).toEqual([
      '/proj/harness.config.ts: tracking.mlflow.url: unknown field (known: uri)',
    ]);
    expect(messages({ wandb: {} })).toEqual([
      '/proj/harness.config.ts: tracking.wandb: unknown tracker (known: mlflow)',
    ]);
    expect(messages({ mlflow: { uri: '' } })).toEqual([
      '/proj/harness.config.ts: tracking.mlflow.uri: must be the URL of an MLflow server, e.g. "http://127.0.0.1:5000"',
    ]);
    expect(messages('http://x')).toEqual([
      '/proj/harness.config.ts: tracking: must be { mlflow: { uri: "http://127.0.0.1:5000" } }',
    ]);
  });

  it('rejects a config that is not an object', () => {
    expect(() => resolveConfig([], 'x.json', '/')).toThrow(/must be an object/);
  });
});

describe('timeoutMs: the range of the --timeout flag', () => {
  const problems = (raw: object): string[] => {
    try {
      resolveConfig(raw, '/proj/harness.config.ts', '/proj');
      return [];
    } catch (err) {
      return (err as HarnessError).problems.map((p) => p.message);
    }
  };
  const range = 'must be a whole number of milliseconds from 1 to 86,400,000 (24 hours)';

  // Past 2^31 - 1 ms Node sets the timer to 1 ms: every import "ran past the 1e10 ms timeout".
  it('refuses a timeout Node cannot set, in the config and in a process model', () => {
    expect(problems({ timeoutMs: 1e10 })).toEqual([`timeoutMs: ${range}`]);
    expect(problems({ timeoutMs: 1.5 })).toEqual([`timeoutMs: ${range}`]);
    expect(problems({ models: { py: { command: ['python'], timeoutMs: 1e10 } } })).toEqual([
      `models.py.timeoutMs: ${range}`,
    ]);
  });

  it('takes both ends of the range', () => {
    expect(problems({ timeoutMs: 1 })).toEqual([]);
    expect(problems({ timeoutMs: 86_400_000 })).toEqual([]);
    expect(problems({ models: { py: { command: ['python'], timeoutMs: 86_400_000 } } })).toEqual(
      [],
    );
  });
});

describe('loadConfig: a config file that holds no config is an error, not the defaults', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir: root, cleanup } = await tempDir('bess-config-')));
  afterAll(() => cleanup());

  /** A project folder holding one config file; each its own, as a loaded module is kept by file. */
  const project = async (name: string, file: string, text: string): Promise<string> => {
    const dir = path.join(root, name);
    await mkdir(dir);
    await writeFile(path.join(dir, 'package.json'), '{"name":"p","type":"module"}');
    await writeFile(path.join(dir, file), text);
    return dir;
  };

  it.each([
    ['named', 'export const config = { seed: 7 };\n', 'has no default export'],
    ['empty', '', 'has no default export'],
    ['undefined', 'export default undefined;\n', 'has no default export'],
    ['null', 'export default null;\n', 'exports null as its default'],
  ])('harness.config.ts %s', async (name, text, what) => {
    const dir = await project(name, 'harness.config.ts', text);
    await expect(loadConfig(dir)).rejects.toThrow(
      `${path.join(dir, 'harness.config.ts')} ${what}: write \`export default defineConfig({ … })\``,
    );
  });

  it.each([
    ['json-empty', ''],
    ['json-null', 'null'],
  ])('.harnessrc.json %s', async (name, text) => {
    const dir = await project(name, '.harnessrc.json', text);
    await expect(loadConfig(dir)).rejects.toThrow(
      `${path.join(dir, '.harnessrc.json')} holds no config: write a JSON object`,
    );
  });

  it('a package.json without a harness key is no config: the defaults', async () => {
    const dir = await project('none', 'README.md', '');
    expect((await loadConfig(dir)).configFile).toBeNull();
  });
});

describe("resolveConfig: a field name is the config's own, never a member of Object.prototype", () => {
  const messages = (raw: object): string[] => {
    try {
      resolveConfig(raw, '/proj/.harnessrc.json', '/proj');
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(HarnessError);
      return (err as HarnessError).problems.map((p) => p.message);
    }
  };
  const unknown = (key: string) =>
    `${key}: unknown field (known: dataDir, scenario, seed, suites, plugins, models, reporters, outDir, cacheDir, runsDir, history, timeoutMs, cacheEnv, workers, tracking)`;

  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'])(
    '%s is an unknown field',
    (key) => {
      expect(messages({ workers: 1, [key]: 1 })).toEqual([unknown(key)]);
    },
  );

  it('"__proto__" of a JSON config is an unknown field', () => {
    expect(messages(JSON.parse('{"__proto__":{"workers":1}}') as object)).toEqual([
      unknown('__proto__'),
    ]);
  });
});

describe('resolveConfig: what the run command refuses, the config refuses', () => {
  const messages = (raw: object): string[] => {
    try {
      resolveConfig(raw, '/proj/.harnessrc.json', '/proj');
      return [];
    } catch (err) {
      return (err as HarnessError).problems.map((p) => p.message);
    }
  };

  it('the same reporter twice is named (it printed its report twice)', () => {
    expect(messages({ reporters: ['plain', ['json', { file: 'a.json' }], 'plain'] })).toEqual([
      'reporters[2] is the same reporter as [0]: give it once',
    ]);
    expect(
      messages({
        reporters: [
          ['json', { file: 'a.json' }],
          ['json', { file: 'b.json' }],
        ],
      }),
    ).toEqual([]);
  });

  it('workers stops where --workers does (256)', () => {
    expect(messages({ workers: 256 })).toEqual([]);
    expect(messages({ workers: 100_000 })).toEqual([
      'workers: must be a whole number of worker threads from 1 to 256, as --workers',
    ]);
  });
});
