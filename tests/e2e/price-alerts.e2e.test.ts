/**
 * Price alerts in real Chromium against the real `metalytics serve`: one placed on the Markets
 * chart at a price, its line dragged to a new level, a bar imported that crosses it, and the
 * firing in the app's alert list. Screenshot: docs/price-alerts.png.
 * Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceAlert } from '../../src/shared/price-alerts';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const DAY = 86_400_000;

let browser: Browser;
let server: ServeProcess;
let page: Page;

const chartCanvas = (p: Page) => p.getByTestId('price-chart').locator('[data-alert-lines]');
const listAlerts = async (): Promise<PriceAlert[]> => (await server.call('priceAlerts.list', { symbol: 'XAUUSD' })).priceAlerts;
const levelOf = (alert: PriceAlert | undefined) => (alert?.condition.kind === 'crossAbove' ? alert.condition.price : null);

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  await server.call('import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD' });
  browser = await launchChromium();
  page = await openAppPage(browser, server);
});

afterAll(() => closeApp({ page, browser, server }));

describe('price alerts in the browser', () => {
  let lastClose: number;
  let lastTime: number;

  it('places an alert on the chart at a price above the last close, drawn as a line', async () => {
    const [last] = (await server.call('bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 1 })).bars;
    lastClose = last!.close;
    lastTime = last!.time;
    await page.getByTestId(`instrument-XAUUSD`).click();
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-bars')).not.toBe('0');
    await expect.poll(() => page.getByTestId('price-alerts').textContent()).toContain('No price alerts for XAUUSD');

    const box = (await page.getByTestId('price-chart').boundingBox())!;
    await page.getByTestId('alert-at-price').click();
    expect(await page.getByTestId('alert-at-price').getAttribute('aria-pressed')).toBe('true');
    // In the price pane's top margin, above every bar in view and so above the last close; right of the legend.
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.03);

    await expect.poll(async () => (await listAlerts()).length).toBe(1);
    const [created] = await listAlerts();
    expect(created).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d', state: 'armed', beyond: false, condition: { kind: 'crossAbove' } });
    expect(levelOf(created)).toBeGreaterThan(lastClose);
    await expect.poll(() => chartCanvas(page).getAttribute('data-alert-lines')).toBe('1');
    expect(await page.getByTestId('alert-at-price').getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => page.getByTestId(`price-alert-${created!.id}`).textContent()).toMatch(/^XAUUSD crosses above [\d,.]+ \(1d\)armed/);
  });

  it('drags the line to a lower level, which is stored on release', async () => {
    const [before] = await listAlerts();
    const box = (await page.getByTestId('price-chart').boundingBox())!;
    const x = box.x + box.width * 0.6;
    const y = box.y + box.height * 0.03;
    await page.mouse.move(x, y);
    await page.mouse.down();
    // In steps, as a hand moves: each move follows coordinateToPrice.
    await page.mouse.move(x, y + 12, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => levelOf((await listAlerts())[0])).toBeLessThan(levelOf(before)!);
    const [after] = await listAlerts();
    // Only the level moved: the alert is the same one, still watching for a rise above the last close.
    expect(after).toMatchObject({ id: before!.id, condition: { kind: 'crossAbove' }, state: 'armed', beyond: false });
    expect(levelOf(after)).toBeGreaterThan(lastClose);
    // Off the chart, so the legend shows the last bar and no crosshair crosses the picture.
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'price-alerts.png') });
  });

  it('fires when an imported bar crosses the level, and shows in the alert list', async () => {
    const [alert] = await listAlerts();
    const level = levelOf(alert)!;
    const day = new Date(lastTime + DAY).toISOString().slice(0, 10);
    const close = Math.round((level + 15) * 100) / 100;
    await server.call('import.csv', {
      source: { kind: 'text', fileName: 'next-day.csv', text: `time,open,high,low,close\n${day},${lastClose},${close + 1},${lastClose - 1},${close}\n` },
      symbol: 'XAUUSD',
      timeframe: '1d',
    });
    await expect.poll(() => page.getByTestId('status-alerts').textContent(), { timeout: 20_000 }).toBe('1 alert');
    await expect.poll(() => page.getByTestId(`price-alert-${alert!.id}`).getAttribute('data-state')).toBe('fired');

    await page.getByTestId('status-alerts').click();
    const row = page.locator('[data-testid="alerts-table"] tbody tr').first();
    const levelText = level.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    await expect.poll(() => row.textContent()).toContain(`XAUUSD crossed above ${levelText} (close`);
    expect(await row.textContent()).toContain(`at ${day} 00:00 UTC)`);
    expect(await row.textContent()).toContain('price alert');
    const { alerts } = await server.call('alerts.list', {});
    expect(alerts.map((a) => a.source)).toEqual([`priceAlert:${alert!.id}`]);
  });
});
