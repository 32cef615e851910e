/**
 * Checks of a run record's files, field by field, shared by the readers of the run store
 * (`harness runs`, `runs show`, `compare`: read-runs.ts) and the MLflow uploader
 * (mlflow/run-folder.ts). A record that is valid JSON but misses a field those commands read
 * is a HarnessError naming the file and the field (exit 2, or the run skipped in a listing),
 * never a crash on `undefined` deep inside a command.
 */
import { HarnessError } from '../errors.ts';
import type { ResultsJson } from '../report/index.ts';
import { RUN_RECORD_SCHEMA, type RunRecord, type TrackingState } from './types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const stringOrNull = (v: unknown) => v === null || isString(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numberOrNull = (v: unknown) => v === null || isNumber(v);

/** A HarnessError for a field of a record's file: `<file>: <message>`, located at the file. */
export function recordError(file: string, message: string): HarnessError {
  return new HarnessError('E_RUN_RECORD', `${file}: ${message}`, [
    { file, line: 0, column: 0, message },
  ]);
}

/** Checks the fields of run.json the run store's readers and the uploader read; the first wrong one is named with its path. */
export function checkRecord(raw: unknown, file: string): RunRecord {
  const fail = (field: string, what: string): never => {
    throw recordError(file, `${field} ${what}`);
  };
  if (!isObject(raw)) return fail('the file', 'must hold a JSON object (a RunRecord)');
  if (raw['schema'] !== RUN_RECORD_SCHEMA)
    fail(
      'schema',
      `is ${JSON.stringify(raw['schema'])}; this harness reads run records of schema ${RUN_RECORD_SCHEMA}`,
    );
  if (!isString(raw['run_id']) || raw['run_id'] === '')
    fail('run_id', 'must be a non-empty string');
  for (const f of ['started_at', 'finished_at'] as const)
    if (!isString(raw[f]) || Number.isNaN(Date.parse(raw[f]))) fail(f, 'must be an ISO 8601 time');
  if (!isString(raw['harness_version'])) fail('harness_version', 'must be a string');
  if (!isString(raw['seed'])) fail('seed', 'must be a string');
  if (raw['exit_code'] !== 0 && raw['exit_code'] !== 1 && raw['exit_code'] !== 2)
    fail('exit_code', 'must be 0, 1 or 2');
  if (!isNumber(raw['duration_ms'])) fail('duration_ms', 'must be a number');
  if (!Array.isArray(raw['argv']) || !raw['argv'].every(isString))
    fail('argv', 'must be a list of strings');
  const config = raw['config'];
  if (!isObject(config) || !stringOrNull(config['file']) || !stringOrNull(config['hash']))
    fail('config', 'must be { file, hash } (null when there is none)');
  const git = raw['git'];
  if (
    !isObject(git) ||
    !stringOrNull(git['commit']) ||
    !stringOrNull(git['branch']) ||
    !(git['dirty'] === null || typeof git['dirty'] === 'boolean')
  ) {
    fail('git', 'must be { commit, branch, dirty } (null when unknown)');
  }
  if (!Array.isArray(raw['suites'])) return fail('suites', 'must be a list');
  raw['suites'].forEach((s: unknown, i) => {
    const at = `suites[${i}]`;
    if (!isObject(s) || !isString(s['name']) || !isString(s['file']) || !isString(s['threshold']))
      return fail(at, 'must have a name, a file and a threshold (strings)');
    if (!stringOrNull(s['error'])) fail(`${at}.error`, 'must be a string or null');
    const ds = s['dataset'];
    if (ds !== null) {
      if (!isObject(ds)) return fail(`${at}.dataset`, 'must be an object or null');
      for (const f of ['kind', 'name', 'data_source', 'hash', 'data_hash', 'labels_hash'])
        if (!isString(ds[f])) fail(`${at}.dataset.${f}`, 'must be a string');
      if (!stringOrNull(ds['scenario'])) fail(`${at}.dataset.scenario`, 'must be a string or null');
      if (!(ds['label_version'] === null || typeof ds['label_version'] === 'number'))
        fail(`${at}.dataset.label_version`, 'must be a number or null');
      for (const f of ['systems', 'train', 'test'])
        if (typeof ds[f] !== 'number') fail(`${at}.dataset.${f}`, 'must be a number');
    }
    // null, as `dataset`, for a suite that failed before its data loaded (types.ts).
    const split = s['split'];
    if (
      split !== null &&
      (!isObject(split) ||
        !isString(split['seed']) ||
        !numberOrNull(split['test'] ?? null) ||
        !numberOrNull(split['folds'] ?? null))
    )
      fail(`${at}.split`, 'must be { test, folds, seed } or null');
    const sources = isObject(split) ? split['sources'] : undefined;
    if (
      sources !== undefined &&
      (!isObject(sources) || !isString(sources['train']) || !isString(sources['test']))
    )
      fail(`${at}.split.sources`, 'must be { train, test } (strings)');
    const assertions = s['assertions'];
    if (
      !isObject(assertions) ||
      !['passed', 'failed', 'errored'].every((f) => typeof assertions[f] === 'number')
    )
      fail(`${at}.assertions`, 'must be { passed, failed, errored } (numbers)');
    if (!Array.isArray(s['cases'])) return fail(`${at}.cases`, 'must be a list');
    s['cases'].forEach((c: unknown, j) => {
      const cat = `${at}.cases[${j}]`;
      if (!isObject(c) || !isString(c['model']) || c['model'] === '')
        return fail(cat, 'must have a model name');
      if (c['state'] !== 'scored' && c['state'] !== 'errored')
        fail(`${cat}.state`, 'must be "scored" or "errored"');
      if (
        !stringOrNull(c['version']) ||
        !stringOrNull(c['error']) ||
        !stringOrNull(c['scores_file']) ||
        !isString(c['seed'])
      ) {
        fail(cat, 'must have version, error and scores_file (string or null) and a seed');
      }
      if (typeof c['cached'] !== 'boolean') fail(`${cat}.cached`, 'must be true or false');
      const t = c['timings_ms'];
      if (t !== null && (!isObject(t) || !isNumber(t['fit']) || !isNumber(t['score'])))
        fail(`${cat}.timings_ms`, 'must be { fit, score } (numbers) or null');
    });
  });
  return raw as unknown as RunRecord;
}

