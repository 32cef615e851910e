/**
 * A reporter module of the project's own (`reporters: ['./rep/slack.ts']`), checked when it is
 * loaded. The runner calls only the hooks that are functions, so a module of the wrong shape
 * (no default export, `export default 42`, an async factory, `onRunEnd: 'x'`) would be a
 * reporter that reports nothing while the run exits 0: each is refused, naming the file.
 */
import { didYouMean } from '../data/index.ts';
import { HarnessError } from '../errors.ts';
import { REPORTER_HOOKS, type Reporter } from '../runner/index.ts';

/** How a value is named in a message: `a string`, `a number (42)`, `undefined`, `an array`. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' || typeof v === 'boolean')
    return `${typeof v === 'number' ? 'a number' : 'a boolean'} (${String(v)})`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const isThenable = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/**
 * The reporter a module's default export makes: the export itself, or what it returns when it
 * is a function (a factory, given the options of `[path, options]`). A HarnessError naming
 * `file` when the export, or the factory's return, is not a reporter, or the factory throws.
 */
export function reporterFromModule(
  file: string,
  exported: unknown,
  options: Readonly<Record<string, unknown>>,
): Reporter {
  const fail = (why: string): never => {
    throw new HarnessError('E_REPORTER', `the reporter ${file}: ${why}`);
  };
  if (exported === undefined)
    fail(
      'it has no default export: write `export default { onRunEnd({ result }) { … } }`, or a function that returns such an object',
    );
  if (typeof exported !== 'function') return checkReporter(exported, fail, 'its default export is');
  let made: unknown;
  try {
    made = (exported as (o: Readonly<Record<string, unknown>>) => unknown)(options);
  } catch (err) {
    fail(`its factory threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The hooks may be async, the factory may not: the registry has no place to await it, and an
  // awaited Promise would hide a rejection until the run's end.
  if (isThenable(made))
    fail(
      'its factory returned a Promise: return the reporter object itself (its hooks may be async)',
    );
  return checkReporter(made, fail, 'its factory returned');
}

/**
 * `value` when it is a reporter: an object whose hooks are functions, with at least one hook
 * and no `on…` key that is not a hook (a typo like `onRunEnded` would never be called).
 */
export function checkReporter(
  value: unknown,
  fail: (why: string) => never,
  what: string,
): Reporter {
  const hooks = REPORTER_HOOKS.join(', ');
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isThenable(value))
    return fail(`${what} ${describe(value)}, not a reporter (an object of hooks: ${hooks})`);
  const r = value as Record<string, unknown>;
  for (const hook of REPORTER_HOOKS) {
    if (r[hook] !== undefined && typeof r[hook] !== 'function')
      fail(`its hook \`${hook}\` is ${describe(r[hook])}, not a function`);
  }
  const stray = Object.keys(r).find(
    (k) => /^on[A-Z]/.test(k) && !(REPORTER_HOOKS as readonly string[]).includes(k),
  );
  if (stray !== undefined)
    fail(`unknown hook \`${stray}\`${didYouMean(stray, REPORTER_HOOKS)} (hooks: ${hooks})`);
  if (!REPORTER_HOOKS.some((hook) => typeof r[hook] === 'function'))
    fail(`${what} an object with none of the hooks (${hooks}): it would report nothing`);
  return value as Reporter;
}
