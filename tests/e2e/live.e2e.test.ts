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
import { FakeProviderServer } from '../support/fake-provider-server';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const MINUTE = 60_000;

let browser: Browser;
let fake: FakeProviderServer;
let server: ServeProcess;
let page: Page;

const chart = () => page.getByTestId('price-chart');
const barsHeld = async () => Number(await chart().getAttribute('data-bars'));

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
  // The provider's clock lags ours by ten minutes, so the newest ten bars are still to come.
  fake = await FakeProviderServer.start({ now: Date.now() - 10 * MINUTE });
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

    fake.state.now = Date.now();
    const job = await server.call('jobs.create', {
      name: 'Gold minute bars',
      kind: 'backfill',
      provider: 'polygon',
      symbols: ['XAUUSD'],
      timeframe: '1m',
      schedule: null,
    });
    const { jobId } = await server.call('jobs.runNow', { id: job.id });
    await waitForRun(jobId);

    await expect.poll(barsHeld).toBeGreaterThanOrEqual(before + 9);
    expect(await chart().getAttribute('data-last-change')).toBe('tail');
    expect(barReads).toEqual([]);
    const stored = await server.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m', limit: 1 });
    const legendTime = await page.getByTestId('legend-time').textContent();
    expect(legendTime).toContain(new Date(stored.bars[0]!.time).toISOString().slice(11, 16));
  });
});
