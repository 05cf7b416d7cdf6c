/**
 * The Backups screen in real Chromium against the real `metalytics serve` on the demo prices:
 * Back up now followed to a verified row, Verify again, the status bar's age of the last good
 * backup, a restore previewed, confirmed and undone with the data checked through the API at
 * each step, and the retention estimate on minute bars imported for the purpose. Requires a
 * built renderer (`npm run build`; npm test does it). Writes docs/backups.png and docs/restore.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup } from '../../src/shared/backups';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const REMOVED = 'DEMO.BTCUSD';
const MINUTE_SYMBOL = 'TEST.MINUTES';
const DAY = 86_400_000;
const BACKUP_TIMEOUT = 60_000;

let browser: Browser;
let server: ServeProcess;
let page: Page;

const backups = async (): Promise<Backup[]> => (await server.call('backups.list', {})).backups;
const storedBars = async () => (await server.call('system.status', {})).bars;
const rowOf = (backup: Backup) => page.getByTestId(`backup-${backup.id}`);

/** Minute bars ending 40 days ago, three days of them, in the plain CSV an import reads. */
function minuteBarsCsv(): string {
  const end = Math.floor(Date.now() / DAY) * DAY - 40 * DAY;
  const lines = ['time,open,high,low,close,volume'];
  for (let time = end - 3 * DAY, price = 100; time < end; time += 60_000, price += Math.sin(time / 3_600_000) * 0.1) {
    lines.push(`${new Date(time).toISOString()},${price.toFixed(2)},${(price + 0.5).toFixed(2)},${(price - 0.5).toFixed(2)},${(price + 0.1).toFixed(2)},10`);
  }
  return lines.join('\n');
}

/** Clicks Back up now and waits for the new row to be verified. */
async function backUpNow(): Promise<Backup> {
  const before = new Set((await backups()).map((backup) => backup.id));
  await page.getByTestId('backup-start').click();
  await expect.poll(async () => (await backups()).find((backup) => !before.has(backup.id))?.status, { timeout: BACKUP_TIMEOUT }).toBe('verified');
  const backup = (await backups()).find((b) => !before.has(b.id))!;
  await expect.poll(() => rowOf(backup).getAttribute('data-status')).toBe('verified');
  return backup;
}

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  browser = await launchChromium();
  page = await openAppPage(browser, server);
}, 120_000);

afterAll(() => closeApp({ page, browser, server }));

