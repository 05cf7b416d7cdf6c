/**
 * Multi-chart layouts in real Chromium against the real `metalytics serve`: four charts with
 * their own symbols and timeframes, the crosshair and the time following from one chart to the
 * others, the layout kept in settings across a reload, and the L shortcut.
 * Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { realDataPath, type RealDataFile } from '../support/real-data';
import { metaTraderDailyBars } from '../support/shared-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const DAY = 86_400_000;
/** The last day of the Yahoo bitcoin export. */
const BITCOIN_LAST_DAY = '2022-03-01';

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);
const dayOf = (text: string | null) => Date.parse(`${text!.slice(0, 10)}T00:00:00Z`);

let browser: Browser;
let server: ServeProcess;
let page: Page;

const cells = () => page.getByTestId('chart-cell');
const cell = (index: number) => cells().nth(index);
const legendTime = (index: number) => cell(index).getByTestId('legend-time').textContent();

async function importCsv(file: RealDataFile, symbol: string): Promise<void> {
  expect((await server.call('import.csv', { source: { kind: 'path', path: realDataPath(file) }, symbol })).inserted).toBeGreaterThan(1000);
}

/** Makes a chart the active one with a click on its caption, then charts `symbol` and `timeframe` there from the watchlist and toolbar. */
async function chartIn(index: number, symbol: string, timeframe: string): Promise<void> {
  await cell(index).getByTestId('chart-cell-caption').click();
  await expect.poll(() => cell(index).getAttribute('data-active')).toBe('true');
  await page.getByTestId(`instrument-${symbol}`).click();
  await page.getByTestId(`tf-${timeframe}`).click();
  await expect.poll(() => cell(index).getByTestId('price-chart').getAttribute('data-view')).toBe(`${symbol}|${timeframe}`);
}

async function hover(target: Locator, xShare: number): Promise<void> {
  const box = (await target.getByTestId('price-chart').boundingBox())!;
  await page.mouse.move(box.x + box.width * xShare, box.y + box.height * 0.4, { steps: 4 });
}

const shown = async () =>
  Promise.all([0, 1, 2, 3].map(async (index) => `${await cell(index).getAttribute('data-symbol')} ${await cell(index).getAttribute('data-timeframe')}`));

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  await importCsv('xauusd-1d-mt4.csv', 'XAUUSD');
  await importCsv('btc-usd-1d-yahoo.csv', 'BTCUSD');
  await importCsv('btcusdt-1h.csv', 'BTCUSDT');
  browser = await launchChromium();
  page = await openAppPage(browser, server);
});

afterAll(() => closeApp({ page, browser, server }));

describe('Four charts in one window', () => {
  it('opens four charts from the toolbar, each then given its own symbol and timeframe', async () => {
    await page.getByTestId('instrument-XAUUSD').click();
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => cells().count()).toBe(1);
    expect(await cell(0).getByTestId('chart-cell-caption').count()).toBe(0);

    await page.getByTestId('layout-4').click();
    await expect.poll(() => cells().count()).toBe(4);
    expect(await page.getByTestId('layout-4').getAttribute('aria-pressed')).toBe('true');
    // New charts start as another view of the active one.
    expect(await shown()).toEqual(['XAUUSD 1d', 'XAUUSD 1d', 'XAUUSD 1d', 'XAUUSD 1d']);

    await chartIn(1, 'XAUUSD', '1w');
    await chartIn(2, 'BTCUSD', '1d');
    await chartIn(3, 'BTCUSDT', '4h');
    expect(await shown()).toEqual(['XAUUSD 1d', 'XAUUSD 1w', 'BTCUSD 1d', 'BTCUSDT 4h']);
    // The header and the watchlist follow the active chart.
    expect(await page.getByTestId('chart-meta').textContent()).toContain('BTCUSDT');
    expect(await page.getByTestId('tf-4h').getAttribute('aria-pressed')).toBe('true');
    for (const index of [0, 1, 2, 3]) expect(Number(await cell(index).getByTestId('price-chart').getAttribute('data-bars'))).toBeGreaterThan(100);
  });

  it('scrolls the other charts to the same time as one is dragged', async () => {
    const box = (await cell(2).getByTestId('price-chart').boundingBox())!;
    const y = box.y + box.height * 0.4;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, y, { steps: 8 });
    await page.mouse.up();

    // Gold daily has the same timeframe, so near the right edge both charts show the same days;
    // before the drag gold ended in 2025 and bitcoin in 2022. (The price axis takes the last fifth.)
    await hover(cell(2), 0.75);
    // Until the pointer is over it, the legend shows the latest bar.
    await expect.poll(() => legendTime(2)).not.toBe(BITCOIN_LAST_DAY);
    const bitcoinDay = dayOf(await legendTime(2));
    await page.mouse.move(0, 0);
    await hover(cell(0), 0.75);
    await expect.poll(async () => Math.abs(dayOf(await legendTime(0)) - bitcoinDay) / DAY).toBeLessThanOrEqual(7);
    await page.mouse.move(0, 0);
  });

  it('draws the crosshair of one chart on the others, at the bar holding the same time', async () => {
    await hover(cell(2), 0.7);
    // Until the pointer is over it, the legend shows the latest bar.
    await expect.poll(() => legendTime(2)).not.toBe(BITCOIN_LAST_DAY);
    const day = dayOf(await legendTime(2));
    // Gold: the last trading day at or before it (Friday for a weekend), and the week (from Monday) holding it.
    const goldDay = metaTraderDailyBars().filter((bar) => bar.time <= day).at(-1)!.time;
    const monday = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
    await expect.poll(() => legendTime(0)).toBe(isoDay(goldDay));
    await expect.poll(() => legendTime(1)).toBe(isoDay(monday));
    // Bitcoin hourly data built into 4h bars: the bar opening at midnight of that day.
    await expect.poll(() => legendTime(3)).toBe(`${isoDay(day)} 00:00 UTC`);
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(docsDir, 'layouts.png') });

    // Away from the charts, every legend goes back to its latest bar.
    await page.mouse.move(0, 0);
    await expect.poll(() => legendTime(0)).toBe('2025-09-30');
  });

  it('keeps the layout, its charts and the active one across a reload', async () => {
    await page.reload();
    await expect.poll(() => cells().count()).toBe(4);
    await expect.poll(() => cell(3).getByTestId('price-chart').getAttribute('data-view')).toBe('BTCUSDT|4h');
    expect(await shown()).toEqual(['XAUUSD 1d', 'XAUUSD 1w', 'BTCUSD 1d', 'BTCUSDT 4h']);
    expect(await cell(2).getAttribute('data-active')).toBe('true');
    const saved = await server.call('settings.get', {});
    expect(saved.chartLayouts.browser).toMatchObject({ charts: 4, active: 2 });
  });

  it('cycles 1 → 2 → 4 charts with L, and lists the key under ?', async () => {
    await page.keyboard.press('l');
    await expect.poll(() => cells().count()).toBe(1);
    expect(await page.getByTestId('layout-1').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('l');
    await expect.poll(() => cells().count()).toBe(2);
    await page.keyboard.press('L');
    await expect.poll(() => cells().count()).toBe(4);
    // Charts hidden by the smaller layouts come back as they were.
    expect(await shown()).toEqual(['XAUUSD 1d', 'XAUUSD 1w', 'BTCUSD 1d', 'BTCUSDT 4h']);

    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcut-help').textContent()).toContain('One, two or four charts');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('shortcut-help').count()).toBe(0);
  });
});
