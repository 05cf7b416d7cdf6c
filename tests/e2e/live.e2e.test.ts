/**
 * Live bars end to end: a scheduled backfill job of the real `metalytics serve` fetches new
 * minute bars from the fake Polygon server on loopback, the core pushes them as
 * `bars.appended`, and the Markets chart in real Chromium draws them in place without asking
 * the server for bars again. Requires `npm run build` first (npm test does it).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { barsAndBarReads, watchBarsAndBarReads } from '../support/page-probes';
import { FakeProviderServer } from '../support/fake-provider-server';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const MINUTE = 60_000;

let browser: Browser;
let fake: FakeProviderServer;
let server: ServeProcess;
let page: Page;

const chart = () => page.getByTestId('price-chart');
const barsHeld = async () => Number(await chart().getAttribute('data-bars'));
/** Two decimals with grouping, as the legend writes gold prices. */
const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

/** Runs a backfill job of gold's minute bars up to the fake provider's clock, as a schedule would. */
async function fetchNewMinuteBars(name: string): Promise<void> {
  const job = await server.call('jobs.create', { name, kind: 'backfill', provider: 'polygon', symbols: ['XAUUSD'], timeframe: '1m', schedule: null });
  const { jobId } = await server.call('jobs.runNow', { id: job.id });
  await waitForRun(jobId);
}

/** Settles when the job run has ended; fails with its error unless it succeeded. */
async function waitForRun(jobId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const run = (await server.call('jobs.runs', { limit: 20 })).runs.find((r) => r.id === jobId);
    if (run && run.status !== 'running') {
      if (run.status !== 'succeeded') throw new Error(`${run.description} ${run.status}: ${run.error}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job run ${jobId} did not end within 30 s`);
}

beforeAll(async () => {
  requireBuiltRenderer();
  // The provider's clock lags ours by 25 minutes, so the newest bars are still to come: ten for
  // the first test, fifteen for the second.
  fake = await FakeProviderServer.start({ now: Date.now() - 25 * MINUTE });
  server = await startServeProcess(undefined, {
    ...fake.environment('polygon'),
  });
  const { jobId } = await server.call('backfill.start', { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1m', from: Date.now() - 3 * 60 * MINUTE });
  await waitForRun(jobId);
  await server.call('settings.update', { chart: { symbol: 'XAUUSD', timeframe: '1m' } });
  browser = await launchChromium();
  page = await openAppPage(browser, server);
}, 120_000);

afterAll(() => closeApp({ page, browser, server, fake }));

describe('Live bars in the Markets chart', () => {
  it('draws the bars a scheduled job fetched through the live update path, without re-reading the chart', async () => {
    await expect.poll(barsHeld).toBeGreaterThan(150);
    const before = await barsHeld();
    const barReads: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/(bars|indicators)\.query$/.test(request.url())) barReads.push(request.url());
    });

    fake.state.now = Date.now() - 15 * MINUTE;
    await fetchNewMinuteBars('Gold minute bars');

    await expect.poll(barsHeld).toBeGreaterThanOrEqual(before + 9);
    expect(await chart().getAttribute('data-last-change')).toBe('tail');
    expect(barReads).toEqual([]);
    const stored = await server.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m', limit: 1 });
    // The legend is React's, rendered after the chart's frame: on a loaded machine it follows a little later.
    await expect.poll(() => page.getByTestId('legend-time').textContent()).toContain(new Date(stored.bars[0]!.time).toISOString().slice(11, 16));
  });

  it('folds minute bars into a 5-minute chart with an indicator before asking the core, then takes its values', async () => {
    await page.getByTestId('tf-5m').click();
    await page.getByTestId('indicators-button').click();
    await page.getByTestId('indicator-add-sma').click();
    await page.getByTestId('indicator-chip-sma-20').waitFor();
    await page.keyboard.press('Escape');
    // The legend shows the last bar while the pointer is off the chart.
    await page.mouse.move(0, 0);
    await expect.poll(barsHeld).toBeGreaterThan(30);
    const before = await barsHeld();
    await page.evaluate(watchBarsAndBarReads, before + 2);

    fake.state.now = Date.now();
    await fetchNewMinuteBars('Gold minute bars, later');
    await expect.poll(barsHeld).toBeGreaterThanOrEqual(before + 2);
    expect(await chart().getAttribute('data-last-change')).toBe('tail');

    // The core's answer for the newest bar; the page's own values give way to it after the pause.
    const stored = await server.call('indicators.query', { symbol: 'XAUUSD', timeframe: '5m', limit: 1, indicators: [{ kind: 'sma', params: { period: 20 } }] });
    const sma = (stored.indicators[0]!.outputs as { value: number[] }).value[0]!;
    await expect.poll(() => page.getByTestId('legend-sma-20-value').textContent()).toBe(price(sma));
    expect(await page.getByTestId('legend-close').textContent()).toBe(price(stored.bars[0]!.close));

    // Drawn first, from the pushed bars; then one read for the whole burst.
    await expect.poll(async () => (await page.evaluate(barsAndBarReads)).reads.length).toBe(1);
    const { barsReachedAt, reads } = await page.evaluate(barsAndBarReads);
    expect(barsReachedAt).not.toBeNull();
    expect(reads[0]!).toBeGreaterThan(barsReachedAt!);
  });
});
