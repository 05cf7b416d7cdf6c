/**
 * The built renderer in real Chromium against the real `metalytics serve`, used as a trader
 * would: first start, CSV import with preview, candles, timeframe switch, demo data.
 * Screenshots land in docs/. Requires `npm run build` first (npm test does it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const XAU_FILE = realDataPath('xauusd-1d-mt4.csv');

/** The file's rows read independently of the product's importer. */
function xauRows() {
  return fs
    .readFileSync(XAU_FILE, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [stamp, open, high, low, close] = line.split(';');
      const [y, m, d] = stamp!.slice(0, 10).split('.').map(Number);
      return { time: Date.UTC(y!, m! - 1, d!), open: Number(open), high: Number(high), low: Number(low), close: Number(close) };
    });
}

const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

let browser: Browser;

beforeAll(async () => {
  requireBuiltRenderer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('Markets in the browser against metalytics serve', () => {
  let server: ServeProcess;
  let page: Page;

  beforeAll(async () => {
    server = await startServeProcess();
    page = await openAppPage(browser, server);
  });

  afterAll(() => closeApp({ page, server }));

  it('offers import and demo data on first start', async () => {
    await page.getByTestId('empty-state').waitFor();
    await expect.poll(() => page.getByTestId('status-db').textContent()).toMatch(/SQLite/);
    expect(await page.getByTestId('load-demo').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(docsDir, 'first-start.png') });
  });

  it('previews and imports the MetaTrader export, reporting every row', async () => {
    await page.getByTestId('empty-import').click();
    await page.getByTestId('import-dialog').waitFor();
    await page.getByTestId('import-file').setInputFiles(XAU_FILE);
    await page.getByTestId('import-symbol').selectOption('XAUUSD');
    await page.getByTestId('import-preview-result').waitFor();
    expect(await page.getByTestId('import-delimiter').inputValue()).toBe(';');
    expect(await page.getByTestId('import-date-format').inputValue()).toBe('YYYY.MM.DD HH:mm');
    expect(await page.getByTestId('import-detected-timeframe').textContent()).toContain('1d');
    await page.screenshot({ path: path.join(docsDir, 'import-preview.png') });

    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-summary').waitFor();
    const rows = xauRows().length;
    expect(await page.getByTestId('import-inserted').textContent()).toContain(new Intl.NumberFormat('en-US').format(rows));
    expect(await page.getByTestId('import-rejected').textContent()).toContain('0');
    await page.getByTestId('import-done').click();
  });

  it('draws the daily candles with the last bar in the legend', async () => {
    const last = xauRows().at(-1)!;
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('legend-close').textContent(), { timeout: 15_000 }).toBe(price(last.close));
    expect(await page.getByTestId('legend-open').textContent()).toBe(price(last.open));
    expect(await page.locator('[data-testid="price-chart"] canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(docsDir, 'markets.png') });
  });

  it('switches to weekly candles aggregated from the daily rows', async () => {
    const rows = xauRows();
    const last = rows.at(-1)!;
    // Monday 00:00 UTC of the last bar's week, computed here without the product's code.
    const weekday = (new Date(last.time).getUTCDay() + 6) % 7;
    const monday = last.time - weekday * 86_400_000;
    const week = rows.filter((r) => r.time >= monday);
    await page.getByTestId('tf-1w').click();
    await expect.poll(() => page.getByTestId('legend-open').textContent(), { timeout: 15_000 }).toBe(price(week[0]!.open));
    expect(await page.getByTestId('legend-high').textContent()).toBe(price(Math.max(...week.map((r) => r.high))));
    expect(await page.getByTestId('legend-low').textContent()).toBe(price(Math.min(...week.map((r) => r.low))));
    expect(await page.getByTestId('legend-close').textContent()).toBe(price(last.close));
    await page.screenshot({ path: path.join(docsDir, 'markets-weekly.png') });
  });

  it('switches timeframe from the keyboard', async () => {
    const rows = xauRows();
    const last = rows.at(-1)!;
    const monthStart = Date.UTC(new Date(last.time).getUTCFullYear(), new Date(last.time).getUTCMonth(), 1);
    const month = rows.filter((r) => r.time >= monthStart);
    // Off the chart, so the legend shows the last bar rather than a hovered one.
    await page.mouse.move(0, 0);
    await page.keyboard.press('9');
    await expect.poll(() => page.getByTestId('legend-open').textContent(), { timeout: 15_000 }).toBe(price(month[0]!.open));
  });
});

describe('Demo data in the browser', () => {
  it('loads synthetic prices that are labelled as such', async () => {
    const server = await startServeProcess();
    const page = await openAppPage(browser, server);
    try {
      await page.getByTestId('load-demo').click();
      await expect.poll(() => page.getByTestId('chart-title').textContent(), { timeout: 30_000 }).toMatch(/Demo.*synthetic/i);
      expect(await page.getByTestId('legend-close').textContent()).toMatch(/^[\d,]+\.\d{2}$/);
      await page.screenshot({ path: path.join(docsDir, 'demo-data.png') });
    } finally {
      await page.context().close();
      await server.stop();
    }
  });
});
