import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv-read.ts';
import { readLabelsFile } from '../../src/data/load-labels.ts';
import { launchChromium } from '../helpers/browser.ts';
import { REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

// The labeling app as a person uses it: the real CLI serves a generated data folder, headless
// Chromium picks systems, reads the plot, fills the form with the keyboard and saves; the test
// then reads synthetic/labels.csv and synthetic/labels.history.csv back from disk.

const UNLABELED = ['sys-0003', 'sys-0005', 'sys-0008', 'sys-0011'];
const INJECTION =
  '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "quotes", commas';

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `harness label --port 0` and reads the URL it prints. */
function startServer(dataDir: string, cwd: string, extra: readonly string[] = []): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'harness.js'),
      'label',
      '--port',
      '0',
      '--data',
      dataDir,
      ...extra,
    ],
    {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`harness label printed no URL in 30 s\nstdout: ${out}\nstderr: ${err}`)),
      30_000,
    );
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[0], stdout: () => out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`harness label exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

async function openApp(context: BrowserContext, url: string, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (
      m.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of (400|409)/.test(m.text())
    )
      problems.push(`console.error: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

// The browser, server and temp folder of the running test (afterEach closes them).
let browser: Browser | undefined;
let server: Server | undefined;
let tmp: { dir: string; cleanup: () => Promise<void> } | undefined;

/**
 * A generated fleet of `systems` × 1 day at 1 h in a temp folder, the app serving it and a page
 * open on it: the setup of the tests that label one system. Sets the file's `browser`, `tmp`
 * and `server`, which afterEach closes.
 */
