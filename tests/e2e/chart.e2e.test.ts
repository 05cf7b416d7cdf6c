/**
 * The Markets chart's analysis tools in real Chromium against the real `metalytics serve`:
 * indicators checked against values computed here from the vendor file, the crosshair legend,
 * removing an indicator, another timeframe, CSV and PNG export, scrolling back into older
 * history, the log scale, the chart restored after a reload, and the cap on bars held.
 * Requires `npm run build` first (npm test does it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/shared/domain';
import { launchChromium } from '../support/chromium';
import { realDataPath, type RealDataFile } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { closeApp, docsDir, dragTowardsOlderBars, openAppPage, requireBuiltRenderer } from '../support/app-page';

const DAY = 86_400_000;

/** The MetaTrader export read here, independently of the product's importer. */
function xauRows(): Bar[] {
  return fs
    .readFileSync(realDataPath('xauusd-1d-mt4.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [stamp, open, high, low, close, volume] = line.split(';');
      const [y, m, d] = stamp!.slice(0, 10).split('.').map(Number);
      return { time: Date.UTC(y!, m! - 1, d!), open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
    });
}

function sma(closes: readonly number[], period: number, index: number): number {
  let sum = 0;
  for (let i = index - period + 1; i <= index; i++) sum += closes[i]!;
  return sum / period;
}

/** Wilder's RSI over the whole history: simple averages of the first `period` changes, then Wilder smoothing. */
function wilderRsi(closes: readonly number[], period: number): number[] {
  const rsi: number[] = [];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < closes.length; i++) {
    const change = closes[i]! - closes[i - 1]!;
    const up = Math.max(change, 0);
    const down = Math.max(-change, 0);
    if (i <= period) {
      gain += up / period;
      loss += down / period;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
    if (i >= period) rsi[i] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }
  return rsi;
}

/** Weekly closes, weeks starting Monday 00:00 UTC. */
function weeklyCloses(rows: readonly Bar[]): number[] {
  const weeks = new Map<number, number>();
  for (const row of rows) {
    const monday = row.time - ((new Date(row.time).getUTCDay() + 6) % 7) * DAY;
    weeks.set(monday, row.close);
  }
  return [...weeks.values()];
}

const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

/** Imports through the HTTP API, which is quicker than the dialog the Markets e2e already covers. */
async function importCsv(server: ServeProcess, file: RealDataFile, symbol: string): Promise<number> {
  return (await server.call('import.csv', { source: { kind: 'path', path: realDataPath(file) }, symbol })).inserted;
}

async function addIndicator(page: Page, kind: string, params: Record<string, number> = {}): Promise<void> {
  if (!(await page.getByTestId('indicators-menu').isVisible())) await page.getByTestId('indicators-button').click();
  for (const [name, value] of Object.entries(params)) await page.getByTestId(`indicator-param-${kind}-${name}`).fill(String(value));
  await page.getByTestId(`indicator-add-${kind}`).click();
}

const chart = (page: Page) => page.getByTestId('price-chart');
const barsHeld = async (page: Page) => Number(await chart(page).getAttribute('data-bars'));

let browser: Browser;
let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  expect(await importCsv(server, 'xauusd-1d-mt4.csv', 'XAUUSD')).toBe(xauRows().length);
  // The Binance export has rows whose high is below the close; the importer rejects those and keeps the rest.
  expect(await importCsv(server, 'btcusdt-1h.csv', 'BTCUSDT')).toBeGreaterThan(30_000);
  browser = await launchChromium();
  page = await openAppPage(browser, server);
});

afterAll(() => closeApp({ page, browser, server }));

