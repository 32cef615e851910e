import path from 'node:path';
import { writeFileAtomic } from '../../data/index.ts';
import type { Reporter } from '../../runner/index.ts';
import { loadVegaScripts } from './assets.ts';
import { renderPage } from './page.ts';
import { HTML_PAGE, REPORT_FILES } from '../report-files.ts';

export { renderPage, type PageOptions } from './page.ts';
export { loadVegaScripts, type VegaScripts } from './assets.ts';

/** Options of the html reporter. */
export interface HtmlReporterOptions {
  /** Folder of the report inside the run's out dir (or an absolute path). Default `report`. */
  readonly dir?: string;
}

/**
 * Writes `<outDir>/report/index.html` at the end of the run: one self-contained page (vega,
 * vega-lite and every chart spec inlined) that opens offline from the file system, with the
 * run's verdict, each suite's assertions and models, and per model ROC, PR, score and
 * breakdown charts.
 */
export function htmlReporter(options: HtmlReporterOptions = {}): Reporter {
  let outDir = process.cwd();
  let root: string | undefined;
  return {
    onInit(ctx) {
      outDir = ctx.outDir;
      root = ctx.config.root;
    },
    async onRunEnd({ result: run }) {
      const file = path.resolve(outDir, options.dir ?? REPORT_FILES.html, HTML_PAGE);
      const html = renderPage(run, await loadVegaScripts(), root !== undefined ? { root } : {});
      await writeFileAtomic(file, html);
    },
  };
}
