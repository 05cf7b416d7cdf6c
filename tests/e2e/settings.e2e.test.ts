/**
 * Provider keys, addresses and rate limits in Settings, in real Chromium against the real
 * `metalytics serve`: a saved key is only ever shown by its last four characters, and what
 * is saved is what the core then uses. Requires `npm run build` first (npm test does it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const KEY = 'pk_e2e_secret_9f3a2c7d4e1b';

let browser: Browser;
let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  requireBuiltRenderer();
  browser = await launchChromium();
  server = await startServeProcess();
  page = await openAppPage(browser, server);
  await page.getByTestId('nav-settings').click();
}, 120_000);

afterAll(() => closeApp({ page, browser, server }));

describe('Provider settings in the browser', () => {
  it('saves a key, says how it is kept, and shows only its last four characters afterwards', async () => {
    // `serve` keeps secrets in a 0600 file, not encrypted, and the page says so.
    await page.getByTestId('settings-keys-unencrypted').waitFor();
    await page.getByTestId('settings-key-polygon').fill(KEY);
    await page.getByTestId('settings-key-save-polygon').click();
    await expect.poll(() => page.getByTestId('settings-key-polygon').getAttribute('placeholder')).toBe('Saved key ending in 4e1b');
    expect(await page.getByTestId('settings-key-polygon').inputValue()).toBe('');
    expect(await page.content()).not.toContain(KEY);
    const polygon = (await server.call('providers.list', {})).providers.find((p) => p.id === 'polygon');
    expect(polygon).toMatchObject({ keySource: 'secret-store', last4: '4e1b' });
  });

  it('saves where the plan\'s history starts, so backfills need not learn it, and back to learning it', async () => {
    await page.getByTestId('settings-plan-polygon').selectOption('date');
    await page.getByTestId('settings-provider-save-polygon').click();
    await expect.poll(() => page.getByTestId('settings-provider-polygon').textContent()).toMatch(/first day your plan includes/);
    await page.getByTestId('settings-plan-date-polygon').fill('2023-02-21');
    await page.getByTestId('settings-provider-save-polygon').click();
    await expect.poll(async () => (await server.call('settings.get', {})).providers.polygon?.planHistoryStart).toBe('2023-02-21');
    expect(await page.getByTestId('settings-plan-twelvedata').inputValue()).toBe('learn');
    expect(await page.getByTestId('settings-provider-yahoo').getByRole('combobox').count()).toBe(0);

    await page.getByTestId('settings-plan-polygon').selectOption('learn');
    await page.getByTestId('settings-provider-save-polygon').click();
    await expect.poll(async () => (await server.call('settings.get', {})).providers.polygon).toEqual({ keyOrigin: 'https://api.massive.com' });
  });

  it('saves an address and a rate limit that the core then reports as in use', async () => {
    await page.getByTestId('settings-url-twelvedata').fill('http://127.0.0.1:9/twelvedata');
    await page.getByTestId('settings-rate-twelvedata').fill('55');
    await page.getByTestId('settings-provider-save-twelvedata').click();
    await expect.poll(async () => (await server.call('providers.list', {})).providers.find((p) => p.id === 'twelvedata')?.baseUrl).toBe('http://127.0.0.1:9/twelvedata');
    expect((await server.call('settings.get', {})).providers.twelvedata).toMatchObject({ baseUrl: 'http://127.0.0.1:9/twelvedata', rateLimitPerMinute: 55 });
    await page.getByTestId('settings-providers').screenshot({ path: path.join(docsDir, 'settings-providers.png') });
  });

  it('refuses a negative rate limit and an address that is not http(s), keeping what was saved', async () => {
    await page.getByTestId('settings-rate-twelvedata').fill('-3');
    await page.getByTestId('settings-provider-save-twelvedata').click();
    await expect.poll(() => page.getByTestId('settings-provider-twelvedata').textContent()).toMatch(/0 for no limit/);

    await page.getByTestId('settings-rate-twelvedata').fill('');
    await page.getByTestId('settings-url-twelvedata').evaluate((input: { type: string }) => {
      // The field is type=url; a user could still paste any text into it, so the core is what refuses.
      input.type = 'text';
    });
    await page.getByTestId('settings-url-twelvedata').fill('ftp://files.example.com');
    await page.getByTestId('settings-provider-save-twelvedata').click();
    await expect.poll(() => page.getByTestId('settings-provider-twelvedata').textContent()).toMatch(/http:\/\/ or https:\/\//);
    expect((await server.call('settings.get', {})).providers.twelvedata?.baseUrl).toBe('http://127.0.0.1:9/twelvedata');
  });
});
