/**
 * A symbol stored at two resolutions in real Chromium against `metalytics serve`: BTCUSD
 * daily since 2014 from Yahoo and hourly since 2017-12-31 from Binance. The daily chart shows
 * both, marks the seam, and the legend says which resolution the hovered bar came from.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, docsDir, dragTowardsOlderBars, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { realDataPath, type RealDataFile } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

let browser: Browser;
let server: ServeProcess;
let page: Page;

async function importAs(file: RealDataFile, timeframe: '1d' | '1h'): Promise<number> {
  return (await server.call('import.csv', { source: { kind: 'path', path: realDataPath(file) }, symbol: 'BTCUSD', timeframe })).inserted;
}

const chart = () => page.getByTestId('price-chart');

/** Hovers the chart at a fraction of its width and gives the legend's date and resolution. */
async function hoverAt(fraction: number): Promise<{ time: string | null; stored: string | null }> {
  const box = (await chart().boundingBox())!;
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height * 0.3);
  await expect.poll(() => page.getByTestId('legend-stored').isVisible()).toBe(true);
  return { time: await page.getByTestId('legend-time').textContent(), stored: await page.getByTestId('legend-stored').textContent() };
}

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  expect(await importAs('btc-usd-1d-yahoo.csv', '1d')).toBeGreaterThan(2_700);
  expect(await importAs('btcusdt-1h.csv', '1h')).toBeGreaterThan(30_000);
  browser = await launchChromium();
  page = await openAppPage(browser, server);
});

afterAll(() => closeApp({ page, browser, server }));

describe('history stored at several resolutions', () => {
  it('charts the weekly bars from both files with a seam where the hourly history begins', async () => {
    await page.getByTestId('instrument-BTCUSD').click();
    await page.getByTestId('tf-1w').click();
    await expect.poll(() => page.getByTestId('chart-source').textContent()).toBe('from 1d and 1h bars');
    expect(Number(await chart().getAttribute('data-seams'))).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('chart-range').textContent()).toMatch(/2014-09-15 → /);
    // Zoom out with the wheel, as a user would, until the whole history is in view.
    const box = (await chart().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 800);

    const older = await hoverAt(0.1);
    expect(older.stored).toBe('from 1d');
    expect(older.time! < '2017-12-25').toBe(true);
    const newer = await hoverAt(0.85);
    expect(newer.stored).toBe('from 1h');
    expect(newer.time! > '2018-01-01').toBe(true);
    await page.screenshot({ path: path.join(docsDir, 'markets-mixed-history.png') });
    await page.mouse.move(0, 0);
  });

  it('shows every stored daily bar on the daily chart, the oldest ones from the daily file', async () => {
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('chart-source').textContent()).toBe('from 1d and 1h bars');
    // The first page holds the latest 2,000 days, reaching back past 2017-12-31 into the daily file.
    expect(await page.getByTestId('chart-range').textContent()).toMatch(/^2,000 bars, 2016-/);
  });

  it('charts every month of gold-monthly.csv on the 1M chart and says "all stored" only once all of them are held', async () => {
    const imported = await server.call('import.csv', { source: { kind: 'path', path: realDataPath('gold-monthly.csv') }, symbol: 'XAUUSD', timeframe: '1M' });
    expect(imported.inserted).toBe(2_322);
    await page.getByTestId('instrument-XAUUSD').click();
    await page.getByTestId('tf-1M').click();
    await expect.poll(() => page.getByTestId('chart-source').textContent()).toBe('stored as 1M');
    // The first page is the latest 2,000 months: the line says how far back the stored months go.
    await expect.poll(() => page.getByTestId('chart-range').textContent()).toBe('2,000 bars, 1859-11 → 2026-06 (stored from 1833-01)');
    const range = page.getByTestId('chart-range');
    for (let attempt = 0; attempt < 12 && (await range.getAttribute('data-history')) !== 'complete'; attempt++) await dragTowardsOlderBars(page, 2);
    await expect.poll(() => range.textContent()).toBe('2,322 bars, 1833-01 → 2026-06 (all stored)');
    await page.mouse.move(0, 0);
  });
});
