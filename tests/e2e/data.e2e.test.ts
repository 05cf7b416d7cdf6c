/**
 * The Data screen in real Chromium against the real `metalytics serve`, whose providers
 * all point at the fake provider server running in this test process: provider status and
 * Test, a backfill started from the form and followed to the end, cancel and resume, resume
 * after the server was killed, the run history, a quality report with gaps and their repair,
 * scheduled jobs created, edited, paused, run and deleted, and the alert a failed run raises.
 * Polygon is paced to a request every half second and pages hold a day of hourly bars, so a
 * month-long backfill takes long enough to be seen part-way. Screenshots land in docs/.
 * Requires `npm run build` first (npm test does it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillCheckpointId } from '../../src/core/backfill/backfill';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { FakeProviderServer } from '../support/fake-provider-server';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Days of hourly bars per backfill: 30 pages of 24 bars, 15 s at two requests a second. */
const BACKFILL_DAYS = 30;
/** Bars the fake server leaves out of the first BTCUSD page, by index: two gaps. */
const DROPPED = [
  { first: 5, count: 6 },
  { first: 15, count: 3 },
];
const droppedCount = DROPPED.reduce((sum, gap) => sum + gap.count, 0);
const isDropped = (index: number) => DROPPED.some((gap) => index >= gap.first && index < gap.first + gap.count);

const today = Math.floor(Date.now() / DAY) * DAY;
const rangeFrom = today - (BACKFILL_DAYS + 1) * DAY;
const rangeTo = today - DAY;
const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

let browser: Browser;
let fake: FakeProviderServer;
let server: ServeProcess;
let serverEnv: NodeJS.ProcessEnv;
let dataDir: string;
let page: Page;

const progressOf = async (checkpointId: string) => Number(await page.getByTestId(`backfill-progress-${checkpointId}`).getAttribute('aria-valuenow'));
const statusOf = (checkpointId: string) => page.getByTestId(`backfill-${checkpointId}`).getAttribute('data-status');

beforeAll(async () => {
  requireBuiltRenderer();
  // The fake's "now" is the real one, so ranges and "keep current" jobs end today.
  fake = await FakeProviderServer.start({ now: Date.now(), polygonPageSize: 24 });
  serverEnv = {
    METALYTICS_POLYGON_BASE_URL: fake.baseUrl('polygon'),
    METALYTICS_POLYGON_API_KEY: fake.state.keys.polygon,
    METALYTICS_POLYGON_RATE_LIMIT: '120',
    // Nothing in this test may reach the real vendors.
    METALYTICS_YAHOO_BASE_URL: fake.baseUrl('yahoo'),
    METALYTICS_TWELVEDATA_BASE_URL: fake.baseUrl('twelvedata'),
    METALYTICS_TWELVEDATA_API_KEY: fake.state.keys.twelvedata,
    METALYTICS_METALSAPI_BASE_URL: fake.baseUrl('metalsapi'),
    METALYTICS_METALSAPI_API_KEY: fake.state.keys.metalsapi,
  };
  // One data folder for the server and the one restarted after a kill, removed at the end.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-data-e2e-'));
  server = await startServeProcess(dataDir, serverEnv);
  browser = await launchChromium();
  page = await openAppPage(browser, server);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('screen-data').waitFor();
}, 120_000);

