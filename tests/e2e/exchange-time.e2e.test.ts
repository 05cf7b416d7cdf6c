/**
 * Exchange time across New York's daylight-saving changes, in real Chromium against the real
 * `metalytics serve`: hourly COMEX gold bars over the nights of 2025-03-09 (02:00 never happens)
 * and 2025-11-02 (01:00 happens twice), read in the legend, the crosshair's time label, the time
 * axis and the CSV export, every expected time written out here by hand. The computer is in
 * Berlin, so neither UTC nor local time could pass for New York.
 * Requires a built renderer (`npm run build`; npm test does it).
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { chartDrew, chartHasBars, nextPaint, recordCanvasText, takeDrawnText } from '../support/page-probes';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

/** Each bar's UTC open, and the same instant on the New York clock with its offset. */
const bars = [
  ['2025-03-09T03:00Z', '2025-03-08T22:00:00.000-05:00'],
  ['2025-03-09T04:00Z', '2025-03-08T23:00:00.000-05:00'],
  ['2025-03-09T05:00Z', '2025-03-09T00:00:00.000-05:00'],
  ['2025-03-09T06:00Z', '2025-03-09T01:00:00.000-05:00'],
  ['2025-03-09T07:00Z', '2025-03-09T03:00:00.000-04:00'],
  ['2025-03-09T08:00Z', '2025-03-09T04:00:00.000-04:00'],
  ['2025-11-02T03:00Z', '2025-11-01T23:00:00.000-04:00'],
  ['2025-11-02T04:00Z', '2025-11-02T00:00:00.000-04:00'],
  ['2025-11-02T05:00Z', '2025-11-02T01:00:00.000-04:00'],
  ['2025-11-02T06:00Z', '2025-11-02T01:00:00.000-05:00'],
  ['2025-11-02T07:00Z', '2025-11-02T02:00:00.000-05:00'],
  ['2025-11-02T08:00Z', '2025-11-02T03:00:00.000-05:00'],
].map(([utc, newYork], i) => ({ utc: utc!, newYork: newYork!, close: 2900 + i }));

/** "2025-11-02T01:00:00.000-05:00" → "2025-11-02 01:00", as the legend and the crosshair write it. */
const wallTime = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

let browser: Browser;
let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  const text = ['time,open,high,low,close', ...bars.map((bar) => `${bar.utc.replace('T', ' ').replace('Z', '')},${bar.close},${bar.close + 1},${bar.close - 1},${bar.close}`)].join('\n');
  await server.call('import.csv', { source: { kind: 'text', fileName: 'gc-hourly.csv', text }, symbol: 'GC=F', timeframe: '1h' });
  await server.call('settings.update', { chart: { symbol: 'GC=F', timeframe: '1d' } });
  browser = await launchChromium();
  page = await openAppPage(browser, server, { timezoneId: 'Europe/Berlin' });
  await page.context().addInitScript(recordCanvasText);
  await page.reload();
  await page.waitForFunction(chartHasBars);
}, 120_000);

afterAll(() => closeApp({ page, browser, server }));

describe('Exchange time over New York’s DST changes', () => {
  it('offers the instrument’s exchange zone by its city and keeps the choice in settings', async () => {
    await page.getByTestId('tf-1h').click();
    await page.waitForFunction(chartDrew, '1h');
    expect(await page.locator('[data-testid="time-zone"] option[value="exchange"]').textContent()).toBe('Exchange (New York)');
    await page.getByTestId('time-zone').selectOption('exchange');
    await expect.poll(async () => (await server.call('settings.get')).timeZone).toBe('exchange');
    await page.mouse.move(0, 0);
    await expect.poll(() => page.getByTestId('legend-time').textContent()).toBe(`${wallTime(bars.at(-1)!.newYork)} New York`);
  });

  it('reads every bar on the New York clock in the legend and the crosshair label, and on the time axis', async () => {
    // Close to the bars, so each is wide enough to hover and the axis labels most of them.
    const box = (await page.getByTestId('price-chart').boundingBox())!;
    await page.mouse.move(box.x + 10, box.y + box.height * 0.3);
    for (let i = 0; i < 2; i++) await page.mouse.wheel(0, -300);
    await page.evaluate(nextPaint);
    await page.evaluate(takeDrawnText);

    const legendByClose = new Map<string, string>();
    const crosshairLabels = new Set<string>();
    const axisLabels = new Set<string>();
    for (let x = box.x + 4; x < box.x + box.width - 80; x += 4) {
      await page.mouse.move(x, box.y + box.height * 0.3);
      await page.evaluate(nextPaint);
      const [time, close] = await Promise.all([page.getByTestId('legend-time').textContent(), page.getByTestId('legend-close').textContent()]);
      legendByClose.set(close!, time!);
      for (const { text } of await page.evaluate(takeDrawnText)) {
        if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(text)) crosshairLabels.add(text);
        else if (/^(\d{1,2} )?\d{2}:\d{2}$/.test(text)) axisLabels.add(text);
      }
    }

    expect(Object.fromEntries(legendByClose)).toEqual(Object.fromEntries(bars.map((bar) => [price(bar.close), `${wallTime(bar.newYork)} New York`])));
    // Both 01:00s of 2 November and the 03:00 straight after 01:00 on 9 March are shown.
    expect([...crosshairLabels].sort()).toEqual([...new Set(bars.map((bar) => wallTime(bar.newYork)))].sort());
    // The axis names New York hours only ("1 23:00" is a new UTC day at 23:00 in New York); in UTC it would say 03:00 to 08:00.
    const newYorkHours = new Set(bars.map((bar) => bar.newYork.slice(11, 16)));
    expect(axisLabels.size).toBeGreaterThanOrEqual(2);
    for (const label of axisLabels) expect(newYorkHours).toContain(label.slice(-5));
    expect([...axisLabels].some((label) => ['22:00', '23:00', '00:00', '01:00'].includes(label.slice(-5)))).toBe(true);
  });

  it('exports the bars with their New York times and offsets, an hour apart in UTC each', async () => {
    // A new page opens on the default view, which holds all these bars.
    await page.reload();
    await page.waitForFunction(chartDrew, '1h');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('time,open,high,low,close,volume');
    const rows = lines.slice(1).map((line) => line.split(','));
    expect(rows.map((cells) => [cells[0], cells[4]])).toEqual(bars.map((bar) => [bar.newYork, String(bar.close)]));
    // The offsets make each time the same instant as the bar's UTC open.
    expect(rows.map((cells) => Date.parse(cells[0]!))).toEqual(bars.map((bar) => Date.parse(bar.utc)));
  });
});
