import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { runHarness } from '../helpers/run-harness.ts';

describe('harness <command> --help', () => {
  it('prints each command usage and exits 0, without running the command', async () => {
    // All at once: each is a separate CLI start-up, and the machine has cores to spare while they boot.
    const names = Object.keys(COMMANDS);
    const runs = await Promise.all(
      names.map((name) => runHarness([name, name === 'check' ? '-h' : '--help'])),
    );
    runs.forEach((r, i) => {
      const name = names[i]!;
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: harness ${name}\\b`));
    });
  }, 120_000);
});
