/**
 * The import dialog in real Chromium against the real `metalytics serve`, fixing what
 * detection cannot know: a date order no row decides, columns in an unusual order in a file
 * without a header, a header in another language whose columns detection cannot name, a
 * volume column that is not one, and rows whose high and low do not enclose their close. The files are
 * written here, so what they hold is known without the product's importer.
 * Requires `npm run build` first (npm test does it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/shared/domain';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

/** Days 2–12 of January to June 2024: no day above 12, so day-first and month-first both read every row. */
function dayFirstRows(): Bar[] {
  const rows: Bar[] = [];
  for (let month = 0; month < 6; month++) {
    for (let day = 2; day <= 12; day++) {
      const i = rows.length;
      const open = 23 + i * 0.05;
      rows.push({ time: Date.UTC(2024, month, day), open, high: open + 0.4, low: open - 0.3, close: open + 0.1, volume: 1000 + i });
    }
  }
  return rows;
}

function dailyRows(count: number, start: number, base: number): Bar[] {
  return Array.from({ length: count }, (_, i) => {
    const open = base + i * 3;
    return { time: start + i * DAY, open, high: open + 12, low: open - 9, close: open + 5, volume: 200 + i };
  });
}

let browser: Browser;
let fixtures: string;

beforeAll(async () => {
  requireBuiltRenderer();
  browser = await launchChromium();
  fixtures = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-import-mapping-'));
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(fixtures, { recursive: true, force: true });
});

