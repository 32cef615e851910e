import path from 'node:path';
import { DEFAULT_SEED } from '../../defaults.ts';
import { loadConfig } from '../../config/index.ts';
import { queuePath, sampleUnlabelled, writeQueue } from '../../label/index.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import { HarnessError } from '../../errors.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness sample --n N [--by operational_mode,season] [--seed S] [--data DIR] [--out FILE]

Draws a stratified random sample of the real systems that have no label yet and writes it as
the labeling queue (default data/label-queue.json) that \`harness label\` opens. Seats go to
the strata of --by in proportion to their unlabelled systems (largest remainder); the same
data, --n, --by and --seed give the same queue.`;

export const sampleCommand: Command = {
  usage: USAGE,
  summary:
    'pick unlabelled real systems to label (stratified, seeded) and write the labeling queue',
  async run(argv) {
    const { values } = parseCommandArgs(
      'sample',
      argv,
      {
        n: { type: 'string' },
        by: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
      },
      USAGE,
    );
    const n = intFlag('n', values.n);
    if (n === undefined)
      throw new HarnessError('E_ARGS', `harness sample: --n N is required\n\n${USAGE}`);
    const config = await loadConfig();
    const dataDir = values.data ? path.resolve(values.data) : config.dataDir;
    const by = values.by
      ? values.by
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [];
    const seed = values.seed ?? config.seed ?? DEFAULT_SEED;
    const result = await sampleUnlabelled({ dataDir, n, by, seed });
    const out = values.out ? path.resolve(values.out) : queuePath(dataDir);
    await writeQueue(out, result.queue);
    const got = result.queue.systems.length;
    process.stdout.write(
      `sampled ${got} of ${result.available} unlabelled real system(s)${by.length > 0 ? ` by ${by.join(', ')}` : ''} (seed "${seed}") into ${displayPath(out)}\n`,
    );
    if (got < n)
      process.stdout.write(`  only ${result.available} unlabelled real system(s) to draw from\n`);
    if (by.length > 0)
      for (const s of result.strata)
        process.stdout.write(`  ${s.key.padEnd(32)} ${String(s.seats).padStart(4)} of ${s.size}\n`);
    return 0;
  },
};
