import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { runHarness } from '../helpers/run-harness.ts';

describe('harness <command> --help', () => {
  it('prints each command usage and exits 0, without running the command', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = await runHarness([name, name === 'check' ? '-h' : '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: harness ${name}\\b`));
    }
  });
});
