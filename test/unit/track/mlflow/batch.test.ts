import { describe, expect, it } from 'vitest';
import {
  BATCH_LIMITS,
  chunkBatches,
  MAX_PARAM_VALUE,
  MAX_TAG_VALUE,
  notYetLogged,
  PayloadBuilder,
} from '../../../../src/track/mlflow/batch.ts';
import type { LogBatch } from '../../../../src/track/mlflow/client.ts';

const T = 1_764_000_000_000;

describe('PayloadBuilder', () => {
  it('sends non-finite metrics as strings, with the one timestamp and step 0', () => {
    const b = new PayloadBuilder(T);
    b.metric('a', 0.25);
    b.metric('b', NaN);
    b.metric('c', Infinity);
    b.metric('d', -Infinity);
    expect(b.build().metrics).toEqual([
      { key: 'a', value: 0.25, timestamp: T, step: 0 },
      { key: 'b', value: 'NaN', timestamp: T, step: 0 },
      { key: 'c', value: 'Infinity', timestamp: T, step: 0 },
      { key: 'd', value: '-Infinity', timestamp: T, step: 0 },
    ]);
  });

  it('logs an undefined metric as a tag with its reason, never as a number', () => {
    const b = new PayloadBuilder(T);
    b.metric(
      ['roc_auc', 'failure_type', 'thermal_runaway'],
      null,
      'ROC AUC is undefined: no negatives',
    );
    b.metric('f1', null);
    const p = b.build();
    expect(p.metrics).toEqual([]);
    expect(p.tags).toEqual([
      {
        key: 'metric.roc_auc.failure_type.thermal_runaway.undefined',
        value: 'ROC AUC is undefined: no negatives',
      },
      { key: 'metric.f1.undefined', value: 'undefined' },
    ]);
  });

  it('sanitizes key parts, records each rename, and keeps two names that collide apart', () => {
    const b = new PayloadBuilder(T);
    b.metric(['roc_auc', 'scenario_tags', '(missing)'], 0.5);
    b.metric(['roc_auc', 'scenario_tags', 'missing'], 0.6);
    b.metric(['roc_auc', 'site', 'a.b/c'], 0.7);
    const p = b.build();
    const keys = p.metrics.map((m) => m.key);
    expect(keys[0]).toBe('roc_auc.scenario_tags.missing');
    expect(keys[1]).toMatch(/^roc_auc\.scenario_tags\.missing_[0-9a-f]{6}$/);
    expect(keys[2]).toBe('roc_auc.site.a_b_c');
    expect(p.renamed).toEqual([
      { key: 'roc_auc.scenario_tags.missing', from: 'roc_auc.scenario_tags.(missing)' },
      { key: keys[1], from: 'roc_auc.scenario_tags.missing' },
      { key: 'roc_auc.site.a_b_c', from: 'roc_auc.site.a.b/c' },
    ]);
    const note = p.tags.find((t) => t.key === 'harness.renamed_keys')!.value;
    expect(note.split('\n')).toEqual([
      'roc_auc.scenario_tags.missing <- roc_auc.scenario_tags.(missing)',
      `${keys[1]} <- roc_auc.scenario_tags.missing`,
      'roc_auc.site.a_b_c <- roc_auc.site.a.b/c',
    ]);
  });

  it('gives the same key to the same name in every run (no order-free randomness)', () => {
    const build = () => {
      const b = new PayloadBuilder(T);
      b.metric(['x', '(a)'], 1);
      b.metric(['x', 'a'], 2);
      return b.build().metrics.map((m) => m.key);
    };
    expect(build()).toEqual(build());
  });

  it('refuses the same name twice (a mapping bug, not data)', () => {
    const b = new PayloadBuilder(T);
    b.param('model', 'a');
    expect(() => b.param('model', 'b')).toThrow(/param "model" added twice/);
  });

  it('truncates params to 6000 and tags to 8000 code points and says so in harness.truncated', () => {
    const b = new PayloadBuilder(T);
    b.param('options.big', 'x'.repeat(MAX_PARAM_VALUE + 10));
    b.param('options.small', 'y'.repeat(MAX_PARAM_VALUE));
    b.tag('harness.error', '😀'.repeat(MAX_TAG_VALUE + 1)); // 2 UTF-16 units each: counted as 1, never split
    const p = b.build();
    expect(p.params[0]!.value).toHaveLength(MAX_PARAM_VALUE);
    expect(p.params[1]!.value).toHaveLength(MAX_PARAM_VALUE);
    expect([...p.tags[0]!.value]).toHaveLength(MAX_TAG_VALUE);
    expect(p.tags[0]!.value.endsWith('😀')).toBe(true);
    expect(p.truncated).toEqual([
      { kind: 'param', key: 'options.big', length: MAX_PARAM_VALUE + 10, limit: MAX_PARAM_VALUE },
      { kind: 'tag', key: 'harness.error', length: MAX_TAG_VALUE + 1, limit: MAX_TAG_VALUE },
    ]);
    expect(p.tags.find((t) => t.key === 'harness.truncated')!.value).toBe(
      'param options.big: 6010 -> 6000 characters\ntag harness.error: 8001 -> 8000 characters',
    );
  });

  it('shortens an over-long key with a hash of its full name', () => {
    const b = new PayloadBuilder(T);
    b.metric(['m', 's'.repeat(300)], 1);
    const [m] = b.build().metrics;
    expect([...m!.key]).toHaveLength(250);
    expect(m!.key).toMatch(/^m\.s+_[0-9a-f]{6}$/);
  });
});

