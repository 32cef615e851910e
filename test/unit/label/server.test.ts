import { request } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabelServer, type LabelServer } from '../../../src/label/server.ts';
import { runHarness, tempDir } from '../../helpers/run-harness.ts';

// The server over real HTTP, in process: bad input of every kind is a 4xx with a message, and
// the server keeps answering afterwards.

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
  json(): { error?: string; errors?: { field: string; message: string }[]; [k: string]: unknown };
}

function call(
  app: LabelServer,
  method: string,
  p: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path: p, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body,
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const post = (app: LabelServer, p: string, body: unknown, headers: Record<string, string> = {}) =>
  call(app, 'POST', p, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });

describe('label server', () => {
  let t: { dir: string; cleanup: () => Promise<void> };
  let app: LabelServer;
  let dataDir: string;

  beforeAll(async () => {
    t = await tempDir('label-server-');
    dataDir = path.join(t.dir, 'data');
    const gen = await runHarness(
      ['generate', '--systems', '4', '--days', '1', '--interval', '1h', '--data', dataDir],
      { cwd: t.dir },
    );
    expect(gen.code).toBe(0);
    await writeFile(
      path.join(dataDir, 'label-queue.json'),
      JSON.stringify({
        created_at: '2026-01-01T00:00:00.000Z',
        seed: 's',
        by: [],
        systems: ['sys-0003', 'nope', 'sys-0001'],
      }),
    );
    app = await startLabelServer({ dataDir, port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('serves the page, uPlot from node_modules, and a strict Content-Security-Policy', async () => {
    const page = await call(app, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('/vendor/uPlot.iife.min.js');
    const uplot = await call(app, 'GET', '/vendor/uPlot.iife.min.js');
    expect(uplot.status).toBe(200);
    expect(uplot.body.toString()).toContain('uPlot');
    const csp = await new Promise<string>((resolve) => {
      const u = new URL(app.url);
      request({ host: u.hostname, port: u.port, path: '/' }, (res) => {
        res.resume();
        resolve(String(res.headers['content-security-policy']));
      }).end();
    });
    expect(csp).toContain("script-src 'self'");
  });

  it('lists systems with labels and the queue in its order, dropping unknown ids; a broken queue is a warning', async () => {
    const r = await call(app, 'GET', '/api/systems');
    expect(r.status).toBe(200);
    const body = r.json() as {
      systems: { system_id: string; label: unknown }[];
      queue: { system_id: string }[];
    };
    expect(body.systems.map((s) => s.system_id)).toEqual([
      'sys-0001',
      'sys-0002',
      'sys-0003',
      'sys-0004',
    ]);
    expect(body.systems.every((s) => s.label !== null)).toBe(true);
    expect(body.queue).toEqual([
      { source: 'synthetic', system_id: 'sys-0003' },
      { source: 'synthetic', system_id: 'sys-0001' },
    ]);
    const queueFile = path.join(dataDir, 'label-queue.json');
    const good = await readFile(queueFile, 'utf8');
    await writeFile(queueFile, '{"systems": ["../x"]');
    const broken = await call(app, 'GET', '/api/systems');
    expect(broken.status).toBe(200);
    expect(broken.json()).toMatchObject({
      queue: null,
      warnings: [expect.stringMatching(/label-queue.json: not valid JSON/)],
    });
    await writeFile(queueFile, good);
  });

  it('serves a series as JSON (NaN → null) and as binary Float64 with the same numbers', async () => {
    const j = await call(app, 'GET', '/api/systems/synthetic/sys-0001/series');
    expect(j.status).toBe(200);
    const js = j.json() as unknown as {
      n: number;
      t: number[];
      series: { name: string; values: (number | null)[] }[];
    };
    expect(js.n).toBe(24);
    expect(js.series.map((s) => s.name)).toContain('cell_delta_v_mv');
    const b = await call(app, 'GET', '/api/systems/synthetic/sys-0001/series?format=f64');
    expect(b.type).toBe('application/octet-stream');
    const hl = b.body.readUInt32LE(0);
    const header = JSON.parse(b.body.subarray(4, 4 + hl).toString()) as {
      n: number;
      series: { name: string }[];
    };
    const start = Math.ceil((4 + hl) / 8) * 8;
    const f = new Float64Array(
      b.body.buffer.slice(b.body.byteOffset + start, b.body.byteOffset + b.body.length),
    );
    expect(Array.from(f.subarray(0, header.n))).toEqual(js.t);
    header.series.forEach((s, k) => {
      const col = Array.from(f.subarray(header.n * (k + 1), header.n * (k + 2)), (v) =>
        Number.isNaN(v) ? null : v,
      );
      expect(col, s.name).toEqual(js.series[k]?.values);
    });
    expect(
      (await call(app, 'GET', '/api/systems/synthetic/sys-0001/series?format=xml')).status,
    ).toBe(400);
  });

  it('answers bad input with a 4xx and a message, and keeps running', async () => {
    const cases: [Promise<Reply>, number, RegExp][] = [
      [call(app, 'GET', '/api/systems/synthetic/..%2F..%2Fetc/series'), 400, /unsafe system id/],
      [call(app, 'GET', '/api/systems/synthetic/%E0%A4%A/series'), 400, /unsafe system id/],
      [call(app, 'GET', '/api/systems/lab/sys-0001'), 404, /unknown source/],
      [call(app, 'GET', '/api/systems/synthetic/sys-9999'), 404, /no synthetic system sys-9999/],
      [call(app, 'GET', '/api/nothing'), 404, /no API/],
      [call(app, 'GET', '/etc/passwd'), 404, /nothing at/],
      [call(app, 'DELETE', '/api/systems'), 405, /not allowed/],
      [call(app, 'GET', '/api/systems/synthetic/sys-0001/label'), 405, /use POST/],
      [post(app, '/api/systems/synthetic/sys-0001/label', '{"label": '), 400, /not valid JSON/],
      [post(app, '/api/systems/synthetic/sys-0001/label', '"just a string"'), 400, /not saved/],
      [
        post(app, '/api/systems/synthetic/sys-0001/label', {
          label: 'normal',
          labeler: 'x',
          notes: 'x'.repeat(300_000),
        }),
        413,
        /over/,
      ],
      [
        call(app, 'POST', '/api/systems/synthetic/sys-0001/label', {
          body: 'label=normal',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        }),
        415,
        /JSON/,
      ],
      [
        post(
          app,
          '/api/systems/synthetic/sys-0001/label',
          { label: 'normal', labeler: 'x' },
          { Origin: 'http://evil.example' },
        ),
        403,
        /cross-origin/,
      ],
      [
        call(app, 'GET', '/api/systems', { headers: { Host: 'evil.example' } }),
        421,
        /answers only to/,
      ],
    ];
    for (const [reply, status, message] of cases) {
      const r = await reply;
      expect(r.status).toBe(status);
      expect(r.json().error).toMatch(message);
    }
    const invalid = await post(app, '/api/systems/synthetic/sys-0001/label', {
      label: 'anomaly',
      failure_type: 'none',
      labeler: 'x',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json().errors?.map((e) => e.field)).toEqual(['failure_type', 'lead_time_days']);
    const before = await readFile(path.join(dataDir, 'synthetic', 'labels.csv'), 'utf8');
    expect((await call(app, 'GET', '/api/systems')).status).toBe(200);
    expect(await readFile(path.join(dataDir, 'synthetic', 'labels.csv'), 'utf8')).toBe(before);
  });

  it('refuses a body that is not UTF-8 instead of saving U+FFFD in place of its text', async () => {
    const labelsPath = path.join(dataDir, 'synthetic', 'labels.csv');
    const before = await readFile(labelsPath, 'utf8');
    // "café" sent as Latin-1 (é = 0xE9), as a script with the wrong encoding would.
    const body = Buffer.concat([
      Buffer.from('{"label":"normal","labeler":"x","notes":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);
    const r = await call(app, 'POST', '/api/systems/synthetic/sys-0004/label', {
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/not UTF-8/);
    expect(await readFile(labelsPath, 'utf8')).toBe(before);
  });

  it('saves, then refuses a stale save with 409 and the current row', async () => {
    const ok = await post(app, '/api/systems/synthetic/sys-0002/label', {
      label: 'normal',
      labeler: 'ann',
      notes: 'checked',
      expected_version: 1,
    });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({
      changed: true,
      row: { label_version: 2, labeler: 'ann', notes: 'checked' },
    });
    const stale = await post(app, '/api/systems/synthetic/sys-0002/label', {
      label: 'normal',
      labeler: 'bob',
      notes: 'other',
      expected_version: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.json()).toMatchObject({ current: { label_version: 2, labeler: 'ann' } });
    expect(stale.json().error).toMatch(/changed to version 2 \(by ann/);
    const history = await call(app, 'GET', '/api/systems/synthetic/sys-0002');
    expect((history.json() as { history: unknown[] }).history).toHaveLength(1);
  });

  it('validates failure_at and onset_at: a bad one is a 400 naming the field, and nothing is written', async () => {
    const labelsPath = path.join(dataDir, 'synthetic', 'labels.csv');
    const before = await readFile(labelsPath, 'utf8');
    const anomaly = {
      label: 'anomaly',
      failure_type: 'cooling_failure',
      lead_time_days: 3,
      labeler: 'ann',
    };
    const bad = await post(app, '/api/systems/synthetic/sys-0003/label', {
      ...anomaly,
      failure_at: '2026-01-05T25:00:00Z',
    });
    expect(bad.status).toBe(400);
    expect(bad.json().errors).toEqual([
      {
        field: 'failure_at',
        message:
          'failure_at is not an ISO 8601 UTC timestamp: "2026-01-05T25:00:00Z" (expected e.g. 2026-01-01T00:00:00Z)',
      },
    ]);
    const normal = await post(app, '/api/systems/synthetic/sys-0003/label', {
      label: 'normal',
      labeler: 'ann',
      failure_at: '2026-01-05T00:00:00Z',
    });
    expect(normal.status).toBe(400);
    expect(normal.json().errors?.map((e) => e.field)).toEqual(['failure_at']);
    const late = await post(app, '/api/systems/synthetic/sys-0003/label', {
      ...anomaly,
      failure_at: '2026-01-05T00:00:00Z',
      onset_at: '2026-01-06T00:00:00Z',
    });
    expect(late.status).toBe(400);
    expect(late.json().errors?.[0]?.message).toMatch(/onset_at .* is after failure_at/);
    expect(await readFile(labelsPath, 'utf8')).toBe(before);

    // failure_at must agree with lead_time_days (3) and the series' last sample, as validate checks.
    const rows = (await readFile(path.join(dataDir, 'synthetic', 'raw', 'sys-0003.csv'), 'utf8'))
      .trim()
      .split('\n');
    const last = Date.parse(rows[rows.length - 1]!.split(',')[0]!);
    const failureAt = new Date(last + 3 * 86_400_000).toISOString();
    const onsetAt = new Date(last - 3_600_000).toISOString();
    const off = await post(app, '/api/systems/synthetic/sys-0003/label', {
      ...anomaly,
      failure_at: new Date(last + 10 * 86_400_000).toISOString(),
    });
    expect(off.status).toBe(400);
    expect(off.json().errors).toEqual([
      {
        field: 'failure_at',
        message: expect.stringMatching(
          /is 10\.0 days after the last sample of sys-0003 .*, but lead_time_days says 3/,
        ),
      },
    ]);
    expect(await readFile(labelsPath, 'utf8')).toBe(before);
    // A failure_at before the series starts (a year typed wrong) is refused too.
    const first = Date.parse(rows[1]!.split(',')[0]!);
    const early = await post(app, '/api/systems/synthetic/sys-0003/label', {
      ...anomaly,
      failure_at: new Date(first - 365 * 86_400_000).toISOString(),
      onset_at: new Date(first - 366 * 86_400_000).toISOString(),
    });
    expect(early.status).toBe(400);
    expect(early.json().errors).toEqual([
      {
        field: 'failure_at',
        message: expect.stringMatching(/is 365\.0 days before the first sample of sys-0003 /),
      },
    ]);
    expect(await readFile(labelsPath, 'utf8')).toBe(before);

    const ok = await post(app, '/api/systems/synthetic/sys-0003/label', {
      ...anomaly,
      failure_at: failureAt,
      onset_at: onsetAt,
    });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ row: { failure_at: failureAt, onset_at: onsetAt } });
    const got = await call(app, 'GET', '/api/systems/synthetic/sys-0003');
    expect(got.json()).toMatchObject({ label: { failure_at: failureAt } });
  });

  it('bound to every address, still answers only to its names: loopback and each --allow-host, with or without a port', async () => {
    const wide = await startLabelServer({
      dataDir,
      host: '0.0.0.0',
      port: 0,
      allowHosts: ['bess-lab.example', 'pinned.example:8443'],
    });
    try {
      const port = new URL(wide.url).port;
      const status = async (host: string) =>
        (await call(wide, 'GET', '/api/systems', { headers: { Host: host } })).status;
      expect(await status(`127.0.0.1:${port}`)).toBe(200);
      expect(await status(`bess-lab.example:${port}`)).toBe(200);
      // A reverse proxy sends the name as the browser had it: without a port, or its own.
      expect(await status('bess-lab.example')).toBe(200);
      expect(await status('BESS-lab.example:1')).toBe(200);
      expect(await status('pinned.example:8443')).toBe(200);
      // Other names are refused whatever the port; a name given with its port, at other ports.
      expect(await status(`evil.example:${port}`)).toBe(421);
      expect(await status('evil.example')).toBe(421);
      expect(await status('pinned.example:1')).toBe(421);
      expect(await status('pinned.example')).toBe(421);
      expect(await status('127.0.0.1')).toBe(421); // the server's port is not 80
      expect(await status('localhost:1')).toBe(421);
      expect(await status('bess-lab.example.evil.example')).toBe(421);
      // A POST from a page of an allowed name, also over https (a TLS proxy in front).
      const origin = async (o: string) =>
        (
          await call(wide, 'POST', '/api/systems/synthetic/sys-0002/label', {
            body: JSON.stringify({ label: 'normal', labeler: 'proxy' }),
            headers: { 'Content-Type': 'application/json', Host: 'bess-lab.example', Origin: o },
          })
        ).status;
      expect(await origin('https://bess-lab.example')).toBe(200);
      expect(await origin(`http://127.0.0.1:${port}`)).toBe(200);
      expect(await origin('https://evil.example')).toBe(403);
      expect(await origin('http://evil.example')).toBe(403);
      expect(await origin('ftp://bess-lab.example')).toBe(403);
      expect(await origin('null')).toBe(403);
    } finally {
      await wide.close();
    }
  });
});