/**
 * Checks the fields of results.json that `harness runs`, `runs show` and `compare` read: each
 * suite's name and cases; each case's model and state, and a scored case's n, metrics (numbers
 * or null), ci and breakdown (cells with a stratum and metrics), an errored case's error.
 */
export function checkResults(raw: unknown, file: string): ResultsJson {
  const fail = (field: string, what: string): never => {
    throw recordError(file, `${field} ${what}`);
  };
  if (!isObject(raw)) return fail('the file', 'must hold a JSON object (a results.json)');
  if (!Array.isArray(raw['suites'])) return fail('suites', 'must be a list (no suites)');
  raw['suites'].forEach((s: unknown, i) => {
    const at = `suites[${i}]`;
    if (!isObject(s) || !isString(s['name'])) return fail(at, 'must have a name');
    if (!Array.isArray(s['cases'])) return fail(`${at}.cases`, 'must be a list');
    s['cases'].forEach((c: unknown, j) => {
      const cat = `${at}.cases[${j}]`;
      if (!isObject(c) || !isString(c['model'])) return fail(cat, 'must have a model name');
      if (c['state'] === 'errored') {
        if (!isString(c['error'])) fail(`${cat}.error`, 'must be a string');
        return;
      }
      if (c['state'] !== 'scored') return fail(`${cat}.state`, 'must be "scored" or "errored"');
      if (typeof c['n'] !== 'number') fail(`${cat}.n`, 'must be a number');
      const metrics = c['metrics'];
      if (!isObject(metrics)) return fail(`${cat}.metrics`, 'must be an object');
      for (const [k, v] of Object.entries(metrics))
        if (!numberOrNull(v)) fail(`${cat}.metrics.${k}`, 'must be a number or null');
      if (!isObject(c['ci'])) fail(`${cat}.ci`, 'must be an object');
      const breakdown = c['breakdown'];
      if (!isObject(breakdown)) return fail(`${cat}.breakdown`, 'must be an object');
      for (const [col, cells] of Object.entries(breakdown)) {
        if (!Array.isArray(cells)) return fail(`${cat}.breakdown.${col}`, 'must be a list');
        cells.forEach((cell: unknown, k) => {
          if (!isObject(cell) || !isString(cell['stratum']) || !isObject(cell['metrics']))
            fail(`${cat}.breakdown.${col}[${k}]`, 'must have a stratum and metrics');
        });
      }
    });
  });
  return raw as unknown as ResultsJson;
}

