import { HarnessError } from '../../errors.ts';

/**
 * A failed MLflow request. `status` is the HTTP status (null when no response came: the server
 * was unreachable or the request timed out), `errorCode` MLflow's `error_code`
 * (`RESOURCE_ALREADY_EXISTS`, …; null for a body that was not MLflow's JSON, e.g. a proxy's HTML
 * page), `endpoint` the method and path, so a message in a CI log says which call failed.
 */
export class MlflowError extends HarnessError {
  constructor(
    message: string,
    readonly endpoint: string,
    readonly status: number | null,
    readonly errorCode: string | null,
  ) {
    super('E_MLFLOW', message);
  }
}

/**
 * True for MLflow's "no such thing" answer (RESOURCE_DOES_NOT_EXIST), which callers turn into
 * null. A bare 404 without that code is not one: it is a wrong URL prefix or a proxy, and must
 * surface as an error instead of making the uploader create things.
 */
export function isNotFound(err: unknown): boolean {
  return err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST';
}
