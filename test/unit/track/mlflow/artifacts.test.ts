import { describe, expect, it } from 'vitest';
import { artifactUploadTarget, contentTypeOf } from '../../../../src/track/mlflow/artifacts.ts';
import { parseTrackingUri } from '../../../../src/config/tracking-uri.ts';

const tracking = parseTrackingUri('https://mlflow.example.com/team', 'test');

describe('artifactUploadTarget (MlflowArtifactsRepository.resolve_uri)', () => {
  it('puts a run’s file below the tracking URI’s artifact proxy', () => {
    expect(
      artifactUploadTarget('mlflow-artifacts:/1/abc/artifacts', 'charts/roc.svg', tracking),
    ).toBe('/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/charts/roc.svg');
    expect(
      artifactUploadTarget('mlflow-artifacts:///7/abc/artifacts', 'results.json', tracking),
    ).toBe('/api/2.0/mlflow-artifacts/artifacts/7/abc/artifacts/results.json');
  });

  it('escapes each path segment, not the slashes', () => {
    expect(
      artifactUploadTarget('mlflow-artifacts:/1/abc/artifacts', 'charts/roc curve#1.svg', tracking),
    ).toBe('/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/charts/roc%20curve%231.svg');
  });

  it('follows an artifact URI that names another host, with the tracking scheme and prefix', () => {
    expect(
      artifactUploadTarget(
        'mlflow-artifacts://artifacts.example.com:8443/1/abc/artifacts',
        'scores.csv',
        tracking,
      ),
    ).toBe(
      'https://artifacts.example.com:8443/team/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/scores.csv',
    );
  });

  it.each([
    's3://bucket/1/abc/artifacts',
    'file:///srv/mlruns/1/abc/artifacts',
    '/srv/mlruns/1/abc/artifacts',
    'gs://b/x',
  ])(
    'refuses %j: the server does not proxy artifacts, and the harness does not write to stores itself',
    (uri) => {
      expect(() => artifactUploadTarget(uri, 'results.json', tracking)).toThrow(
        new RegExp(
          `stores this run's artifacts at ${JSON.stringify(uri).replace(/[/.]/g, '\\$&')}, which the harness cannot write to.*--serve-artifacts`,
        ),
      );
    },
  );
});

describe('contentTypeOf', () => {
  it.each([
    ['charts/roc.svg', 'image/svg+xml'],
    ['results.json', 'application/json'],
    ['scores.csv', 'text/csv'],
    ['model.bin', 'application/octet-stream'],
  ])('%s → %s', (file, type) => expect(contentTypeOf(file)).toBe(type));
});
