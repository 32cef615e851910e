import { HarnessError } from '../errors.ts';
import { filterSuites, scoresCaseNames, suiteMatches } from '../runner/index.ts';
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
    suites = suites.filter((s) => cases(s).some((m) => models.includes(m)));
  }
  return suites;
}
