import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../../src/config/types.ts';
import { resolveModel } from '../../../src/runner/plugins.ts';

const plugin = (timeoutMs: unknown) =>
  ({ name: 'm', version: '1', score: () => 0, timeoutMs }) as never;

describe('resolveModel: a plugin object', () => {
  it("refuses a timeoutMs a timer cannot hold, as the config's and the flag's are refused", async () => {
    // Past 2^31 − 1 ms Node fires a timer at once: every call of the model timed out at 1 ms.
    for (const t of [1e10, 0, 1.5, '60000'])
      await expect(resolveModel(plugin(t), {} as ResolvedConfig, 's.suite.ts')).rejects.toThrow(
        `s.suite.ts: not a model plugin: \`timeoutMs\` must be a whole number of ms from 1 to 86,400,000 (got ${String(t)})`,
      );
    await expect(
      resolveModel(plugin(60_000), {} as ResolvedConfig, 's.suite.ts'),
    ).resolves.toMatchObject({
      timeoutMs: 60_000,
    });
  });
});
