/**
 * The watchlist and symbol search in real Chromium against the real `metalytics serve`:
 * last close and the day's change of an imported file, hourly sparklines of the demo
 * series, fuzzy search driven from the keyboard. Screenshots land in docs/.
 * Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { readRealData, realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';


/** The file's last two closes and the last date, read independently of the product's importer. */
function xauLastDay() {
  const rows = readRealData('xauusd-1d-mt4.csv').trim().split(/\r?\n/).slice(1);
  const fields = (line: string) => line.split(';');
  const last = fields(rows.at(-1)!);
  const previous = fields(rows.at(-2)!);
  const day = (row: string[]) => row[0]!.slice(0, 10).replaceAll('.', '-');
  return { date: day(last), previousDate: day(previous), close: Number(last[4]), previousClose: Number(previous[4]) };
}

const en = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat('en-US', options);
const price = (value: number) => en({ minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

let browser: Browser;
let server: ServeProcess;
let page: Page;

const activeOption = () => page.getByTestId('instrument-filter').getAttribute('aria-activedescendant');
const testIdOf = async (elementId: string | null) => (elementId ? page.locator(`[id="${elementId}"]`).getAttribute('data-testid') : null);

beforeAll(async () => {
  requireBuiltRenderer();
  browser = await launchChromium();
  server = await startServeProcess();
  // Data set up the way another client would, over the same HTTP API the page uses.
  await server.call('import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD' });
  await server.call('demo.load', {});
  await server.call('settings.update', { watchlist: ['XAUUSD', 'DEMO.XAUUSD', 'DEMO.BTCUSD', 'XAGUSD', 'GC=F'], chart: { symbol: 'XAUUSD', timeframe: '1d' } });
  // A computer in Berlin, so local time, exchange time and UTC all differ.
  page = await openAppPage(browser, server, { timezoneId: 'Europe/Berlin' });
}, 120_000);

afterAll(() => closeApp({ page, browser, server }));

describe('Watchlist and symbol search in the browser', () => {
  it('shows the last close and the change over the last day of the imported file', async () => {
    const { date, previousDate, close, previousClose } = xauLastDay();
    await expect.poll(() => page.getByTestId('watch-last-XAUUSD').textContent()).toBe(price(close));
    expect(await page.getByTestId('watch-change-XAUUSD').textContent()).toBe(`+${price(close - previousClose)}`);
    expect(await page.getByTestId('watch-percent-XAUUSD').textContent()).toBe(
      en({ style: 'percent', signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format((close - previousClose) / previousClose),
    );
    // The file's last bar follows a hole of weeks, so the change says what it spans.
    const spanDays = (Date.parse(date) - Date.parse(previousDate)) / 86_400_000;
    expect(spanDays).toBeGreaterThan(4);
    expect(await page.getByTestId('watch-span-XAUUSD').textContent()).toBe(` over ${spanDays} days`);
    // The file ends in the past, so the row says which day the figures belong to.
    expect(await page.getByTestId('watch-asof-XAUUSD').textContent()).toBe(`as of ${date}`);
    expect(await page.locator('[data-testid="instrument-XAUUSD"] .sparkline polyline').count()).toBe(1);
  });

  it('draws today’s demo prices without an "as of" date, and says when a watched instrument has no data', async () => {
    await expect.poll(() => page.getByTestId('watch-last-DEMO.BTCUSD').textContent()).toMatch(/^[\d,]+\.\d{2}$/);
    expect(await page.getByTestId('watch-asof-DEMO.BTCUSD').count()).toBe(0);
    const points = await page.locator('[data-testid="instrument-DEMO.BTCUSD"] .sparkline polyline').getAttribute('points');
    expect(points?.split(' ')).toHaveLength(60);
    expect(await page.getByTestId('watch-last-XAGUSD').textContent()).toBe('no data');
    // Other instruments keep the compact row.
    expect(await page.getByTestId('watch-last-ETHUSD').count()).toBe(0);
    expect(await page.getByTestId('instrument-ETHUSD').isVisible()).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'watchlist.png') });
  });

  it('opens the best fuzzy match with Enter', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('gold fut');
    await expect.poll(async () => testIdOf(await activeOption())).toBe('instrument-GC=F');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('chart-title').textContent()).toMatch(/^Gold futures/);
    // The search is cleared and gives the keyboard back to the chart.
    expect(await page.getByTestId('instrument-filter').inputValue()).toBe('');
    expect(await page.locator('[data-testid="instrument-filter"]:focus').count()).toBe(0);
  });

  it('moves through matches with the arrow keys and clears with Escape', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('gld sil');
    const listed = await page.locator('[role="listbox"] [role="option"]').evaluateAll((options) => options.map((o) => o.getAttribute('data-testid')));
    expect(listed[0]).toBe('instrument-GLD');
    expect(listed).toEqual(expect.arrayContaining(['instrument-XAGUSD', 'instrument-SI=F', 'instrument-SLV']));
    await page.keyboard.press('ArrowDown');
    expect(await testIdOf(await activeOption())).toBe(listed[1]);
    await page.screenshot({ path: path.join(docsDir, 'symbol-search.png') });
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('instrument-filter').inputValue()).toBe('');
    expect(await activeOption()).toBeNull();

    await page.keyboard.type('silvr');
    await expect.poll(async () => testIdOf(await activeOption())).toBe('instrument-XAGUSD');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('chart-title').textContent()).toMatch(/^Silver futures/);
  });

  it('lists the shortcuts on ?, and not while typing', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('?');
    expect(await page.getByTestId('instrument-filter').inputValue()).toBe('?');
    expect(await page.getByTestId('shortcut-help').count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');

    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await help.waitFor();
    expect(await help.textContent()).toContain('Search instruments');
    expect(await help.textContent()).toContain('9 = 1M');
    await page.screenshot({ path: path.join(docsDir, 'shortcuts.png') });
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('opens an instrument stored coarser than the current timeframe on its finest one, and says so', async () => {
    await page.getByTestId('instrument-DEMO.BTCUSD').click();
    await page.keyboard.press('5');
    await expect.poll(() => page.getByTestId('tf-1h').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('instrument-XAUUSD').click();
    expect(await page.getByTestId('timeframe-toast').textContent()).toContain('XAUUSD is stored as 1d bars only, so it opens on 1d instead of 1h.');
    await expect.poll(() => page.getByTestId('tf-1d').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('chart-notice').count()).toBe(0);
  });

  it('shows intraday times in the zone chosen, and keeps daily bars on their UTC days', async () => {
    await page.getByTestId('instrument-DEMO.BTCUSD').click();
    await page.keyboard.press('5');
    await page.mouse.move(0, 0);
    // Off the chart the legend shows the last bar: the demo series' newest hour.
    const { bars } = await server.call('bars.query', { symbol: 'DEMO.BTCUSD', timeframe: '1h', limit: 1 });
    const instant = bars.at(-1)!.time;
    const utc = new Date(instant).toISOString().slice(0, 16).replace('T', ' ');
    await expect.poll(() => page.getByTestId('legend-time').textContent()).toBe(`${utc} UTC`);
    const berlin = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(instant);

    await page.getByTestId('time-zone').selectOption('local');
    await expect.poll(() => page.getByTestId('legend-time').textContent()).toBe(`${berlin} local (Berlin)`);
    expect((await server.call('settings.get')).timeZone).toBe('local');

    await page.getByTestId('instrument-XAUUSD').click();
    await expect.poll(() => page.getByTestId('legend-time').textContent()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.getByTestId('time-zone').selectOption('utc');
  });
});
