import type { KeyValue, LogBatch, LoggedMetric, MetricEntity, Run } from './client.ts';
import { keyProblem, sanitizeKeyPart, withHashSuffix } from './keys.ts';

/**
 * log-batch limits of the server (mlflow/utils/validation.py) and the value lengths it would
 * otherwise truncate silently. `bytes` stays below MAX_BATCH_LOG_REQUEST_SIZE (1e6) with room
 * for the run id and the JSON around the entities.
 */
export const BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  entities: 1000,
  bytes: 900_000,
} as const;
export type BatchLimits = { readonly [K in keyof typeof BATCH_LIMITS]: number };
/** MAX_PARAM_VAL_LENGTH and MAX_TAG_VAL_LENGTH (8000 since MLflow 3; 5000 in 2.x), in code points. */
export const MAX_PARAM_VALUE = 6000;
export const MAX_TAG_VALUE = 8000;

/** A value cut to the server's limit, remembered so the run says so. */
export interface Truncation {
  readonly kind: 'param' | 'tag';
  readonly key: string;
  readonly length: number;
  readonly limit: number;
}

/** A key that is not spelled as its name (sanitized, shortened or made unique). */
export interface Rename {
  readonly key: string;
  /** The parts as given, joined with `.`. */
  readonly from: string;
}

/** Everything one MLflow run logs, before it is cut into requests. */
export interface RunPayload extends LogBatch {
  readonly truncated: readonly Truncation[];
  readonly renamed: readonly Rename[];
}

/** A key: its parts (joined with `.`), or a fixed dotted key such as `mlflow.runName`. */
export type KeyParts = string | readonly string[];

/**
 * Collects a run's metrics, params and tags with valid keys and values:
 * - key parts are sanitized (keys.ts), over-long keys shortened, and two names that end up with
 *   the same key told apart by a hash suffix; every rename is listed in the tag `harness.renamed_keys`;
 * - param and tag values are truncated to the server's limits here, listed in `harness.truncated`,
 *   instead of being cut silently by the server;
 * - a non-finite metric is sent as "NaN" / "Infinity" / "-Infinity";
 * - an undefined metric (null: one class only, a zero denominator) is no number at all: it becomes
 *   the tag `metric.<key>.undefined = <reason>`, never a fake 0.
 * Every metric gets the same timestamp and step 0, so logging the payload again (resuming an
 * upload) adds nothing: the SQL store drops metrics equal in key, value, timestamp and step.
 */
export class PayloadBuilder {
  private readonly metrics: MetricEntity[] = [];
  private readonly params: KeyValue[] = [];
  private readonly tags: KeyValue[] = [];
  private readonly truncated: Truncation[] = [];
  private readonly renamed: Rename[] = [];
  private readonly used = {
    metric: new Map<string, string>(),
    param: new Map<string, string>(),
    tag: new Map<string, string>(),
  };

  /** @param timestampMs when the metrics were measured (epoch ms). */
  constructor(private readonly timestampMs: number) {}

  metric(parts: KeyParts, value: number | null, undefinedReason?: string): void {
    if (value === null) {
      this.tag(['metric', ...partsOf(parts), 'undefined'], undefinedReason ?? 'undefined');
      return;
    }
    const encoded: MetricEntity['value'] = Number.isNaN(value)
      ? 'NaN'
      : value === Infinity
        ? 'Infinity'
        : value === -Infinity
          ? '-Infinity'
          : value;
    this.metrics.push({
      key: this.key('metric', parts),
      value: encoded,
      timestamp: this.timestampMs,
      step: 0,
    });
  }

  param(parts: KeyParts, value: string): void {
    const key = this.key('param', parts);
    this.params.push({ key, value: this.truncate('param', key, value, MAX_PARAM_VALUE) });
  }

  tag(parts: KeyParts, value: string): void {
    const key = this.key('tag', parts);
    this.tags.push({ key, value: this.truncate('tag', key, value, MAX_TAG_VALUE) });
  }

  build(): RunPayload {
    const tags = [...this.tags];
    const note = (key: string, lines: string[]) =>
      tags.push({ key, value: clipCodePoints(lines.join('\n'), MAX_TAG_VALUE) });
    if (this.renamed.length > 0)
      note(
        'harness.renamed_keys',
        this.renamed.map((r) => `${r.key} <- ${r.from}`),
      );
    if (this.truncated.length > 0)
      note(
        'harness.truncated',
        this.truncated.map((t) => `${t.kind} ${t.key}: ${t.length} -> ${t.limit} characters`),
      );
    return {
      metrics: [...this.metrics],
      params: [...this.params],
      tags,
      truncated: [...this.truncated],
      renamed: [...this.renamed],
    };
  }

