/**
 * The builder a suite's `expect` receives. Every matcher returns its assertion as data (an
 * `AssertionSpec`) and evaluates nothing: suites are collected before any model runs, and a
 * mistake in a spec (`.each` without `by`, an unknown model) is reported when grading, as an
 * errored assertion pointing at the suite line, never as a throw out of the suite's `expect`.
 */
import { fileURLToPath } from 'node:url';
import { lawOptionsProblem } from './laws.ts';
import type {
  AssertionSpec,
  CiSide,
  Comparison,
  ExpectApi,
  LawName,
  LawOptions,
  MetricExpectation,
  MetricMatchers,
  MetricRef,
  ModelExpectation,
  SourceLocation,
} from './types.ts';

/** Absolute path of this folder; frames inside it are the matchers themselves, not the suite. */
const ASSERT_DIR = fileURLToPath(new URL('.', import.meta.url));

/** `file:///a/b.ts` → `/a/b.ts`; plain paths pass through. */
function toPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    return file.slice('file://'.length);
  }
}

// `    at fn (file:///x/y.ts:12:5)` or `    at file:///x/y.ts:12:5` (anonymous / top level).
const FRAME = /^\s*at (?:.*?\()?(.+?):(\d+):(\d+)\)?\s*$/;

/**
 * Where the matcher was called: the first stack frame outside src/assert, so a failure can point
 * at the suite's line. Undefined when the stack cannot be read (a stripped runtime).
 */
