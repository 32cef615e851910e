import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

// The html reporter's page, opened from disk in headless Chromium with the network off: every
// chart must render from the inlined vega builds, and the page must ask for nothing but itself.

const CONFIG = `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'html-e2e' });\n`;
const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'html-e2e',
  dataset: { scenario: { name: 'x', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } },
  models: ['random', 'zscore'],
  expect: ({ metric }) => [
    metric('random', 'roc_auc').toBeWithin(0, 1),
    metric('zscore', 'roc_auc').toBeWithin(0, 1),
    metric('random', 'roc_auc').toBeGreaterThan(0.99),
  ],
});
`;

describe('html reporter in a browser', () => {
  let browser: Browser | undefined;
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    await project?.cleanup();
  });

  it('renders every chart offline from the one file, asking the network for nothing', async () => {
    // Launched inside the test, not in a hook: without Chromium this test fails, it does not skip.
    browser = await launchChromium();
    project = await makeProject({ 'harness.config.ts': CONFIG, 'suites/html.suite.ts': SUITE });
    const r = await runHarness(['run', '--reporter', 'html', '--out-dir', 'out'], {
      cwd: project.dir,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the deliberately failing assertion
    const file = path.join(project.dir, 'out', 'report', 'index.html');
    expect((await stat(file)).size).toBeGreaterThan(500_000); // vega + vega-lite inlined

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.setOffline(true);
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (req) => requested.push(req.url()));
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        problems.push(`console.${msg.type()}: ${msg.text()}`);
    });

    const url = pathToFileURL(file).href;
    await page.goto(url);
    await page.waitForFunction(`document.body.getAttribute('data-charts') === 'done'`, undefined, {
      timeout: 20_000,
    });

    const charts = page.locator('.chart');
    const n = await charts.count();
    // 2 models × (roc, pr, scores, 4 breakdowns) + 4 label distribution charts
    expect(n).toBe(2 * 7 + 4);
    for (let i = 0; i < n; i++) {
      const chart = charts.nth(i);
      const id = `${await chart.getAttribute('data-chart')} ${await chart.getAttribute('data-model')} ${await chart.getAttribute('data-column')}`;
      expect(await chart.getAttribute('data-error'), id).toBeNull();
      expect(await chart.getAttribute('data-rendered'), id).toBe('true');
      expect(await chart.locator('svg').count(), id).toBe(1);
      expect(
        await chart
          .locator('svg g.role-mark path, svg g.role-mark line, svg g.role-mark rect')
          .count(),
        id,
      ).toBeGreaterThan(0);
    }
    for (const model of ['random', 'zscore']) {
      for (const kind of ['roc', 'pr', 'scores', 'breakdown'])
        expect(
          await page.locator(`.chart[data-chart="${kind}"][data-model="${model}"]`).count(),
        ).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-verdict="fail"]').count()).toBe(1);
    expect(await page.locator('li.assertion').first().getAttribute('data-state')).toBe('failed');

    // The listener does see requests (the page's own), so an empty list of others means none were made.
    expect(requested).toContain(url);
    expect(outside).toEqual([]);
    expect(requested.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);

    const shot = process.env['HTML_REPORT_SCREENSHOT'] ?? path.join(project.dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    await context.close();
  });
});
