import { predicateText, refLabel } from '../assert/index.ts';
import type { AssertionSpec } from '../assert/types.ts';

/**
 * An assertion as a test name, before anything runs: `zscore roc_auc > 0.6`,
 * `pca roc_auc[failure_type] .each > 0.7`, `zscore beats random on roc_auc (paired DeLong, α = 0.05)`.
 */
export function assertionTitle(spec: AssertionSpec): string {
  switch (spec.kind) {
    case 'metric': {
      const ref = spec.subject;
      const by = ref.by !== undefined && ref.stratum === undefined ? `[${ref.by}]` : '';
      return `${refLabel(ref)}${by}${spec.each ? ' .each' : ''} ${predicateText(spec.comparison)}`;
    }
    case 'beats':
      return `${spec.model} beats ${spec.other} on ${spec.on}${spec.test === 'delong' ? ` (paired DeLong, α = ${spec.alpha})` : ''}`;
    case 'contract':
      return `${spec.model} honors the plugin contract`;
    case 'law':
      return `${spec.model} holds the law ${spec.law}`;
  }
}
