/**
 * A team desktop whose Postgres server stops, in real Chromium against the real `metalytics
 * serve`: the status bar says it works from the local cache and how many changes wait, the
 * chart keeps its bars, and once the server is back it says when it last synced. Requires
 * `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { useTestPostgres } from '../support/postgres';
import { realDataPath } from '../support/real-data';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { dailyBarsCsv, waitFor } from '../support/team-offline';

const postgres = useTestPostgres();
let browser: Browser;
let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess(undefined, { METALYTICS_DATABASE_URL: await postgres.createDatabaseUrl() });
  await server.call('settings.update', { cache: { scope: { watchlist: true, defaultTimeframes: ['1d'], defaultDays: null, instruments: {} } } });
  await server.call('import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD', timeframe: '1d' });
  const imported = Date.now();
  await waitFor('the cache to take in the import', async () => ((await server.call('system.status')).sync.lastSync?.at ?? 0) > imported, 60_000);
  browser = await launchChromium();
  page = await openAppPage(browser, server);
}, 180_000);

afterAll(() => closeApp({ page, browser, server }));

describe('The status bar of a team desktop', () => {
  it('says when it last synced while the team database answers', async () => {
    await expect.poll(() => page.getByTestId('status-sync').textContent()).toMatch(/^Team database · synced \d\d:\d\d$/);
  });

  it('says it works from the local cache, since when and what waits to be sent, while the server is stopped', async () => {
    await page.getByTestId('tf-1d').click();
    await page.getByTestId('legend-close').waitFor();
    const close = await page.getByTestId('legend-close').textContent();
    await postgres.pause();
    await page.getByTestId('status-sync').and(page.locator('[data-state="offline"]')).waitFor({ timeout: 30_000 });
    await server.call('import.csv', { source: { kind: 'text', fileName: 'silver.csv', text: dailyBarsCsv(Date.UTC(2024, 0, 1), 30, 24) }, symbol: 'XAGUSD', timeframe: '1d' });
    await expect
      .poll(() => page.getByTestId('status-sync').textContent(), { timeout: 20_000 })
      .toMatch(/^offline — working from the local cache since \d\d:\d\d, [1-9][\d,]* changes? to send$/);
    // The chart reads the cache now, with the same last bar.
    await page.getByTestId('tf-1w').click();
    await page.getByTestId('tf-1d').click();
    await expect.poll(() => page.getByTestId('legend-close').textContent()).toBe(close);
    await page.screenshot({ path: path.join(docsDir, 'offline.png') });
  });

  it('is back on the team database with nothing to send once the server runs again', async () => {
    await postgres.resume();
    await page.getByTestId('status-sync').and(page.locator('[data-state="online"]')).waitFor({ timeout: 60_000 });
    expect((await server.call('system.status')).sync.pendingChanges).toBe(0);
  });
});
