/**
 * MLflow tracking over REST API 2.0: every (suite, model) case of a recorded run becomes an MLflow
 * run. `harness run` calls trackRun right after it wrote the run folder; `harness runs sync`
 * calls syncRuns.
 */
import type { ResolvedConfig } from '../../config/types.ts';
import { HarnessError } from '../../errors.ts';
import { mlflowSettings } from './settings.ts';
import { syncPendingRuns, type SyncResult } from './sync.ts';
import { uploadRunRecord, type UploadResult } from './upload.ts';

export { mlflowSettings, type MlflowSettings } from './settings.ts';
export {
  uploadRunRecord,
  type TrackedExperiment,
  type UploadOptions,
  type UploadResult,
} from './upload.ts';
export { syncPendingRuns, type SyncResult } from './sync.ts';
export { MlflowError } from './errors.ts';

/**
 * Uploads a freshly recorded run when tracking is configured (MLFLOW_TRACKING_URI or the
 * config's `tracking.mlflow.uri`), else returns null. A bad URI or setting throws a HarnessError
 * (exit 2); a server that fails or cannot be reached does not: the result says `failed` and its
 * `message` tells the user to run `harness runs sync`.
 */
export async function trackRun(
  runDir: string,
  config: Pick<ResolvedConfig, 'tracking' | 'configFile'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UploadResult | null> {
  const settings = mlflowSettings(config, env);
  return settings ? uploadRunRecord(runDir, { settings, env }) : null;
}

/**
 * `harness runs sync`: uploads every run folder below `runsDir` that is not tracked on the
 * configured server yet (see syncPendingRuns). Without a server configured it is a HarnessError
 * (exit 2) that says how to configure one; `ok` is false when something is left to sync.
 */
export async function syncRuns(
  runsDir: string,
  config: Pick<ResolvedConfig, 'tracking' | 'configFile'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SyncResult> {
  const settings = mlflowSettings(config, env);
  if (!settings) {
    throw new HarnessError(
      'E_TRACKING',
      'no MLflow server to sync to: set MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000), or tracking: { mlflow: { uri } } in the config',
    );
  }
  return syncPendingRuns(runsDir, { settings, env });
}