/**
 * Checks tracking.json: an object whose `mlflow` section, when there is one, is
 * `{ uri, status, at, error?, runs }` with every run `{ suite, model, experiment_id, run_id,
 * complete }`. Other sections are left alone (the uploader keeps them). The message says how
 * to start over, which the uploader's search by case id makes safe (no run is made twice).
 */
export function checkTracking(raw: unknown, file: string): TrackingState {
  const fail = (field: string, what: string): never => {
    throw recordError(file, `${field} ${what}; delete the file to upload the run again`);
  };
  if (!isObject(raw)) return fail('the file', 'must hold a JSON object (a tracking state)');
  const m = raw['mlflow'];
  if (m === undefined) return raw as TrackingState;
  if (!isObject(m)) return fail('mlflow', 'must be an object');
  if (!isString(m['uri'])) fail('mlflow.uri', 'must be a string');
  if (m['status'] !== 'synced' && m['status'] !== 'failed')
    fail('mlflow.status', 'must be "synced" or "failed"');
  if (!isString(m['at'])) fail('mlflow.at', 'must be a string (an ISO 8601 time)');
  if (m['error'] !== undefined && !isString(m['error'])) fail('mlflow.error', 'must be a string');
  if (!Array.isArray(m['runs'])) return fail('mlflow.runs', 'must be a list');
  m['runs'].forEach((r: unknown, i) => {
    if (
      !isObject(r) ||
      !['suite', 'model', 'experiment_id', 'run_id'].every((f) => isString(r[f])) ||
      typeof r['complete'] !== 'boolean'
    )
      fail(
        `mlflow.runs[${i}]`,
        'must be { suite, model, experiment_id, run_id } (strings) and complete (true or false)',
      );
  });
  return raw as TrackingState;
}

/**
 * Checks every field of results.json the MLflow uploader reads (a case's metrics, params, tags,
 * note and charts come from them), beyond what {@link checkResults} checks for the run store's
 * readers: the schema; per scored case the counts, confusion, threshold, timings, CIs,
 * undefined reasons, breakdown and lead-time cells, caught_with_warning and the per-source
 * comparison; per suite the assertions (state and the model each is about). `assertions` may be
 * absent: the case's verdict is then unknown and not tagged.
 */
