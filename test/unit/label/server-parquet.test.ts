import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabelServer, type LabelServer } from '../../../src/label/server.ts';
import { runHarness, tempDir } from '../../helpers/run-harness.ts';

// The labeling app over a fleet in the Parquet layout (raw/system_id=<id>/part-0.parquet): it
// checked for raw/<id>.csv before loading a series, and answered 404 for every system.

function get(app: LabelServer, p: string): Promise<{ status: number; body: string }> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'GET', path: p }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('label server over a Parquet fleet', () => {
  let t: { dir: string; cleanup: () => Promise<void> };
  const apps: LabelServer[] = [];
  beforeAll(async () => {
    t = await tempDir('label-parquet-');
    for (const format of ['csv', 'parquet']) {
      const dataDir = path.join(t.dir, format);
      const gen = await runHarness([
        'generate',
        '--systems',
        '3',
        '--days',
        '1',
        '--interval',
        '1h',
        '--seed',
        '8',
        '--format',
        format,
        '--data',
        dataDir,
      ]);
      expect(gen.code, gen.stderr).toBe(0);
      apps.push(await startLabelServer({ dataDir, port: 0 }));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await t?.cleanup();
  });

  it('serves a system series from its partition folder, the same as from the CSV fleet of the same seed', async () => {
    const [csv, parquet] = await Promise.all(
      apps.map((app) => get(app, '/api/systems/synthetic/sys-0001/series')),
    );
    expect(parquet!.status, parquet!.body).toBe(200);
    expect(csv!.status).toBe(200);
    expect(JSON.parse(parquet!.body)).toEqual(JSON.parse(csv!.body));
  });
});