  private key(kind: 'metric' | 'param' | 'tag', parts: KeyParts): string {
    const list = partsOf(parts);
    const from = list.join('.');
    let key = list.map(sanitizeKeyPart).join('.');
    if (keyProblem(key) !== null) key = withHashSuffix(key, from); // only the length can be wrong after sanitizing
    const used = this.used[kind];
    const owner = used.get(key);
    if (owner === from)
      throw new Error(`PayloadBuilder: ${kind} ${JSON.stringify(from)} added twice`);
    if (owner !== undefined) key = withHashSuffix(key, from);
    used.set(key, from);
    if (key !== from) this.renamed.push({ key, from });
    return key;
  }

  private truncate(kind: 'param' | 'tag', key: string, value: string, limit: number): string {
    const cut = clipCodePoints(value, limit);
    if (cut !== value) this.truncated.push({ kind, key, length: [...value].length, limit });
    return cut;
  }
}

function partsOf(parts: KeyParts): readonly string[] {
  return typeof parts === 'string' ? parts.split('.') : parts;
}

/** The first `limit` code points (Python counts those; a surrogate pair is never split). */
function clipCodePoints(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const points = [...value];
  return points.length <= limit ? value : points.slice(0, limit).join('');
}

/**
 * Cuts a payload into log-batch requests within every limit: at most 100 params, 100 tags and
 * 1000 metrics, 1000 entities and `bytes` of JSON each. Each request takes params, then tags,
 * then fills up with metrics, so a payload of 150 params, 20 tags and 2500 metrics needs 3.
 */
export function chunkBatches(payload: LogBatch, limits: BatchLimits = BATCH_LIMITS): LogBatch[] {
  const queues = { params: payload.params, tags: payload.tags, metrics: payload.metrics } as const;
  const next = { params: 0, tags: 0, metrics: 0 };
  const out: LogBatch[] = [];
  // `{"run_id":"<32 hex>","metrics":[],"params":[],"tags":[]}`
  const overhead = 100;
  while (
    next.params < queues.params.length ||
    next.tags < queues.tags.length ||
    next.metrics < queues.metrics.length
  ) {
    const batch = {
      params: [] as KeyValue[],
      tags: [] as KeyValue[],
      metrics: [] as MetricEntity[],
    };
    let bytes = overhead;
    let entities = 0;
    const take = (kind: keyof typeof queues, max: number) => {
      const queue = queues[kind] as readonly (KeyValue | MetricEntity)[];
      const into = batch[kind] as (KeyValue | MetricEntity)[];
      while (next[kind] < queue.length && into.length < max && entities < limits.entities) {
        const item = queue[next[kind]]!;
        const size = Buffer.byteLength(JSON.stringify(item)) + 1;
        if (bytes + size > limits.bytes) return;
        into.push(item);
        bytes += size;
        entities++;
        next[kind]++;
      }
    };
    take('params', limits.params);
    take('tags', limits.tags);
    take('metrics', limits.metrics);
    if (entities === 0)
      throw new Error(`chunkBatches: one entity is larger than ${limits.bytes} bytes`);
    out.push(batch);
  }
  return out;
}

/**
 * What of `batch` the run does not hold yet: metrics equal in key, value, timestamp and step,
 * and params and tags with the same value, are left out. Resuming an upload then sends only
 * what is missing, and logs nothing twice on any store (a file store would append duplicates).
 */
export function notYetLogged(batch: LogBatch, logged: Run['data']): LogBatch {
  const metricIds = new Set((logged.metrics ?? []).map((m) => metricId(m)));
  const params = new Map((logged.params ?? []).map((p) => [p.key, p.value]));
  const tags = new Map((logged.tags ?? []).map((t) => [t.key, t.value]));
  return {
    metrics: batch.metrics.filter((m) => !metricIds.has(metricId(m))),
    params: batch.params.filter((p) => params.get(p.key) !== p.value),
    tags: batch.tags.filter((t) => tags.get(t.key) !== t.value),
  };
}

/**
 * A metric's identity. SQL stores keep ±Infinity as ±1.7976931348623157e308 (the largest double)
 * and NaN as the string "NaN" on reads, so both spellings of a value map to one id.
 */
function metricId(m: LoggedMetric | MetricEntity): string {
  let v = m.value;
  if (v === Number.MAX_VALUE || v === 'Infinity') v = 'Infinity';
  else if (v === -Number.MAX_VALUE || v === '-Infinity') v = '-Infinity';
  return JSON.stringify([m.key, String(v), m.timestamp ?? 0, m.step ?? 0]);
}
