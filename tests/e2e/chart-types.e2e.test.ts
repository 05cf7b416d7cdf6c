/**
 * Chart types, the volume pane, the price axis at a small window and the paint time, in real
 * Chromium against the real `metalytics serve`, with Bitcoin's daily Yahoo file: its weekly
 * chart once drew a price axis running to −20,000 inside the volume under the candles.
 * Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { timeToRenderedFrame } from '../support/page-probes';
import { realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';

let browser: Browser;
let server: ServeProcess;
let page: Page;

const chart = () => page.getByTestId('price-chart');
const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

async function addIndicator(kind: string): Promise<void> {
  if (!(await page.getByTestId('indicators-menu').isVisible())) await page.getByTestId('indicators-button').click();
  await page.getByTestId(`indicator-add-${kind}`).click();
}

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  const imported = await server.call('import.csv', { source: { kind: 'path', path: realDataPath('btc-usd-1d-yahoo.csv') }, symbol: 'BTCUSD', timeframe: '1d' });
  expect(imported.inserted).toBeGreaterThan(2_700);
  browser = await launchChromium();
  page = await openAppPage(browser, server);
  // The small laptop window where the axis labels crowded most.
  await page.setViewportSize({ width: 1280, height: 720 });
});

afterAll(() => closeApp({ page, browser, server }));

describe('Chart types and axes', () => {
  it('puts volume in its own pane and labels each price axis at most once, at 1280×720', async () => {
    await page.getByTestId('instrument-BTCUSD').click();
    await page.getByTestId('tf-1w').click();
    for (const kind of ['sma', 'bbands', 'rsi']) await addIndicator(kind);
    await page.keyboard.press('Escape');
    await page.mouse.move(0, 0);
    await expect.poll(() => chart().getAttribute('data-panes')).toBe('3');
    expect(await chart().getAttribute('data-volume-pane')).toBe('1');
    // Only the last price labels an axis; the indicators' values are in the legends instead of
    // piling onto the price label or covering the RSI pane's few scale labels.
    await expect.poll(() => chart().getAttribute('data-axis-labels')).toBe('1,0,0');
    await expect.poll(() => page.getByTestId('legend-rsi-14-value').textContent()).toMatch(/^\d+\.\d{2}$/);
  });

  it('draws OHLC bars, a line and Heikin-Ashi candles, keeps the choice in settings, and the legend keeps the real prices', async () => {
    const { bars } = await server.call('bars.query', { symbol: 'BTCUSD', timeframe: '1w', limit: 1 });
    const lastClose = price(bars[0]!.close);
    await expect.poll(() => page.getByTestId('legend-close').textContent()).toBe(lastClose);
    expect(await chart().getAttribute('data-chart-type')).toBe('candles');

    for (const type of ['bars', 'line', 'heikinAshi'] as const) {
      await page.getByTestId('chart-type').selectOption(type);
      await expect.poll(() => chart().getAttribute('data-chart-type')).toBe(type);
      await expect.poll(async () => (await server.call('settings.get', {})).chart.type).toBe(type);
      expect(await page.getByTestId('legend-close').textContent()).toBe(lastClose);
      expect(await chart().getAttribute('data-last-change')).toBe('replace');
    }
    // Heikin-Ashi keeps its averaged close off the axis; a dotted line labels the real one instead.
    expect(await chart().getAttribute('data-axis-labels')).toBe('0,0,0');
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(docsDir, 'chart-types.png') });

    // The last day stored again with other prices: the Heikin-Ashi candles continue through the live path.
    const tick = { open: 43_190, high: 44_950.5, low: 43_050.25, close: 44_421.75 };
    const text = `Date;Open;High;Low;Close;Volume\n2022.03.01 00:00;${tick.open};${tick.high};${tick.low};${tick.close};1000\n`;
    await server.call('import.csv', { source: { kind: 'text', fileName: 'tick.csv', text }, symbol: 'BTCUSD', timeframe: '1d' });
    await expect.poll(() => page.getByTestId('legend-close').textContent()).toBe(price(tick.close));
    expect(await chart().getAttribute('data-last-change')).toBe('tail');
    expect(await chart().getAttribute('data-chart-type')).toBe('heikinAshi');

    await page.reload();
    await expect.poll(() => chart().getAttribute('data-chart-type')).toBe('heikinAshi');
    expect(await page.getByTestId('chart-type').inputValue()).toBe('heikinAshi');
    await page.getByTestId('chart-type').selectOption('candles');
    await expect.poll(() => chart().getAttribute('data-chart-type')).toBe('candles');
  });

  it('paints 2,000 daily candles with three indicators well within a second of the click (the tight figure is in npm run bench)', async () => {
    await expect.poll(() => chart().getAttribute('data-view')).toBe('BTCUSD|1w');
    const { ms } = await page.evaluate(timeToRenderedFrame, { click: '[data-testid="tf-1d"]', view: 'BTCUSD|1d' });
    expect(Number(await chart().getAttribute('data-bars'))).toBe(2_000);
    expect(ms).toBeLessThan(1_000);
  });
});