describe('Markets chart analysis in the browser', () => {
  const rows = xauRows();
  const closes = rows.map((row) => row.close);
  const last = rows.length - 1;

  it('adds SMA 20 and RSI 14 whose legend values match the vendor file', async () => {
    await page.getByTestId('instrument-XAUUSD').click();
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('legend-close').textContent()).toBe(price(closes[last]!));

    await addIndicator(page, 'sma');
    await addIndicator(page, 'rsi');
    await page.keyboard.press('Escape');
    await page.mouse.move(0, 0);

    await expect.poll(() => page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(closes, 20, last)));
    await expect.poll(() => page.getByTestId('legend-rsi-14-value').textContent()).toBe(price(wilderRsi(closes, 14)[last]!));
    expect(await page.getByTestId('indicator-chip-sma-20').textContent()).toContain('SMA 20');
    // Prices, the file's volume in a pane of its own, and RSI.
    await expect.poll(() => chart(page).getAttribute('data-panes')).toBe('3');
    expect(await chart(page).getAttribute('data-volume-pane')).toBe('1');
    // The file's last bar follows a hole of 81 days: the chart marks it with the others among the
    // bars it holds (gaps longer than a long weekend), and both windows at the last bar reach across it.
    const held = rows.slice(-(await barsHeld(page)));
    const holes = held.filter((row, i) => i > 0 && row.time - held[i - 1]!.time > 4 * 86_400_000);
    expect(holes.length).toBeGreaterThan(0);
    expect(await chart(page).getAttribute('data-holes')).toBe(String(holes.length));
    expect(await page.getByTestId('legend-rsi-14-hole').getAttribute('title')).toContain('81-day gap');
    expect(await page.getByTestId('legend-sma-20-hole').isVisible()).toBe(true);
  });

  it('shows the hovered bar and its indicator values in the legend', async () => {
    const box = (await chart(page).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.3);
    await expect.poll(() => page.getByTestId('legend-time').textContent()).not.toBe('2025-09-30');
    const stamp = (await page.getByTestId('legend-time').textContent())!;
    const index = rows.findIndex((row) => new Date(row.time).toISOString().slice(0, 10) === stamp);
    expect(index).toBeGreaterThan(0);
    expect(await page.getByTestId('legend-close').textContent()).toBe(price(closes[index]!));
    expect(await page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(closes, 20, index)));
    expect(await page.getByTestId('legend-rsi-14-value').textContent()).toBe(price(wilderRsi(closes, 14)[index]!));
    await page.mouse.move(0, 0);
  });

  it('removes an indicator together with its pane', async () => {
    await page.getByTestId('indicator-remove-rsi-14').click();
    await expect.poll(() => chart(page).getAttribute('data-panes')).toBe('2');
    expect(await page.getByTestId('legend-rsi-14').count()).toBe(0);
    expect(await page.getByTestId('indicator-chip-rsi-14').count()).toBe(0);
    expect(await page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(closes, 20, last)));
  });

  it('recomputes the indicators for another timeframe', async () => {
    const weekly = weeklyCloses(rows);
    await page.getByTestId('tf-1w').click();
    await expect.poll(() => page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(weekly, 20, weekly.length - 1)));
    await page.keyboard.press('7');
    await expect.poll(() => page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(closes, 20, last)));
  });

  it('exports the bars and indicator values in view as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toBe('XAUUSD-1d-2025-09-30.csv');
    const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('time,open,high,low,close,volume,SMA 20');
    const cells = lines.at(-1)!.split(',');
    const row = rows[last]!;
    expect(cells.slice(0, 6)).toEqual(['2025-09-30T00:00:00.000Z', ...[row.open, row.high, row.low, row.close, row.volume].map(String)]);
    expect(Number(cells[6])).toBeCloseTo(sma(closes, 20, last), 9);
    // The view opens on the latest 180 bars or so, and the file holds what is in view.
    expect(lines.length - 1).toBeGreaterThan(100);
    expect(lines.length - 1).toBeLessThan(400);
  });

  it('loads older history as the chart is dragged back, indicators included', async () => {
    expect(await barsHeld(page)).toBe(2000);
    expect(await page.getByTestId('chart-range').getAttribute('data-history')).toBe('partial');
    for (let attempt = 0; attempt < 12 && (await barsHeld(page)) <= 2000; attempt++) await dragTowardsOlderBars(page, 2);
    await expect.poll(() => barsHeld(page)).toBeGreaterThan(2000);
    // All 5,383 daily bars fit in three pages; the server then has nothing older.
    for (let attempt = 0; attempt < 12 && (await barsHeld(page)) < rows.length; attempt++) await dragTowardsOlderBars(page, 2);
    await expect.poll(() => barsHeld(page)).toBe(rows.length);
    await expect.poll(() => page.getByTestId('chart-range').getAttribute('data-history')).toBe('complete');
    expect(await page.getByTestId('chart-range').textContent()).toContain('2004-06-11');

    // The oldest bars carry SMA values computed over the prepended window: hover the far left.
    const box = (await chart(page).boundingBox())!;
    await page.mouse.move(box.x + 80, box.y + box.height * 0.3);
    const stamp = (await page.getByTestId('legend-time').textContent())!;
    const index = rows.findIndex((row) => new Date(row.time).toISOString().slice(0, 10) === stamp);
    expect(index).toBeGreaterThanOrEqual(0);
    const shown = (await page.getByTestId('legend-sma-20-value').textContent())!;
    if (index < 19) expect(shown).toBe('—');
    // Within display rounding: at a value ending in 5 the server's rolling sum and this loop can
    // differ in the last bit and round to neighbouring cents.
    else expect(Math.abs(Number(shown.replace(/,/g, '')) - sma(closes, 20, index))).toBeLessThanOrEqual(0.005 + 1e-9);
    await page.mouse.move(0, 0);
  });

  it('switches to a logarithmic price scale and restores the chart after a reload', async () => {
    await page.getByTestId('log-scale').click();
    await expect.poll(() => chart(page).getAttribute('data-scale')).toBe('log');
    expect(await page.getByTestId('log-scale').getAttribute('aria-pressed')).toBe('true');

    await page.reload();
    await expect.poll(() => page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(closes, 20, last)));
    expect(await page.getByTestId('log-scale').getAttribute('aria-pressed')).toBe('true');
    expect(await chart(page).getAttribute('data-scale')).toBe('log');
    expect(await page.getByTestId('tf-1d').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('log-scale').click();
    await expect.poll(() => chart(page).getAttribute('data-scale')).toBe('linear');
  });

  it('draws bands over the prices and RSI and MACD in their own panes', async () => {
    await addIndicator(page, 'bbands');
    await addIndicator(page, 'rsi');
    await addIndicator(page, 'macd');
    await page.getByTestId('indicators-button').click();
    await expect.poll(() => page.getByTestId('indicators-menu').count()).toBe(0);
    // Prices, volume, RSI and MACD.
    await expect.poll(() => chart(page).getAttribute('data-panes')).toBe('4');
    await expect.poll(() => page.getByTestId('legend-macd-12-26-9-histogram').textContent()).toMatch(/^-?[\d,]+\.\d{2}$/);
    const box = (await chart(page).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.72, box.y + box.height * 0.25);
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(docsDir, 'markets-indicators.png') });

    await page.mouse.move(0, 0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    expect(download.suggestedFilename()).toBe('XAUUSD-1d-2025-09-30.png');
    const target = path.join(docsDir, 'markets-export.png');
    await download.saveAs(target);
    const png = fs.readFileSync(target);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Width and height from the IHDR chunk: the whole chart with its caption strip.
    expect(png.readUInt32BE(16)).toBeGreaterThan(800);
    expect(png.readUInt32BE(20)).toBeGreaterThan(600);
  });

  it('draws a newly stored bar through the live update path, indicators included', async () => {
    const held = await barsHeld(page);
    const tick = { open: 3843.8, high: 3871.2, low: 3840.05, close: 3866.5, volume: 912 };
    const text = `Date;Open;High;Low;Close;Volume\n2025.10.01 00:00;${tick.open};${tick.high};${tick.low};${tick.close};${tick.volume}\n`;
    await server.call('import.csv', { source: { kind: 'text', fileName: 'tick.csv', text }, symbol: 'XAUUSD', timeframe: '1d' });

    const extended = [...closes, tick.close];
    await expect.poll(() => page.getByTestId('legend-close').textContent()).toBe(price(tick.close));
    expect(await barsHeld(page)).toBe(held + 1);
    expect(await chart(page).getAttribute('data-last-change')).toBe('tail');
    expect(await page.getByTestId('legend-time').textContent()).toBe('2025-10-01');
    expect(await page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma(extended, 20, extended.length - 1)));
    expect(await page.getByTestId('legend-rsi-14-value').textContent()).toBe(price(wilderRsi(extended, 14)[extended.length - 1]!));
  });
});

describe('History cap on fine timeframes', () => {
  it('stops at 20,000 hourly bars and offers daily bars for the longer view', async () => {
    await page.getByTestId('instrument-BTCUSDT').click();
    await page.getByTestId('tf-1h').click();
    await expect.poll(() => barsHeld(page)).toBe(2000);
    for (let attempt = 0; attempt < 40 && !(await page.getByTestId('history-cap-notice').isVisible()); attempt++) {
      await dragTowardsOlderBars(page, 3);
    }
    await page.getByTestId('history-cap-notice').waitFor();
    expect(await barsHeld(page)).toBe(20_000);
    expect(await page.getByTestId('history-cap-notice').textContent()).toContain('20,000 1h bars');
    await page.screenshot({ path: path.join(docsDir, 'markets-history-cap.png') });

    await page.getByTestId('history-cap-switch').click();
    await expect.poll(() => page.getByTestId('tf-1d').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByTestId('history-cap-notice').count()).toBe(0);
    await expect.poll(() => barsHeld(page)).toBeGreaterThan(1000);
    // Ten pages of dragging: on a busy machine that takes longer than the default 30 s.
  }, 90_000);
});
