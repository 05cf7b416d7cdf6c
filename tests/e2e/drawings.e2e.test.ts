/**
 * Chart drawings in real Chromium against the real `metalytics serve`: a trend line drawn with
 * two clicks, moved by dragging it (the chart does not pan meanwhile), a Shift-snapped horizontal line taken back with Ctrl+Z, a
 * text note written on the chart, the trend line found again after a reload and on the weekly
 * chart, then selected and deleted with the Delete key for good. Screenshot: docs/drawings.png.
 * Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/shared/domain';
import type { Drawing } from '../../src/shared/drawings';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

let browser: Browser;
let server: ServeProcess;
let page: Page;
let bars: Bar[];

/** The chart's own element: the drawings report their count and on-screen points on it. */
const canvas = (p: Page): Locator => p.getByTestId('price-chart').locator('[data-drawings]');
const listDrawings = async (): Promise<Drawing[]> => (await server.call('drawings.list', { symbol: 'XAUUSD' })).drawings;
/** Each drawing's points on screen, in the chart element's pixels. */
async function anchors(): Promise<Record<string, [number, number][]>> {
  return JSON.parse((await canvas(page).getAttribute('data-drawing-anchors')) ?? '{}') as Record<string, [number, number][]>;
}
async function canvasBox() {
  return (await canvas(page).boundingBox())!;
}
/** Clicks at a point given in the chart element's pixels. */
async function clickAt(x: number, y: number) {
  const box = await canvasBox();
  await page.mouse.click(box.x + x, box.y + y);
}

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  await server.call('import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD' });
  bars = (await server.call('bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 400 })).bars;
  browser = await launchChromium();
  page = await openAppPage(browser, server);
});

afterAll(() => closeApp({ page, browser, server }));

