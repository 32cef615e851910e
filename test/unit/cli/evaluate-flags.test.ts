import { describe, expect, it } from 'vitest';
import { evaluateCommand } from '../../../src/cli/commands/evaluate.ts';

// Each mode of `harness evaluate` rejects the other's flags before reading a file: they were
// ignored, silently (a --cooldown on scores, a --by on alarms), and the user meant something.
describe('harness evaluate: flags of the other mode', () => {
  it.each([
    [['--scores', 'scores.csv', '--cooldown', '3'], /--cooldown goes with --alarms, not --scores/],
    [
      ['--scores', 'scores.csv', '--pre-window', '7'],
      /--pre-window goes with --alarms, not --scores/,
    ],
    [['--scores', 'scores.csv', '--nab'], /--nab goes with --alarms, not --scores/],
    [['--alarms', 'alarms.csv', '--by', 'season'], /--by does not go with --alarms/],
    [['--alarms', 'alarms.csv', '--threshold', '0.5'], /--threshold does not go with --alarms/],
    [
      ['--alarms', 'alarms.csv', '--max-missing', '0.1'],
      /--max-missing caps what --allow-missing drops: pass both/,
    ],
    [
      ['--alarms', 'alarms.csv', '--allow-missing', '--max-missing', '2'],
      /--max-missing is a share of the alarms in \[0, 1\]/,
    ],
  ])('%j is exit 2 (E_ARGS), naming the flag', async (argv, message) => {
    await expect(evaluateCommand.run(argv)).rejects.toMatchObject({
      code: 'E_ARGS',
      message: expect.stringMatching(message),
    });
  });
});
