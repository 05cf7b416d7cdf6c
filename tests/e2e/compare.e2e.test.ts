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
import { nextPaint, recordCanvasText, takeDrawnText } from '../support/page-probes';

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
/** A ratio to four significant figures at the size of `typical` (the last one): 87.53, 13.20, 0.07570. */
const ratioText = (value: number, typical: number) => fixed(Math.max(0, 3 - Math.floor(Math.log10(typical))))(value);
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
    expect(await page.getByTestId('legend-compare-XAUUSD-normalised').textContent()).toBe(oneDecimal((100 * gold.get(last)!) / gold.get(first)!));
    expect(await page.getByTestId('legend-compare-BTCUSD-normalised').textContent()).toBe(oneDecimal((100 * bitcoin.get(last)!) / bitcoin.get(first)!));
    expect(await page.locator('[data-testid="compare-chart"] canvas').count()).toBeGreaterThan(0);
  });

  it('explains an instrument without stored data instead of drawing an empty line', async () => {
    await page.getByTestId('compare-chip-XAGUSD').click();
    expect(await page.getByTestId('compare-notice-XAGUSD').textContent()).toBe(
      'XAGUSD has no stored data yet — import a CSV file for it on the Markets screen.',
    );
    // The comparison of the other two stays on screen.
    expect(await page.getByTestId('legend-compare-XAUUSD-normalised').isVisible()).toBe(true);
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
    expect(await page.getByTestId('legend-compare-XAUUSD-normalised').textContent()).toBe(oneDecimal((100 * gold.get(last)!) / gold.get(base)!));
    expect(await page.getByTestId('legend-compare-BTCUSD-normalised').textContent()).toBe(oneDecimal((100 * bitcoin.get(last)!) / bitcoin.get(base)!));
    expect(await page.getByTestId('legend-compare-BTCUSD-close').textContent()).toBe(twoDecimals(bitcoin.get(last)!));
  });

  it('draws bitcoin priced in gold and their rolling correlation', async () => {
    const days = commonDays.filter((day) => day >= Date.parse(`${START}T00:00:00Z`));
    const last = days.at(-1)!;
    await page.getByTestId('compare-ratio-numerator').selectOption('BTCUSD');
    expect(await page.getByTestId('compare-ratio-denominator').inputValue()).toBe('XAUUSD');
    await expect.poll(() => page.getByTestId('compare-ratio-legend').textContent()).toContain('Ratio BTCUSD / XAUUSD');
    const ratio = bitcoin.get(last)! / gold.get(last)!;
    expect(await page.getByTestId('legend-compare-ratio-value').textContent()).toBe(ratioText(ratio, ratio));

    await page.getByTestId('compare-window').fill(String(WINDOW));
    await expect.poll(() => page.getByTestId('compare-correlation-legend').textContent()).toContain(`${WINDOW} bars`);
    expect(await page.getByTestId('legend-compare-correlation-value').textContent()).toBe(twoDecimals(lastCorrelation(days, WINDOW)));

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
    expect(await page.getByTestId('legend-compare-XAUUSD-normalised').textContent()).toBe(oneDecimal((100 * gold.get(day)!) / gold.get(base)!));
    const lastDay = commonDays.at(-1)!;
    expect(await page.getByTestId('legend-compare-ratio-value').textContent()).toBe(ratioText(bitcoin.get(day)! / gold.get(day)!, bitcoin.get(lastDay)! / gold.get(lastDay)!));
  });

  it('takes dates as YYYY-MM-DD only, and keeps the comparison in settings across a reload', async () => {
    await page.getByTestId('compare-start').fill('12/31/2020');
    expect(await page.getByTestId('compare-start').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('compare-start').fill(START);
    expect(await page.getByTestId('compare-start').getAttribute('aria-invalid')).toBe('false');

    await expect
      .poll(async () => (await server.call('settings.get')).compare)
      .toMatchObject({ start: START, timeframe: '1d', ratio: { first: 'BTCUSD', second: 'XAUUSD' }, window: String(WINDOW) });

    await page.reload();
    await page.getByTestId('nav-compare').click();
    await expect.poll(() => page.getByTestId('compare-start').inputValue()).toBe(START);
    await expect.poll(() => page.getByTestId('compare-ratio-legend').textContent()).toContain('Ratio BTCUSD / XAUUSD');
  });

  it('gives the gold/silver ratio in four figures, and cuts no axis or legend label on a 1280×720 window', async () => {
    // Silver priced so that the gold/silver ratio wanders between about 80 and 90, as it has.
    const days = [...gold.keys()].sort((a, b) => a - b).slice(-1500);
    const ratioOn = (i: number) => 85 + 3.5 * Math.sin(i / 45) + 1.5 * Math.sin(i / 7.3);
    const silver = new Map(days.map((day, i) => [day, Number((gold.get(day)! / ratioOn(i)).toFixed(4))]));
    const text = ['time,open,high,low,close', ...days.map((day) => `${isoDay(day)},${silver.get(day)},${silver.get(day)},${silver.get(day)},${silver.get(day)}`)].join('\n');
    await server.call('import.csv', { source: { kind: 'text', fileName: 'silver.csv', text }, symbol: 'XAGUSD', timeframe: '1d' });

    await page.context().addInitScript(recordCanvasText);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.reload();
    await page.getByTestId('nav-compare').click();
    // Gold and silver alone, so they compare up to the last day of the gold file.
    await page.getByTestId('compare-chip-BTCUSD').click();
    await page.getByTestId('compare-chip-XAGUSD').click();
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.getByRole('button', { name: 'Gold/Silver', exact: true }).click();
    await expect.poll(() => page.getByTestId('compare-ratio-legend').textContent()).toContain('Ratio XAUUSD / XAGUSD');
    await page.mouse.move(0, 0);
    const last = days.at(-1)!;
    const ratio = gold.get(last)! / silver.get(last)!;
    await expect.poll(() => page.getByTestId('legend-compare-ratio-value').textContent()).toBe(fixed(2)(ratio));

    // Everything drawn from here on is the settled chart at this size.
    // Two resizes a frame apart: within one frame the chart could see 1280 → 1280 and draw nothing.
    await page.setViewportSize({ width: 1281, height: 720 });
    await page.evaluate(nextPaint);
    await page.evaluate(takeDrawnText);
    await page.setViewportSize({ width: 1280, height: 720 });
    // Under load a pane can redraw a frame later than the resize: collect paints until the ratio axis has drawn.
    const drawn: Awaited<ReturnType<typeof takeDrawnText>> = [];
    const ratioAxisDrawn = () => drawn.some((label) => /^\d{2}\.\d{2}$/.test(label.text) && Number(label.text) > 75 && Number(label.text) < 95);
    await expect
      .poll(async () => {
        await page.evaluate(nextPaint);
        drawn.push(...(await page.evaluate(takeDrawnText)));
        return ratioAxisDrawn();
      })
      .toBe(true);
    expect(drawn.filter((label) => label.cut)).toEqual([]);
    // The ratio axis steps in hundredths (87.50), never a bare 88 nor six decimals.
    const ratioLabels = drawn.map((label) => label.text).filter((label) => /^\d+(\.\d+)?$/.test(label) && Number(label) > 75 && Number(label) < 95);
    expect(ratioLabels.some((label) => /^\d{2}\.\d{2}$/.test(label))).toBe(true);
    expect(drawn.map((label) => label.text).filter((label) => /\.\d{3,}$/.test(label))).toEqual([]);

    // Each legend lies whole inside the chart, left of the price axis, and no two overlap.
    const chart = (await page.getByTestId('compare-chart').boundingBox())!;
    const legends = await page.locator('[data-testid="compare-chart"] .chart-legend').evaluateAll((elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        return { top: box.top, bottom: box.bottom, left: box.left, right: box.right, overflows: element.scrollWidth > element.clientWidth };
      }),
    );
    expect(legends).toHaveLength(3);
    for (const legend of legends) {
      expect(legend.overflows).toBe(false);
      expect(legend.left).toBeGreaterThanOrEqual(chart.x);
      expect(legend.right).toBeLessThanOrEqual(chart.x + chart.width - 60);
      expect(legend.bottom).toBeLessThanOrEqual(chart.y + chart.height);
    }
    const byTop = [...legends].sort((a, b) => a.top - b.top);
    byTop.slice(1).forEach((legend, i) => expect(legend.top).toBeGreaterThanOrEqual(byTop[i]!.bottom));
    await page.screenshot({ path: path.join(docsDir, 'compare.png') });
  });
});
