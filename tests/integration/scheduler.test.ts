/**
 * Scheduled jobs through a real core against the fake provider server, on SQLite and on a
 * real Postgres: backfill, poll and news jobs run now and write exactly once, a refused key
 * ends in a failed run and an alert, and jobs outlive the core that created them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/core/create-core';
import type { EventMessage, EventPayload, MethodInput } from '../../src/shared/contract';
import type { Bar } from '../../src/shared/domain';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { useTestPostgres } from '../support/postgres';
import { invokeFailure as failure, invokeOk as ok, testPorts } from '../support/test-core';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const START = Date.UTC(2025, 1, 20, 12);

function serverBars(ticker: string, from: number, to: number): Bar[] {
  const bars: Bar[] = [];
  for (let time = from; time < to; time += MINUTE) bars.push({ time, ...syntheticBar(ticker, time, MINUTE) });
  return bars;
}

const postgres = useTestPostgres();

function describeScheduledJobs(dialect: 'SQLite' | 'Postgres') {
  describe(`scheduled jobs on ${dialect}`, () => {
    let fake: FakeProviderServer;
    let dataDir: string;
    let databaseUrl: string | undefined;
    let clock = START;
    let core: Core;
    let seen: EventMessage[];

    const openCore = async () => {
      seen = [];
      const environment = fake.environment('polygon', 'metalsapi');
      const opened = await createCore(testPorts(dataDir, { databaseUrl, environment, now: () => clock }), { validateOutput: true });
      opened.events.subscribe((message) => seen.push(message));
      return opened;
    };

    /** Moves the core's and the provider's "now" on together. */
    const advance = (ms: number) => {
      clock += ms;
      fake.state.now = clock;
    };

    async function runNow(id: string): Promise<EventPayload<'job.finished'>> {
      const { jobId } = await ok(core, 'jobs.runNow', { id });
      for (;;) {
        const ending = seen.find((m): m is Extract<EventMessage, { name: 'job.finished' }> => m.name === 'job.finished' && m.payload.jobId === jobId);
        if (ending) return ending.payload;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    beforeAll(async () => {
      fake = await FakeProviderServer.start({ now: START, polygonPageSize: 5000 });
      dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-scheduler-'));
      databaseUrl = dialect === 'Postgres' ? await postgres.createDatabaseUrl() : undefined;
      core = await openCore();
    });

    afterEach(() => fake.reset());

    afterAll(async () => {
      await core?.close();
      await fake?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('backfills a series once, then appends only the new bars and pushes them live', async () => {
      const job = await ok(core, 'jobs.create', {
        name: 'Gold minutes',
        kind: 'backfill',
        provider: 'polygon',
        symbols: ['XAUUSD'],
        timeframe: '1m',
        schedule: '*/5 * * * *',
        timezone: 'Europe/London',
        lookbackDays: 1,
      });
      // A one-shot host: jobs are listed, nothing fires.
      expect(await ok(core, 'jobs.list', {})).toEqual({ jobs: [job], scheduler: { state: 'stopped', queued: 0 } });
      expect(job).toMatchObject({ enabled: true, nextRunAt: null, lastRun: null, runningJobId: null, retryPolicy: { maxAttempts: 3 } });

      const first = await runNow(job.id);
      expect(first).toMatchObject({ kind: 'backfill', status: 'succeeded', rows: 1440, error: null });
      const firstBars = (await ok(core, 'bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).bars;
      expect(firstBars).toEqual(serverBars('C:XAUUSD', START - DAY, START));
      // A day of minutes is a bulk load: charts re-query rather than merge.
      expect(seen.some((m) => m.name === 'bars.appended')).toBe(false);
      expect(seen.some((m) => m.name === 'bars.changed')).toBe(true);

      advance(10 * MINUTE);
      const second = await runNow(job.id);
      expect(second).toMatchObject({ status: 'succeeded', rows: 10 });
      expect((await ok(core, 'bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).bars).toEqual(serverBars('C:XAUUSD', START - DAY, clock));
      expect(await ok(core, 'bars.coverage', { symbol: 'XAUUSD' })).toMatchObject({ coverage: [{ timeframe: '1m', count: 1450 }] });
      const appended = seen.flatMap((m) => (m.name === 'bars.appended' ? [m.payload] : []));
      // From the last stored bar (it may have been still forming) to now, ascending.
      expect(appended).toEqual([{ symbol: 'XAUUSD', timeframe: '1m', source: 'polygon', bars: serverBars('C:XAUUSD', START - MINUTE, clock) }]);

      const listed = (await ok(core, 'jobs.list', {})).jobs[0]!;
      expect(listed.lastRun).toMatchObject({ id: expect.any(String), status: 'succeeded', rows: 10, ingestJobId: job.id });
      const runs = (await ok(core, 'jobs.runs', { kind: 'backfill' })).runs;
      expect(runs.map((run) => [run.status, run.ingestJobId])).toEqual([['succeeded', job.id], ['succeeded', job.id]]);
      const [checkpoint] = (await ok(core, 'backfill.list', {})).checkpoints;
      expect(checkpoint).toMatchObject({ id: `scheduled:${job.id}:XAUUSD:1m`, status: 'done', rangeFrom: START - MINUTE, rangeTo: clock, progress: 1 });
      expect(checkpoint!.lastRun).toMatchObject({ inserted: 10, unchanged: 1 });
    });

    it('records a refused key as a failed run, without retrying, and raises one alert', async () => {
      const job = await ok(core, 'jobs.create', { name: 'Silver minutes', kind: 'backfill', provider: 'polygon', symbols: ['XAGUSD'], timeframe: '1m', schedule: null });
      fake.script('polygon', { respond: { status: 401, json: { status: 'ERROR', request_id: 'x', error: 'Unknown API Key' } } });
      const ending = await runNow(job.id);
      expect(ending).toMatchObject({ status: 'failed', error: expect.stringMatching(/XAGUSD: .*did not accept the API key/) });
      expect(fake.requestsTo('polygon')).toHaveLength(1);

      // The scheduler raises the alert once the run has ended, so it may land just after job.finished.
      while (!seen.some((m) => m.name === 'alert.raised' && m.payload.source === `job:${job.id}`)) await new Promise((resolve) => setTimeout(resolve, 5));
      const { alerts, unacknowledged } = await ok(core, 'alerts.list', {});
      expect(unacknowledged).toBe(1);
      expect(alerts).toEqual([
        expect.objectContaining({ severity: 'error', source: `job:${job.id}`, message: expect.stringMatching(/^Scheduled job "Silver minutes" failed: XAGUSD: .*API key/), acknowledgedAt: null }),
      ]);
      expect(seen.filter((m) => m.name === 'alert.raised').map((m) => m.payload)).toEqual(alerts);
      expect((await ok(core, 'jobs.list', {})).jobs.find((j) => j.id === job.id)!.lastRun).toMatchObject({ status: 'failed' });

      expect(await ok(core, 'alerts.acknowledge', {})).toEqual({ acknowledged: 1 });
      expect(await ok(core, 'alerts.list', { unacknowledgedOnly: true })).toEqual({ alerts: [], unacknowledged: 0 });
    });

    it('polls spot prices into precious_metals_prices, once per quote', async () => {
      const job = await ok(core, 'jobs.create', { name: 'Spot metals', kind: 'poll', provider: 'metalsapi', symbols: ['XAUUSD', 'XAGUSD'], schedule: '* * * * *' });
      expect(await runNow(job.id)).toMatchObject({ kind: 'poll', status: 'succeeded', rows: 2 });
      expect(await runNow(job.id)).toMatchObject({ status: 'succeeded', rows: 0 });
      advance(MINUTE);
      expect(await runNow(job.id)).toMatchObject({ status: 'succeeded', rows: 2 });
      const stored = await core.storage.spotPrices.list({ limit: 10 });
      expect(stored).toHaveLength(4);
      expect(stored[0]).toMatchObject({ timestamp: clock, source: 'metalsapi' });
      expect(stored.map((s) => s.metal).sort()).toEqual(['XAGUSD', 'XAGUSD', 'XAUUSD', 'XAUUSD']);
      for (const snapshot of stored) expect(snapshot.price).toBeGreaterThan(0);

      expect(await failure(core, 'jobs.create', { name: 'Apple', kind: 'poll', provider: 'polygon', symbols: ['AAPL'], schedule: null })).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/precious-metal spot prices only.*backfill job/),
      });
    });

    it('fills the news table from the newest stored article on, without duplicates', async () => {
      const job = await ok(core, 'jobs.create', { name: 'Market news', kind: 'news', provider: 'polygon', symbols: [], schedule: '0 * * * *', lookbackDays: 3650 });
      expect(await runNow(job.id)).toMatchObject({ kind: 'news', status: 'succeeded', rows: 2 });
      expect(await runNow(job.id)).toMatchObject({ status: 'succeeded', rows: 0 });
      const articles = await core.storage.news.list({ limit: 10 });
      expect(articles).toHaveLength(2);
      expect(articles[0]).toMatchObject({ provider: 'polygon', publishedAt: Date.parse('2024-06-24T18:33:53Z'), sentiment: 1, publisher: expect.any(String) });
      expect(await core.storage.news.latestPublishedAt('polygon')).toBe(Date.parse('2024-06-24T18:33:53Z'));
      // The second run asked only from the newest stored article on.
      const asked = fake.requestsTo('polygon').map((r) => r.query.get('published_utc.gte'));
      expect(asked.at(-1)).toBe('2024-06-24T18:33:53.000Z');
    });

    it('refuses definitions that cannot work, in sentences', async () => {
      const base: MethodInput<'jobs.create'> = { name: 'x', kind: 'backfill', provider: 'polygon', symbols: ['XAUUSD'], timeframe: '1m', schedule: null };
      expect(await failure(core, 'jobs.create', { ...base, schedule: '*/5 * * *' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not a cron expression/) });
      expect(await failure(core, 'jobs.create', { ...base, timezone: 'London' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not a time zone/) });
      expect(await failure(core, 'jobs.create', { ...base, symbols: ['NOPE'] })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/no instrument NOPE/) });
      expect(await failure(core, 'jobs.create', { ...base, timeframe: '1w' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/has no 1w bars/) });
      expect(await failure(core, 'jobs.update', { id: 'missing', name: 'y' })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await ok(core, 'jobs.delete', { id: 'missing' })).toEqual({ id: 'missing', deleted: false });
    });

    it('keeps jobs, edits and run history across a restart, and fires once a host starts the scheduler', async () => {
      const before = (await ok(core, 'jobs.list', {})).jobs;
      const gold = before.find((j) => j.name === 'Gold minutes')!;
      const paused = await ok(core, 'jobs.pause', { id: gold.id });
      expect(paused.enabled).toBe(false);
      const edited = await ok(core, 'jobs.update', { id: gold.id, schedule: '0 */2 * * *', lookbackDays: 2 });
      expect(edited).toMatchObject({ schedule: '0 */2 * * *', lookbackDays: 2, timezone: 'Europe/London', enabled: false });

      await core.close();
      core = await openCore();
      const after = (await ok(core, 'jobs.list', {})).jobs;
      expect(after.map((j) => j.id)).toEqual(before.map((j) => j.id));
      expect(after.find((j) => j.id === gold.id)).toMatchObject({ ...edited, updatedAt: edited.updatedAt, nextRunAt: null });

      core.scheduler.start();
      expect((await ok(core, 'jobs.list', {})).scheduler.state).toBe('running');
      const resumed = await ok(core, 'jobs.resume', { id: gold.id });
      expect(resumed.nextRunAt).toBe(Date.UTC(2025, 1, 20, 14)); // 14:00 London (UTC in February) after 12:11
      core.scheduler.stop();
      expect(await ok(core, 'jobs.list', {})).toMatchObject({ scheduler: { state: 'stopped' }, jobs: after.map(() => ({ nextRunAt: null })) });
    });
  });
}

describeScheduledJobs('SQLite');
describeScheduledJobs('Postgres');