export function callerLocation(
  stack: string | undefined = new Error().stack,
): SourceLocation | undefined {
  if (stack === undefined) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = toPath(m[1]!);
    if (file.startsWith(ASSERT_DIR) || file.startsWith('node:') || file === 'native') continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** Reads the stack with enough depth to get past the matcher frames, whatever the runtime's limit. */
function captureLocation(): SourceLocation | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(limit, 20);
  try {
    return callerLocation(new Error().stack);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The assertion spec of one matcher call, located at its caller. */
function metricSpec(subject: MetricRef, comparison: Comparison, each: boolean): AssertionSpec {
  const location = captureLocation();
  return { kind: 'metric', subject, comparison, each, ...(location ? { location } : {}) };
}

/**
 * A number stays a number; another metric expectation becomes its reference (graded later).
 * Anything else (a string from a JS suite or an env var) is kept as given, so grading reports it
 * as an errored assertion instead of losing it as an undefined reference.
 */
function threshold(than: number | MetricExpectation): number | MetricRef {
  if (typeof than === 'number') return than;
  const ref = (than as Partial<MetricExpectation> | null)?.ref;
  return ref !== undefined && typeof ref === 'object' ? ref : (than as unknown as number);
}

function matchers(ref: MetricRef, each: boolean): MetricMatchers {
  return {
    toBeGreaterThan: (than) => metricSpec(ref, { op: 'gt', than: threshold(than) }, each),
    toBeLessThan: (than) => metricSpec(ref, { op: 'lt', than: threshold(than) }, each),
    toBeCloseTo: (to, tolerance = 0.05) => metricSpec(ref, { op: 'close', to, tolerance }, each),
    toBeWithin: (lo, hi) => metricSpec(ref, { op: 'within', lo, hi }, each),
    toCover: (value) => metricSpec(ref, { op: 'covers', value }, each),
    toBeUndefined: () => metricSpec(ref, { op: 'undefined' }, each),
  };
}

/** A metric expectation: the matchers on the value, `.each` on every stratum, and the ref itself. */
function metricExpectation(ref: MetricRef): MetricExpectation {
  return { ref, ...matchers(ref, false), each: matchers(ref, true) };
}

/** The options each law reads (LawOptions holds them all). */
const LAW_OPTIONS = {
  severity_monotonicity: ['tolerance'],
  dropout_robustness: ['maxIncrease', 'rate'],
  label_shuffle: ['alpha'],
} as const satisfies Record<LawName, readonly (keyof LawOptions)[]>;
const CONTRACT_OPTIONS = ['assume', 'runs'] as const;
const BEAT_OPTIONS = ['on', 'test', 'alpha'] as const;

/**
 * Why a matcher's options cannot be used (a key it does not know, e.g. `alpah`), or undefined.
 * A typo would otherwise fall back to the default silently, and the assertion would check
 * something other than what the suite says.
 */
function optionsProblem(
  options: object,
  known: readonly string[],
  matcher: string,
): string | undefined {
  const bad = Object.keys(options).filter((k) => !known.includes(k));
  return bad.length === 0
    ? undefined
    : `${matcher}: unknown option ${bad.map((k) => `"${k}"`).join(', ')} (options: ${known.join(', ')})`;
}

/**
 * Create the `{ metric, model }` builder passed to a suite's `expect`.
 *
 * @example
 * expect: ({ metric, model }) => [
 *   metric('random', 'roc_auc').toBeCloseTo(0.5, 0.1),
 *   metric('zscore', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')),
 *   metric('pca', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(0.5),
 *   model('pca').toBeat('random'),
 * ]
 */
export function createExpectApi(): ExpectApi {
  return {
    metric(
      model: string,
      metric: string,
      options: { by?: string; stratum?: string; ci?: CiSide } = {},
    ): MetricExpectation {
      // Only set keys that were given, so specs compare and serialise cleanly. Any other key
      // (a typo such as `bye:`) is kept, so grading errors the assertion instead of reading the
      // overall metric as if no option had been given.
      const { by, stratum, ci, ...unknown } = options;
      const ref: MetricRef = {
        model,
        metric,
        ...(by !== undefined ? { by } : {}),
        ...(stratum !== undefined ? { stratum } : {}),
        ...(ci !== undefined ? { ci } : {}),
        ...unknown,
      };
      return metricExpectation(ref);
    },
    fails(spec: AssertionSpec, because: string): AssertionSpec {
      // A reason is what documents the limitation; fails(fails(x)) would read as x inverted
      // twice but grades as once. Both are the suite's mistake: the assertion errors (exit 2).
      const problem =
        typeof because !== 'string' || because.trim() === ''
          ? 'fails(spec, because) needs the reason the check is expected to fail, as a string'
          : spec?.expectedFailure !== undefined
            ? `fails(…) of an assertion already in fails(…) ("${spec.expectedFailure}"): wrap it once`
            : undefined;
      return { ...spec, expectedFailure: String(because), ...(problem ? { problem } : {}) };
    },
    model(name: string): ModelExpectation {
      const law = (which: LawName, matcher: string, options: LawOptions): AssertionSpec => {
        const location = captureLocation();
        const problem =
          optionsProblem(options, LAW_OPTIONS[which], `model('${name}').${matcher}`) ??
          lawOptionsProblem(options, `model('${name}').${matcher}`);
        return {
          kind: 'law',
          law: which,
          model: name,
          options,
          ...(location ? { location } : {}),
          ...(problem ? { problem } : {}),
        };
      };
      return {
        toBeMonotoneInSeverity: (options = {}) =>
          law('severity_monotonicity', 'toBeMonotoneInSeverity', options),
        toTolerateDropouts: (options = {}) =>
          law('dropout_robustness', 'toTolerateDropouts', options),
        toBeChanceOnShuffledLabels: (options = {}) =>
          law('label_shuffle', 'toBeChanceOnShuffledLabels', options),
        toHonorContract: (options = {}) => {
          const location = captureLocation();
          const problem = optionsProblem(
            options,
            CONTRACT_OPTIONS,
            `model('${name}').toHonorContract`,
          );
          return {
            kind: 'contract',
            model: name,
            ...options,
            ...(location ? { location } : {}),
            ...(problem ? { problem } : {}),
          };
        },
        toBeat(other, options = {}) {
          const location = captureLocation();
          const problem = optionsProblem(options, BEAT_OPTIONS, `model('${name}').toBeat`);
          return {
            kind: 'beats',
            model: name,
            other,
            on: options.on ?? 'roc_auc',
            test: options.test ?? 'delong',
            alpha: options.alpha ?? 0.05,
            ...(location ? { location } : {}),
            ...(problem ? { problem } : {}),
          };
        },
      };
    },
  };
}
