import type { ResolvedConfig } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { collectSuites, type PluginOrigin } from '../runner/index.ts';

/**
 * `harness check <model> --suite <name>`: where the suite's model comes from, so that the check
 * makes it as the suite configures it (its options), as the suite's own contract assertion
 * (`contract: true`, `toHonorContract()`) did. That assertion's replay line names the suite for
 * this reason: the plugin with its default options is another model.
 */
export async function suiteModelOrigin(
  config: ResolvedConfig,
  suiteName: string,
  model: string,
): Promise<PluginOrigin> {
  const suites = await collectSuites(config);
  const suite = suites.find((s) => s.spec.name === suiteName);
  if (!suite)
    throw new HarnessError(
      'E_ARGS',
      `harness check: --suite: no suite named "${suiteName}" (suites: ${suites.map((s) => s.spec.name).join(', ') || 'none'})`,
    );
  const modelIndex = suite.modelNames.indexOf(model);
  if (modelIndex < 0)
    throw new HarnessError(
      'E_ARGS',
      `harness check: suite "${suiteName}" (${suite.file}) has no model "${model}" (its models: ${suite.modelNames.join(', ') || 'none'})`,
    );
  return { suiteFile: suite.file, suiteName, modelIndex };
}