const metric = (i: number) => ({ key: `m${i}`, value: i, timestamp: T, step: 0 });
const kv = (prefix: string, i: number, value = 'v') => ({ key: `${prefix}${i}`, value });

describe('chunkBatches', () => {
  it('keeps every request within 1000 metrics, 100 params, 100 tags and 1000 entities, losing nothing', () => {
    const payload: LogBatch = {
      metrics: Array.from({ length: 2500 }, (_, i) => metric(i)),
      params: Array.from({ length: 150 }, (_, i) => kv('p', i)),
      tags: Array.from({ length: 20 }, (_, i) => kv('t', i)),
    };
    const batches = chunkBatches(payload);
    expect(batches.map((b) => [b.params.length, b.tags.length, b.metrics.length])).toEqual([
      [100, 20, 880],
      [50, 0, 950],
      [0, 0, 670],
    ]);
    for (const b of batches) {
      expect(b.metrics.length).toBeLessThanOrEqual(BATCH_LIMITS.metrics);
      expect(b.params.length + b.tags.length + b.metrics.length).toBeLessThanOrEqual(
        BATCH_LIMITS.entities,
      );
    }
    expect(batches.flatMap((b) => b.metrics)).toEqual(payload.metrics);
    expect(batches.flatMap((b) => b.params)).toEqual(payload.params);
    expect(batches.flatMap((b) => b.tags)).toEqual(payload.tags);
  });

  it('splits by JSON size when values are large', () => {
    const tags = Array.from({ length: 100 }, (_, i) => kv('t', i, 'x'.repeat(MAX_TAG_VALUE)));
    const params = Array.from({ length: 100 }, (_, i) => kv('p', i, 'y'.repeat(MAX_PARAM_VALUE)));
    const batches = chunkBatches({ metrics: [], params, tags });
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches)
      expect(Buffer.byteLength(JSON.stringify({ run_id: 'r'.repeat(32), ...b }))).toBeLessThan(1e6);
    expect(batches.flatMap((b) => b.tags)).toEqual(tags);
    expect(batches.flatMap((b) => b.params)).toEqual(params);
  });

  it('makes no request for an empty payload', () => {
    expect(chunkBatches({ metrics: [], params: [], tags: [] })).toEqual([]);
  });
});

describe('notYetLogged', () => {
  it('leaves out what the run holds already, whatever spelling the store read it back in', () => {
    const batch: LogBatch = {
      metrics: [
        metric(1),
        { key: 'nan', value: 'NaN', timestamp: T, step: 0 },
        { key: 'inf', value: 'Infinity', timestamp: T, step: 0 },
        metric(2),
      ],
      params: [kv('p', 1), kv('p', 2)],
      tags: [kv('t', 1), kv('t', 2, 'new')],
    };
    const logged = {
      metrics: [
        metric(1),
        { key: 'nan', value: 'NaN', timestamp: T },
        { key: 'inf', value: Number.MAX_VALUE, timestamp: T, step: 0 },
        { key: 'm2', value: 3, timestamp: T, step: 0 },
      ],
      params: [kv('p', 1)],
      tags: [kv('t', 1), kv('t', 2, 'old')],
    };
    expect(notYetLogged(batch, logged)).toEqual({
      metrics: [metric(2)],
      params: [kv('p', 2)],
      tags: [kv('t', 2, 'new')],
    });
  });
});