export function checkUploadResults(raw: unknown, file: string): ResultsJson {
  const results = checkResults(raw, file);
  const fail = (field: string, what: string): never => {
    throw recordError(file, `${field} ${what}`);
  };
  const json = raw as Json;
  if (json['schema'] !== 1)
    fail(
      'schema',
      `is ${JSON.stringify(json['schema'])}; the uploader reads results.json schema 1`,
    );
  const numbers = (v: unknown, at: string, orNull: boolean) => {
    if (!isObject(v)) return fail(at, 'must be an object');
    for (const [k, x] of Object.entries(v))
      if (!(orNull ? numberOrNull(x) : isNumber(x)))
        fail(`${at}.${k}`, orNull ? 'must be a number or null' : 'must be a number');
  };
  const strings = (v: unknown, at: string) => {
    if (!isObject(v)) return fail(at, 'must be an object');
    for (const [k, x] of Object.entries(v))
      if (!isString(x)) fail(`${at}.${k}`, 'must be a string');
  };
  const ci = (v: unknown, at: string) => {
    if (v === null) return;
    if (!isObject(v) || !isNumber(v['low']) || !isNumber(v['high']) || !isNumber(v['level']))
      fail(at, 'must be { low, high, level } (numbers) or null');
  };
  const cis = (v: unknown, at: string) => {
    if (!isObject(v)) return fail(at, 'must be an object');
    for (const [k, x] of Object.entries(v)) ci(x, `${at}.${k}`);
  };
  const cell = (c: Json, at: string) => {
    for (const f of ['n', 'positives']) if (!isNumber(c[f])) fail(`${at}.${f}`, 'must be a number');
    numbers(c['metrics'], `${at}.metrics`, true);
    cis(c['ci'], `${at}.ci`);
    strings(c['undefined'], `${at}.undefined`);
  };
  const side = (v: unknown, at: string) => {
    if (v === null) return;
    if (!isObject(v)) return fail(at, 'must be an object or null');
    for (const f of ['n', 'positives']) if (!isNumber(v[f])) fail(`${at}.${f}`, 'must be a number');
    numbers(v['metrics'], `${at}.metrics`, true);
    strings(v['undefined'], `${at}.undefined`);
    if (!isObject(v['ci'])) return fail(`${at}.ci`, 'must be an object');
    ci(v['ci']['roc_auc'] ?? null, `${at}.ci.roc_auc`);
    ci(v['ci']['fpr'] ?? null, `${at}.ci.fpr`);
  };
  (json['suites'] as Json[]).forEach((s, i) => {
    const at = `suites[${i}]`;
    const assertions = s['assertions'];
    if (assertions !== undefined) {
      if (!Array.isArray(assertions)) return fail(`${at}.assertions`, 'must be a list');
      assertions.forEach((a: unknown, k) => {
        const aat = `${at}.assertions[${k}]`;
        if (!isObject(a) || !['passed', 'failed', 'errored'].includes(a['state'] as string))
          return fail(`${aat}.state`, 'must be "passed", "failed" or "errored"');
        if (!isObject(a['spec']) || !isString(assertionModel(a['spec'])))
          fail(`${aat}.spec`, 'must name the model it is about');
      });
    }
    (s['cases'] as Json[]).forEach((c, j) => {
      if (c['state'] !== 'scored') return;
      const cat = `${at}.cases[${j}]`;
      for (const f of ['positives', 'negatives'])
        if (!isNumber(c[f])) fail(`${cat}.${f}`, 'must be a number');
      const threshold = c['threshold'];
      if (!isObject(threshold) || !numberOrNull(threshold['value']))
        fail(`${cat}.threshold`, 'must be { value } (a number or null)');
      numbers(c['confusion'], `${cat}.confusion`, false);
      const t = c['timings_ms'];
      if (!isObject(t) || !isNumber(t['fitMs']) || !isNumber(t['scoreMs']))
        fail(`${cat}.timings_ms`, 'must be { fitMs, scoreMs } (numbers)');
      cis(c['ci'], `${cat}.ci`);
      strings(c['undefined'], `${cat}.undefined`);
      for (const [col, cells] of Object.entries(c['breakdown'] as Json))
        (cells as Json[]).forEach((x, k) => cell(x, `${cat}.breakdown.${col}[${k}]`));
      const lead = c['lead_time'];
      if (lead !== undefined) {
        if (!Array.isArray(lead)) return fail(`${cat}.lead_time`, 'must be a list');
        lead.forEach((x: unknown, k) => {
          const lat = `${cat}.lead_time[${k}]`;
          if (
            !isObject(x) ||
            !isString(x['stratum']) ||
            !isNumber(x['lo']) ||
            !numberOrNull(x['hi'])
          )
            return fail(lat, 'must have a stratum, lo (a number) and hi (a number or null)');
          cell(x, lat);
        });
      }
      if (c['caught_with_warning'] !== undefined)
        numbers(c['caught_with_warning'], `${cat}.caught_with_warning`, true);
      const sources = c['sources'];
      if (sources !== undefined) {
        if (!isObject(sources)) return fail(`${cat}.sources`, 'must be an object');
        side(sources['synthetic'] ?? null, `${cat}.sources.synthetic`);
        side(sources['real'] ?? null, `${cat}.sources.real`);
        numbers(sources['gap'], `${cat}.sources.gap`, true);
      }
    });
  });
  return results;
}

/** The model an assertion is about: a metric assertion's subject, else the spec's model (beats, contract, law). */
export function assertionModel(spec: Readonly<Record<string, unknown>>): unknown {
  const subject = spec['subject'];
  return spec['kind'] === 'metric'
    ? isObject(subject)
      ? subject['model']
      : undefined
    : spec['model'];
}