afterAll(async () => {
  await closeApp({ page, browser, server, fake });
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Data screen in the browser against metalytics serve', () => {
  it('lists the providers with where their keys come from, and tests one', async () => {
    await page.getByTestId('data-tab-providers').click();
    const key = page.getByTestId('provider-key-polygon');
    await expect.poll(() => key.textContent()).toBe(`Key ending in ${fake.state.keys.polygon.slice(-4)} from METALYTICS_POLYGON_API_KEY`);
    expect(await page.getByTestId('provider-url-polygon').textContent()).toBe(fake.baseUrl('polygon'));
    expect(await page.getByTestId('provider-rate-polygon').textContent()).toBe('120 requests/min');
    expect(await page.getByTestId('provider-key-yahoo').textContent()).toBe('No key needed');
    // The key itself never reaches the page.
    expect(await page.content()).not.toContain(fake.state.keys.polygon);

    await page.getByTestId('provider-test-polygon').click();
    const result = page.getByTestId('provider-test-result-polygon');
    await expect.poll(() => result.textContent()).toMatch(/^✓ Polygon.* answered in \d+ ms: XAUUSD [\d,.]+ at /);
    expect(fake.requestsTo('polygon').at(-1)?.path).toBe('/v2/aggs/ticker/C:XAUUSD/prev');

    fake.script('polygon', { respond: { status: 401, json: { status: 'ERROR', request_id: 'r', error: 'Unknown API Key' } } });
    await page.getByTestId('provider-test-polygon').click();
    await expect.poll(() => result.textContent()).toMatch(/^✗ /);
    expect(await result.textContent()).toContain('key');
  });

  it('starts a backfill from the form and follows its progress bar to the end', async () => {
    const checkpointId = backfillCheckpointId('polygon', 'BTCUSD', '1h', rangeFrom, rangeTo);
    // The first page comes back with bars missing in the middle: the gaps the quality report finds below.
    fake.script('polygon', {
      when: (request) => request.path.includes('X:BTCUSD/range'),
      mutate: (body: { results: unknown[] }) => ({ ...body, results: body.results.filter((_, index) => !isDropped(index)) }),
    });
    await page.getByTestId('data-tab-backfills').click();
    await page.getByTestId('backfill-provider').selectOption('polygon');
    await page.getByTestId('backfill-symbol').selectOption('BTCUSD');
    await page.getByTestId('backfill-timeframe').selectOption('1h');
    await page.getByTestId('backfill-from').fill(isoDay(rangeFrom));
    await page.getByTestId('backfill-to').fill(isoDay(rangeTo));
    await page.getByTestId('backfill-start').click();

    await page.getByTestId(`backfill-${checkpointId}`).waitFor();
    await expect.poll(() => progressOf(checkpointId), { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    expect(await progressOf(checkpointId)).toBeLessThan(90);
    expect(await page.getByTestId(`backfill-status-${checkpointId}`).textContent()).toMatch(/^Running · [\d,]+ bars\/s · .+ left/);

    await expect.poll(() => statusOf(checkpointId), { timeout: 40_000 }).toBe('done');
    expect(await progressOf(checkpointId)).toBe(100);
    const stored = (await server.call('bars.coverage', { symbol: 'BTCUSD' })).coverage;
    expect(stored).toEqual([expect.objectContaining({ timeframe: '1h', count: BACKFILL_DAYS * 24 - droppedCount })]);
  }, 90_000);

  it('cancels a running backfill and resumes it from its checkpoint', async () => {
    const checkpointId = backfillCheckpointId('polygon', 'ETHUSD', '1h', rangeFrom, rangeTo);
    await server.call('backfill.start', { provider: 'polygon', symbol: 'ETHUSD', timeframe: '1h', from: rangeFrom, to: rangeTo });
    await expect.poll(() => progressOf(checkpointId)).toBeGreaterThan(0);
    await page.getByTestId(`backfill-cancel-${checkpointId}`).click();
    await expect.poll(() => statusOf(checkpointId)).toBe('cancelled');
    const stoppedAt = await progressOf(checkpointId);
    expect(stoppedAt).toBeLessThan(100);

    await page.getByTestId(`backfill-resume-${checkpointId}`).click();
    await expect.poll(() => statusOf(checkpointId)).toBe('running');
    // The finished backfill above, and this one visibly part-way, for the README.
    await expect.poll(() => progressOf(checkpointId), { timeout: 20_000 }).toBeGreaterThanOrEqual(Math.max(45, stoppedAt + 10));
    expect(await progressOf(checkpointId)).toBeLessThan(95);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'data-backfill.png') });
    await expect.poll(() => statusOf(checkpointId), { timeout: 40_000 }).toBe('done');
    // Resumed, not restarted: one request per remaining day plus the cancelled run's pages, and every bar once.
    const stored = (await server.call('bars.coverage', { symbol: 'ETHUSD' })).coverage;
    expect(stored).toEqual([expect.objectContaining({ timeframe: '1h', count: BACKFILL_DAYS * 24 })]);
    const { checkpoints } = await server.call('backfill.list', {});
    expect(checkpoints.find((c) => c.id === checkpointId)?.lastRun).toMatchObject({ resumed: true, status: 'done' });
  }, 90_000);

  it('lists the runs, filterable by kind, with rows, duration and status', async () => {
    await page.getByTestId('data-tab-runs').click();
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual(['succeeded', 'cancelled', 'succeeded']);
    await page.getByTestId('runs-kind').selectOption('import');
    await page.getByTestId('runs-empty').waitFor();
    await page.getByTestId('runs-kind').selectOption('backfill');
    await expect.poll(() => rows.count()).toBe(3);
  });

  it('reports the gaps the provider left, repairs one and then the rest', async () => {
    await page.getByTestId('data-tab-quality').click();
    await page.getByTestId('quality-symbol').selectOption('BTCUSD');
    await page.getByTestId('quality-check').click();
    const [first, second] = DROPPED.map((gap) => rangeFrom + gap.first * HOUR);
    await page.getByTestId(`quality-gap-${first}`).waitFor();
    expect(await page.getByTestId('quality-gap-count').textContent()).toBe(`2 (${droppedCount} bars missing)`);

    // A provider that does not answer: the repair can be cancelled, and nothing is lost.
    fake.script('polygon', { fault: 'hang' });
    const asked = fake.requestsTo('polygon').length;
    await page.getByTestId('quality-repair-all').click();
    const cancel = page.getByTestId('quality-repair-cancel');
    // Cancelled only once the provider holds the request, so the scripted hang is spent on this repair.
    await expect.poll(() => fake.requestsTo('polygon').length).toBe(asked + 1);
    await expect.poll(() => cancel.isEnabled()).toBe(true);
    await cancel.click();
    await expect.poll(() => page.getByTestId('quality').textContent()).toContain('Cancelled.');
    await cancel.waitFor({ state: 'detached' });
    expect(await page.getByTestId('quality-gap-count').textContent()).toBe(`2 (${droppedCount} bars missing)`);

    await page.getByTestId(`quality-repair-${first}`).click();
    await expect.poll(() => page.getByTestId('repair-summary').textContent()).toBe(`Filled ${DROPPED[0]!.count} bars in 1 gap; it is closed.`);
    expect(await page.getByTestId(`repair-by-${first}`).textContent()).toBe(`Polygon/Massive ${DROPPED[0]!.count}`);
    // The report is read again: the repaired gap is gone, the other stays.
    await page.getByTestId(`quality-gap-${first}`).waitFor({ state: 'detached' });
    expect(await page.getByTestId(`quality-gap-${second}`).isVisible()).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'data-quality.png') });

    await page.getByTestId('quality-repair-all').click();
    await expect.poll(() => page.getByTestId('repair-summary').textContent()).toBe(`Filled ${DROPPED[1]!.count} bars in 1 gap; it is closed.`);
    await expect.poll(() => page.getByTestId('quality-gap-count').textContent()).toBe('0 (0 bars missing)');
    const stored = (await server.call('bars.coverage', { symbol: 'BTCUSD' })).coverage;
    expect(stored.reduce((sum, c) => sum + c.count, 0)).toBe(BACKFILL_DAYS * 24);
  });

  it('creates a scheduled job from the form, with the core’s refusals beside it', async () => {
    await page.getByTestId('data-tab-jobs').click();
    await page.getByTestId('jobs-empty').waitFor();
    await page.getByTestId('job-new').click();
    await page.getByTestId('job-save').click();
    // Checked in the form: no name, no provider, no instruments.
    expect(await page.getByRole('alert').allTextContents()).toEqual(expect.arrayContaining(['Give the job a name.', 'Choose a provider.']));

    await page.getByTestId('job-name').fill('Bitcoin spot');
    await page.getByTestId('job-kind').selectOption('poll');
    await page.getByTestId('job-provider').selectOption('polygon');
    await page.getByTestId('job-symbols').fill('BTCUSD');
    await page.getByTestId('job-save').click();
    // Checked by the core: polling records precious metals only.
    await expect.poll(() => page.getByTestId('job-form-error').textContent()).toContain('Polling records precious-metal spot prices only');

    // Metals-API's free plan counts requests by the month: an hourly poll of two metals would spend it in a day.
    await page.getByTestId('job-provider').selectOption('metalsapi');
    await page.getByTestId('job-symbols').fill('XAUUSD XAGUSD');
    await page.getByTestId('job-schedule').fill('0 * * * *');
    await expect.poll(() => page.getByTestId('job-quota-warning').textContent()).toMatch(/about 50 requests a month; this schedule makes about 1,4\d\d a month/);
    await page.getByTestId('job-schedule').fill('0 6 * * 1');
    await page.getByTestId('job-quota-warning').waitFor({ state: 'detached' });

    await page.getByTestId('job-name').fill('Ether hourly');
    await page.getByTestId('job-kind').selectOption('backfill');
    await page.getByTestId('job-provider').selectOption('polygon');
    await page.getByTestId('job-symbols').fill('ETHUSD');
    await page.getByTestId('job-timeframe').selectOption('1h');
    await page.getByTestId('job-schedule').fill('0 * * * *');
    expect(await page.getByTestId('job-schedule-preview').textContent()).toMatch(/^next \d{4}-\d{2}-\d{2} \d{2}:00 UTC, /);
    await page.getByTestId('job-save').click();
    await page.getByTestId('job-form').waitFor({ state: 'detached' });
    expect(await page.getByTestId('job-next-Ether hourly').textContent()).toMatch(/^in (\d+ min|a moment|1 h)$/);
    await expect.poll(() => page.getByTestId('status-scheduler').textContent()).toMatch(/^Scheduler on · next /);
  });

  it('creates a forecast job with no provider to choose, and still refuses one without a timeframe', async () => {
    await page.getByTestId('job-new').click();
    await page.getByTestId('job-name').fill('Forecast ether');
    await page.getByTestId('job-kind').selectOption('predict');
    await page.getByTestId('job-symbols').fill('ETHUSD');
    expect(await page.getByTestId('job-provider').count()).toBe(0);
    await page.getByTestId('job-schedule').fill('');
    await page.getByTestId('job-save').click();
    expect(await page.getByRole('alert').allTextContents()).toEqual(['Choose the timeframe of the series to forecast.']);
    await page.getByTestId('job-timeframe').selectOption('1h');
    await page.getByTestId('job-on-drift').selectOption('retrain');
    await page.getByTestId('job-save').click();
    await page.getByTestId('job-form').waitFor({ state: 'detached' });
    const { jobs } = await server.call('jobs.list', {});
    const forecast = jobs.find((job) => job.name === 'Forecast ether')!;
    expect(forecast).toMatchObject({ kind: 'predict', provider: null, timeframe: '1h', schedule: null, tracking: { window: 50, onDrift: 'retrain', retireAfter: 20 } });
    // Gone again, so the jobs below are the ones the rest of this file follows.
    await server.call('jobs.delete', { id: forecast.id });
  });

  it('pauses the job, runs it by hand, and raises an alert when a run fails', async () => {
    const row = page.getByTestId('job-Ether hourly');
    await page.getByTestId('job-toggle-Ether hourly').click();
    await expect.poll(() => row.getAttribute('data-enabled')).toBe('false');
    expect(await page.getByTestId('job-next-Ether hourly').textContent()).toBe('paused');

    // Paused jobs still run by hand; this one fetches the bars since the backfill above.
    await page.getByTestId('job-run-Ether hourly').click();
    await expect.poll(() => row.getAttribute('data-last-status'), { timeout: 20_000 }).toBe('succeeded');

    fake.script('polygon', { respond: { status: 401, json: { status: 'ERROR', request_id: 'r', error: 'Unknown API Key' } } });
    await page.getByTestId('job-run-Ether hourly').click();
    await expect.poll(() => row.getAttribute('data-last-status'), { timeout: 20_000 }).toBe('failed');
    await expect.poll(() => page.getByTestId('status-alerts').textContent()).toBe('1 alert');
    // The Data screen's tab badge reads alerts on its own, so it may follow the status bar by a moment.
    await expect.poll(() => page.getByTestId('data-alert-count').textContent()).toBe('1');

    // A second job, created the way a script would, shows up on the next read with its next run in its own zone.
    await server.call('jobs.create', {
      name: 'Gold and silver spot',
      kind: 'poll',
      provider: 'polygon',
      symbols: ['XAUUSD', 'XAGUSD'],
      schedule: '0 6 * * 1-5',
      timezone: 'America/New_York',
    });
    await page.getByTestId('data-tab-providers').click();
    await page.getByTestId('data-tab-jobs').click();
    await expect.poll(() => page.getByTestId('job-next-Gold and silver spot').textContent()).toMatch(/^in /);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'data-jobs.png') });

    await page.getByTestId('status-alerts').click();
    const alert = page.locator('[data-testid="alerts-table"] tbody tr').first();
    // The job's name replaces its id once the Alerts tab has read the job list.
    await expect.poll(() => alert.textContent()).toContain('job “Ether hourly”');
    await alert.getByRole('button', { name: /^Acknowledge/ }).click();
    await page.getByTestId('status-alerts').waitFor({ state: 'detached' });
    expect(await alert.getAttribute('data-acknowledged')).toBe('true');
  });

  it('moves between sections from the keyboard', async () => {
    await page.getByTestId('data-tab-alerts').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('data-tab-quality').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('data-tab-providers').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('End');
    expect(await page.getByTestId('data-tab-quality').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid="data-tab-quality"]:focus').count()).toBe(1);
  });

  it('edits a job, and deletes one only once the deletion is confirmed', async () => {
    await page.getByTestId('data-tab-jobs').click();
    const row = page.getByTestId('job-Gold and silver spot');
    await page.getByRole('button', { name: 'Edit Gold and silver spot' }).click();
    await page.getByTestId('job-schedule').fill('30 22 * * 1-5');
    await page.getByTestId('job-save').click();
    await page.getByTestId('job-form').waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent()).toContain('30 22 * * 1-5');

    await page.getByTestId('job-delete-Gold and silver spot').click();
    // The confirmation takes the focus; Keep leaves the job alone.
    await page.keyboard.press('Enter');
    expect(await row.isVisible()).toBe(true);
    await page.getByTestId('job-delete-Gold and silver spot').click();
    await page.getByTestId('job-delete-confirm-Gold and silver spot').click();
    await row.waitFor({ state: 'detached' });
    expect((await server.call('jobs.list', {})).jobs.map((job) => job.name)).toEqual(['Ether hourly']);
  });

  it('offers to resume a backfill whose server was killed part-way, and finishes it', async () => {
    const checkpointId = backfillCheckpointId('polygon', 'XAUUSD', '1h', rangeFrom, rangeTo);
    await server.call('backfill.start', { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1h', from: rangeFrom, to: rangeTo });
    await page.getByTestId('data-tab-backfills').click();
    await expect.poll(() => progressOf(checkpointId)).toBeGreaterThan(0);
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    await exited;

    server = await startServeProcess(dataDir, serverEnv);
    await page.context().close();
    page = await openAppPage(browser, server);
    await page.getByTestId('nav-data').click();
    await page.getByTestId('data-tab-backfills').click();
    await expect.poll(() => statusOf(checkpointId)).toBe('interrupted');
    await page.getByTestId(`backfill-resume-${checkpointId}`).click();
    await expect.poll(() => statusOf(checkpointId), { timeout: 40_000 }).toBe('done');
    const stored = (await server.call('bars.coverage', { symbol: 'XAUUSD' })).coverage;
    expect(stored).toEqual([expect.objectContaining({ timeframe: '1h', count: BACKFILL_DAYS * 24 })]);
  }, 90_000);

  it('says where the key\'s plan starts when the provider refuses older bars', async () => {
    const planStart = rangeFrom + 10 * DAY;
    fake.state.polygonHistoryStart = planStart;
    try {
      const checkpointId = backfillCheckpointId('polygon', 'XAGUSD', '1d', rangeFrom, rangeTo);
      await server.call('backfill.start', { provider: 'polygon', symbol: 'XAGUSD', timeframe: '1d', from: rangeFrom, to: rangeTo });
      await page.getByTestId('data-tab-backfills').click();
      await expect.poll(() => statusOf(checkpointId), { timeout: 40_000 }).toBe('done');
      expect(await page.getByTestId(`backfill-plan-${checkpointId}`).textContent()).toMatch(
        new RegExp(`^Your plan starts at ${isoDay(planStart)} \\(learned from the provider's answers in \\d+ requests\\)\\.$`),
      );
      await page.mouse.move(0, 0);
      await page.getByTestId(`backfill-${checkpointId}`).screenshot({ path: path.join(docsDir, 'data-backfill-plan.png') });
    } finally {
      fake.state.polygonHistoryStart = null;
    }
  }, 60_000);
});
