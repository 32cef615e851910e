import { HarnessError } from '../errors.ts';
import { existsSync } from 'node:fs';
import {
  assertionSpecsOf,
  baselinePath,
  filterByModels,
  filterSuites,
  scoresCaseNames,
  suiteMatches,
} from '../runner/index.ts';
import type { CollectedSuite } from '../runner/types.ts';

/** Which suites and models of a project to run: all of them when every field is empty. */
export interface RunFilter {
  /** Words: suites whose name or file (relative to the root) contains one of them. */
  readonly words?: readonly string[];
  /** Exact suite names. */
  readonly suites?: readonly string[];
  /** Exact model names; assertions about other models are left out. */
  readonly models?: readonly string[];
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * The suites a filter keeps. A filter that matches nothing is a HarnessError listing what
 * exists: a CI gate must never turn a typo into an empty, green run.
 */
export function selectSuites(
  all: readonly CollectedSuite[],
  filter: RunFilter,
  root: string,
): CollectedSuite[] {
  const words = filter.words ?? [];
  // Every word must match a suite, not only one of them: `harness run safety perfromance` in a
  // CI script would otherwise run `safety` alone and pass, the misspelt suite never gated.
  const unmatched = words.filter((w) => !all.some((s) => suiteMatches(s, w, root)));
  if (unmatched.length > 0) {
    throw new HarnessError(
      'E_ARGS',
      `no suite matches ${quoted(unmatched)} (suites: ${all.map((s) => s.spec.name).join(', ') || 'none'})`,
    );
  }
  let suites = filterSuites(all, words, root);
  const wanted = filter.suites;
  if (wanted && wanted.length > 0) {
    const unknown = wanted.filter((w) => !suites.some((s) => s.spec.name === w));
    if (unknown.length > 0)
      throw new HarnessError(
        'E_ARGS',
        `--suite: no suite named ${quoted(unknown)} (suites: ${suites.map((s) => s.spec.name).join(', ')})`,
      );
    suites = suites.filter((s) => wanted.includes(s.spec.name));
  }
  const models = filter.models;
  if (models && models.length > 0) {
    // A suite's cases: its models and its precomputed scores (`scores: { path }`).
    const cases = (s: CollectedSuite): string[] => [...s.modelNames, ...scoresCaseNames(s.spec)];
    const known = [...new Set(suites.flatMap(cases))];
    const unknown = models.filter((m) => !known.includes(m));
    if (unknown.length > 0) {
      throw new HarnessError(
        'E_ARGS',
        `--model: no model named ${quoted(unknown)} in the selected suites (models: ${known.join(', ') || 'none'}; names are case-sensitive)`,
      );
    }
    const kept = suites.filter((s) => cases(s).some((m) => models.includes(m)));
    // A suite asked for by name (--suite, or a filter word) that --model empties was dropped
    // without a word: `--suite alpha --suite beta --model zscore` ran alpha alone and passed.
    const lost = [
      ...(wanted ?? []).filter((n) => !kept.some((s) => s.spec.name === n)),
      ...words.filter((w) => !kept.some((s) => suiteMatches(s, w, root))),
    ];
    if (lost.length > 0)
      throw new HarnessError(
        'E_ARGS',
        `--model ${models.join(', ')}: ${quoted(lost)} selects no suite with that model (${suites
          .filter((s) => lost.some((l) => s.spec.name === l || suiteMatches(s, l, root)))
          .map((s) => `${s.spec.name}: ${cases(s).join(', ')}`)
          .join('; ')})`,
      );
    checksSomething(kept, models, cases);
    suites = kept;
  }
  return suites;
}

/**
 * Under --model, at least one assertion or baseline of the kept suites must still be graded: a
 * run whose every assertion names a model the filter left out checks nothing, and passed.
 */
function checksSomething(
  suites: readonly CollectedSuite[],
  models: readonly string[],
  cases: (s: CollectedSuite) => string[],
): void {
  const leftOut = new Set<string>();
  for (const s of suites) {
    let specs;
    try {
      specs = assertionSpecsOf(s.spec, s.modelNames);
    } catch {
      return; // a broken expect: the run reports it (exit 2)
    }
    const filtered = filterByModels(specs, models, cases(s));
    if (filtered.kept.length > 0 || filtered.leftOut === 0) return;
    if (s.spec.baseline !== undefined || existsSync(baselinePath(s.file, s.spec.name))) return;
    for (const m of filtered.models) leftOut.add(m);
  }
  const names = [...leftOut];
  throw new HarnessError(
    'E_ARGS',
    `--model ${models.join(', ')}: every assertion of the selected suites names a model left out (${names.join(', ')}), and no baseline gates them: nothing would be checked; add ${names.map((n) => `--model ${n}`).join(' ')}, or run without --model`,
  );
}