async function appOnFleet(
  prefix: string,
  systems: number,
): Promise<{ labelsPath: string; context: BrowserContext; page: Page; problems: string[] }> {
  browser = await launchChromium();
  tmp = await tempDir(prefix);
  const dataDir = path.join(tmp.dir, 'data');
  const gen = await runHarness(
    [
      'generate',
      '--systems',
      String(systems),
      '--days',
      '1',
      '--interval',
      '1h',
      '--data',
      dataDir,
    ],
    { cwd: tmp.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
  server = await startServer(dataDir, tmp.dir);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const problems: string[] = [];
  const page = await openApp(context, server.url, problems);
  return { labelsPath: path.join(dataDir, 'synthetic', 'labels.csv'), context, page, problems };
}

/** A door a held request waits at: `opened` resolves once `open()` is called. */
function opening(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function pick(page: Page, id: string): Promise<void> {
  await page.click(`#systems li[data-key="synthetic/${id}"]`);
  await page.waitForSelector(`#plot[data-system="synthetic/${id}"] canvas`);
}

/** Labels the selected system normal with the keyboard and saves with `s`; resolves when the page says so. */
async function saveNormal(page: Page, notes: string): Promise<void> {
  await page.fill('#notes', notes);
  await page.locator('#notes').press('Escape');
  await page.keyboard.press('n');
  await page.keyboard.press('s');
}

describe('labeling app in a browser', () => {
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
    await tmp?.cleanup();
  });

  it('lists systems, plots one, saves labels from the keyboard, shows notes as text, and keeps parallel saves', async () => {
    browser = await launchChromium();
    tmp = await tempDir('label-e2e-');
    const dataDir = path.join(tmp.dir, 'data');
    const gen = await runHarness(
      ['generate', '--systems', '12', '--days', '2', '--interval', '30m', '--data', dataDir],
      { cwd: tmp.dir },
    );
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
    const labelsPath = path.join(dataDir, 'synthetic', 'labels.csv');
    const historyPath = path.join(dataDir, 'synthetic', 'labels.history.csv');
    const original = (await readFile(labelsPath, 'utf8')).split('\n');
    await writeFile(
      labelsPath,
      original.filter((l) => !UNLABELED.some((id) => l.startsWith(`${id},`))).join('\n'),
    );
    expect(await readLabelsFile(labelsPath)).toHaveLength(8);

    const queue = ['sys-0011', 'sys-0002', 'sys-0005'];
    await writeFile(
      path.join(dataDir, 'label-queue.json'),
      JSON.stringify({
        created_at: '2026-01-01T00:00:00.000Z',
        seed: 'e2e',
        by: [],
        systems: queue,
      }),
    );

    server = await startServer(dataDir, tmp.dir);
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server?.url ?? '\u0000')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const problems: string[] = [];
    const page = await openApp(context, server.url, problems);

    // The list: every system, unlabeled first, with badges.
    const items = page.locator('#systems li');
    expect(await items.count()).toBe(12);
    const labelsShown = await Promise.all(
      (await items.all()).map((li) => li.getAttribute('data-label')),
    );
    expect(labelsShown.slice(0, 4)).toEqual(['unlabeled', 'unlabeled', 'unlabeled', 'unlabeled']);
    expect(labelsShown.slice(4).every((l) => l === 'normal' || l === 'anomaly')).toBe(true);
    // The queue is offered first and lists its systems in its order.
    expect(await page.locator('#filter-show option').first().getAttribute('value')).toBe('queue');
    await page.selectOption('#filter-show', 'queue');
    expect(await Promise.all((await items.all()).map((li) => li.getAttribute('data-key')))).toEqual(
      queue.map((id) => `synthetic/${id}`),
    );
    await page.fill('#search', '0008');
    expect(await items.count()).toBe(0); // not in the queue
    await page.selectOption('#filter-show', 'all');
    expect(await items.count()).toBe(1);
    await page.fill('#search', '');
    await page.selectOption('#filter-show', 'unlabeled');
    expect(await Promise.all((await items.all()).map((li) => li.getAttribute('data-key')))).toEqual(
      UNLABELED.map((id) => `synthetic/${id}`),
    );

    // The plot: one uPlot per unit group, one line per sensor of the file plus cell ΔV.
    const target = UNLABELED[0] as string;
    await pick(page, target);
    const lines = (await readFile(path.join(dataDir, 'synthetic', 'raw', `${target}.csv`), 'utf8'))
      .trimEnd()
      .split('\n');
    const header = lines[0]?.split(',').slice(1) ?? [];
    expect(header.length).toBeGreaterThan(5);
    const hasCellV = header.includes('cell_voltage_max_v') && header.includes('cell_voltage_min_v');
    const plot = page.locator('#plot');
    expect(Number(await plot.getAttribute('data-series-count'))).toBe(
      header.length + (hasCellV ? 1 : 0),
    );
    expect(Number(await plot.getAttribute('data-points'))).toBe(lines.length - 1);
    const panels = Number(await plot.getAttribute('data-panels'));
    expect(panels).toBeGreaterThan(3);
    expect(await page.locator('#plot .uplot canvas').count()).toBe(panels);
    expect(
      await page.locator('#sensor-picker input[type=checkbox]').count(),
    ).toBeGreaterThanOrEqual(header.length + 1);
    // Unticking a sensor drops its line.
    await page.locator('#sensor-picker input[value="temp_ambient_c"]').uncheck();
    expect(Number(await plot.getAttribute('data-series-count'))).toBe(
      header.length + (hasCellV ? 1 : 0) - 1,
    );
    await page.locator('#sensor-picker input[value="temp_ambient_c"]').check();

    // A save with missing fields: errors next to the fields, nothing written.
    await page.keyboard.press('a');
    await page.keyboard.press('s');
    await page.waitForSelector('.err[data-err-for="labeler"]:not(:empty)');
    expect(await page.textContent('.err[data-err-for="failure_type"]')).toMatch(
      /anomaly needs a failure type/,
    );
    expect(await page.textContent('.err[data-err-for="lead_time_days"]')).toMatch(
      /needs lead_time_days/,
    );
    expect(await page.textContent('.err[data-err-for="labeler"]')).toMatch(/labeler is recorded/);
    await expect(stat(historyPath)).rejects.toThrow();

    // The form from the keyboard: anomaly, failure type 3, lead time, then Ctrl+Enter.
    await page.fill('#labeler', 'e2e-labeler');
    await page.fill('#confidence', '0.8');
    await page.fill('#notes', INJECTION);
    await page.locator('#notes').press('Escape');
    await page.keyboard.press('a');
    await page.keyboard.press('3'); // cell_imbalance; focuses the empty lead time
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'lead_time_days',
    );
    await page.keyboard.type('12.5');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('#save-status.ok');
    expect(await page.textContent('#save-status')).toBe('saved version 1');
    await page.waitForSelector('#history li');

    const row = (await readLabelsFile(labelsPath)).find((r) => r.system_id === target);
    expect(row).toMatchObject({
      label: 'anomaly',
      failure_type: 'cell_imbalance',
      lead_time_days: 12.5,
      confidence: 0.8,
      label_version: 1,
      source: 'synthetic',
      notes: INJECTION,
      labeler: 'e2e-labeler',
    });
    expect(row?.labeled_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const history = parseCsv(await readFile(historyPath, 'utf8'), historyPath, () => undefined);
    expect(history.records).toHaveLength(1);
    expect(history.records[0]?.fields.slice(0, 5)).toEqual([
      row?.labeled_at,
      'e2e-labeler',
      'synthetic',
      target,
      '',
    ]);
    expect(JSON.parse(history.records[0]?.fields[5] ?? '')).toEqual(row);

    // The injection is text: shown verbatim, no element made, nothing ran.
    expect(await page.locator('#history li').first().textContent()).toContain(INJECTION);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script, aside script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(
      await page.locator(`#systems li[data-key="synthetic/${target}"] .badge.anomaly`).count(),
    ).toBe(1);
    expect(
      await page.locator(`#systems li[data-key="synthetic/${target}"] .badge.ft`).textContent(),
    ).toBe('cell_imbalance');

    // j moves to the next system; the labeler is remembered.
    await page.keyboard.press('j');
    await page.waitForSelector(`#plot[data-system="synthetic/${UNLABELED[1]}"] canvas`);
    expect(await page.inputValue('#labeler')).toBe('e2e-labeler');
    const shot = process.env['LABEL_APP_SCREENSHOT'] ?? path.join(tmp.dir, 'label-app.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);

    // Two tabs saving different systems at the same moment: both rows land.
    const [p2, p3] = [
      await openApp(context, server.url, problems),
      await openApp(context, server.url, problems),
    ];
    await pick(p2, UNLABELED[2] as string);
    await pick(p3, UNLABELED[3] as string);
    await Promise.all([saveNormal(p2, 'tab two'), saveNormal(p3, 'tab three')]);
    await Promise.all([
      p2.waitForSelector('#save-status.ok'),
      p3.waitForSelector('#save-status.ok'),
    ]);
    let rows = await readLabelsFile(labelsPath);
    expect(rows).toHaveLength(8 + 3);
    expect(rows.find((r) => r.system_id === UNLABELED[2])).toMatchObject({
      label: 'normal',
      notes: 'tab two',
      label_version: 1,
    });
    expect(rows.find((r) => r.system_id === UNLABELED[3])).toMatchObject({
      label: 'normal',
      notes: 'tab three',
      label_version: 1,
    });

    // Two tabs on the same system, both from version 1: one saves, the other is told and shown the row.
    await pick(p2, UNLABELED[2] as string);
    await pick(p3, UNLABELED[2] as string);
    await Promise.all([saveNormal(p2, 'second look A'), saveNormal(p3, 'second look B')]);
    await Promise.all([
      p2.waitForSelector('#save-status.ok, #save-status.bad'),
      p3.waitForSelector('#save-status.ok, #save-status.bad'),
    ]);
    const states = [
      await p2.getAttribute('#save-status', 'class'),
      await p3.getAttribute('#save-status', 'class'),
    ];
    expect([...states].sort()).toEqual(['bad', 'ok']);
    const loser = states[0] === 'bad' ? p2 : p3;
    const winnerNotes = states[0] === 'ok' ? 'second look A' : 'second look B';
    expect(await loser.isVisible('#conflict')).toBe(true);
    expect(await loser.textContent('#conflict-message')).toMatch(/changed to version 2/);
    expect(await loser.textContent('#conflict-row')).toContain(winnerNotes);
    rows = await readLabelsFile(labelsPath);
    expect(rows).toHaveLength(11);
    expect(rows.find((r) => r.system_id === UNLABELED[2])).toMatchObject({
      notes: winnerNotes,
      label_version: 2,
    });
    const all = parseCsv(await readFile(historyPath, 'utf8'), historyPath, () => undefined).records;
    expect(all).toHaveLength(4);

    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();

    // Ctrl+C-like stop: the server exits 0 and says so.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('stopped');
  });
  it('sets failure_at and onset_at on a label, marks them on the plot, saves them; a bad one shows the error and writes nothing', async () => {
    browser = await launchChromium();
    tmp = await tempDir('label-times-e2e-');
    const dataDir = path.join(tmp.dir, 'data');
    const gen = await runHarness(
      ['generate', '--systems', '4', '--days', '2', '--interval', '30m', '--data', dataDir],
      { cwd: tmp.dir },
    );
    expect(gen.code, gen.stderr).toBe(0);
    const labelsPath = path.join(dataDir, 'synthetic', 'labels.csv');
    const historyPath = path.join(dataDir, 'synthetic', 'labels.history.csv');
    const target = 'sys-0001';
    const series = (await readFile(path.join(dataDir, 'synthetic', 'raw', `${target}.csv`), 'utf8'))
      .trimEnd()
      .split('\n');
    const first = Date.parse(series[1]!.slice(0, series[1]!.indexOf(',')));
    const inside = (hours: number): string =>
      new Date(first + hours * 3_600_000).toISOString().replace('.000Z', 'Z');

    server = await startServer(dataDir, tmp.dir);
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const problems: string[] = [];
    const page = await openApp(context, server.url, problems);
    await pick(page, target);
    // The first panel's pixels: the marks are drawn on the canvas, nowhere else.
    const pixels = (): Promise<string> =>
      page.evaluate(`document.querySelector('#plot .uplot canvas').toDataURL()`) as Promise<string>;

    // A bad failure_at: the server's message under the field, nothing written.
    const labelsBefore = await readFile(labelsPath, 'utf8');
    await page.keyboard.press('a');
    await page.selectOption('#failure_type', 'cooling_failure');
    await page.fill('#lead_time_days', '2');
    await page.fill('#labeler', 'e2e-times');
    await page.fill('#failure_at', '2026-13-01T00:00:00Z');
    await page.click('#save');
    await page.waitForSelector('.err[data-err-for="failure_at"]:not(:empty)');
    expect(await page.textContent('.err[data-err-for="failure_at"]')).toBe(
      'failure_at is not an ISO 8601 UTC timestamp: "2026-13-01T00:00:00Z" (expected e.g. 2026-01-01T00:00:00Z)',
    );
    expect(await page.textContent('#save-status')).toBe('not saved: 1 problem');
    expect(await readFile(labelsPath, 'utf8')).toBe(labelsBefore);
    await expect(stat(historyPath)).rejects.toThrow();
    // onset after failure: the same, under onset_at.
    await page.fill('#failure_at', inside(10));
    await page.fill('#onset_at', inside(20));
    await page.click('#save');
    await page.waitForSelector('.err[data-err-for="onset_at"]:not(:empty)');
    expect(await page.textContent('.err[data-err-for="onset_at"]')).toMatch(
      /onset_at .* is after failure_at .*: a precursor starts before its failure/,
    );
    expect(await readFile(labelsPath, 'utf8')).toBe(labelsBefore);

    // Good instants inside the series: drawn on the plot as they are typed, then saved.
    await page.fill('#failure_at', '');
    await page.fill('#onset_at', '');
    expect(await page.getAttribute('#plot', 'data-marks')).toBe('');
    const plain = await pixels();
    await page.fill('#failure_at', inside(30));
    expect(await page.getAttribute('#plot', 'data-marks')).toBe('failure_at');
    expect(await pixels()).not.toBe(plain);
    await page.fill('#onset_at', inside(6));
    expect(await page.getAttribute('#plot', 'data-marks')).toBe('onset_at failure_at');
    if (process.env['LABEL_TIMES_SCREENSHOT'])
      await page.screenshot({ path: process.env['LABEL_TIMES_SCREENSHOT'] });
    await page.click('#save');
    await page.waitForSelector('#save-status.ok');
    const row = (await readLabelsFile(labelsPath)).find((r) => r.system_id === target);
    expect(row).toMatchObject({
      label: 'anomaly',
      failure_type: 'cooling_failure',
      lead_time_days: 2,
      failure_at: inside(30),
      onset_at: inside(6),
      labeler: 'e2e-times',
    });
    // The form shows the saved instants back; a failure after the data is said in words.
    expect(await page.inputValue('#failure_at')).toBe(inside(30));
    await page.fill('#failure_at', inside(24 * 5));
    expect(await page.textContent('#time-marks')).toMatch(
      /failure_at is 3\.\d d after the last sample/,
    );

    // A normal cannot have them: the fields empty and lock, and the saved row has none.
    await page.locator('#failure_at').press('Escape');
    await page.keyboard.press('n');
    expect(await page.inputValue('#failure_at')).toBe('');
    expect(await page.isDisabled('#failure_at')).toBe(true);
    expect(await page.isDisabled('#onset_at')).toBe(true);
    await page.keyboard.press('s');
    await page.waitForSelector('#save-status.ok');
    const normal = (await readLabelsFile(labelsPath)).find((r) => r.system_id === target);
    expect(normal).toMatchObject({ label: 'normal', label_version: (row?.label_version ?? 0) + 1 });
    expect(normal).not.toHaveProperty('failure_at');
    expect(normal).not.toHaveProperty('onset_at');
    expect(problems).toEqual([]);
    await context.close();
  });
  it('a save still in flight when j is pressed: a refused one keeps the system and its errors on show, a good one moves on with the list updated', async () => {
    const { labelsPath, context, page, problems } = await appOnFleet('label-inflight-e2e-', 3);
    // Each save of sys-0001 is held until the test lets it through to the real server, so the
    // key press lands while it is in flight, whatever the machine's speed.
    const held: (() => Promise<void>)[] = [];
    let arrived = (): void => undefined;
    await context.route('**/api/systems/synthetic/sys-0001/label', (route) => {
      held.push(() => route.continue());
      arrived();
    });
    const saveAndMove = async (): Promise<void> => {
      const sent = new Promise<void>((resolve) => (arrived = resolve));
      await page.keyboard.press('s');
      await sent;
      await page.keyboard.press('j');
      await held.shift()?.();
    };
    await pick(page, 'sys-0001');
    const labelsBefore = await readFile(labelsPath, 'utf8');

    // An anomaly without its lead time: the server refuses it. Moving on would hide that.
    await page.fill('#labeler', 'e2e-inflight');
    await page.locator('#labeler').press('Escape');
    await page.keyboard.press('a');
    await page.selectOption('#failure_type', 'capacity_fade');
    await page.locator('#failure_type').press('Escape');
    await saveAndMove();
    await page.waitForSelector('#save-status.bad', { timeout: 10_000 });
    expect(await page.textContent('#system-title')).toBe('sys-0001');
    expect(await page.textContent('.err[data-err-for="lead_time_days"]')).toMatch(
      /an anomaly needs lead_time_days/,
    );
    expect(await readFile(labelsPath, 'utf8')).toBe(labelsBefore);

    // Fixed and saved: j then moves on, and the list shows the new label.
    await page.fill('#lead_time_days', '3');
    await page.locator('#lead_time_days').press('Escape');
    await saveAndMove();
    await page.waitForSelector('#plot[data-system="synthetic/sys-0002"] canvas');
    const row = (await readLabelsFile(labelsPath)).find((r) => r.system_id === 'sys-0001');
    expect(row).toMatchObject({
      label: 'anomaly',
      failure_type: 'capacity_fade',
      lead_time_days: 3,
      labeler: 'e2e-inflight',
    });
    // The list item shows the saved failure type (the generated label had another, or none).
    expect(await page.textContent('#systems li[data-key="synthetic/sys-0001"] .badge.ft')).toBe(
      'capacity_fade',
    );
    expect(problems).toEqual([]);
    await context.close();
  });
  it('a series that arrives late never overwrites a label saved or chosen before it', async () => {
    const { context, page, problems } = await appOnFleet('label-late-e2e-', 3);
    // The series (and, below, a system's label) are held until the test lets them through, so
    // the key presses land before they arrive, whatever the machine's speed.
    let series = opening();
    await context.route('**/series?format=f64', async (route) => {
      await series.opened;
      await route.continue();
    });
    await page.fill('#labeler', 'e2e-late');
    await page.locator('#labeler').press('Escape');
    const labelOf = (id: string) => (r: { url(): string }) =>
      new URL(r.url()).pathname === `/api/systems/synthetic/${id}`;

    // Saved while the series loads: it stays saved on the form when the series arrives.
    const answered = page.waitForResponse(labelOf('sys-0001'));
    await page.click('#systems li[data-key="synthetic/sys-0001"]');
    await answered;
    await page.fill('#notes', 'saved while the series loads');
    await page.locator('#notes').press('Escape');
    await page.keyboard.press('n');
    await page.keyboard.press('s');
    await page.locator('#save-status', { hasText: /^saved version \d+$/ }).waitFor();
    const version = Number(/\d+/.exec((await page.textContent('#save-status')) ?? '')?.[0]);
    series.open();
    await page.waitForSelector('#plot[data-system="synthetic/sys-0001"] canvas');
    expect(await page.textContent('#version')).toMatch(
      new RegExp(`^version ${version} by e2e-late`),
    );
    expect(await page.isChecked('input[name=label][value=normal]')).toBe(true);
    // The next save is based on it: no false conflict.
    await page.fill('#notes', 'a second save');
    await page.locator('#notes').press('Escape');
    await page.keyboard.press('s');
    await page
      .locator('#save-status', { hasText: new RegExp(`^saved version ${version + 1}$`) })
      .waitFor();

    // Chosen before the system's label arrives: the older answer does not clear the choice.
    series = opening();
    const label = opening();
    await context.route(
      (url) => url.pathname === '/api/systems/synthetic/sys-0002',
      async (route) => {
        await label.opened;
        await route.continue();
      },
    );
    await page.click('#systems li[data-key="synthetic/sys-0002"]');
    await page.keyboard.press('2'); // anomaly, internal_short
    await page.fill('#lead_time_days', '4');
    await page.locator('#lead_time_days').press('Escape');
    label.open();
    series.open();
    await page.waitForSelector('#plot[data-system="synthetic/sys-0002"] canvas');
    expect(await page.isChecked('input[name=label][value=anomaly]')).toBe(true);
    expect(await page.inputValue('#failure_type')).toBe('internal_short');
    expect(await page.inputValue('#lead_time_days')).toBe('4');
    expect(problems).toEqual([]);
    await context.close();
  });
  it('sends the numbers as typed: "3,5" days is refused with the field named, not saved as 35', async () => {
    const { labelsPath, context, page, problems } = await appOnFleet('label-decimal-e2e-', 2);
    await pick(page, 'sys-0002');
    const labelsBefore = await readFile(labelsPath, 'utf8');
    await page.fill('#labeler', 'e2e-decimal');
    await page.locator('#labeler').press('Escape');
    await page.keyboard.press('a');
    await page.selectOption('#failure_type', 'capacity_fade');
    // A decimal comma, typed key by key as a person does (a number input dropped the comma: 35).
    await page.click('#lead_time_days');
    await page.keyboard.type('3,5');
    await page.click('#confidence');
    await page.keyboard.type('0,8');
    await page.click('#save');
    await page.waitForSelector('#save-status.bad');
    expect(await page.textContent('.err[data-err-for="lead_time_days"]')).toMatch(
      /lead_time_days must be a number/,
    );
    expect(await page.textContent('.err[data-err-for="confidence"]')).toMatch(
      /confidence must be a number from 0 to 1/,
    );
    expect(await readFile(labelsPath, 'utf8')).toBe(labelsBefore);
    await page.fill('#lead_time_days', '3.5');
    await page.fill('#confidence', '0.8');
    await page.click('#save');
    await page.waitForSelector('#save-status.ok');
    expect(
      (await readLabelsFile(labelsPath)).find((r) => r.system_id === 'sys-0002'),
    ).toMatchObject({ label: 'anomaly', lead_time_days: 3.5, confidence: 0.8 });
    expect(problems).toEqual([]);
    await context.close();
  });
  it('asks before changes not saved are dropped: j, a click on another system, a reload', async () => {
    const { labelsPath, context, page, problems } = await appOnFleet('label-unsaved-e2e-', 3);
    const asked: { type: string; message: string }[] = [];
    let answer: 'accept' | 'dismiss' = 'dismiss';
    page.on('dialog', (d) => {
      asked.push({ type: d.type(), message: d.message() });
      void (answer === 'accept' ? d.accept() : d.dismiss());
    });
    await pick(page, 'sys-0001');
    const labelsBefore = await readFile(labelsPath, 'utf8');
    await page.fill('#notes', 'not saved yet');
    await page.locator('#notes').press('Escape');

    // Kept: the person said no, the system and the typed notes stay on show.
    await page.keyboard.press('j');
    await page.click('#systems li[data-key="synthetic/sys-0002"]');
    expect(asked).toEqual([
      { type: 'confirm', message: expect.stringContaining('sys-0001') },
      { type: 'confirm', message: expect.stringContaining('sys-0001') },
    ]);
    expect(await page.textContent('#system-title')).toBe('sys-0001');
    expect(await page.inputValue('#notes')).toBe('not saved yet');
    // A reload asks too (the page's beforeunload); dismissed, the page stays as it was.
    const leaving = page.waitForEvent('dialog');
    const reload = page.reload().catch(() => undefined); // settles with the context when refused
    expect((await leaving).type()).toBe('beforeunload');
    expect(await page.inputValue('#notes')).toBe('not saved yet');

    // Discarded on yes: the next system shows its own label, nothing was written.
    answer = 'accept';
    await page.keyboard.press('j');
    await page.waitForSelector('#plot[data-system="synthetic/sys-0002"] canvas');
    expect(await page.textContent('#system-title')).toBe('sys-0002');
    expect(await page.inputValue('#notes')).not.toBe('not saved yet');
    expect(await readFile(labelsPath, 'utf8')).toBe(labelsBefore);
    // A saved form moves on and reloads without a question.
    const before = asked.length;
    await page.fill('#labeler', 'e2e-unsaved');
    await saveNormal(page, 'saved');
    await page.waitForSelector('#save-status.ok');
    await page.keyboard.press('j');
    await page.waitForSelector('#plot[data-system="synthetic/sys-0003"] canvas');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(asked.length).toBe(before);
    expect(problems).toEqual([]);
    await context.close();
    await reload;
  });
  it('shows the score timeline a run kept of the system (--results), and refuses a bad results file', async () => {
    tmp = await tempDir('label-timeline-e2e-');
    const dataDir = path.join(tmp.dir, 'data');
    const gen = await runHarness(
      ['generate', '--systems', '3', '--days', '2', '--interval', '1h', '--data', dataDir],
      { cwd: tmp.dir },
    );
    expect(gen.code, gen.stderr).toBe(0);
    const missing = await runHarness(
      ['label', '--port', '0', '--data', dataDir, '--results', path.join(tmp.dir, 'nope.json')],
      { cwd: tmp.dir },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--results .*nope\.json: no such file/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const t0 = Date.UTC(2026, 0, 1);
    const t = Array.from({ length: 48 }, (_, i) => t0 + i * 3_600_000);
    const timeline = {
      systemId: 'sys-0002',
      failureType: 'thermal_runaway',
      anomaly: true,
      t,
      score: t.map((_, i) => (i > 30 ? 0.9 : 0.1)),
      alarms: [t[32], t[40]],
      failureAt: t0 + 60 * 3_600_000,
      onsetAt: t[28],
      threshold: 0.5,
    };
    const resultsFile = path.join(tmp.dir, 'results.json');
    await writeFile(
      resultsFile,
      JSON.stringify({
        schema: 1,
        suites: [
          { name: 'smoke', cases: [{ model: 'zscore', alarms: { timelines: [timeline] } }] },
        ],
      }),
    );
    browser = await launchChromium();
    server = await startServer(dataDir, tmp.dir, ['--results', resultsFile]);
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const problems: string[] = [];
    const page = await openApp(context, server.url, problems);
    expect(await page.isVisible('#timeline-section')).toBe(true);
    expect(await page.textContent('#timeline-source')).toContain('results.json');

    await pick(page, 'sys-0002');
    await page.waitForSelector('#timelines[data-count="1"] .timeline canvas');
    const panel = page.locator('#timelines .timeline');
    expect(await panel.getAttribute('data-model')).toBe('zscore');
    expect(await panel.getAttribute('data-alarms')).toBe('2');
    expect(await panel.textContent()).toContain(
      'zscore · smoke · thermal_runaway · 2 alarms at threshold 0.5',
    );
    if (process.env['LABEL_TIMELINE_SCREENSHOT'])
      await page
        .locator('#timeline-section')
        .screenshot({ path: process.env['LABEL_TIMELINE_SCREENSHOT'] });

    // A system the run kept no timeline of says so.
    await pick(page, 'sys-0001');
    await page.waitForSelector('#timelines[data-count="0"]');
    expect(await page.textContent('#timelines')).toBe(
      'no score timeline of this system in the results',
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});
