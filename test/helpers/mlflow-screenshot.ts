/**
 * `npm run docs:mlflow`: the README's screenshot of a tracked run. Runs the tiny two-suite harness
 * run of the tests, uploads it to a fresh local MLflow server, and photographs pca's run page
 * with its ROC chart in the artifact viewer (Chromium through playwright-core).
 */
import path from 'node:path';
import { trackRun } from '../../src/track/mlflow/index.ts';
import { readTrackingState } from '../../src/track/mlflow/tracking-state.ts';
import { launchChromium } from './browser.ts';
import { startMlflowServer } from './mlflow-server.ts';
import { showChartInUi } from './mlflow-ui.ts';
import { REPO_ROOT } from './run-harness.ts';
import { tinyHarnessRun, writeRunFolder } from './run-record.ts';

const out = path.resolve(REPO_ROOT, process.argv[2] ?? 'docs/mlflow-run.png');
const server = await startMlflowServer();
const tiny = await tinyHarnessRun();
try {
  const runDir = await writeRunFolder(path.join(server.dir, 'runs'), tiny.run, tiny.root);
  const result = await trackRun(
    runDir,
    { configFile: null, tracking: { mlflow: { uri: null } } },
    { MLFLOW_TRACKING_URI: server.url, USER: 'dana' },
  );
  process.stdout.write(`${result!.message}\n`);
  const run = (await readTrackingState(runDir))!.mlflow!.runs.find((r) => r.model === 'pca')!;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await showChartInUi(page, server.url, run.experiment_id, run.run_id, 'roc.svg');
    await page.screenshot({ path: out });
    process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
  } finally {
    await browser.close();
  }
} finally {
  await tiny.cleanup();
  await server.close();
}
