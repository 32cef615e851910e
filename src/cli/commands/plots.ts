import path from 'node:path';
import { writeFileAtomic } from '../../data/index.ts';
import { renderSvg } from '../../report/charts/svg/index.ts';
import { signatureChart } from '../../report/charts/index.ts';
import {
  SIGNATURE_FAILURE_TYPES,
  SIGNATURE_MODES,
  failureSignature,
  modeProfile,
} from '../../report/index.ts';
import { parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness plots [--out-dir DIR]

Writes the signature plots of the synthetic generator as SVG: one per failure type (the same
system healthy and failing in 45, 14 and 1 days) and one per operational mode. Default
--out-dir: docs/signatures (the plots the README links to).`;

export const plotsCommand: Command = {
  usage: USAGE,
  summary: 'write SVG plots of each failure signature and operating mode (docs/signatures)',
  async run(argv) {
    const { values } = parseCommandArgs(
      'plots',
      argv,
      { 'out-dir': { type: 'string', default: path.join('docs', 'signatures') } },
      USAGE,
    );
    const outDir = path.resolve(values['out-dir'] ?? 'docs/signatures');
    const written: string[] = [];
    for (const type of SIGNATURE_FAILURE_TYPES) {
      const file = path.join(outDir, `failure-${type}.svg`);
      const spec = signatureChart(
        type.replaceAll('_', ' '),
        'the same system healthy and failing in 45, 14 and 1 days (synthetic, 10-minute samples)',
        failureSignature(type),
      );
      await writeFileAtomic(file, await renderSvg(spec));
      written.push(file);
    }
    for (const mode of SIGNATURE_MODES) {
      const file = path.join(outDir, `mode-${mode}.svg`);
      const spec = signatureChart(
        mode.replaceAll('_', ' '),
        'a healthy system over its last 4 days (synthetic)',
        modeProfile(mode),
      );
      await writeFileAtomic(file, await renderSvg(spec));
      written.push(file);
    }
    process.stdout.write(`wrote ${written.length} SVG plots to ${displayPath(outDir)}/\n`);
    return 0;
  },
};
