/**
 * The Compare screen in real Chromium against the real `metalytics serve`: gold and bitcoin
 * imported from the real files, compared from a start date, with a ratio and a rolling
 * correlation, every figure checked against values computed here from the CSV rows.
 * Requires a built renderer (`npm run build`; npm test does it). Writes docs/compare.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { readRealData, realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';

const START = '2020-01-01';
const WINDOW = 60;

/** Closes by UTC day, read without the product's importer. */
function closes(file: 'xauusd-1d-mt4.csv' | 'btc-usd-1d-yahoo.csv'): Map<number, number> {
  const separator = file.endsWith('mt4.csv') ? ';' : ',';
  return new Map(
    readRealData(file)
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => {
        const [stamp, , , , close] = line.split(separator);
        const [y, m, d] = stamp!.slice(0, 10).split(/[.-]/).map(Number);
        return [Date.UTC(y!, m! - 1, d!), Number(close)];
      }),
  );
}

const gold = closes('xauusd-1d-mt4.csv');
const bitcoin = closes('btc-usd-1d-yahoo.csv');
const commonDays = [...gold.keys()].filter((day) => bitcoin.has(day)).sort((a, b) => a - b);

const fixed = (digits: number) => (value: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
const oneDecimal = fixed(1);
const twoDecimals = fixed(2);
const fiveFigures = (value: number) => new Intl.NumberFormat('en-US', { minimumSignificantDigits: 5, maximumSignificantDigits: 5 }).format(value);
const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** Pearson's r of the last `window` daily log returns ending at the last day, by the textbook formula. */
function lastCorrelation(days: number[], window: number): number {
  const returns = (series: Map<number, number>) => days.slice(1).map((day, i) => Math.log(series.get(day)! / series.get(days[i]!)!));
  const xs = returns(gold).slice(-window);
  const ys = returns(bitcoin).slice(-window);
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const mx = mean(xs);
  const my = mean(ys);
  const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const vx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const vy = ys.reduce((s, y) => s + (y - my) ** 2, 0);
  return cov / Math.sqrt(vx * vy);
}

let browser: Browser;
let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  await server.call('import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD' });
  await server.call('import.csv', { source: { kind: 'path', path: realDataPath('btc-usd-1d-yahoo.csv') }, symbol: 'BTCUSD' });

  browser = await launchChromium();
  page = await openAppPage(browser, server);
});

afterAll(() => closeApp({ page, browser, server }));

