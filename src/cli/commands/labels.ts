import path from 'node:path';
import { HarnessError } from '../../errors.ts';
import { loadConfig } from '../../config/index.ts';
import { loadLabels, loadMetadata, writeFileAtomic } from '../../data/index.ts';
import { labelDistributionChart } from '../../report/charts/index.ts';
import { renderSvg } from '../../report/charts/svg/index.ts';
import { labelDistribution, renderDistributionBars } from '../../report/index.ts';
import { parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness labels [--data DIR] [--source synthetic|real|all] [--out-dir DIR]

Shows how the labelled systems are distributed: by label, failure_type, operational_mode,
season and lead-time bucket, as bars in the terminal, and writes the same charts as SVG files
(Vega-Lite) into --out-dir (default: report/labels).`;

export const labelsCommand: Command = {
  usage: USAGE,
  summary: 'show the label distribution (terminal bars) and write it as SVG charts',
  async run(argv) {
    const { values } = parseCommandArgs(
      'labels',
      argv,
      {
        data: { type: 'string' },
        source: { type: 'string', default: 'all' },
        'out-dir': { type: 'string', default: path.join('report', 'labels') },
      },
      USAGE,
    );
    const source = values.source;
    if (source !== 'synthetic' && source !== 'real' && source !== 'all') {
      throw new HarnessError('E_ARGS', `--source must be synthetic, real or all (got "${source}")`);
    }
    const dataDir = values.data ? path.resolve(values.data) : (await loadConfig()).dataDir;
    const [labels, metadata] = await Promise.all([
      loadLabels({ dataDir, source }),
      loadMetadata({ dataDir, source }),
    ]);
    // Nothing to describe (`--source real` on a fresh clone): charts of zeros, exit 0, read as a
    // distribution. Say so, as a dataset of no systems does.
    if (labels.length === 0)
      throw new HarnessError(
        'E_DATA',
        `no ${source === 'all' ? '' : `${source} `}labelled systems in ${displayPath(dataDir)}: nothing to chart (${source === 'real' ? 'import real telemetry with `harness import` and label it' : 'run `harness generate`'})`,
      );
    const dist = labelDistribution(labels, metadata);
    process.stdout.write(renderDistributionBars(dist));
    const outDir = path.resolve(values['out-dir'] ?? 'report/labels');
    for (const dim of dist.dimensions) {
      const file = path.join(outDir, `${dim.name}.svg`);
      await writeFileAtomic(file, await renderSvg(labelDistributionChart(dist, dim.name)));
    }
    process.stdout.write(
      `\nwrote ${dist.dimensions.length} SVG charts to ${displayPath(outDir)}/\n`,
    );
    return 0;
  },
};