function writeFixture(name: string, lines: string[]): string {
  const file = path.join(fixtures, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('Import mapping in the browser against metalytics serve', () => {
  let server: ServeProcess;
  let page: Page;

  beforeAll(async () => {
    server = await startServeProcess();
    page = await openAppPage(browser, server);
  });

  afterAll(() => closeApp({ page, server }));

  /** `shown` is what the dialog shows once it has read the file: the preview, or the file's rows when it could not read them. */
  async function openImport(file: string, symbol: string, shown = 'import-preview-result') {
    const opener = page.getByTestId('empty-import').or(page.getByTestId('open-import'));
    await opener.click();
    await page.getByTestId('import-dialog').waitFor();
    await page.getByTestId('import-symbol').selectOption(symbol);
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId(shown).waitFor();
  }

  async function closeSummary() {
    await page.getByTestId('import-done').click();
    // Off the chart, so the legend shows the last bar and not the one under the pointer.
    await page.mouse.move(0, 0);
  }

  /** The time of the earliest bar the preview shows, as the dialog prints it. */
  const firstSampleTime = () => page.locator('[data-testid="import-sample"] tbody tr:first-child td:first-child').textContent();
  const firstSampleCells = async () => page.locator('[data-testid="import-sample"] tbody tr:first-child td').allTextContents();

  it('asks whether day or month comes first, and imports the day-first dates once told', async () => {
    const rows = dayFirstRows();
    const file = writeFixture('silver-day-first.csv', [
      'Date,Open,High,Low,Close,Volume',
      ...rows.map((r) => {
        const d = new Date(r.time);
        return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()},${r.open},${r.high},${r.low},${r.close},${r.volume}`;
      }),
    ]);
    await openImport(file, 'XAGUSD');

    const question = page.getByTestId('import-question-dateFormat');
    await question.waitFor();
    expect(await question.textContent()).toContain('"MM/DD/YYYY" or "DD/MM/YYYY"');
    expect(await page.getByTestId('import-date-format').inputValue()).toBe('');
    expect(await page.getByTestId('import-date-format').getAttribute('aria-describedby')).toBe('import-question-dateFormat');
    // Read month-first, "02/01/2024" is the first of February; nothing may be imported that way unasked.
    expect(await firstSampleTime()).toBe('2024-02-01');
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);
    await page.getByTestId('import-mapping').screenshot({ path: path.join(docsDir, 'import-mapping.png') });

    // A slow reply for an earlier choice must not overwrite the newer one: month-first is held back until day-first has answered.
    let releaseMonthFirst!: () => void;
    const monthFirstHeld = new Promise<void>((seen) => {
      void page.route('**/api/import.preview', async (route) => {
        if (route.request().postData()?.includes('"dateFormat":"MM/DD/YYYY"')) {
          seen();
          await new Promise<void>((release) => (releaseMonthFirst = release));
        }
        await route.continue();
      });
    });
    await page.getByTestId('import-date-format').selectOption('MM/DD/YYYY');
    await monthFirstHeld;
    await page.getByTestId('import-date-format').selectOption('DD/MM/YYYY');
    await expect.poll(firstSampleTime).toBe(isoDay(rows[0]!.time));
    const staleReply = page.waitForResponse((response) => response.request().postData()?.includes('"dateFormat":"MM/DD/YYYY"') ?? false);
    releaseMonthFirst();
    await staleReply;
    await page.unroute('**/api/import.preview');
    expect(await firstSampleTime()).toBe(isoDay(rows[0]!.time));
    expect(await page.getByTestId('import-date-format').inputValue()).toBe('DD/MM/YYYY');
    await question.waitFor({ state: 'detached' });
    expect(await page.getByTestId('import-range').textContent()).toBe(`${isoDay(rows[0]!.time)} → ${isoDay(rows.at(-1)!.time)}`);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('import-inserted').textContent()).toBe(String(rows.length));
    await closeSummary();

    const coverage = (await server.call('bars.coverage', { symbol: 'XAGUSD' })).coverage;
    expect(coverage).toEqual([expect.objectContaining({ timeframe: '1d', first: rows[0]!.time, last: rows.at(-1)!.time, count: rows.length })]);
    // Month-first, the last bar would be 6 December, another row of the file.
    await expect.poll(() => page.getByTestId('legend-close').textContent(), { timeout: 15_000 }).toBe(price(rows.at(-1)!.close));
  }, 60_000);

  it('reads a header-less file with its columns in another order once the column pickers say which is which', async () => {
    const rows = dailyRows(30, Date.UTC(2024, 2, 1), 950);
    // Date, close, open, high, low, volume: the position rule takes the four prices as open, high, low, close.
    const file = writeFixture('platinum-close-first.csv', rows.map((r) => `${isoDay(r.time)},${r.close},${r.open},${r.high},${r.low},${r.volume}`));
    await openImport(file, 'XPTUSD');

    expect(await page.getByTestId('import-has-header').isChecked()).toBe(false);
    expect(await page.getByTestId('import-column-open').inputValue()).toBe('1');
    // Read in the wrong order, a high (the true low) lies below the close (the true open) in every row.
    await page.getByTestId('import-bad-ohlc').waitFor();
    expect(await page.getByTestId('import-bad-ohlc-message').textContent()).toContain(`${rows.length} rows (100.0%)`);

    await page.getByTestId('import-column-open').selectOption('2');
    await page.getByTestId('import-column-high').selectOption('3');
    await page.getByTestId('import-column-low').selectOption('4');
    await page.getByTestId('import-column-close').selectOption('1');
    const first = rows[0]!;
    await expect
      .poll(firstSampleCells)
      .toEqual([isoDay(first.time), price(first.open), price(first.high), price(first.low), price(first.close), String(first.volume)]);
    expect(await page.getByTestId('import-bad-ohlc').count()).toBe(0);
    expect(await page.getByTestId('import-errors').count()).toBe(0);

    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('import-inserted').textContent()).toBe(String(rows.length));
    expect(await page.getByTestId('import-rejected').textContent()).toBe('0');
    await closeSummary();

    const last = rows.at(-1)!;
    await expect.poll(() => page.getByTestId('legend-close').textContent(), { timeout: 15_000 }).toBe(price(last.close));
    expect(await page.getByTestId('legend-open').textContent()).toBe(price(last.open));
    expect(await page.getByTestId('legend-high').textContent()).toBe(price(last.high));
  }, 60_000);

  it('offers the columns of a German file it cannot read, and imports it once they are mapped by hand', async () => {
    const rows = dailyRows(20, Date.UTC(2024, 0, 15), 1010);
    const german = (value: number) => String(value).replace('.', ',');
    const file = writeFixture('palladium-kurse.csv', [
      'Datum;Eröffnung;Hoch;Tief;Schluss;Umsatz',
      ...rows.map((r) => {
        const d = new Date(r.time);
        return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()};${german(r.open + 0.5)};${german(r.high + 0.5)};${german(r.low + 0.5)};${german(r.close + 0.5)};${r.volume}`;
      }),
    ]);
    await openImport(file, 'XPDUSD', 'import-file-rows');

    expect(await page.getByTestId('import-error').textContent()).toContain('Could not find a close or price column');
    expect(await page.locator('[data-testid="import-file-rows"] thead th').allTextContents()).toEqual([
      '1: Datum',
      '2: Eröffnung',
      '3: Hoch',
      '4: Tief',
      '5: Schluss',
      '6: Umsatz',
    ]);
    expect(await page.locator('[data-testid="import-file-rows"] tbody tr:first-child td').allTextContents()).toEqual([
      '15.01.2024',
      '1010,5',
      '1022,5',
      '1001,5',
      '1015,5',
      '200',
    ]);
    // Nothing is chosen for the user: the controls wait for the columns and the date format.
    expect(await page.getByTestId('import-delimiter').inputValue()).toBe(';');
    expect(await page.getByTestId('import-column-time').inputValue()).toBe('');
    expect(await page.getByTestId('import-column-close').inputValue()).toBe('');
    expect(await page.getByTestId('import-date-format').inputValue()).toBe('');
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);

    await page.getByTestId('import-column-time').selectOption('0');
    await page.getByTestId('import-date-format').selectOption('DD.MM.YYYY');
    await page.getByTestId('import-column-close').selectOption('4');
    await page.getByTestId('import-column-open').selectOption('1');
    await page.getByTestId('import-column-high').selectOption('2');
    await page.getByTestId('import-column-low').selectOption('3');
    await page.getByTestId('import-column-volume').selectOption('5');
    const first = rows[0]!;
    await expect
      .poll(firstSampleCells)
      .toEqual([isoDay(first.time), price(first.open + 0.5), price(first.high + 0.5), price(first.low + 0.5), price(first.close + 0.5), String(first.volume)]);
    expect(await page.getByTestId('import-error').count()).toBe(0);
    expect(await page.getByTestId('import-file-rows').count()).toBe(0);
    expect(await page.getByTestId('import-range').textContent()).toBe(`${isoDay(first.time)} → ${isoDay(rows.at(-1)!.time)}`);

    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('import-inserted').textContent()).toBe(String(rows.length));
    expect(await page.getByTestId('import-rejected').textContent()).toBe('0');
    await closeSummary();
    const coverage = (await server.call('bars.coverage', { symbol: 'XPDUSD' })).coverage;
    expect(coverage).toEqual([expect.objectContaining({ timeframe: '1d', first: first.time, last: rows.at(-1)!.time, count: rows.length })]);
  }, 60_000);

  it('imports without a volume column detection took, once it is set to "not in the file"', async () => {
    const rows = dailyRows(15, Date.UTC(2024, 1, 5), 1900);
    // The last column counts trades, not volume, but its header says otherwise.
    const file = writeFixture('gold-trades.csv', ['Date,Open,High,Low,Close,Volume', ...rows.map((r, i) => `${isoDay(r.time)},${r.open},${r.high},${r.low},${r.close},${7 + i}`)]);
    await openImport(file, 'XAUUSD');

    expect(await page.getByTestId('import-column-volume').inputValue()).toBe('5');
    expect((await firstSampleCells()).at(-1)).toBe('7');
    await page.getByTestId('import-column-volume').selectOption({ label: 'not in the file' });
    await expect.poll(async () => (await firstSampleCells()).at(-1)).toBe('0');
    expect(await page.getByTestId('import-column-volume').inputValue()).toBe('');
    expect(await page.getByTestId('import-column-close').inputValue()).toBe('4');

    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('import-inserted').textContent()).toBe(String(rows.length));
    await closeSummary();
    const { bars } = await server.call('bars.query', { symbol: 'XAUUSD', timeframe: '1d', from: rows[0]!.time, to: rows.at(-1)!.time + DAY });
    expect(bars).toHaveLength(rows.length);
    expect(bars.map((bar) => bar.volume)).toEqual(rows.map(() => 0));
    expect(bars[0]).toMatchObject({ open: rows[0]!.open, close: rows[0]!.close });
  }, 60_000);

  it('imports rows with a close above the high widened, and says how many it repaired', async () => {
    const start = Date.UTC(2024, 4, 6);
    const rows: Bar[] = Array.from({ length: 48 }, (_, i) => {
      const open = 61_000 + i * 20;
      return { time: start + i * HOUR, open, high: open + 80, low: open - 60, close: open + 30, volume: 12 + i };
    });
    const broken = new Set([5, 17, 18, 30, 41]);
    const file = writeFixture('btc-close-above-high.csv', [
      'timestamp,open,high,low,close,volume',
      // A close above its high: the kind of row some exporters write when they round high and close apart.
      ...rows.map((r, i) => `${r.time},${r.open},${r.high},${r.low},${broken.has(i) ? r.high + 15 : r.close},${r.volume}`),
    ]);
    await openImport(file, 'BTCUSD');

    await page.getByTestId('import-bad-ohlc').waitFor();
    expect(await page.getByTestId('import-bad-ohlc-message').textContent()).toBe(
      `${broken.size} rows (${((broken.size / rows.length) * 100).toFixed(1)}%) have a close outside high–low. Import them with high and low widened?`,
    );
    expect(await page.getByTestId('import-bad-ohlc-reject').isChecked()).toBe(true);
    expect(await page.getByTestId('import-row-counts').textContent()).toContain(`${rows.length - broken.size} valid, ${broken.size} rejected`);

    await page.getByTestId('import-bad-ohlc-widen').check();
    await expect.poll(() => page.getByTestId('import-row-counts').textContent()).toContain(`${rows.length} valid, 0 rejected`);
    expect(await page.getByTestId('import-repairs').textContent()).toContain(`${broken.size} rows will be stored with high and low widened`);
    expect(await page.getByTestId('import-submit').textContent()).toBe(`Import ${rows.length} rows`);

    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('import-inserted').textContent()).toBe(String(rows.length));
    expect(await page.getByTestId('import-repaired').textContent()).toBe(String(broken.size));
    expect(await page.getByTestId('import-repairs').textContent()).toContain(`${broken.size} rows were stored with high and low widened`);
    await page.getByTestId('import-done').click();

    const coverage = (await server.call('bars.coverage', { symbol: 'BTCUSD' })).coverage;
    expect(coverage).toEqual([expect.objectContaining({ timeframe: '1h', count: rows.length })]);
  }, 60_000);
});
