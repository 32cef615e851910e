/**
 * The JSON API of the labeling app, as plain functions from a request (method, path, parsed
 * body) to a response (status and body), so they can be called without a socket. Every
 * failure a client can cause is a 4xx with a message; nothing here throws for bad input.
 *
 *   GET  /api/systems                          systems of every source with their labels, the queue
 *   GET  /api/systems/:source/:id              one system: metadata, label, its history (or history_error: why it cannot be read)
 *   GET  /api/systems/:source/:id/timelines    the score timelines of --results for its id: { timelines: [{ suite, model, timeline }] }
 *   GET  /api/systems/:source/:id/series       its telemetry: { t: epoch seconds[], series: [{ name, derived, values }] }, NaN → null
 *        …/series?format=f64                   the same as binary Float64 columns (what the page uses; see seriesBinary)
 *   POST /api/systems/:source/:id/label        save a label: 200 { row } | 400 { errors } | 409 { current }
 *   GET  /api/history                          the whole history, newest last
 */
import { existsSync } from 'node:fs';
import { formatProblem, HarnessError } from '../errors.ts';
import {
  DERIVED_FEATURES,
  describeLayout,
  FAILURE_TYPES,
  isOneOf,
  loadTimeseries,
  readLocatedMetadata,
  SENSORS,
  locateSeries,
  type Source,
  SOURCES,
  SYSTEM_ID_PATTERN,
  finishInterruptedImport,
} from '../data/index.ts';
import type { MetadataRow } from '../data/types.ts';
import { readQueue } from './queue.ts';
import type { LabelStore } from './store.ts';
import type { TimelineIndex } from './timelines.ts';

export interface ApiContext {
  readonly dataDir: string;
  readonly store: LabelStore;
  /** The score timelines of `--results`; absent without it. */
  readonly timelines?: TimelineIndex;
}

export interface ApiResponse {
  readonly status: number;
  /** A value sent as JSON, a string that already is JSON (`raw`), or bytes (`binary`). */
  readonly body: unknown;
  readonly raw?: boolean;
  readonly binary?: boolean;
}

const json = (status: number, body: unknown): ApiResponse => ({ status, body });
const error = (status: number, message: string, extra: Record<string, unknown> = {}): ApiResponse =>
  json(status, { error: message, ...extra });

