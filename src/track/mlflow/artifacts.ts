import path from 'node:path';
import { HarnessError } from '../../errors.ts';
import type { TrackingUri } from '../../config/index.ts';

/** Where the tracking server's artifact proxy serves files (mlflow/server/handlers.py). */
const PROXY_ROOT = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * The URL to PUT one artifact of a run to, following MlflowArtifactsRepository.resolve_uri:
 * `mlflow-artifacts:/1/<run>/artifacts` + `charts/roc.svg` →
 * `<tracking URI>/api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/charts/roc.svg`;
 * `mlflow-artifacts://host:port/…` names another host (an `--artifacts-only` server).
 * Any other artifact URI (s3:, gs:, file:, a path) means the server does not proxy artifacts and
 * expects the client to write to that store itself, which the harness does not do: it says so
 * instead of guessing. Returns a path below the tracking URI, or an absolute URL.
 */
export function artifactUploadTarget(
  artifactUri: string,
  relativePath: string,
  tracking: TrackingUri,
): string {
  const m = /^mlflow-artifacts:(?:\/\/([^/]*))?(\/.*)?$/.exec(artifactUri);
  if (!m) {
    throw new HarnessError(
      'E_TRACKING',
      `the MLflow server stores this run's artifacts at ${JSON.stringify(artifactUri)}, which the harness cannot write to: it uploads through the server's artifact proxy only. ` +
        'Start the server with --serve-artifacts (the default) and without --default-artifact-root, or give it --artifacts-destination <store> instead',
    );
  }
  const authority = m[1] ?? '';
  const rel = relativePath.split('/').map(encodeURIComponent).join('/');
  const trackingUrl = new URL(tracking.base);
  const prefix = authority === '' ? '' : trackingUrl.pathname;
  const full = `${prefix}/${PROXY_ROOT}/${m[2] ?? ''}/${rel}`.replace(/\/\/+/g, '/');
  return authority === '' ? full : `${trackingUrl.protocol}//${authority}${full}`;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.svg': 'image/svg+xml',
};

/** The MIME type sent with an artifact (the UI picks its viewer by file extension; this is for proxies and stores). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
