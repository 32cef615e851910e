/**
 * MLflow tracking over REST API 2.0: every (suite, model) case of a recorded run becomes an MLflow
 * run. `harness run` calls trackRun right after it wrote the run folder; `harness runs sync`
 * calls syncPendingRuns when mlflowSettings is not null.
 */
import type { ResolvedConfig } from '../../config/types.ts';
import { mlflowSettings } from './settings.ts';
import { uploadRunRecord, type UploadResult } from './upload.ts';

export { mlflowSettings, type MlflowSettings } from './settings.ts';
export { uploadRunRecord, type TrackedExperiment, type UploadOptions, type UploadResult } from './upload.ts';
export { syncPendingRuns, type SyncResult } from './sync.ts';
export { MlflowError } from './errors.ts';

/**
 * Uploads a freshly recorded run when tracking is configured (MLFLOW_TRACKING_URI or the
 * config's `tracking.mlflow.uri`), else returns null. A bad URI or setting throws a HarnessError
 * (exit 2); a server that fails or cannot be reached does not: the result says `failed` and its
 * `message` tells the user to run `harness runs sync`.
 */
export async function trackRun(runDir: string, config: Pick<ResolvedConfig, 'tracking' | 'configFile'>, env: NodeJS.ProcessEnv = process.env): Promise<UploadResult | null> {
  const settings = mlflowSettings(config, env);
  return settings ? uploadRunRecord(runDir, { settings, env }) : null;
}
