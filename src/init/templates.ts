/**
 * The files `harness init` writes into a project: a config, a model plugin in the README's
 * 15-line shape, a suite holding the validation checklist for it, a tsconfig that type-checks
 * them, and a CI workflow. Each is a complete, working file: `npx harness run` passes on them
 * as written (the install e2e test runs exactly these).
 */

/** The plugin's name: its folder under plugins/ and the name suites and `harness check` use. */
export const MODEL_NAME = 'my-model';

export const CONFIG = `import { defineConfig } from 'bess-harness';

// Every field is optional: these are the defaults spelled out. The README's "Configuration"
// lists the rest (models by path or npm package, reporters, timeouts, workers, tracking).
export default defineConfig({
  dataDir: 'data', // synthetic/ and real/, each with raw/, metadata.csv and labels.csv
  suites: ['suites/**/*.suite.ts'],
  plugins: ['plugins'], // one folder per model: plugins/<name>/index.ts
});
`;

export const PLUGIN = `import { defineModel } from 'bess-harness';

/** Scores a rack by its median cell-voltage spread (max − min cell, mV) on the SOC plateau. */
export default (options: { socBand?: [number, number] } = {}) =>
  defineModel({
    name: '${MODEL_NAME}',
    version: '1',
    options,
    derive: ['cell_delta_v_mv'], // the loader computes ΔV for us
    score(series) {
      const [lo, hi] = options.socBand ?? [30, 90]; // below 30 % SOC every deep discharge widens ΔV
      const soc = series.sensors.soc_pct;
      const dv = [...(series.sensors.cell_delta_v_mv ?? [])].filter(
        (v, i) => v === v && (!soc || (soc[i]! >= lo && soc[i]! <= hi)), // NaN gaps dropped
      );
      const median = dv.sort((a, b) => a - b)[dv.length >> 1] ?? 0;
      return median;
    },
  });
`;

export const SUITE = `import { defineSuite } from 'bess-harness';
import myModel from '../plugins/${MODEL_NAME}/index.ts';

/**
 * The validation checklist for ${MODEL_NAME}, on synthetic fleets with known ground truth.
 * \`npx harness run\` exits 0 when all of it holds, 1 when an assertion fails, 2 when the
 * harness could not do its job (a plugin threw or returned NaN, bad data or config).
 */
const checklist = defineSuite({
  name: '${MODEL_NAME}',
  // The faults a cell-ΔV model can see, failing within a month. Widen it as your model grows:
  // \`dataset: 'default'\` is the full fleet (six failure types, lead times up to 180 days).
  dataset: {
    scenario: {
      name: 'cell-faults',
      systems: 200,
      days: 7,
      interval: '5m',
      anomalyRate: 0.25,
      failureTypes: { cell_imbalance: 1, internal_short: 1 },
      leadTimeDays: { kind: 'buckets', buckets: [{ lo: 0, hi: 30, weight: 1 }] },
      seed: 'checklist',
    },
  },
  split: { test: 0.5, seed: 1 },
  models: ['random', myModel()],
  expect: ({ metric, model }) => [
    // random ≈ 0.5 AUC: the floor is where it should be (its 95 % CI holds 0.5)
    metric('random', 'roc_auc').toCover(0.5),
    // the model beats random, and significantly so (paired DeLong test, one-sided, alpha 0.05)
    metric('${MODEL_NAME}', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')),
    model('${MODEL_NAME}').toBeat('random'),
    // the strata break down: it catches each failure type, not only the easy one
    metric('${MODEL_NAME}', 'roc_auc', { by: 'failure_type' }).each.toBeGreaterThan(0.7),
  ],
});

/** No failures at all: ranking metrics are undefined, and say why (never a made-up 0.5). */
const allNormal = defineSuite({
  name: '${MODEL_NAME}-all-normal',
  dataset: { scenario: { name: 'all-normal', systems: 24, days: 3, interval: '15m', anomalyRate: 0, seed: 'edge' } },
  models: ['random', myModel()],
  expect: ({ metric }) => [metric('${MODEL_NAME}', 'roc_auc').toBeUndefined()],
});

/** Every system fails: still no AUC, since there is nothing to rank the failures against. */
const allAnomaly = defineSuite({
  name: '${MODEL_NAME}-all-anomaly',
  dataset: { scenario: { name: 'all-anomaly', systems: 24, days: 3, interval: '15m', anomalyRate: 1, seed: 'edge' } },
  models: ['random', myModel()],
  expect: ({ metric }) => [metric('${MODEL_NAME}', 'roc_auc').toBeUndefined()],
});

/** Gaps, dropouts, stuck sensors and spikes on every system: the model still scores them all. */
const missingData = defineSuite({
  name: '${MODEL_NAME}-missing-data',
  dataset: {
    scenario: {
      name: 'missing-data',
      systems: 40,
      days: 4,
      interval: '15m',
      anomalyRate: 0.3,
      seed: 'edge',
      dataQuality: { sensorDropout: 1, stuckSensor: 1, spike: 1, timestampGap: 1, noisyNormal: 1 },
    },
  },
  models: ['random', myModel()],
  expect: ({ metric }) => [metric('${MODEL_NAME}', 'roc_auc').toBeWithin(0, 1)],
});

export default [checklist, allNormal, allAnomaly, missingData];
`;

