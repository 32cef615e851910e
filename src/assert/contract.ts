/** Grading of `model(m).toHonorContract()`: a contract report becomes a verdict and a sentence. */
import type { ContractReport } from '../check/types.ts';
import type { AssertionResult, AssertionSpec } from './types.ts';

type ContractSpec = Extract<AssertionSpec, { kind: 'contract' }>;
type Graded = Omit<AssertionResult, 'id' | 'spec' | 'location'>;

export function gradeContract(
  spec: ContractSpec,
  report: ContractReport | { readonly error: string } | undefined,
): Graded {
  const expected = 'contract holds';
  if (!report)
    return {
      state: 'errored',
      message: `${spec.model}: the contract was not checked (is "${spec.model}" a model of this suite?)`,
      actual: null,
      expected,
    };
  if ('error' in report)
    return {
      state: 'errored',
      message: `${spec.model} contract: ${report.error}`,
      actual: null,
      expected,
    };
  const applicable = report.rules.filter((r) => r.status !== 'not_declared');
  const held = applicable.filter((r) => r.status === 'held').length;
  const actual = Object.fromEntries(
    report.rules.map((r) => [r.kind, r.status === 'held' ? 1 : r.status === 'violated' ? 0 : null]),
  );
  const v = report.violations[0];
  if (v) {
    const fixture = v.fixture.split('\n').join(' | ');
    return {
      state: 'failed',
      message: `expected ${spec.model} to honour the plugin contract, but ${v.kind} is violated: ${v.message}; shrunk fixture: ${fixture}; replay: ${v.replay}${report.violations.length > 1 ? ` (+${report.violations.length - 1} more rule(s))` : ''}`,
      actual,
      expected,
    };
  }
  const inconclusive = applicable.filter((r) => r.status === 'inconclusive');
  if (inconclusive.length > 0) {
    return {
      state: 'errored',
      message: `${spec.model} contract: ${inconclusive.map((r) => r.kind).join(', ')} could not be exercised (fit refused too many fleets)`,
      actual,
      expected,
    };
  }
  return {
    state: 'passed',
    message: `${spec.model} honours the plugin contract: ${held} rules held on ${report.runs} generated edge fleets each (seed ${report.seed})`,
    actual,
    expected,
  };
}