describe('Backups screen in the browser against metalytics serve', () => {
  it('offers a restore on the first start of an empty install, which opens the Backups screen', async () => {
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('empty-restore').click();
    await page.getByTestId('screen-backups').waitFor();
    await page.getByTestId('backups-empty').waitFor();
    expect(await page.getByTestId('restore-from-file').textContent()).toContain('metalytics restore FILE');
    expect(await page.getByText('not available yet').count()).toBe(0);
  });

  it(
    'has data to back up once the demo prices and some minute bars are in',
    async () => {
      await page.getByTestId('nav-markets').click();
      await page.getByTestId('load-demo').click();
      await page.getByTestId('price-chart').waitFor({ timeout: BACKUP_TIMEOUT });
      await server.call('instruments.create', { symbol: MINUTE_SYMBOL, kind: 'spot' });
      await server.call('import.csv', { source: { kind: 'text', fileName: 'minutes.csv', text: minuteBarsCsv() }, symbol: MINUTE_SYMBOL, timeframe: '1m' });
      await page.getByTestId('nav-backups').click();
      await page.getByTestId('backups-empty').waitFor();
    },
    BACKUP_TIMEOUT,
  );

  it('refuses a short passphrase before anything is written, and warns that it cannot be recovered', async () => {
    await page.getByTestId('backup-with-passphrase').check();
    expect(await page.getByTestId('backup-passphrase-note').textContent()).toContain('Nobody can recover this passphrase');
    await page.getByTestId('backup-passphrase').fill('short');
    await page.getByTestId('backup-passphrase-repeat').fill('short');
    expect(await page.getByText('A passphrase needs at least 8 characters.').count()).toBe(1);
    expect(await page.getByTestId('backup-start').isDisabled()).toBe(true);
    await page.getByTestId('backup-with-passphrase').uncheck();
    expect(await backups()).toEqual([]);
  });

  it(
    'backs up now and lists the archive as verified, with its kind, size and versions',
    async () => {
      const backup = await backUpNow();
      const row = rowOf(backup);
      expect(await row.getAttribute('data-kind')).toBe('manual');
      const text = await row.textContent();
      expect(text).toContain('Manual');
      expect(text).toContain(backup.appVersion);
      expect(text).toContain(backup.schemaVersion);
      expect(text).toMatch(/\d+(\.\d)? (kB|MB)/);
      expect(await page.getByTestId(`backup-verified-${backup.id}`).textContent()).toMatch(/^verified/);
      expect(await page.getByTestId('backup-outcome').textContent()).toContain('verified');
    },
    BACKUP_TIMEOUT,
  );

  it('verifies a listed backup again and records when', { timeout: BACKUP_TIMEOUT }, async () => {
    const [backup] = await backups();
    await page.getByTestId(`backup-verify-${backup!.id}`).click();
    await expect.poll(() => page.getByTestId(`backup-verify-${backup!.id}`).textContent()).toBe('Checking…');
    await expect.poll(async () => (await backups())[0]!.verifiedAt, { timeout: BACKUP_TIMEOUT }).toBeGreaterThan(backup!.verifiedAt!);
    await expect.poll(() => page.getByTestId(`backup-verify-${backup!.id}`).textContent()).toBe('Verify');
  });

  it('pins a backup, which the keep rules then never prune, and unpins it', async () => {
    const [backup] = await backups();
    await page.getByTestId(`backup-pin-${backup!.id}`).click();
    await expect.poll(() => rowOf(backup!).getAttribute('data-pinned')).toBe('true');
    expect((await backups())[0]!.pinned).toBe(true);
    expect(await page.getByTestId(`backup-pinned-${backup!.id}`).textContent()).toBe('pinned');
    await page.getByTestId(`backup-pin-${backup!.id}`).click();
    await expect.poll(async () => (await backups())[0]!.pinned).toBe(false);
    await page.getByTestId(`backup-pin-${backup!.id}`).click();
    await expect.poll(async () => (await backups())[0]!.pinned).toBe(true);
  });

  it('shows the age of the last good backup in the status bar, which opens the Backups screen', async () => {
    await page.getByTestId('nav-markets').click();
    await expect.poll(() => page.getByTestId('status-backup').textContent()).toMatch(/^Backup (just now|\d+ min ago)$/);
    expect(await page.getByTestId('status-backup').getAttribute('data-overdue')).toBe('false');
    await page.getByTestId('status-backup').click();
    await page.getByTestId('screen-backups').waitFor();
  });

  it(
    'previews a restore, confirms it, and the data changes back; Undo restores the state before',
    async () => {
      const [backup] = await backups();
      const withBoth = await storedBars();
      await server.call('instruments.delete', { symbol: REMOVED, deleteBars: true });
      const withoutRemoved = await storedBars();
      expect(withoutRemoved).toBeLessThan(withBoth!);

      await page.getByTestId('nav-backups').click();
      await page.getByTestId(`backup-restore-${backup!.id}`).click();
      await page.getByTestId('restore-changes').waitFor();
      expect(await page.getByTestId('restore-changes').textContent()).toContain(REMOVED);
      const confirmation = await page.getByTestId('restore-confirm-text').textContent();
      expect(confirmation).toContain('replaces everything stored now');
      expect(confirmation).toContain('A safety backup of the current state is taken first');
      await page.mouse.move(0, 0);
      await page.getByTestId('restore-dialog').screenshot({ path: path.join(docsDir, 'restore.png') });

      await page.getByTestId('restore-confirm').click();
      await page.getByTestId('restored-banner').waitFor({ timeout: BACKUP_TIMEOUT });
      expect(await storedBars()).toBe(withBoth);
      // The window reads the restored database: the status bar's count follows.
      await expect.poll(() => page.getByTestId('status-bars').textContent()).toContain(new Intl.NumberFormat('en-US').format(withBoth!));
      expect((await backups()).some((b) => b.kind === 'safety')).toBe(true);

      await page.getByTestId('restore-undo').click();
      await expect.poll(() => page.getByTestId('restored-banner').textContent(), { timeout: BACKUP_TIMEOUT }).toContain('the safety backup taken before');
      expect(await storedBars()).toBe(withoutRemoved);
      await expect.poll(() => page.getByTestId('status-bars').textContent()).toContain(new Intl.NumberFormat('en-US').format(withoutRemoved!));
    },
    3 * BACKUP_TIMEOUT,
  );

  it('estimates the space retention would free per instrument as the age is typed', async () => {
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('retention-days').fill('30');
    await page.getByTestId(`retention-${MINUTE_SYMBOL}`).waitFor();
    expect(await page.getByTestId(`retention-${MINUTE_SYMBOL}`).textContent()).toContain('4,320');
    expect(await page.getByTestId('retention-bytes').textContent()).toMatch(/\d+(\.\d)? (kB|MB)/);
    await page.getByTestId('retention-days').fill('60');
    await page.getByText('No minute bars are old enough').waitFor();
  });

  it(
    'schedules a daily backup and a weekly drill; a drill run shows the last verified restore',
    async () => {
      await page.getByTestId('nav-backups').click();
      await page.getByTestId('schedule-add-backup-daily').click();
      await page.getByTestId('schedule-Daily backup').waitFor();
      const jobs = async () => (await server.call('jobs.list', {})).jobs;
      expect((await jobs()).find((job) => job.kind === 'backup')?.schedule).toBe('0 2 * * *');
      await expect.poll(async () => (await server.call('backups.status', {})).promisedIntervalMs).toBe(DAY);
      expect(await page.getByTestId('status-backup').getAttribute('data-overdue')).toBe('false');

      await page.getByTestId('schedule-add-drill-weekly').click();
      await page.getByTestId('schedule-run-Weekly restore drill').click();
      await expect.poll(() => page.getByTestId('last-drill').getAttribute('data-ok'), { timeout: BACKUP_TIMEOUT }).toBe('true');
      const { lastDrill } = await server.call('backups.status', {});
      expect(lastDrill?.ok).toBe(true);
      expect(await page.getByTestId('last-drill').textContent()).toContain(`${lastDrill!.checks.length} series answered`);
    },
    2 * BACKUP_TIMEOUT,
  );

  it('screenshots the screen with its backups', async () => {
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('backups-table').waitFor();
    // The banner stays until dismissed, and takes the screen's place above it while shown.
    expect(await page.getByTestId('restored-banner').isVisible()).toBe(true);
    await page.getByTestId('restored-banner').getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('screen-backups').evaluate((screen) => screen.scrollTo(0, 0));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'backups.png') });
  });
});