describe('Compare in the browser against metalytics serve', () => {
  it('opens with the two instruments that have data, normalised to 100 at the first common day', async () => {
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('screen-compare').waitFor();
    expect(await page.getByTestId('compare-chip-XAUUSD').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('compare-chip-BTCUSD').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('compare-chip-XAGUSD').getAttribute('aria-pressed')).toBe('false');

    const first = commonDays[0]!;
    const last = commonDays.at(-1)!;
    await expect.poll(() => page.getByTestId('compare-meta').textContent()).toContain(`${new Intl.NumberFormat('en-US').format(commonDays.length)} common daily bars`);
    expect(await page.getByTestId('compare-base').textContent()).toBe(`100 = close of ${isoDay(first)}`);
    // Off the chart, the legend shows the last common day.
    await page.mouse.move(0, 0);
    expect(await page.getByTestId('compare-legend-time').textContent()).toBe(isoDay(last));
    expect(await page.getByTestId('compare-legend-value-XAUUSD').textContent()).toBe(oneDecimal((100 * gold.get(last)!) / gold.get(first)!));
    expect(await page.getByTestId('compare-legend-value-BTCUSD').textContent()).toBe(oneDecimal((100 * bitcoin.get(last)!) / bitcoin.get(first)!));
    expect(await page.locator('[data-testid="compare-chart"] canvas').count()).toBeGreaterThan(0);
  });

  it('explains an instrument without stored data instead of drawing an empty line', async () => {
    await page.getByTestId('compare-chip-XAGUSD').click();
    expect(await page.getByTestId('compare-notice-XAGUSD').textContent()).toBe(
      'XAGUSD has no stored data yet — import a CSV file for it on the Markets screen.',
    );
    // The comparison of the other two stays on screen.
    expect(await page.getByTestId('compare-legend-value-XAUUSD').isVisible()).toBe(true);
    await page.getByTestId('compare-chip-XAGUSD').click();
    await page.getByTestId('compare-notices').waitFor({ state: 'detached' });
  });

  it('re-bases at the chosen start date', async () => {
    const days = commonDays.filter((day) => day >= Date.parse(`${START}T00:00:00Z`));
    const base = days[0]!;
    const last = days.at(-1)!;
    await page.getByTestId('compare-start').fill(START);
    await expect.poll(() => page.getByTestId('compare-base').textContent()).toBe(`100 = close of ${isoDay(base)}`);
    expect(await page.getByTestId('compare-meta').textContent()).toContain(`${new Intl.NumberFormat('en-US').format(days.length)} common daily bars`);
    expect(await page.getByTestId('compare-legend-value-XAUUSD').textContent()).toBe(oneDecimal((100 * gold.get(last)!) / gold.get(base)!));
    expect(await page.getByTestId('compare-legend-value-BTCUSD').textContent()).toBe(oneDecimal((100 * bitcoin.get(last)!) / bitcoin.get(base)!));
    expect(await page.getByTestId('compare-legend-close-BTCUSD').textContent()).toBe(twoDecimals(bitcoin.get(last)!));
  });

  it('draws bitcoin priced in gold and their rolling correlation', async () => {
    const days = commonDays.filter((day) => day >= Date.parse(`${START}T00:00:00Z`));
    const last = days.at(-1)!;
    await page.getByTestId('compare-ratio-numerator').selectOption('BTCUSD');
    expect(await page.getByTestId('compare-ratio-denominator').inputValue()).toBe('XAUUSD');
    await expect.poll(() => page.getByTestId('compare-ratio-legend').textContent()).toContain('Ratio BTCUSD / XAUUSD');
    expect(await page.getByTestId('compare-ratio-value').textContent()).toBe(fiveFigures(bitcoin.get(last)! / gold.get(last)!));

    await page.getByTestId('compare-window').fill(String(WINDOW));
    await expect.poll(() => page.getByTestId('compare-correlation-legend').textContent()).toContain(`${WINDOW} bars`);
    expect(await page.getByTestId('compare-correlation-value').textContent()).toBe(twoDecimals(lastCorrelation(days, WINDOW)));

    await page.getByTestId('compare-window').fill('1');
    expect(await page.getByTestId('compare-window-error').textContent()).toContain('from 2 to 1,000');
    await page.getByTestId('compare-window').fill(String(WINDOW));
    await page.getByTestId('compare-window-error').waitFor({ state: 'detached' });
  });

  it('shows the values of the day under the crosshair', async () => {
    const box = (await page.getByTestId('compare-chart').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.3);
    const shown = (await page.getByTestId('compare-legend-time').textContent())!;
    const day = Date.parse(`${shown}T00:00:00Z`);
    expect(commonDays).toContain(day);
    const base = commonDays.find((d) => d >= Date.parse(`${START}T00:00:00Z`))!;
    expect(await page.getByTestId('compare-legend-value-XAUUSD').textContent()).toBe(oneDecimal((100 * gold.get(day)!) / gold.get(base)!));
    expect(await page.getByTestId('compare-ratio-value').textContent()).toBe(fiveFigures(bitcoin.get(day)! / gold.get(day)!));
    await page.screenshot({ path: path.join(docsDir, 'compare.png') });
  });

  it('takes dates as YYYY-MM-DD only, and keeps the comparison in settings across a reload', async () => {
    await page.getByTestId('compare-start').fill('12/31/2020');
    expect(await page.getByTestId('compare-start').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('compare-start').fill(START);
    expect(await page.getByTestId('compare-start').getAttribute('aria-invalid')).toBe('false');

    await expect.poll(async () => (await server.call('settings.get')).compare?.start).toBe(START);
    const { compare } = await server.call('settings.get');
    expect(compare).toMatchObject({ timeframe: '1d', ratio: { first: 'BTCUSD', second: 'XAUUSD' }, window: String(WINDOW) });

    await page.reload();
    await page.getByTestId('nav-compare').click();
    await expect.poll(() => page.getByTestId('compare-start').inputValue()).toBe(START);
    await expect.poll(() => page.getByTestId('compare-ratio-legend').textContent()).toContain('Ratio BTCUSD / XAUUSD');
  });
});
