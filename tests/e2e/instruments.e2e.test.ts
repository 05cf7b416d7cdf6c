/**
 * Your own instruments end to end, in real Chromium against the real `metalytics serve` whose
 * providers all point at the fake provider server: "Add instrument…" looks MSFT up at the
 * providers (Polygon has no key and says so), a chosen listing fills the form, the saved
 * instrument appears in the list, its empty chart fetches history from Yahoo, and deleting it
 * asks first with the number of bars that go with it. The add dialog's screenshot lands in
 * docs/add-instrument.png. Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { FakeProviderServer } from '../support/fake-provider-server';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

let browser: Browser;
let fake: FakeProviderServer;
let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  requireBuiltRenderer();
  fake = await FakeProviderServer.start({ now: Date.now() });
  server = await startServeProcess(undefined, {
    ...fake.environment('yahoo'),
    // No Polygon key: its lookup answers that it needs one, and it cannot be the history's source.
    METALYTICS_POLYGON_BASE_URL: fake.baseUrl('polygon'),
    ...fake.environment('twelvedata'),
    METALYTICS_METALSAPI_BASE_URL: fake.baseUrl('metalsapi'),
  });
  // Some stored bars, so Markets opens on the chart and its instrument list.
  await server.call('demo.load');
  browser = await launchChromium();
  page = await openAppPage(browser, server);
  await page.getByTestId('add-instrument').waitFor();
}, 120_000);

afterAll(() => closeApp({ page, browser, server, fake }));

describe('Your own instruments', () => {
  it('adds an instrument from a provider lookup, with problems shown beside their field', async () => {
    await page.getByTestId('add-instrument').click();
    const dialog = page.getByTestId('instrument-dialog');
    await dialog.waitFor();

    // Nothing entered: the contract's rule shows beside the symbol, and nothing is sent.
    await page.getByTestId('instrument-save').click();
    await expect.poll(() => page.getByTestId('instrument-symbol-error').textContent()).toBeTruthy();
    expect((await server.call('instruments.list')).instruments.some((i) => i.symbol === 'MSFT')).toBe(false);

    await page.getByTestId('lookup-query').fill('microsoft');
    await page.getByTestId('lookup-run').click();
    await page.getByTestId('candidate-yahoo-MSFT').waitFor();
    expect(await page.getByTestId('lookup-outcome-polygon').textContent()).toContain('needs an API key');
    expect(await page.getByTestId('lookup-outcome-twelvedata').textContent()).toContain('1 found');
    expect(fake.requestsTo('yahoo').map((r) => r.path)).toContain('/v1/finance/search');

    await page.getByTestId('candidate-yahoo-MSFT').click();
    expect(await page.getByTestId('instrument-symbol').inputValue()).toBe('MSFT');
    expect(await page.getByTestId('instrument-name').inputValue()).toBe('Microsoft Corporation');
    expect(await page.getByTestId('instrument-kind').inputValue()).toBe('stock');
    expect(await page.getByTestId('instrument-unit').inputValue()).toBe('USD per share');
    expect(await page.getByTestId('instrument-yahoo').inputValue()).toBe('MSFT');
    // Twelve Data's lookup found the same ticker, so its mapping is filled too.
    expect(await page.getByTestId('instrument-twelvedata').inputValue()).toBe('MSFT');
    expect(await page.getByTestId('instrument-symbol-error').count()).toBe(0);
    // The exchange's zone, for charts in exchange time; the core's own rule refuses one that does not exist.
    await page.getByTestId('instrument-exchangeTimeZone').fill('Nasdaq/Nowhere');
    await expect.poll(() => page.getByTestId('instrument-exchangeTimeZone-error').textContent()).toBe('“Nasdaq/Nowhere” is not a time zone; use an IANA name such as America/New_York or Europe/London.');
    await page.getByTestId('instrument-exchangeTimeZone').fill('America/New_York');
    await dialog.screenshot({ path: path.join(docsDir, 'add-instrument.png') });

    await page.getByTestId('instrument-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('instrument-MSFT').waitFor();
    expect(await page.getByTestId('chart-title').textContent()).toContain('Microsoft Corporation');
    const saved = (await server.call('instruments.list')).instruments.find((i) => i.symbol === 'MSFT');
    expect(saved).toEqual({
      symbol: 'MSFT',
      name: 'Microsoft Corporation',
      kind: 'stock',
      unit: 'USD per share',
      currency: 'USD',
      providerSymbols: { yahoo: 'MSFT', twelvedata: 'MSFT' },
      exchangeTimeZone: 'America/New_York',
    });
  });

  it('fetches the empty chart\'s history from the provider that carries it and draws it', async () => {
    const fetchButton = page.getByTestId('fetch-history');
    await fetchButton.waitFor();
    expect(await fetchButton.textContent()).toBe('Fetch history from Yahoo Finance');
    await fetchButton.click();

    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-bars')), { timeout: 30_000 }).toBeGreaterThan(100);
    const chartRequests = fake.requestsTo('yahoo').filter((r) => r.path === '/v8/finance/chart/MSFT');
    expect(chartRequests.length).toBeGreaterThan(0);
    expect(chartRequests.every((r) => r.query.get('interval') === '1d')).toBe(true);
    const { coverage } = await server.call('bars.coverage', { symbol: 'MSFT' });
    expect(coverage).toEqual([expect.objectContaining({ symbol: 'MSFT', timeframe: '1d', source: 'yahoo' })]);
    // The list learns of the new bars when its coverage is read again after the fetch.
    await expect.poll(() => page.getByTestId('instrument-MSFT').getAttribute('data-has-data')).toBe('true');
  });

  it('deletes the instrument only after saying how many bars go with it', async () => {
    const { coverage } = await server.call('bars.coverage', { symbol: 'MSFT' });
    const bars = coverage.reduce((sum, entry) => sum + entry.count, 0);

    const row = page.getByTestId('instrument-MSFT');
    await row.hover();
    await page.getByTestId('instrument-actions-MSFT').click();
    await page.getByTestId('instrument-delete-MSFT').click();
    const dialog = page.getByTestId('delete-instrument-dialog');
    await dialog.waitFor();
    await page.getByTestId('delete-instrument-confirm').click();

    // The core refused: the bars would go too. The dialog says how many and asks again.
    const warning = page.getByTestId('delete-instrument-bars');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(`${bars.toLocaleString('en-US')} stored bars`);
    expect((await server.call('instruments.list')).instruments.some((i) => i.symbol === 'MSFT')).toBe(true);

    await page.getByTestId('delete-instrument-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    expect((await server.call('instruments.list')).instruments.some((i) => i.symbol === 'MSFT')).toBe(false);
    // Its bars went with it (bars.coverage now refuses the unknown symbol, so the whole list is read).
    expect((await server.call('bars.coverage')).coverage.filter((entry) => entry.symbol === 'MSFT')).toEqual([]);
  });
});
