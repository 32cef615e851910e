import path from 'node:path';
import { HarnessError } from '../../errors.ts';
import type { TrackingState } from '../types.ts';
import { artifactUploadTarget, contentTypeOf } from './artifacts.ts';
import { chunkBatches, MAX_TAG_VALUE, notYetLogged } from './batch.ts';
import { caseArtifacts, type Artifact } from './case-artifacts.ts';
import { CASE_ID_TAG, caseRun, type CaseRun } from './case-run.ts';
import { MlflowClient, type Run } from './client.ts';
import { MlflowError } from './errors.ts';
import { getOrCreateExperiment, type ResolvedExperiment } from './experiments.ts';
import { MlflowHttp } from './http.ts';
import { readRunFolder } from './run-folder.ts';
import type { MlflowSettings } from './settings.ts';
import { experimentUrl } from '../../config/index.ts';
import {
  readTrackingState,
  TRACKING_FILE,
  writeTrackingState,
  type TrackedRun,
} from './tracking-state.ts';
import { withFileLock } from '../../data/index.ts';

/** How to upload. */
export interface UploadOptions {
  readonly settings: MlflowSettings;
  /** Read for `mlflow.user` ($USER). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** An experiment the upload logged into, with the UI link to it. */
export interface TrackedExperiment {
  readonly name: string;
  readonly id: string;
  readonly url: string;
  readonly created: boolean;
  readonly restored: boolean;
}

/** What an upload did: what the CLI and the reporter print (`message`). */
export interface UploadResult {
  readonly status: 'synced' | 'failed';
  /** The harness run id. */
  readonly runId: string;
  readonly runDir: string;
  readonly uri: string;
  /** Cases logged by this call. */
  readonly uploaded: number;
  /** Cases an earlier upload had completed, left alone. */
  readonly skipped: number;
  readonly experiments: readonly TrackedExperiment[];
  readonly error: string | null;
  /** The server could not be reached at all (no HTTP answer): trying more runs now is pointless. */
  readonly unreachable: boolean;
  /** One line: `tracked 6 runs to …` or `tracking failed: … — results kept in …; run \`harness runs sync\``. */
  readonly message: string;
}

/** Tag set on a run the upload could not finish (and removed when a later upload finishes it). */
export const UPLOAD_ERROR_TAG = 'harness.upload_error';

/** What tracking.json says while an upload is under way: if the process dies, it stays "failed". */
const INTERRUPTED = 'the upload was interrupted before it finished';

/**
 * Uploads one run folder of the local store (`.harness/runs/<run_id>/`): every (suite, model)
 * case becomes an MLflow run in the experiment named after its suite, and so does a suite that
 * failed before any model ran (one FAILED run, `SUITE_CASE`). Resumable and idempotent:
 * - tracking.json is rewritten (atomically) as soon as a case's MLflow run exists and again when
 *   it is complete, so a crash or a dead server loses no run id;
 * - cases marked complete are skipped;
 * - a case whose run exists but is not complete is resumed *into that run*: only what the run does
 *   not hold yet is logged (the same timestamps make every point identical, and the SQL store drops
 *   identical metric points anyway), artifacts are PUT again (same paths, overwritten), then the
 *   final status is set. Until then the run is RUNNING, or KILLED with `harness.upload_error` when
 *   the server answered with an error, so a half-logged run never looks finished;
 * - a case with no recorded run is first looked up by its `harness.case_id` tag, so a run created
 *   by a request whose answer was lost (or a tracking.json that was deleted) is found, not duplicated;
 *   should a search find two, the extra ones are deleted (MLflow keeps them in the trash).
 * Server errors do not throw: a case the server refuses is reported and the next case goes on; a
 * server that cannot be reached ends the upload. Either way the result is `status: 'failed'` with
 * the error, tracking.json says failed, and the run folder is untouched for `harness runs sync`.
 * A folder that is not a run record (a damaged or cut-short file) throws a HarnessError naming
 * the file, before anything is uploaded.
 */
export async function uploadRunRecord(
  runDir: string,
  options: UploadOptions,
): Promise<UploadResult> {
  // One uploader per run folder: a `harness runs sync` started while the run's own upload was
  // under way searched, found nothing yet, and created every MLflow run a second time (both said
  // "tracked"). The second one now stops at once (E_LOCK: sync lists it, exit 2, try again).
  return withFileLock(path.join(runDir, TRACKING_FILE), () => uploadLocked(runDir, options), 0);
}

async function uploadLocked(runDir: string, options: UploadOptions): Promise<UploadResult> {
  const { settings } = options;
  const run = await readRunFolder(runDir);
  const runId = run.record.run_id;
  const previous = await readTrackingState(runDir);
  // Run ids of another server mean nothing here: a new URI starts over.
  const prior = previous?.mlflow?.uri === settings.uri.base ? previous.mlflow.runs : [];
  const tracked = new Map<string, TrackedRun>(prior.map((r) => [caseKey(r.suite, r.model), r]));
  const client = new MlflowClient(new MlflowHttp({ ...settings, seed: `mlflow-backoff:${runId}` }));
  const experiments = new Map<string, ResolvedExperiment>();
  const save = (status: 'synced' | 'failed', error?: string) => {
    const state: TrackingState = {
      ...previous,
      mlflow: {
        uri: settings.uri.base,
        status,
        at: new Date().toISOString(),
        ...(error !== undefined ? { error } : {}),
        runs: [...tracked.values()],
      },
    };
    return writeTrackingState(runDir, state);
  };
  let uploaded = 0;
  let skipped = 0;
  const result = (
    status: 'synced' | 'failed',
    error: string | null,
    unreachable: boolean,
  ): UploadResult => {
    const exps = [...experiments.values()].map((e) => ({
      name: e.name,
      id: e.id,
      url: experimentUrl(settings.uri, e.id),
      created: e.created,
      restored: e.restored,
    }));
    return {
      status,
      runId,
      runDir,
      uri: settings.uri.base,
      uploaded,
      skipped,
      experiments: exps,
      error,
      unreachable,
      message: messageOf(status, runDir, uploaded, skipped, exps, error),
    };
  };

  // A case the server refuses does not stop the others; a problem that would refuse every case
  // the same way stops the upload there (stopsUpload), and the cases after it are counted.
  const failures: string[] = [];
  let unreachable = false;
  let notTried = 0;
  for (const [i, c] of run.cases.entries()) {
    const key = caseKey(c.suite.name, c.record.model);
    const entry = tracked.get(key);
    if (entry?.complete) {
      skipped++;
      continue;
    }
    try {
      const plan = caseRun(run.record, c, options.env ?? process.env);
      // Charts are drawn before the MLflow run exists: a failure there leaves nothing half-made.
      const artifacts = await caseArtifacts(run, c);
      let experiment = experiments.get(plan.experimentName);
      if (!experiment) {
        experiment = await getOrCreateExperiment(client, plan.experimentName);
        experiments.set(plan.experimentName, experiment);
      }
      const mlRun = await findOrCreateRun(client, experiment.id, plan, entry);
      const ref = {
        suite: plan.suite,
        model: plan.model,
        experiment_id: experiment.id,
        run_id: mlRun.info.run_id,
      };
      tracked.set(key, { ...ref, complete: false });
      await save('failed', INTERRUPTED);
      await completeRun(client, settings, plan, mlRun, artifacts);
      tracked.set(key, { ...ref, complete: true });
      uploaded++;
      await save('failed', INTERRUPTED);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      failures.push(`${clip(c.suite.name)}/${clip(c.record.model)}: ${err.message}`);
      unreachable = err instanceof MlflowError && err.status === null;
      if (stopsUpload(err)) {
        notTried = run.cases
          .slice(i + 1)
          .filter((x) => !tracked.get(caseKey(x.suite.name, x.record.model))?.complete).length;
        break;
      }
    }
  }
  if (failures.length > 0) {
    const first =
      failures.length === 1
        ? failures[0]!
        : `${failures[0]} (and ${failures.length - 1} more: ${failures
            .slice(1)
            .map((f) => f.split(':')[0])
            .join(', ')})`;
    const error =
      notTried > 0
        ? `${first}; the upload stopped there, ${notTried} more case${notTried === 1 ? ' was' : 's were'} not tried`
        : first;
    await save('failed', error);
    return result('failed', error, unreachable);
  }
  await save('synced');
  return result('synced', null, false);
}

/**
 * Whether an error would refuse every other case the same way, so that trying them is pointless:
 * the server cannot be reached; it does not take the credentials (401); what answers is not
 * MLflow's API (no MLflow error code on a non-5xx answer: a login page, a wrong path prefix); or
 * an E_TRACKING problem of the whole upload (tracking.json cannot be written, artifacts are not
 * proxied). Anything else (a suite name MLflow refuses, a run whose params changed, a
 * permission on one experiment) concerns that case only, and the next case goes on.
 */
function stopsUpload(err: HarnessError): boolean {
  if (err instanceof MlflowError)
    return (
      err.status === null || err.status === 401 || (err.errorCode === null && err.status < 500)
    );
  return err.code === 'E_TRACKING';
}

/** A suite or model name as a failure's label: names are free text, and one of 510 characters filled a CI log. */
const clip = (name: string): string => (name.length > 80 ? `${name.slice(0, 60)}…` : name);

/** (suite, model): a suite never lists a model twice. */
function caseKey(suite: string, model: string): string {
  return JSON.stringify([suite, model]);
}

/** The case's MLflow run: the one tracking.json names, else the one tagged with its case id, else a new one. */
async function findOrCreateRun(
  client: MlflowClient,
  experimentId: string,
  plan: CaseRun,
  entry: TrackedRun | undefined,
): Promise<Run> {
  if (entry && entry.experiment_id === experimentId) {
    const known = await client.getRun(entry.run_id);
    if (known && known.info.lifecycle_stage === 'active') return known;
  }
  const caseId = plan.identity.find((t) => t.key === CASE_ID_TAG)!.value;
  // Two runs of one case can only come from a creation whose answer was lost; keep one that got
  // as far as a final status, if any.
  const terminal = (r: Run) => (r.info.status === 'FINISHED' || r.info.status === 'FAILED' ? 0 : 1);
  const found = (
    await client.searchRuns(experimentId, `tags.\`${CASE_ID_TAG}\` = '${caseId}'`)
  ).sort((a, b) => terminal(a) - terminal(b));
  for (const dup of found.slice(1)) await client.deleteRun(dup.info.run_id);
  if (found[0]) return found[0];
  const info = await client.createRun({
    experimentId,
    runName: plan.runName,
    startTime: plan.startTime,
    userId: plan.userId,
    tags: plan.identity,
  });
  return { info, data: { tags: plan.identity } };
}

/** Logs what the run lacks, uploads the artifacts, and only then sets the final status; on an error the run is marked KILLED when the server can still be told. */
async function completeRun(
  client: MlflowClient,
  settings: MlflowSettings,
  plan: CaseRun,
  run: Run,
  artifacts: readonly Artifact[],
): Promise<void> {
  const runId = run.info.run_id;
  try {
    for (const batch of chunkBatches(notYetLogged(plan.payload, run.data)))
      await client.logBatch(runId, batch);
    for (const a of artifacts)
      await client.uploadArtifact(
        artifactUploadTarget(run.info.artifact_uri, a.path, settings.uri),
        a.bytes,
        contentTypeOf(a.path),
      );
    if (run.data.tags?.some((t) => t.key === UPLOAD_ERROR_TAG))
      await client.deleteTag(runId, UPLOAD_ERROR_TAG);
    await client.updateRun(runId, plan.status, plan.endTime);
  } catch (err) {
    if (err instanceof HarnessError && !(err instanceof MlflowError && err.status === null)) {
      // The server is there but refused something: say so on the run, and make a RUNNING one
      // KILLED so it never passes for live or finished (a run that had finished before keeps its
      // status). Best effort, no retries: the error that matters is the one rethrown below.
      await client
        .setTag(runId, UPLOAD_ERROR_TAG, err.message.slice(0, MAX_TAG_VALUE), { maxRetries: 0 })
        .then(() =>
          run.info.status === 'RUNNING'
            ? client.updateRun(runId, 'KILLED', Date.now(), { maxRetries: 0 })
            : undefined,
        )
        .catch(() => undefined);
    }
    throw err;
  }
}

function messageOf(
  status: 'synced' | 'failed',
  runDir: string,
  uploaded: number,
  skipped: number,
  exps: readonly TrackedExperiment[],
  error: string | null,
): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (status === 'failed') {
    const where = path.relative(process.cwd(), runDir) || '.';
    const done = uploaded > 0 ? ` (${plural(uploaded, 'run')} made it)` : '';
    return `tracking failed: ${error}${done} — results kept in ${where}; run \`harness runs sync\` to upload them`;
  }
  if (uploaded === 0)
    return skipped > 0
      ? `nothing to upload: ${plural(skipped, 'run')} already tracked`
      : 'nothing to track: the run has no scored or failed model';
  const links = exps
    .map((e) => `${e.url} (${e.name}${e.restored ? ', restored from the trash' : ''})`)
    .join(', ');
  return `tracked ${plural(uploaded, 'run')} to ${links}${skipped > 0 ? `; ${plural(skipped, 'run')} already tracked` : ''}`;
}
