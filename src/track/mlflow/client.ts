import { isNotFound, MlflowError } from './errors.ts';
import type { MlflowHttp } from './http.ts';

/**
 * The REST API 2.0 calls the uploader makes, typed. Responses omit proto3 defaults (step 0, an
 * unset end_time, empty lists), so every list and optional field is read defensively.
 */

export interface Experiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly artifact_location?: string;
  readonly lifecycle_stage: 'active' | 'deleted';
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface RunInfo {
  readonly run_id: string;
  readonly experiment_id: string;
  readonly run_name?: string;
  readonly status: RunStatus;
  readonly start_time?: number;
  readonly end_time?: number;
  readonly artifact_uri: string;
  readonly lifecycle_stage: 'active' | 'deleted';
}

/** A metric as the server returns it: NaN comes back as the string "NaN". */
export interface LoggedMetric {
  readonly key: string;
  readonly value: number | string;
  readonly timestamp?: number;
  readonly step?: number;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface Run {
  readonly info: RunInfo;
  readonly data: {
    readonly metrics?: readonly LoggedMetric[];
    readonly params?: readonly KeyValue[];
    readonly tags?: readonly KeyValue[];
  };
}

/** A metric as log-batch takes it: a non-finite value travels as "NaN" / "Infinity" / "-Infinity" (JSON has none). */
export interface MetricEntity {
  readonly key: string;
  readonly value: number | 'NaN' | 'Infinity' | '-Infinity';
  readonly timestamp: number;
  readonly step: number;
}

/** One log-batch request body (see batch.ts for the limits it must respect). */
export interface LogBatch {
  readonly metrics: readonly MetricEntity[];
  readonly params: readonly KeyValue[];
  readonly tags: readonly KeyValue[];
}

const API = '/api/2.0/mlflow';

export class MlflowClient {
  constructor(readonly http: MlflowHttp) {}

  /** The experiment of that name (active or deleted), or null. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const r = await this.http.json<{ experiment: Experiment }>({
        method: 'GET',
        path: `${API}/experiments/get-by-name`,
        query: { experiment_name: name },
      });
      if (!isObject(r.experiment) || !isId(r.experiment.experiment_id))
        throw this.unexpected(`GET ${API}/experiments/get-by-name`, 'experiment', r);
      return { ...r.experiment, experiment_id: String(r.experiment.experiment_id) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Creates an experiment; throws RESOURCE_ALREADY_EXISTS when another client won the race. */
  async createExperiment(name: string): Promise<string> {
    const r = await this.http.json<{ experiment_id: string }>({
      method: 'POST',
      path: `${API}/experiments/create`,
      json: { name },
    });
    if (!isId(r.experiment_id))
      throw this.unexpected(`POST ${API}/experiments/create`, 'experiment_id', r);
    return String(r.experiment_id);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/experiments/restore`,
      json: { experiment_id: experimentId },
    });
  }

  /** Creates a run. Not idempotent (each call is a new run), so it is never retried when it may have arrived. */
  async createRun(body: {
    experimentId: string;
    runName: string;
    startTime: number;
    userId: string | null;
    tags: readonly KeyValue[];
  }): Promise<RunInfo> {
    const r = await this.http.json<{ run: Run }>({
      method: 'POST',
      path: `${API}/runs/create`,
      json: {
        experiment_id: body.experimentId,
        run_name: body.runName,
        start_time: body.startTime,
        tags: body.tags,
        ...(body.userId ? { user_id: body.userId } : {}),
      },
      idempotent: false,
    });
    if (!isRun(r.run)) throw this.unexpected(`POST ${API}/runs/create`, 'run', r);
    return r.run.info;
  }

  /** The run, or null when the server does not know it (deleted for good, or another server's id). */
  async getRun(runId: string): Promise<Run | null> {
    try {
      const r = await this.http.json<{ run: Run }>({
        method: 'GET',
        path: `${API}/runs/get`,
        query: { run_id: runId },
      });
      if (!isRun(r.run)) throw this.unexpected(`GET ${API}/runs/get`, 'run', r);
      return withData(r.run);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Active runs of one experiment matching an MLflow filter string, every page. */
  async searchRuns(experimentId: string, filter: string): Promise<Run[]> {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.http.json<{ runs?: Run[]; next_page_token?: string }>({
        method: 'POST',
        path: `${API}/runs/search`,
        json: {
          experiment_ids: [experimentId],
          filter,
          run_view_type: 'ACTIVE_ONLY',
          max_results: 1000,
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      });
      if (r.runs !== undefined && !(Array.isArray(r.runs) && r.runs.every(isRun)))
        throw this.unexpected(`POST ${API}/runs/search`, 'list of runs', r);
      runs.push(...(r.runs ?? []).map(withData));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return runs;
  }

  /** Moves a run to the trash (`mlflow gc` purges it; the UI can restore it). */
  async deleteRun(runId: string): Promise<void> {
    await this.http.json({ method: 'POST', path: `${API}/runs/delete`, json: { run_id: runId } });
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/runs/log-batch`,
      json: { run_id: runId, ...batch },
    });
  }

  async updateRun(
    runId: string,
    status: RunStatus,
    endTime: number,
    options: { maxRetries?: number } = {},
  ): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/runs/update`,
      json: { run_id: runId, status, end_time: endTime },
      ...options,
    });
  }

  async setTag(
    runId: string,
    key: string,
    value: string,
    options: { maxRetries?: number } = {},
  ): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/runs/set-tag`,
      json: { run_id: runId, key, value },
      ...options,
    });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/runs/delete-tag`,
      json: { run_id: runId, key },
    });
  }

  /**
   * A 2xx JSON answer without what the call returns (a proxy or another service at the URI): an
   * MlflowError naming the call, so the upload reports it instead of crashing on a missing field.
   */
  private unexpected(endpoint: string, what: string, body: unknown): MlflowError {
    const text = JSON.stringify(body) ?? String(body);
    return new MlflowError(
      `MLflow ${endpoint} at ${this.http.options.uri.base}: the answer has no ${what}: ${text.length > 200 ? `${text.slice(0, 200)}…` : text} (not an MLflow tracking server?)`,
      endpoint,
      200,
      null,
    );
  }

  /** PUTs one file through the artifact proxy; `proxyPath` comes from artifactProxyPath(). */
  async uploadArtifact(proxyPath: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.http.json({ method: 'PUT', path: proxyPath, body: bytes, contentType });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** MLflow ids are strings; int64 fields may come as numbers (see the reference's A1). */
const isId = (v: unknown): v is string | number =>
  (typeof v === 'string' && v !== '') || typeof v === 'number';
/** A run with `data` even when the server left it out (proto3 omits an empty message). */
const withData = (r: Run): Run => ({ ...r, data: r.data ?? {} });
/** What the uploader reads of a run: its id and artifact location. */
const isRun = (v: unknown): v is Run =>
  isObject(v) &&
  isObject(v['info']) &&
  typeof v['info']['run_id'] === 'string' &&
  v['info']['run_id'] !== '' &&
  typeof v['info']['artifact_uri'] === 'string';
