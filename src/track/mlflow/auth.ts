/**
 * The Authorization header, from the environment variables MLflow's own client reads
 * (mlflow/utils/rest_utils.py): basic auth when both MLFLOW_TRACKING_USERNAME and
 * MLFLOW_TRACKING_PASSWORD are set (it wins, as in Python), else a bearer token from
 * MLFLOW_TRACKING_TOKEN, else none. Only ever from the environment: a config file is committed,
 * secrets are not.
 */
export function authorizationFromEnv(env: NodeJS.ProcessEnv): string | null {
  const user = env['MLFLOW_TRACKING_USERNAME'];
  const password = env['MLFLOW_TRACKING_PASSWORD'];
  if (user && password)
    return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  const token = env['MLFLOW_TRACKING_TOKEN'];
  return token ? `Bearer ${token}` : null;
}