/**
 * Type-checks the config, plugins and suites (`npx tsc --noEmit`). The suite imports the plugin
 * with its `.ts` extension (tsx runs it as is), hence allowImportingTsExtensions and noEmit. The
 * harness itself gives tsc declarations only (its types/), so no option here is for its sake.
 */
export const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ['harness.config.ts', 'plugins', 'suites'],
  },
  null,
  2,
)}
`;

/** What the workflow depends on in the project. */
export interface WorkflowOptions {
  readonly manager: 'npm' | 'pnpm' | 'yarn';
  /** Yarn 2+: `yarn install --immutable`. */
  readonly yarnBerry?: boolean;
  /** package.json names the manager's version ("packageManager"), which pnpm/action-setup reads. */
  readonly managerPinned?: boolean;
  /** The project folder relative to the repository root, with `/`; '' at the root. */
  readonly workingDir?: string;
  /** The folder of the lockfile relative to the repository root; '' at the root. */
  readonly lockDir?: string;
  /** The lockfile relative to the repository root (setup-node's cache key); undefined: none. */
  readonly lockfile?: string;
  /** The config's outDir relative to the project, with `/`. */
  readonly outDir?: string;
}

const INSTALL: Readonly<Record<WorkflowOptions['manager'], string>> = {
  npm: 'npm ci',
  pnpm: 'pnpm install --frozen-lockfile',
  yarn: 'yarn install --frozen-lockfile',
};

/**
 * The CI gate: JUnit for the test report, Markdown for the job summary. Installed with the
 * project's package manager; from a package below the repository root (where GitHub reads
 * workflows), its run steps start in that package and the action paths are prefixed with it.
 */
export function workflow(o: WorkflowOptions): string {
  const sub = o.workingDir ?? '';
  const out = `${sub ? `${sub}/` : ''}${(o.outDir ?? '.harness/last-run').replace(/\/+$/, '')}`;
  const install =
    o.manager === 'yarn' && o.yarnBerry ? 'yarn install --immutable' : INSTALL[o.manager];
  const exec = o.manager === 'npm' ? 'npx' : o.manager === 'pnpm' ? 'pnpm exec' : 'yarn';
  const lockDir = o.lockDir ?? sub;
  const lines = [
    '# The harness as a CI gate: exit 0 passes, 1 = a model regressed, 2 = the harness could not run.',
    'name: harness',
    'on: [push, pull_request]',
    'jobs:',
    '  harness:',
    '    runs-on: ubuntu-latest',
    ...(sub ? ['    defaults:', '      run:', `        working-directory: ${sub}`] : []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...(o.manager === 'pnpm'
      ? [
          '      - uses: pnpm/action-setup@v4',
          // without a "packageManager" field the action needs a version
          ...(o.managerPinned ? [] : ['        with:', '          version: 9']),
        ]
      : []),
    ...(o.manager === 'yarn' && o.yarnBerry ? ['      - run: corepack enable'] : []),
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    ...(o.lockfile
      ? [`          cache: ${o.manager}`, `          cache-dependency-path: ${o.lockfile}`]
      : []),
    `      - run: ${install}`,
    ...(lockDir !== sub ? [`        working-directory: ${lockDir || '.'}`] : []),
    `      # markdown also appends to $GITHUB_STEP_SUMMARY; junit writes ${out}/junit.xml`,
    `      - run: ${exec} harness run --reporter plain --reporter junit --reporter markdown`,
    '      - name: Test report',
    '        if: ${{ !cancelled() }}',
    '        uses: mikepenz/action-junit-report@v5',
    '        with:',
    `          report_paths: ${out}/junit.xml`,
    '          check_name: harness',
    '      - uses: actions/upload-artifact@v4',
    '        if: ${{ !cancelled() }}',
    '        with:',
    '          name: harness-report',
    `          path: ${out}/`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * What the project's .gitignore must hold: generated data and the harness's own folder.
 * `data/synthetic` has no trailing slash: it is a symlink to its current version
 * (`data/.synthetic.v-<hex>`, see src/data/fleet-commit.ts), and git takes a symlink for a file.
 * `dataDir` is the config's data folder relative to the project (`data` by default; `.` for the
 * project itself); null when it lies outside, where the project's .gitignore cannot reach it.
 */
export function gitignoreLines(dataDir: string | null = 'data'): readonly string[] {
  // The locks a kill -9 leaves in committed folders until the next process takes them over, and
  // the files a lock makes beside itself for a moment, named to end as it does
  // (.stale-<pid>-<hex>.labels.csv.lock: src/data/lock-side-files.ts). *.csv.lock: the labels
  // lock of data/real/ (.labels.csv.lock). .*.json.lock: the baseline's
  // (suites/__baselines__/.<suite>.json.lock, during --update-baseline) and the out dir's
  // (.run-record.json.lock), which a project may commit.
  const locks = ['*.csv.lock', '.*.json.lock'];
  if (dataDir === null) return ['.harness/', ...locks];
  const prefix = dataDir === '' || dataDir === '.' ? '' : `${dataDir.replace(/\/+$/, '')}/`;
  return [`${prefix}synthetic`, `${prefix}.synthetic.*`, '.harness/', ...locks];
}