/** Metadata of every source present; a source whose metadata cannot be read is a warning, not a failure. */
async function allMetadata(dataDir: string): Promise<{ rows: MetadataRow[]; warnings: string[] }> {
  const layout = describeLayout(dataDir);
  const rows: MetadataRow[] = [];
  const warnings: string[] = [];
  for (const s of layout.sources) {
    try {
      const located = await readLocatedMetadata(
        s.metadataPath,
        layout.kind === 'data-dir' ? s.source : undefined,
      );
      for (const { row } of located) rows.push(row);
    } catch (err) {
      warnings.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (layout.sources.length === 0)
    warnings.push(
      `no data in ${dataDir}: expected synthetic/ or real/ (run \`harness generate\` or \`harness import\`)`,
    );
  return { rows, warnings };
}

async function listSystems(ctx: ApiContext): Promise<ApiResponse> {
  const [{ rows, warnings }, labels] = await Promise.all([
    allMetadata(ctx.dataDir),
    ctx.store.rows(),
  ]);
  // A broken queue file is a warning on the page, not a list that fails to load.
  const queue = await readQueue(ctx.dataDir).catch((err: unknown) => {
    warnings.push(err instanceof Error ? err.message : String(err));
    return null;
  });
  const byKey = new Map(labels.map((l) => [`${l.source}/${l.system_id}`, l]));
  const systems = rows.map((m) => ({
    source: m.source,
    system_id: m.system_id,
    operational_mode: m.operational_mode,
    season: m.season,
    scenario_tags: m.scenario_tags,
    label: byKey.get(`${m.source}/${m.system_id}`) ?? null,
  }));
  // The queue names ids (real ones, from `harness sample`): each is the system of that id in
  // the real source, else in the synthetic one; an id in neither is left out.
  let resolvedQueue: { source: Source; system_id: string }[] | null = null;
  if (queue) {
    const known = new Set(rows.map((m) => `${m.source}/${m.system_id}`));
    resolvedQueue = [];
    for (const id of queue.systems) {
      const source = (['real', 'synthetic'] as const).find((s) => known.has(`${s}/${id}`));
      if (source !== undefined) resolvedQueue.push({ source, system_id: id });
    }
  }
  return json(200, {
    data_dir: ctx.dataDir,
    sources: [...new Set(rows.map((m) => m.source))],
    failure_types: FAILURE_TYPES,
    systems,
    queue: resolvedQueue,
    results: ctx.timelines ? { file: ctx.timelines.file, timelines: ctx.timelines.count } : null,
    warnings,
  });
}

/** The metadata row of a system, or a 4xx response. */
async function findSystem(
  ctx: ApiContext,
  source: string,
  id: string,
): Promise<MetadataRow | ApiResponse> {
  if (!isOneOf(SOURCES, source))
    return error(404, `unknown source ${JSON.stringify(source)}: expected ${SOURCES.join(' or ')}`);
  if (!SYSTEM_ID_PATTERN.test(id))
    return error(
      400,
      `unsafe system id ${JSON.stringify(id)}: ids must match ${SYSTEM_ID_PATTERN.source}`,
    );
  const { rows } = await allMetadata(ctx.dataDir);
  const m = rows.find((r) => r.source === source && r.system_id === id);
  return m ?? error(404, `no ${source} system ${id} in the metadata of ${ctx.dataDir}`);
}

async function getSystem(ctx: ApiContext, source: string, id: string): Promise<ApiResponse> {
  const m = await findSystem(ctx, source, id);
  if ('status' in m) return m;
  const [label, history] = await Promise.all([
    ctx.store.get(m.source, id),
    // The label is shown without its history: a damaged history file (a merge conflict left in
    // it) is said beside it, and saves are refused until it is fixed (label-history.ts).
    ctx.store.history({ source, systemId: id }).catch((err: unknown) => {
      if (!(err instanceof HarnessError)) throw err;
      const first = err.problems[0];
      return {
        error: `${first ? formatProblem(first) : err.message}${err.problems.length > 1 ? ` (and ${err.problems.length - 1} more problems: run harness validate)` : ''}; the history cannot be shown, and saves are refused until it is fixed`,
      };
    }),
  ]);
  return 'error' in history
    ? json(200, { metadata: m, label: label ?? null, history: [], history_error: history.error })
    : json(200, { metadata: m, label: label ?? null, history });
}

/**
 * Column of a series as JSON text, NaN as null: written by hand, 100k values in a few ms. Values
 * are divided by `divisor` exactly as seriesBinary does (× 1/1000 differs from ÷ 1000 in the last
 * bit for sub-second timestamps), so the two formats give the same numbers.
 */
function columnJson(values: Float64Array, divisor = 1): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    parts[i] = v === v && v !== Infinity && v !== -Infinity ? String(v / divisor) : 'null';
  }
  return `[${parts.join(',')}]`;
}

/**
 * One series as binary, for the page: a little-endian uint32 header length, the header as
 * UTF-8 JSON (`{ source, system_id, n, series: [{ name, derived }] }`), zero padding to a
 * multiple of 8 bytes, then n Float64 timestamps in epoch seconds and n Float64 values per
 * series, in header order, NaN for a missing reading. No number is formatted or parsed on the
 * way: 100k rows × 10 sensors is a copy of 9 MB.
 */
export function seriesBinary(
  meta: { source: string; system_id: string },
  t: Float64Array,
  columns: readonly { name: string; derived: boolean; values: Float64Array }[],
): Buffer {
  const n = t.length;
  const header = Buffer.from(
    JSON.stringify({
      ...meta,
      n,
      series: columns.map((c) => ({ name: c.name, derived: c.derived })),
    }),
    'utf8',
  );
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const out = Buffer.alloc(start + 8 * n * (1 + columns.length));
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  const data = new Float64Array(out.buffer, out.byteOffset + start, n * (1 + columns.length));
  for (let i = 0; i < n; i++) data[i] = (t[i] as number) / 1000;
  columns.forEach((c, k) => data.set(c.values, n * (k + 1)));
  return out;
}

