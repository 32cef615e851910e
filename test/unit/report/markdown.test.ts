import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cell, markdownReporter, toMarkdown } from '../../../src/report/markdown.ts';
import { tempDir } from '../../helpers/run-harness.ts';
import { buildRun } from './run-fixture.ts';

/** Cells of a markdown table row, split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** The lines of the first table after `heading`, header included. */
function tableAfter(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l, i) => i > lines.indexOf(heading) && l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end);
}

describe('markdown reporter', () => {
  const run = buildRun();
  const md = toMarkdown(run);

  it('starts with the verdict and the counts', () => {
    const [headline, , counts] = md.split('\n');
    expect(headline).toBe('## ⚠️ ERROR · bess-harness');
    expect(counts).toBe(
      '**Assertions** 3 passed, 1 failed, 2 errored · **Baseline gates** 1 held, 2 failed · **Cases** 3 scored, 1 errored · **Suites** 3 · 1.4 s',
    );
    expect(toMarkdown({ ...run, summary: { ...run.summary, exitCode: 1 } })).toMatch(/^## ❌ FAIL/);
    expect(toMarkdown({ ...run, summary: { ...run.summary, exitCode: 0 } })).toMatch(/^## ✅ PASS/);
  });

  it('a table per suite: model | ROC AUC [95 % CI] | AP | recall @ threshold | state, one row per case, pipes escaped', () => {
    const table = tableAfter(md, '### detectors');
    expect(cells(table[0]!)).toEqual([
      'model',
      'ROC AUC [95 % CI]',
      'AP',
      'recall @ threshold',
      'state',
    ]);
    expect(cells(table[1]!)).toHaveLength(5);
    const rows = table.slice(2);
    expect(rows.map((r) => cells(r)[0])).toEqual(['good', 'random', 'crashy']);
    for (const r of rows) expect(cells(r)).toHaveLength(5);
    const good = cells(rows[0]!);
    expect(good[1]).toMatch(/^\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/);
    expect(good[3]).toMatch(/^\d\.\d{3} @ 0\.500$/);
    // The crash message has a pipe, a newline, <tags> and ANSI codes: one cell, one line, no HTML, no colour.
    const crashy = rows[2]!;
    expect(crashy).toContain('sensor &lt;temp&gt; missing \\| check the "plugin" &amp; its');
    expect(crashy).toContain('<br>second line');
    expect(crashy).not.toContain('\u001b');
    expect(cell('a|b\nc')).toBe('a\\|b<br>c');
  });

  it('lists assertions failed first, then errored, then passed, with ✅/❌/⚠️ and the suite line', () => {
    const items = md
      .split('### detectors')[1]!
      .split('**Baseline**')[0]!
      .split('\n')
      .filter((l) => l.startsWith('- '));
    expect(items.map((l) => l.slice(2, 4).trim())).toEqual(['❌', '⚠️', '⚠️', '✅', '✅']);
    expect(items[0]).toMatch(
      /^- ❌ expected random roc_auc &gt; 0\.95, got \d\.\d{3} — `test\/unit\/report\/run-fixture\.ts:\d+:\d+`<br>actual: \d\.\d{3} · expected: &gt; 0\.95$/,
    );
    expect(items[1]).toContain('unknown model "we&lt;ird&gt; &amp; "quoted" \'model\' | red"');
    expect(md).not.toContain('\u001b');
  });

  it('shows baseline gates, a stale baseline, a suite that could not run, and the weakest strata folded', () => {
    expect(md).toMatch(/- ❌ good roc_auc regressed: /);
    expect(md).toMatch(/\*\*Baseline\*\* ❌ the baseline was made on other data/);
    expect(md).toContain(
      '⚠️ **The suite could not run:** dataset "missing&lt;fleet&gt;" could not be loaded: ENOENT',
    );
    const details = md.split('### detectors')[1]!.split('### stale one')[0]!;
    expect(details).toMatch(
      /<details>\n<summary>Weakest strata \(\d\)<\/summary>\n\n\| model \| column \| stratum \| ROC AUC \| anomalies \| n \|/,
    );
    const weak = tableAfter(details, '<details>').slice(2);
    expect(cells(weak[0]!).slice(0, 3)).toEqual(['good', 'failure_type', 'fade']); // the fade-blind stratum is the weakest
    expect(details.indexOf('</details>')).toBeGreaterThan(details.indexOf('<details>'));
  });

  describe('files', () => {
    let dir = '';
    let cleanup: () => Promise<void> = async () => undefined;
    beforeAll(async () => ({ dir, cleanup } = await tempDir('markdown-')));
    afterAll(() => cleanup());
    afterEach(() => vi.unstubAllEnvs());

    it('writes summary.md to the out dir and appends the same text to $GITHUB_STEP_SUMMARY', async () => {
      const step = path.join(dir, 'step-summary.md');
      await writeFile(step, 'earlier step\n');
      vi.stubEnv('GITHUB_STEP_SUMMARY', step);
      const reporter = markdownReporter();
      await reporter.onInit?.({ config: {} as never, outDir: path.join(dir, 'out') });
      await reporter.onRunEnd?.({ result: run });
      expect(await readFile(path.join(dir, 'out', 'summary.md'), 'utf8')).toBe(md);
      expect(await readFile(step, 'utf8')).toBe(`earlier step\n${md}\n`);
    });

    it('without $GITHUB_STEP_SUMMARY writes only summary.md', async () => {
      vi.stubEnv('GITHUB_STEP_SUMMARY', '');
      const reporter = markdownReporter({ file: 'other.md' });
      await reporter.onInit?.({ config: {} as never, outDir: dir });
      await reporter.onRunEnd?.({ result: run });
      expect(await readFile(path.join(dir, 'other.md'), 'utf8')).toBe(md);
    });
  });
});
