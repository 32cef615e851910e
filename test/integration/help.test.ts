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

describe('harness help <command>', () => {
  it('prints the command usage, as <command> --help does; an unknown command is exit 2', async () => {
    const [run, nosuch] = await Promise.all([
      runHarness(['help', 'run']),
      runHarness(['help', 'nosuch']),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: harness run\b/);
    expect(nosuch.code).toBe(2);
    expect(nosuch.stderr).toContain('unknown command "nosuch"');
  });

  it("run's usage line lists every flag its text explains", async () => {
    const r = await runHarness(['run', '--help']);
    const [line, ...rest] = r.stdout.split('\n');
    const explained = rest.join('\n').match(/^ {2}(--[a-z-]+)/gm) ?? [];
    expect(explained.length).toBeGreaterThan(5);
    for (const flag of explained) expect(line).toContain(`[${flag.trim()}`);
  });
});
