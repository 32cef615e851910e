/**
 * The user modules of user-module-kinds.test.ts: one file of each kind per variant (loads,
 * has a syntax error, throws at import) in a project whose package.json has no "type", and how
 * the harness loads each kind. A module of its own so that a plain Node process, where user
 * modules go through Node's own loader as under the CLI (vitest compiles them itself), can
 * load them too.
 */
import path from 'node:path';
import { loadConfig, resolveConfig } from '../../../src/config/load-config.ts';
import { loadScenario } from '../../../src/config/load-scenario.ts';
import { loadMapping } from '../../../src/data/import/mapping.ts';
import { resolveReporters } from '../../../src/report/registry.ts';
import { collectSuites } from '../../../src/runner/collect.ts';
import { resolveModel } from '../../../src/runner/plugins.ts';

export type Variant = 'ok' | 'syntax' | 'throws';
const VARIANTS: readonly Variant[] = ['ok', 'syntax', 'throws'];
const CJS_PACKAGE = JSON.stringify({ name: 'cjs-project', private: true });

/** Breaks at line 3, column 13 (the second comma). */
const SYNTAX = "const a = 1;\nexport default {\n  seed: 'x',,\n};\n";
const throws = (what: string): string =>
  `throw new Error('${what} exploded');\nexport default {};\n`;

const OK = {
  config:
    "import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'cjs-ok' });\n",
  suite: `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'cjs-suite',
  dataset: { scenario: { name: 'tiny', systems: 12, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'tiny' } },
  models: ['my-model'],
});
`,
  plugin: `import { defineModel } from 'bess-harness';
export default (options: { scale?: number } = {}) => defineModel({ name: 'my-model', version: '1', options, score: () => options.scale ?? 1 });
`,
  reporter:
    "import type { Reporter } from 'bess-harness';\nexport default (options: Record<string, unknown>): Reporter => ({ onRunEnd() {} });\n",
  scenario:
    "import { defineScenario } from 'bess-harness';\nexport default defineScenario({ name: 'cjs-scenario', systems: 12, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'cjs' });\n",
  mapping: `export default {
  delimiter: ';',
  timestamp: { column: 'Zeit', format: 'DD.MM.YYYY HH:mm:ss', timezone: 'Europe/Berlin' },
  system: { column: 'Rack' },
  columns: { voltage_v: 'U' },
  metadata: { operational_mode: 'arbitrage' },
} as const;
`,
} as const;
export type Kind = keyof typeof OK;
export const KINDS = Object.keys(OK) as Kind[];

/** Where each kind's file of each variant lives in the project. */
export const FILES: Readonly<Record<Kind, (v: Variant) => string>> = {
  config: (v) => `config-${v}/harness.config.ts`,
  suite: (v) => `suites/${v}.suite.ts`,
  plugin: (v) => `plugins-${v}/my-model/index.ts`,
  reporter: (v) => `reporters/${v}.ts`,
  scenario: (v) => `scenarios/${v}.scenario.ts`,
  mapping: (v) => `mappings/${v}.mapping.ts`,
};

/** The project's files, for makeProject. */
export function kindFiles(): Record<string, string> {
  const files: Record<string, string> = { 'package.json': CJS_PACKAGE };
  for (const kind of KINDS) {
    for (const v of VARIANTS)
      files[FILES[kind](v)] = v === 'ok' ? OK[kind] : v === 'syntax' ? SYNTAX : throws(kind);
  }
  // Each config has a folder of its own (a config is found by its name); its package.json stops the search there.
  for (const v of VARIANTS) files[`config-${v}/package.json`] = CJS_PACKAGE;
  return files;
}

/** Loads the kind's file of a variant in `dir` through the code that uses it; returns what the test checks. */
export function loaders(dir: string): Readonly<Record<Kind, (v: Variant) => Promise<unknown>>> {
  const configOf = (fields: Record<string, unknown>) => resolveConfig(fields, null, dir);
  return {
    config: async (v) => (await loadConfig(path.join(dir, `config-${v}`))).seed,
    suite: async (v) =>
      (await collectSuites(configOf({ suites: [FILES.suite(v)] }))).map((s) => s.spec.name),
    plugin: async (v) => {
      const [suite] = await collectSuites(configOf({ suites: [FILES.suite('ok')] }));
      const plugin = await resolveModel(
        suite!.spec.models![0]!,
        configOf({ plugins: [`plugins-${v}`] }),
        suite!.file,
      );
      return [plugin.name, typeof plugin.score];
    },
    reporter: async (v) =>
      (await resolveReporters([`./${FILES.reporter(v)}`], dir)).map((r) => typeof r.onRunEnd),
    scenario: async (v) => (await loadScenario(FILES.scenario(v), dir)).spec.name,
    mapping: async (v) =>
      (await loadMapping(path.join(dir, FILES.mapping(v)))).columns.voltage_v?.from,
  };
}

/** What each kind's `ok` file loads as. */
export const LOADED: Readonly<Record<Kind, unknown>> = {
  config: 'cjs-ok',
  suite: ['cjs-suite'],
  plugin: ['my-model', 'function'],
  reporter: ['function'],
  scenario: 'cjs-scenario',
  mapping: 'U',
};

/** The `ok` file of every kind, loaded one after the other: kind → what it loaded as, or its error message. */
export async function loadEveryKind(dir: string): Promise<Record<string, unknown>> {
  const load = loaders(dir);
  const out: Record<string, unknown> = {};
  for (const kind of KINDS)
    out[kind] = await load[kind]('ok').catch(
      (err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  return out;
}
