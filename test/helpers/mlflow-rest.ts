/**
 * Reading an MLflow server back in tests, straight over its REST API (independent of the
 * client under test): experiments, runs, metric history and artifacts.
 */
export async function restGet<T>(
  base: string,
  path: string,
  query: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(query)}`);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function restPost<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A POST that is expected to fail: its status and MLflow error code. */
export async function restPostError(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; error_code: string | undefined }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error_code?: string };
  return { status: res.status, error_code: json.error_code };
}

export interface RestRun {
  readonly info: {
    readonly run_id: string;
    readonly run_name: string;
    readonly status: string;
    readonly start_time: number;
    readonly end_time?: number;
    readonly artifact_uri: string;
    readonly lifecycle_stage: string;
    readonly user_id?: string;
    readonly experiment_id: string;
  };
  readonly data: {
    readonly metrics?: readonly {
      key: string;
      value: number | string;
      timestamp: number;
      step?: number;
    }[];
    readonly params?: readonly { key: string; value: string }[];
    readonly tags?: readonly { key: string; value: string }[];
  };
}

export async function getRun(base: string, runId: string): Promise<RestRun> {
  return (await restGet<{ run: RestRun }>(base, '/api/2.0/mlflow/runs/get', { run_id: runId })).run;
}

export async function experimentByName(
  base: string,
  name: string,
): Promise<{ experiment_id: string; name: string; lifecycle_stage: string }> {
  return (
    await restGet<{ experiment: { experiment_id: string; name: string; lifecycle_stage: string } }>(
      base,
      '/api/2.0/mlflow/experiments/get-by-name',
      { experiment_name: name },
    )
  ).experiment;
}

/** Every run of the experiments (`view`: ACTIVE_ONLY, DELETED_ONLY or ALL) matching the filter. */
export async function searchRuns(
  base: string,
  experimentIds: readonly string[],
  filter = '',
  view = 'ACTIVE_ONLY',
): Promise<RestRun[]> {
  const r = await restPost<{ runs?: RestRun[] }>(base, '/api/2.0/mlflow/runs/search', {
    experiment_ids: experimentIds,
    filter,
    run_view_type: view,
    max_results: 1000,
  });
  return r.runs ?? [];
}

/** The files below `path` of a run's artifacts, recursively, as relative paths. */
export async function listArtifacts(base: string, runId: string, path = ''): Promise<string[]> {
  const r = await restGet<{ files?: { path: string; is_dir: boolean }[] }>(
    base,
    '/api/2.0/mlflow/artifacts/list',
    { run_id: runId, ...(path ? { path } : {}) },
  );
  const out: string[] = [];
  for (const f of r.files ?? [])
    out.push(...(f.is_dir ? await listArtifacts(base, runId, f.path) : [f.path]));
  return out.sort();
}

/** Downloads one artifact of a run through the artifact proxy. */
export async function downloadArtifact(base: string, run: RestRun, path: string): Promise<Buffer> {
  const root = run.info.artifact_uri.replace(/^mlflow-artifacts:/, '');
  const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts${root}/${path}`);
  if (!res.ok) throw new Error(`download ${path}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The metrics of a run as key → value ("NaN" stays a string). */
export function metricsOf(run: RestRun): Map<string, number | string> {
  return new Map((run.data.metrics ?? []).map((m) => [m.key, m.value]));
}

export function paramsOf(run: RestRun): Record<string, string> {
  return Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
}

export function tagsOf(run: RestRun): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}