async function getSeries(
  ctx: ApiContext,
  source: string,
  id: string,
  format: string | null,
): Promise<ApiResponse> {
  if (format !== null && format !== 'json' && format !== 'f64')
    return error(400, `format must be json or f64, got ${JSON.stringify(format)}`);
  const m = await findSystem(ctx, source, id);
  if ('status' in m) return m;
  // raw/<id>.csv, or the Parquet layout's partition folder raw/system_id=<id>/.
  const at = locateSeries(ctx.dataDir, m.source, id).path;
  if (!existsSync(at)) return error(404, `system ${id} has no series file (${at})`);
  const series = await loadTimeseries(id, {
    dataDir: ctx.dataDir,
    source: m.source,
    derive: DERIVED_FEATURES,
  });
  const isDerived = (k: string): boolean => (DERIVED_FEATURES as readonly string[]).includes(k);
  const names = [
    ...SENSORS.filter((s) => series.sensors[s] !== undefined),
    ...Object.keys(series.sensors).filter(
      (k) => !(SENSORS as readonly string[]).includes(k) && !isDerived(k),
    ),
    ...DERIVED_FEATURES.filter((d) => series.sensors[d]?.some((v) => !Number.isNaN(v))),
  ];
  const columns = names.map((name) => ({
    name,
    derived: isDerived(name),
    values: series.sensors[name] as Float64Array,
  }));
  if (format === 'f64')
    return {
      status: 200,
      body: seriesBinary({ source: m.source, system_id: id }, series.timestamps, columns),
      binary: true,
    };
  const parts = columns.map(
    (c) =>
      `{"name":${JSON.stringify(c.name)},"derived":${c.derived},"values":${columnJson(c.values)}}`,
  );
  const body = `{"source":${JSON.stringify(m.source)},"system_id":${JSON.stringify(id)},"n":${series.timestamps.length},"t":${columnJson(series.timestamps, 1000)},"series":[${parts.join(',')}]}`;
  return { status: 200, body, raw: true };
}

/** The score timelines of the system's id (results.json names ids, not sources). */
async function getTimelines(ctx: ApiContext, source: string, id: string): Promise<ApiResponse> {
  const m = await findSystem(ctx, source, id);
  if ('status' in m) return m;
  return json(200, { timelines: ctx.timelines?.of(id) ?? [] });
}

async function postLabel(
  ctx: ApiContext,
  source: string,
  id: string,
  body: unknown,
): Promise<ApiResponse> {
  const m = await findSystem(ctx, source, id);
  if ('status' in m) return m;
  const r = await ctx.store.save(m.source, id, body);
  switch (r.status) {
    case 'invalid':
      return json(400, {
        error: 'the label was not saved: fix the fields marked',
        errors: r.errors,
      });
    case 'conflict':
      return json(409, {
        error: r.current
          ? `this label was changed to version ${r.current.label_version} (by ${r.current.labeler ?? 'someone'} at ${r.current.labeled_at ?? 'an unknown time'}) after you loaded version ${r.expected}; review it and save again`
          : `the label you loaded (version ${r.expected}) no longer exists`,
        current: r.current,
      });
    case 'unchanged':
      return json(200, { row: r.row, changed: false });
    case 'saved':
      return json(200, { row: r.row, before: r.before, changed: true });
  }
}

/**
 * Routes one API request. `body` is the parsed JSON body of a POST (undefined otherwise).
 * Returns null for a path that is not an API path.
 */
export async function handleApi(
  ctx: ApiContext,
  method: string,
  pathname: string,
  body: unknown,
  query = new URLSearchParams(),
): Promise<ApiResponse | null> {
  if (!pathname.startsWith('/api/')) return null;
  // An import killed while the app runs: its half-swapped real/ is finished before it is read.
  await finishInterruptedImport(ctx.dataDir);
  const parts = pathname
    .slice('/api/'.length)
    .split('/')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '\u0000';
      }
    });
  const allow = (m: string): ApiResponse | undefined =>
    method === m || (m === 'GET' && method === 'HEAD')
      ? undefined
      : error(405, `${method} not allowed on ${pathname} (use ${m})`);
  const [a, source, id, sub, ...rest] = parts;
  if (a === 'systems' && parts.length === 1) return allow('GET') ?? listSystems(ctx);
  if (a === 'history' && parts.length === 1)
    return allow('GET') ?? json(200, { history: await ctx.store.history() });
  if (a === 'systems' && source !== undefined && id !== undefined && rest.length === 0) {
    if (sub === undefined) return allow('GET') ?? getSystem(ctx, source, id);
    if (sub === 'series') return allow('GET') ?? getSeries(ctx, source, id, query.get('format'));
    if (sub === 'timelines') return allow('GET') ?? getTimelines(ctx, source, id);
    if (sub === 'label') return allow('POST') ?? postLabel(ctx, source, id, body);
  }
  return error(404, `no API at ${pathname}`);
}