describe('drawings on the Markets chart', () => {
  let trend: Drawing;
  let first: { x: number; y: number };
  let second: { x: number; y: number };

  it('draws a trend line with two clicks, stored with the times and prices clicked', async () => {
    await page.getByTestId('instrument-XAUUSD').click();
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-bars')).not.toBe('0');
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('0');
    const box = await canvasBox();
    first = { x: Math.round(box.width * 0.35), y: Math.round(box.height * 0.45) };
    second = { x: Math.round(box.width * 0.6), y: Math.round(box.height * 0.3) };

    await page.getByTestId('draw-trendLine').click();
    expect(await page.getByTestId('draw-trendLine').getAttribute('aria-pressed')).toBe('true');
    await clickAt(first.x, first.y);
    await clickAt(second.x, second.y);

    await expect.poll(async () => (await listDrawings()).length).toBe(1);
    [trend] = (await listDrawings()) as [Drawing];
    expect(trend).toMatchObject({ symbol: 'XAUUSD', kind: 'trendLine', text: null, version: 0 });
    const [start, end] = trend.points as [Drawing['points'][0], Drawing['points'][0]];
    // Left to right in time, and rising (the second click was higher on screen).
    expect(end.time).toBeGreaterThan(start.time);
    expect(end.price).toBeGreaterThan(start.price);
    // Within the bars shown, among prices gold traded at.
    expect(start.time).toBeGreaterThan(bars[0]!.time);
    expect(end.price).toBeLessThan(Math.max(...bars.map((b) => b.high)) * 1.2);
    // The tool is put down after one drawing; the new one is selected, drawn where it was clicked.
    expect(await page.getByTestId('draw-trendLine').getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => canvas(page).getAttribute('data-selected-drawing')).toBe(trend.id);
    const drawn = (await anchors())[trend.id]!;
    expect(Math.abs(drawn[0]![0] - first.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(drawn[0]![1] - first.y)).toBeLessThanOrEqual(2);
    expect(Math.abs(drawn[1]![0] - second.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(drawn[1]![1] - second.y)).toBeLessThanOrEqual(2);
  });

  it('moves the line by dragging it: both points shift by the same bars and price, stored on release', async () => {
    const box = await canvasBox();
    const middle = { x: box.x + (first.x + second.x) / 2, y: box.y + (first.y + second.y) / 2 };
    await page.mouse.move(middle.x, middle.y);
    await page.mouse.down();
    // In steps, as a hand moves; the chart must not pan meanwhile.
    await page.mouse.move(middle.x + 60, middle.y + 40, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => (await listDrawings())[0]?.version).toBe(1);
    const [moved] = (await listDrawings()) as [Drawing];
    const [a, b] = moved.points as [Drawing['points'][0], Drawing['points'][0]];
    const [a0, b0] = trend.points as [Drawing['points'][0], Drawing['points'][0]];
    expect(moved.id).toBe(trend.id);
    expect(a.time).toBeGreaterThan(a0.time);
    expect(a.price).toBeLessThan(a0.price);
    expect(b.time).toBeGreaterThan(b0.time);
    expect(a.price - a0.price).toBeCloseTo(b.price - b0.price, 1);
    // Moved by bars on screen, so its shape is kept whatever weekends lie between: both ends went as far as the pointer.
    const drawn = (await anchors())[trend.id]!;
    for (const [index, start] of [first, second].entries()) {
      expect(Math.abs(drawn[index]![0] - (start.x + 60))).toBeLessThanOrEqual(3);
      expect(Math.abs(drawn[index]![1] - (start.y + 40))).toBeLessThanOrEqual(3);
    }
    trend = moved;
  });

  it('snaps a horizontal line to a bar\'s open, high, low or close while Shift is held, and Ctrl+Z takes it back', async () => {
    const box = await canvasBox();
    await page.getByTestId('draw-horizontalLine').click();
    await page.keyboard.down('Shift');
    await clickAt(Math.round(box.width * 0.5), Math.round(box.height * 0.2));
    await page.keyboard.up('Shift');
    await expect.poll(async () => (await listDrawings()).length).toBe(2);
    const line = (await listDrawings()).find((d) => d.kind === 'horizontalLine')!;
    const [point] = line.points;
    const bar = bars.find((b) => b.time === point!.time);
    expect(bar, 'the line snapped to a bar\'s open time').toBeDefined();
    expect([bar!.open, bar!.high, bar!.low, bar!.close]).toContain(point!.price);

    // The page learns of the line (and can undo it) when its create call answers, which on a loaded
    // machine can be after the server already lists it: wait until the chart has it selected.
    await expect.poll(() => canvas(page).getAttribute('data-selected-drawing')).toBe(line.id);
    await page.mouse.move(0, 0);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await listDrawings()).map((d) => d.id)).toEqual([trend.id]);
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('1');
  });

  it('keeps the trend line after a reload and shows it at the same times on the weekly chart', async () => {
    await page.reload();
    // A reloaded page starts over: the app, its instruments and the bars load first.
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-bars'), { timeout: 15_000 }).toBe(String(2000));
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('1');
    await expect.poll(async () => (await anchors())[trend.id]?.length).toBe(2);
    const daily = (await anchors())[trend.id]!;
    expect(Math.abs(daily[0]![0] - (first.x + 60))).toBeLessThanOrEqual(3);

    await page.getByTestId('tf-1w').click();
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-view')).toBe('XAUUSD|1w');
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('1');
    // A week is one bar here where it was five or so on the daily chart: the same span of time is about a fifth as wide.
    await expect.poll(async () => {
      const weekly = (await anchors())[trend.id];
      return weekly ? (weekly[1]![0] - weekly[0]![0]) / (daily[1]![0] - daily[0]![0]) : null;
    }).toBeGreaterThan(0.12);
    const weekly = (await anchors())[trend.id]!;
    expect((weekly[1]![0] - weekly[0]![0]) / (daily[1]![0] - daily[0]![0])).toBeLessThan(0.3);
    // Nothing was rewritten by looking at it on another timeframe.
    expect(await listDrawings()).toEqual([trend]);
  });

  it('writes a text note on the chart, and shows the drawings together (screenshot)', async () => {
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-view')).toBe('XAUUSD|1d');
    // A few more kinds, through the API, around the latest bars, for the picture.
    const recent = bars.slice(-120);
    const low = recent.reduce((a, b) => (b.low < a.low ? b : a));
    const high = recent.reduce((a, b) => (b.high > a.high ? b : a));
    const [from, to] = low.time < high.time ? [low, high] : [high, low];
    const fromPrice = from === low ? low.low : high.high;
    const toPrice = to === low ? low.low : high.high;
    await server.call('drawings.create', { symbol: 'XAUUSD', kind: 'fibRetracement', points: [{ time: from.time, price: fromPrice }, { time: to.time, price: toPrice }] });
    const boxStart = recent[recent.length - 40]!;
    const boxEnd = recent[recent.length - 15]!;
    await server.call('drawings.create', {
      symbol: 'XAUUSD',
      kind: 'rectangle',
      points: [{ time: boxStart.time, price: Math.max(boxStart.high, boxEnd.high) }, { time: boxEnd.time, price: Math.min(boxStart.low, boxEnd.low) }],
    });
    await server.call('drawings.create', { symbol: 'XAUUSD', kind: 'horizontalLine', points: [{ time: boxStart.time, price: Math.min(boxStart.low, boxEnd.low) }] });
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('4');

    const box = await canvasBox();
    await page.getByTestId('draw-text').click();
    await clickAt(Math.round(box.width * 0.12), Math.round(box.height * 0.15));
    await page.getByTestId('drawing-note-text').fill('Breakout watch');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await listDrawings()).find((d) => d.kind === 'text')?.text).toBe('Breakout watch');
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('5');
    await expect.poll(() => page.getByTestId('drawing-note-editor').count()).toBe(0);

    // Select the trend line so its handles show, with the pointer off the chart.
    const drawn = (await anchors())[trend.id]!;
    await clickAt((drawn[0]![0] + drawn[1]![0]) / 2, (drawn[0]![1] + drawn[1]![1]) / 2);
    await expect.poll(() => canvas(page).getAttribute('data-selected-drawing')).toBe(trend.id);
    await page.mouse.move(0, 0);
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(docsDir, 'drawings.png') });
  });

  it('deletes the selected trend line with the Delete key, for good', async () => {
    expect(await page.getByTestId('drawing-delete').isEnabled()).toBe(true);
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await listDrawings()).map((d) => d.id)).not.toContain(trend.id);
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('4');
    expect(await page.getByTestId('drawing-delete').isEnabled()).toBe(false);

    await page.reload();
    // A reloaded page starts over: the app, its instruments and the bars load first.
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-bars'), { timeout: 15_000 }).toBe(String(2000));
    await expect.poll(() => canvas(page).getAttribute('data-drawings')).toBe('4');
    expect(Object.keys(await anchors())).not.toContain(trend.id);
    expect((await listDrawings()).map((d) => d.kind).sort()).toEqual(['fibRetracement', 'horizontalLine', 'rectangle', 'text']);
  });
});
