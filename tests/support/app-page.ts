import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { tokenRemovedFromUrl } from './page-probes';
import { repoRoot, type ServeProcess } from './serve-process';

/** Where browser tests save the screenshots the README shows. */
export const docsDir = path.join(repoRoot, 'docs');

/** Browser tests drive the built renderer; fail early and say how to build it. */
export function requireBuiltRenderer(): void {
  if (!fs.existsSync(path.join(repoRoot, 'out/renderer/index.html'))) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  fs.mkdirSync(docsDir, { recursive: true });
}

/**
 * Opens the app from the link `metalytics serve` printed, in a fresh browser context, and
 * waits until the page has taken the token out of the address bar. Fails if the page threw.
 */
export async function openAppPage(browser: Browser, server: ServeProcess, { timezoneId }: { timezoneId?: string } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'dark', timezoneId });
  const page = await context.newPage();
  // Shorter than the test timeout, so a step that cannot happen fails with Playwright's own reason.
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(server.url);
  await page.waitForFunction(tokenRemovedFromUrl);
  if (problems.length > 0) throw new Error(`The page threw: ${problems.join('; ')}`);
  return page;
}

/** What an e2e file opened in beforeAll; any may be missing when beforeAll failed part way. */
export interface AppSession {
  page?: Page;
  browser?: Browser;
  server?: ServeProcess;
  /** The fake provider server the app was pointed at. */
  fake?: { close(): Promise<void> };
}

/** Closes what an e2e file opened, the page first and the fake providers last. */
export async function closeApp({ page, browser, server, fake }: AppSession): Promise<void> {
  await page?.context().close();
  await browser?.close();
  await server?.stop();
  await fake?.close();
}

/** Zooms the Markets chart out with the wheel, then drags it to the right (towards older bars) like a user. */
export async function dragTowardsOlderBars(page: Page, times: number): Promise<void> {
  const box = (await page.getByTestId('price-chart').boundingBox())!;
  const y = box.y + box.height * 0.3;
  await page.mouse.move(box.x + box.width * 0.5, y);
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 800);
  for (let i = 0; i < times; i++) {
    await page.mouse.move(box.x + 60, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 120, y, { steps: 8 });
    await page.mouse.up();
  }
}
