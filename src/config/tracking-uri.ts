import { HarnessError } from '../errors.ts';

/**
 * The tracking URIs the harness can log to. MLflow accepts many (a database, a folder,
 * `databricks`), but every one except http(s) is opened in-process by the *Python* client; the
 * harness speaks the REST API, so it needs a running `mlflow server`. Each refusal says what to
 * set instead, because the same variable often works for a colleague's Python notebook.
 */
export interface TrackingUri {
  /** `http(s)://host[:port][/prefix]` without a trailing slash: REST paths are appended to it. */
  readonly base: string;
}

const DATABASES = ['sqlite', 'postgresql', 'postgres', 'mysql', 'mssql', 'oracle'];

/** Parses MLFLOW_TRACKING_URI (or the config's `tracking.mlflow.uri`); `origin` names where it came from. */
export function parseTrackingUri(raw: string, origin: string): TrackingUri {
  const value = raw.trim();
  function refuse(why: string): never {
    throw new HarnessError('E_TRACKING', `${origin}: ${JSON.stringify(redact(value))} ${why}`);
  }
  // `databricks` alone means the default CLI profile.
  const scheme =
    value.toLowerCase() === 'databricks'
      ? 'databricks'
      : /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (value === '') refuse('is empty: set it to the MLflow server, e.g. http://127.0.0.1:5000');
  if (scheme === undefined || scheme === 'file') {
    refuse(
      'is a local folder (the FileStore, deprecated since MLflow 3.10): the harness logs over REST only. ' +
        'Start a server (`mlflow server --backend-store-uri sqlite:///mlflow.db`) and set http://127.0.0.1:5000; ' +
        'without any tracking URI the runs stay in .harness/runs/',
    );
  }
  if (scheme === 'databricks' || scheme === 'databricks-uc') {
    refuse(
      'names a Databricks CLI profile, which the harness does not read, and Databricks stores artifacts outside the MLflow artifact proxy the harness uploads through: not supported',
    );
  }
  if (DATABASES.some((db) => scheme === db || scheme.startsWith(`${db}+`))) {
    refuse(
      'is a database that only the Python client opens in-process: the harness logs over REST. ' +
        `Serve it with \`mlflow server --backend-store-uri ${redact(value)}\` and set the server's http(s) URL instead`,
    );
  }
  if (scheme !== 'http' && scheme !== 'https')
    refuse('is not an http(s) URL of an MLflow server (e.g. http://127.0.0.1:5000)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('is not a valid URL');
  }
  if (url.username !== '' || url.password !== '') {
    refuse(
      'carries credentials: put them in MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead, so they stay out of logs and run records',
    );
  }
  if (url.search !== '' || url.hash !== '')
    refuse(
      'has a query or a fragment: give the server URL only, e.g. https://mlflow.example.com/prefix',
    );
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** A URI as it may be printed: userinfo and query (where database passwords live) removed. */
function redact(uri: string): string {
  return uri.replace(/\/\/[^/@]*@/, '//***@').replace(/\?.*$/, '?***');
}

/** The MLflow UI page of an experiment (the UI is a single-page app routed by the fragment). */
export function experimentUrl(uri: TrackingUri, experimentId: string): string {
  return `${uri.base}/#/experiments/${encodeURIComponent(experimentId)}`;
}
