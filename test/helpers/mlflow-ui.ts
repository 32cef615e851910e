/**
 * Opening a tracked run in the MLflow UI with headless Chromium: what "the artifacts open in the
 * MLflow UI" means, checked by a test and used for the README's screenshot.
 */
import type { Locator, Page } from 'playwright-core';

/**
 * Shows one chart artifact of a run in the run page's artifact viewer (the UI's "Model training"
 * view, its assistant panel closed) and returns the image the viewer renders it in.
 */
export async function showChartInUi(
  page: Page,
  base: string,
  experimentId: string,
  runId: string,
  chart: string,
): Promise<Locator> {
  const runPage = `${base}/#/experiments/${experimentId}/runs/${runId}`;
  await page.goto(runPage, { waitUntil: 'load' });
  await page.getByText('Model training', { exact: true }).first().click();
  // On a loaded 2-core machine the single-worker server can leave the artifact tree empty on the
  // first load (seen once in CI): load the tab again, once, before giving up.
  const folder = page.getByText('charts', { exact: true }).first();
  for (let attempt = 0; ; attempt++) {
    await page.goto(`${runPage}/artifacts`, { waitUntil: 'load' });
    await page
      .getByRole('button', { name: 'Close' })
      .first()
      .click({ timeout: 5000 })
      .catch(() => undefined); // the assistant panel, when shown
    const shown = await folder.waitFor({ timeout: 30_000 }).then(
      () => true,
      (err: unknown) => (attempt === 0 ? false : Promise.reject(err)),
    );
    if (shown) break;
  }
  await folder.click();
  // the folder lists its files once they are fetched; roc.svg and pr.svg are always among them
  await page.getByText('pr.svg', { exact: true }).first().waitFor();
  // The viewer fetches the file after the click; on a loaded machine that fetch was seen to be
  // dropped once (the image never came): select the file again, once, before giving up.
  const img = page.locator(`img[alt="charts/${chart}"]`);
  for (let attempt = 0; ; attempt++) {
    await page.getByText(chart, { exact: true }).first().click();
    const shown = await img.waitFor({ state: 'visible', timeout: 30_000 }).then(
      () => true,
      (err: unknown) => (attempt === 0 ? false : Promise.reject(err)),
    );
    if (shown) break;
    await page.getByText('pr.svg', { exact: true }).first().click(); // another file first, so the click is a change
  }
  // selecting a file scrolls the file tree down to it: back to the top, so the tree reads whole
  await folder.hover();
  await page.mouse.wheel(0, -2000);
  return img;
}
