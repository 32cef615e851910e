import { HarnessError } from '../../errors.ts';
import type { MlflowClient } from './client.ts';
import { MlflowError } from './errors.ts';

/** MAX_EXPERIMENT_NAME_LENGTH in mlflow/utils/validation.py. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;

/** An experiment the uploader logs into, and what it took to get it. */
export interface ResolvedExperiment {
  readonly id: string;
  readonly name: string;
  readonly created: boolean;
  /** It had been deleted (moved to the trash) and was restored. */
  readonly restored: boolean;
}

/**
 * The experiment named `name`, created when missing. Safe when several harness runs (CI jobs)
 * start at once: get → missing → create → RESOURCE_ALREADY_EXISTS (another client won) → get
 * again, so every racer ends with the one experiment.
 *
 * A deleted experiment is restored. Deleting in the MLflow UI only moves it to the trash, and
 * while it is there its name cannot be reused, so the alternatives are failing every later run
 * of the suite until someone purges the trash with `mlflow gc`, or logging under another name
 * that nobody would find. The runs recorded under .harness/runs are the source of truth and the
 * suite still exists, so its experiment comes back; `restored` lets the caller say so.
 */
export async function getOrCreateExperiment(
  client: MlflowClient,
  name: string,
): Promise<ResolvedExperiment> {
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    // A problem of this suite alone: the uploader goes on with the other suites' cases.
    throw new HarnessError(
      'E_MLFLOW_NAME',
      `suite name ${JSON.stringify(name.slice(0, 60))}… is ${name.length} characters; MLflow experiment names are at most ${MAX_EXPERIMENT_NAME_LENGTH}`,
    );
  }
  const found = await client.getExperimentByName(name);
  if (found) return existing(client, found.experiment_id, name, found.lifecycle_stage);
  try {
    return { id: await client.createExperiment(name), name, created: true, restored: false };
  } catch (err) {
    if (!(err instanceof MlflowError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
  }
  const winner = await client.getExperimentByName(name);
  if (!winner)
    throw new MlflowError(
      `MLflow said experiment ${JSON.stringify(name)} already exists, but get-by-name does not find it`,
      'GET experiments/get-by-name',
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  return existing(client, winner.experiment_id, name, winner.lifecycle_stage);
}

async function existing(
  client: MlflowClient,
  id: string,
  name: string,
  stage: 'active' | 'deleted',
): Promise<ResolvedExperiment> {
  if (stage === 'deleted') await client.restoreExperiment(id);
  return { id, name, created: false, restored: stage === 'deleted' };
}
