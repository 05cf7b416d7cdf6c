/**
 * The scheduler's rules with an injected clock: schedules, per-provider turns, retries,
 * timeouts, dependencies and alerts, on a real SQLite storage and JobRunner. Executors are
 * replaced by scripted ones, since what a run does to providers is the integration test's job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providersFromEnvironment } from '../../../src/core/config/runtime-config';
import { EventBus } from '../../../src/core/events';
import { Backfills } from '../../../src/core/backfill/backfill';
import { ProviderRegistry } from '../../../src/core/providers/registry';
import { instrumentCatalogue } from '../../../src/core/instruments/catalogue';
import { JobRunner, type JobContext } from '../../../src/core/jobs/job-runner';
import { ProviderTurns } from '../../../src/core/jobs/provider-turns';
import type { Executor } from '../../../src/core/scheduler/executors';
import { Scheduler, type SchedulerClock, type SchedulerDeps } from '../../../src/core/scheduler/scheduler';
import type { JobDefinition } from '../../../src/core/scheduler/validate-job';
import { openStorage } from '../../../src/core/storage/open-storage';
import type { Storage } from '../../../src/core/storage/types';
import type { EventMessage } from '../../../src/shared/contract';
import { AppError } from '../../../src/shared/errors';
import { defaultLiveTracking } from '../../../src/shared/scheduler';
import { memorySecretStore } from '../../support/test-core';
import { silentLogger } from '../../support/silent-logger';

const START = Date.UTC(2025, 0, 6, 12, 0, 0); // a Monday, 12:00 UTC
const MINUTE = 60_000;

/** Timers that fire only when the test advances the clock. */
class FakeClock implements SchedulerClock {
  current = START;
  timers: { at: number; callback: () => void }[] = [];
  randomValue = 0.5;

  now = () => this.current;
  random = () => this.randomValue;
  setTimer = (callback: () => void, delayMs: number) => {
    const timer = { at: this.current + delayMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };

  /** Moves time forward, firing due timers in order and letting the work they start run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The scripted executors stand in for every kind, so the live tracker and the backups are never reached. */
const unusedModelJobs = {
  predict: () => Promise.reject(new Error('not reached')),
  train: () => Promise.reject(new Error('not reached')),
};
const unusedBackupJobs = {
  backup: () => Promise.reject(new Error('not reached')),
  drill: () => Promise.reject(new Error('not reached')),
};
const unusedRetentionJobs = { apply: () => Promise.reject(new Error('not reached')) };

/** A run the test finishes by hand, seeing its abort signal. */
interface ScriptedRun {
  name: string;
  ctx: JobContext;
  succeed(): void;
  fail(error: unknown): void;
}

describe('Scheduler', () => {
  let dataDir: string;
  let storage: Storage;
  let clock: FakeClock;
  let events: EventMessage[];
  let runs: ScriptedRun[];
  let scheduler: Scheduler;
  let jobs: JobRunner;
  let make: () => Scheduler;
  let schedulerDeps: () => SchedulerDeps;

  const definition = (fields: Partial<JobDefinition> = {}): JobDefinition => ({
    name: 'Gold spot',
    kind: 'poll',
    provider: 'metalsapi',
    symbols: ['XAUUSD'],
    timeframe: null,
    modelName: null,
    tracking: defaultLiveTracking,
    schedule: null,
    timezone: 'UTC',
    lookbackDays: 30,
    retryPolicy: { maxAttempts: 3, backoffMs: 30_000 },
    timeoutMs: 600_000,
    dependsOn: [],
    ...fields,
  });
  const running = (name?: string) => runs.filter((run) => name === undefined || run.name === name);
  const alerts = () => events.flatMap((e) => (e.name === 'alert.raised' ? [e.payload] : []));
  const runsOf = async (id: string) => storage.jobRuns.list({ ingestJobId: id, limit: 20 });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-scheduler-'));
    const logger = silentLogger();
    storage = await openStorage({ dataDir, logger });
    await storage.instruments.seed(instrumentCatalogue);
    clock = new FakeClock();
    events = [];
    runs = [];
    const bus = new EventBus();
    bus.subscribe((message) => events.push(message));
    jobs = new JobRunner(storage.jobRuns, bus, logger, clock.now, { owner: 'test' });
    const turns = new ProviderTurns();
    const providers = new ProviderRegistry(providersFromEnvironment({}), memorySecretStore(), logger);
    const backfills = new Backfills({ storage, jobs, events: bus, logger, now: clock.now, turns });
    const scripted: Executor = (_deps, ctx, job) =>
      new Promise((resolve, reject) => {
        runs.push({ name: job.name, ctx, succeed: () => resolve({ value: { symbols: job.symbols.length, rows: 1 }, rows: 1 }), fail: reject });
        ctx.signal.addEventListener('abort', () => reject(new AppError('CANCELLED', 'stopped')));
      });
    schedulerDeps = () => ({
      storage,
      jobs,
      events: bus,
      turns,
      providers,
      backfills,
      logger,
      now: clock.now,
      clock,
      modelJobs: unusedModelJobs,
      backupJobs: unusedBackupJobs,
      retentionJobs: unusedRetentionJobs,
      executors: { poll: scripted, backfill: scripted, news: scripted, predict: scripted, train: scripted, backup: scripted, drill: scripted, retention: scripted },
    });
    make = () => new Scheduler(schedulerDeps());
    scheduler = make();
    await scheduler.load();
  });

  afterEach(async () => {
    scheduler.stop();
    for (const run of runs) run.succeed();
    await scheduler.settled();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fires on its cron schedule in its time zone, and only while started', async () => {
    // 09:00 on weekdays in New York: 14:00 UTC in January.
    const job = await scheduler.create(definition({ schedule: '0 9 * * 1-5', timezone: 'America/New_York' }));
    expect(job.nextRunAt).toBeNull();
    expect(scheduler.state()).toEqual({ state: 'stopped', queued: 0 });

    scheduler.start();
    expect((await scheduler.get(job.id)).nextRunAt).toBe(Date.UTC(2025, 0, 6, 14));
    await clock.advance(2 * 60 * MINUTE - 1);
    expect(running()).toHaveLength(0);
    await clock.advance(1);
    expect(running()).toHaveLength(1);
    const described = await scheduler.get(job.id);
    expect(described.runningRunId).toBe(running()[0]!.ctx.runId);
    expect(described.nextRunAt).toBe(Date.UTC(2025, 0, 7, 14));
    running()[0]!.succeed();
    await settle();
    expect(await scheduler.get(job.id)).toMatchObject({ runningJobId: null, lastRun: { status: 'succeeded', ingestJobId: job.id, kind: 'poll' } });

    scheduler.stop();
    expect((await scheduler.get(job.id)).nextRunAt).toBeNull();
    await clock.advance(24 * 60 * MINUTE);
    expect(running()).toHaveLength(1);
  });

  it('offline on a team desktop\'s cache, fires the jobs that write there and leaves backups to the team database', async () => {
    const poll = await scheduler.create(definition({ schedule: '*/5 * * * *' }));
    const backup = await scheduler.create(definition({ name: 'Nightly backup', kind: 'backup', provider: null, symbols: [], schedule: '*/5 * * * *' }));
    const offline = new Scheduler({ ...schedulerDeps(), offline: true });
    await offline.load();
    offline.start();
    try {
      await clock.advance(5 * MINUTE);
      expect(running().map((run) => run.name)).toEqual(['Gold spot']);
      await expect(offline.runNow(backup.id)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/team database/) });
      expect(await runsOf(backup.id)).toEqual([]);
      expect(await runsOf(poll.id)).toHaveLength(1);
    } finally {
      offline.stop();
    }
  });

  it('fires a scheduled time once when two processes share the database, even after the first run ended', async () => {
    const job = await scheduler.create(definition({ schedule: '*/5 * * * *' }));
    // Another desktop on the same database, whose clock is a little behind ours.
    const other = new Scheduler({ ...schedulerDeps(), clock: { now: () => clock.now() - 2_000, random: () => 0.5, setTimer: clock.setTimer } });
    await other.load();
    scheduler.start();
    await clock.advance(3_000);
    other.start();

    await clock.advance(5 * MINUTE - 3_000);
    expect(running()).toHaveLength(1);
    running()[0]!.succeed();
    await settle();
    await clock.advance(2_000);
    expect(running()).toHaveLength(1);
    expect((await runsOf(job.id)).map((run) => run.status)).toEqual(['succeeded']);

    // The next time is fired again, by whichever process wakes first.
    await clock.advance(5 * MINUTE);
    expect(running()).toHaveLength(2);
    other.stop();
    await other.settled();
  });

  it('takes in jobs another process sharing the database created, edited and deleted', async () => {
    const other = make();
    await other.load();
    scheduler.start();
    const job = await other.create(definition({ name: 'Made elsewhere', schedule: '*/5 * * * *' }));
    expect((await scheduler.list()).map((j) => j.name)).toEqual(['Made elsewhere']);

    await other.update(job.id, { name: 'Renamed elsewhere', schedule: '0 * * * *' });
    // Without anyone asking for the list, the running scheduler reads the change within a minute.
    await clock.advance(MINUTE);
    expect(running()).toHaveLength(0);
    await clock.advance(59 * MINUTE);
    expect(running().map((run) => run.name)).toEqual(['Renamed elsewhere']);
    running()[0]!.succeed();
    await settle();

    await other.delete(job.id);
    expect(await scheduler.list()).toEqual([]);
    await clock.advance(60 * MINUTE);
    expect(running()).toHaveLength(1);
  });

  it('skips a scheduled time while the previous run is still busy', async () => {
    const job = await scheduler.create(definition({ schedule: '* * * * *' }));
    scheduler.start();
    await clock.advance(MINUTE);
    await clock.advance(MINUTE);
    expect(running()).toHaveLength(1);
    await expect(scheduler.runNow(job.id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already running/) });
    running()[0]!.succeed();
    await clock.advance(MINUTE);
    expect(running()).toHaveLength(2);
  });

  it('runs the jobs of one provider one at a time, and other providers beside them', async () => {
    const first = await scheduler.create(definition({ name: 'A' }));
    const second = await scheduler.create(definition({ name: 'B' }));
    const other = await scheduler.create(definition({ name: 'C', provider: 'twelvedata' }));
    const firstRun = await scheduler.runNow(first.id);
    const secondRun = await scheduler.runNow(second.id);
    await scheduler.runNow(other.id);
    await settle();
    expect(running().map((run) => run.name)).toEqual(['A', 'C']);
    expect(scheduler.state().queued).toBe(1);
    // The waiting run exists already, so run-now can answer its id at once.
    expect((await scheduler.get(second.id)).runningJobId).toBe(secondRun);

    running('A')[0]!.succeed();
    await settle();
    expect(running().map((run) => run.name)).toEqual(['A', 'C', 'B']);
    expect(scheduler.state().queued).toBe(0);
    expect((await runsOf(first.id))[0]).toMatchObject({ id: firstRun, status: 'succeeded' });
  });

  it('retries transient failures after a jittered, doubling backoff, and then succeeds without an alert', async () => {
    const job = await scheduler.create(definition({ retryPolicy: { maxAttempts: 3, backoffMs: 10_000 } }));
    clock.randomValue = 0.5;
    await scheduler.runNow(job.id);
    await settle();
    running()[0]!.fail(new AppError('UNAVAILABLE', 'Metals-API is not answering'));
    await clock.advance(4_999);
    expect(running()).toHaveLength(1);
    await clock.advance(1); // 0.5 × 10 s
    expect(running()).toHaveLength(2);
    running()[1]!.fail(new AppError('RATE_LIMITED', 'slow down'));
    await clock.advance(9_999); // 0.5 × 20 s
    expect(running()).toHaveLength(2);
    await clock.advance(1);
    expect(running()).toHaveLength(3);
    expect(running()[2]!.ctx.runId).not.toBe(running()[1]!.ctx.runId);
    running()[2]!.succeed();
    await settle();

    expect((await runsOf(job.id)).map((run) => [run.status, run.description])).toEqual([
      ['succeeded', 'Gold spot (attempt 3 of 3)'],
      ['failed', 'Gold spot (attempt 2 of 3)'],
      ['failed', 'Gold spot'],
    ]);
    expect(alerts()).toEqual([]);
  });

  it('raises one alert when the last attempt fails, and never retries AUTH', async () => {
    const job = await scheduler.create(definition({ retryPolicy: { maxAttempts: 2, backoffMs: 1_000 } }));
    await scheduler.runNow(job.id);
    await settle();
    running()[0]!.fail(new AppError('UNAVAILABLE', 'down'));
    await clock.advance(1_000);
    running()[1]!.fail(new AppError('UNAVAILABLE', 'still down'));
    await clock.advance(60 * MINUTE);
    expect(running()).toHaveLength(2);
    expect(alerts()).toEqual([
      expect.objectContaining({ severity: 'error', source: `job:${job.id}`, message: 'Scheduled job "Gold spot" failed after 2 attempts: still down' }),
    ]);

    await scheduler.runNow(job.id);
    await settle();
    running()[2]!.fail(new AppError('AUTH', 'Metals-API did not accept the API key.'));
    await clock.advance(60 * MINUTE);
    expect(running()).toHaveLength(3);
    expect(alerts().at(-1)!.message).toBe('Scheduled job "Gold spot" failed: Metals-API did not accept the API key.');
    expect(await storage.alerts.countUnacknowledged()).toBe(2);
  });

  it('alerts once for a job failing again and again for one reason, and again once that alert is acknowledged', async () => {
    const job = await scheduler.create(definition({ retryPolicy: { maxAttempts: 1, backoffMs: 1_000 } }));
    for (let run = 0; run < 3; run++) {
      await scheduler.runNow(job.id);
      await settle();
      running().at(-1)!.fail(new AppError('UNAVAILABLE', `down ${run}`));
      await settle();
    }
    expect(alerts().map((alert) => alert.message)).toEqual(['Scheduled job "Gold spot" failed: down 0']);
    expect((await runsOf(job.id)).map((run) => run.status)).toEqual(['failed', 'failed', 'failed']);

    await storage.alerts.acknowledge(undefined, clock.now());
    await scheduler.runNow(job.id);
    await settle();
    running().at(-1)!.fail(new AppError('UNAVAILABLE', 'down again'));
    await settle();
    expect(alerts().map((alert) => alert.message)).toEqual(['Scheduled job "Gold spot" failed: down 0', 'Scheduled job "Gold spot" failed: down again']);
  });

  it('does not retry or alert when the user cancels a run', async () => {
    const job = await scheduler.create(definition());
    const jobId = await scheduler.runNow(job.id);
    await settle();
    expect(running()[0]!.ctx.runId).toBe(jobId);
    expect(jobs.cancel(jobId)).toBe(true); // what jobs.cancel does
    await clock.advance(60 * MINUTE);
    expect((await runsOf(job.id)).map((run) => run.status)).toEqual(['cancelled']);
    expect(alerts()).toEqual([]);
  });

  it('stops a run at its timeout and records it failed with the reason', async () => {
    const job = await scheduler.create(definition({ timeoutMs: 5 * MINUTE, retryPolicy: { maxAttempts: 1, backoffMs: 1_000 } }));
    await scheduler.runNow(job.id);
    await clock.advance(5 * MINUTE - 1);
    expect((await runsOf(job.id))[0]!.status).toBe('running');
    await clock.advance(1);
    const [run] = await runsOf(job.id);
    expect(run).toMatchObject({ status: 'failed', error: '"Gold spot" ran longer than its limit of 5 min and was stopped.' });
    expect(alerts()).toHaveLength(1);
  });

  it('counts the timeout from the provider turn, not from the wait in line', async () => {
    const first = await scheduler.create(definition({ name: 'A' }));
    const second = await scheduler.create(definition({ name: 'B', timeoutMs: MINUTE }));
    await scheduler.runNow(first.id);
    await scheduler.runNow(second.id);
    await clock.advance(10 * MINUTE);
    running('A')[0]!.succeed();
    await settle();
    expect(running('B')).toHaveLength(1);
    expect((await runsOf(second.id))[0]!.status).toBe('running');
  });

  it('runs a job after its dependencies succeed, not after they fail', async () => {
    const prices = await scheduler.create(definition({ name: 'Prices' }));
    const bars = await scheduler.create(definition({ name: 'Bars', provider: 'polygon', kind: 'backfill', timeframe: '1m' }));
    const after = await scheduler.create(definition({ name: 'After both', provider: 'twelvedata', dependsOn: [prices.id, bars.id] }));
    scheduler.start();

    await scheduler.runNow(prices.id);
    await clock.advance(1_000);
    running('Prices')[0]!.succeed();
    await clock.advance(1_000);
    expect(running('After both')).toHaveLength(0); // Bars never ran

    await scheduler.runNow(bars.id);
    await clock.advance(1_000);
    running('Bars')[0]!.succeed();
    await clock.advance(1_000);
    expect(running('After both')).toHaveLength(1);
    running('After both')[0]!.succeed();

    await scheduler.runNow(prices.id);
    await clock.advance(1_000);
    running('Prices')[1]!.fail(new AppError('AUTH', 'refused'));
    await clock.advance(1_000);
    await scheduler.runNow(bars.id);
    await clock.advance(1_000);
    running('Bars')[1]!.succeed();
    await clock.advance(1_000);
    expect(running('After both')).toHaveLength(1);
    expect((await scheduler.get(after.id)).lastRun?.status).toBe('succeeded');
  });

  it('refuses dependency cycles, unknown dependencies and deleting a job others depend on', async () => {
    const a = await scheduler.create(definition({ name: 'A' }));
    const b = await scheduler.create(definition({ name: 'B', dependsOn: [a.id] }));
    const c = await scheduler.create(definition({ name: 'C', dependsOn: [b.id] }));
    await expect(scheduler.update(a.id, { dependsOn: [c.id] })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/wait for each other forever: "A" → "C" → "B" → "A"/),
    });
    await expect(scheduler.update(a.id, { dependsOn: [a.id] })).rejects.toMatchObject({ code: 'VALIDATION', message: '"A" cannot depend on itself.' });
    await expect(scheduler.create(definition({ dependsOn: ['nope'] }))).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/does not exist/) });
    await expect(scheduler.delete(a.id)).rejects.toMatchObject({ code: 'CONFLICT', message: '"A" cannot be deleted while "B" depends on it.' });
    expect((await scheduler.get(a.id)).dependsOn).toEqual([]);
    expect(await scheduler.delete(c.id)).toBe(true);
    expect(await scheduler.delete(c.id)).toBe(false);
  });

  it('applies pause, resume and a new schedule at once, and keeps jobs across a restart', async () => {
    const job = await scheduler.create(definition({ schedule: '*/10 * * * *' }));
    scheduler.start();
    expect((await scheduler.get(job.id)).nextRunAt).toBe(START + 10 * MINUTE);
    expect(await scheduler.setEnabled(job.id, false)).toMatchObject({ enabled: false, nextRunAt: null });
    await clock.advance(30 * MINUTE);
    expect(running()).toHaveLength(0);
    expect(await scheduler.setEnabled(job.id, true)).toMatchObject({ enabled: true, nextRunAt: START + 40 * MINUTE });
    expect(await scheduler.update(job.id, { schedule: '0 * * * *', name: 'Hourly gold' })).toMatchObject({
      name: 'Hourly gold',
      nextRunAt: START + 60 * MINUTE,
      timezone: 'UTC',
    });
    await clock.advance(30 * MINUTE);
    expect(running()).toHaveLength(1);

    const audit = new Database(path.join(dataDir, 'metalytics.db'), { readonly: true });
    try {
      const rows = audit.prepare('SELECT actor, action, details FROM audit_log ORDER BY id').all() as { actor: string; action: string; details: string }[];
      expect(rows.map((row) => [row.actor, row.action])).toEqual([
        ['user', 'jobs.create'],
        ['user', 'jobs.pause'],
        ['user', 'jobs.resume'],
        ['user', 'jobs.update'],
      ]);
      expect(JSON.parse(rows[3]!.details)).toMatchObject({ id: job.id, name: 'Hourly gold', schedule: '0 * * * *', changed: ['schedule', 'name'] });
    } finally {
      audit.close();
    }

    scheduler.stop();
    const restarted = make();
    await restarted.load();
    restarted.start();
    expect(await restarted.list()).toEqual([expect.objectContaining({ id: job.id, name: 'Hourly gold', schedule: '0 * * * *', nextRunAt: START + 120 * MINUTE })]);
    restarted.stop();
  });

  it('starts with a stored job whose schedule it cannot read, which then runs on demand only', async () => {
    await storage.ingestJobs.create({
      ...definition({ schedule: '* * * * *', timezone: 'Mars/Olympus_Mons' }),
      id: 'from-elsewhere',
      enabled: true,
      createdAt: START,
      updatedAt: START,
    });
    const restarted = make();
    await restarted.load();
    restarted.start();
    expect(await restarted.list()).toEqual([expect.objectContaining({ id: 'from-elsewhere', nextRunAt: null })]);
    await clock.advance(10 * MINUTE);
    expect(running()).toHaveLength(0);
    await restarted.runNow('from-elsewhere');
    await settle();
    expect(running()).toHaveLength(1);
    restarted.stop();
  });

  it('refuses a schedule, zone, symbol or timeframe that cannot work, in a sentence', async () => {
    const refusal = (fields: Partial<JobDefinition>) => scheduler.create(definition(fields)).catch((error: AppError) => error);
    expect(await refusal({ schedule: 'every day' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not a cron expression.*five fields/) });
    expect(await refusal({ schedule: '61 * * * *' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/"61 \* \* \* \*" is not a cron expression/) });
    expect(await refusal({ timezone: 'Mars/Olympus' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not a time zone/) });
    expect(await refusal({ symbols: ['NOPE'] })).toMatchObject({ code: 'VALIDATION', message: 'There is no instrument NOPE; pick one from the Markets list.' });
    expect(await refusal({ symbols: ['GC=F'] })).toMatchObject({ code: 'VALIDATION', message: 'Metals-API does not carry Gold futures (COMEX, front month) (GC=F).' });
    expect(await refusal({ provider: 'polygon', symbols: ['AAPL'] })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/precious-metal spot prices only; AAPL is not .* Use a backfill job/) });
    expect(await refusal({ kind: 'backfill', provider: 'polygon', timeframe: '4h' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/has no 4h bars; choose one of 1m/) });
    expect(await refusal({ kind: 'news', provider: 'twelvedata', symbols: [] })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/offers no news/) });
    expect(await refusal({ kind: 'backfill', provider: 'polygon', timeframe: null })).toMatchObject({ code: 'VALIDATION' });
    expect(await scheduler.list()).toEqual([]);
  });

  describe('model jobs', () => {
    const predictJob = (fields: Partial<JobDefinition> = {}) => definition({ name: 'Forecast gold', kind: 'predict', provider: null, timeframe: '1h', ...fields });
    /** Bars of a series landed, as a backfill or import says so. */
    const landed = (symbol: string, timeframe: '1h' | '1d') => bus.emit('bars.changed', { symbol, timeframe, from: START, to: START });
    let bus: EventBus;
    beforeEach(() => {
      bus = schedulerDeps().events;
    });

    it('takes predict and train jobs without a provider, dropping one given, and refuses what they cannot use', async () => {
      const predict = await scheduler.create(predictJob({ provider: 'polygon' }));
      expect(predict).toMatchObject({ kind: 'predict', provider: null, timeframe: '1h', modelName: null, tracking: defaultLiveTracking });
      const train = await scheduler.create(definition({ name: 'Retrain ridge', kind: 'train', provider: null, modelName: 'ridge-1h' }));
      expect(train).toMatchObject({ kind: 'train', provider: null, modelName: 'ridge-1h' });

      const refusal = (fields: Partial<JobDefinition>) => scheduler.create(definition(fields)).catch((error: AppError) => error);
      expect(await refusal({ kind: 'predict', provider: null, timeframe: null })).toMatchObject({ message: 'A predict job needs the timeframe of the series whose models it runs.' });
      expect(await refusal({ kind: 'train', provider: null })).toMatchObject({ message: 'A train job needs the name of the model it retrains.' });
      expect(await refusal({ kind: 'train', provider: null, modelName: 'x', timeframe: '1h' })).toMatchObject({ message: /takes its timeframe from the model's active version/ });
      expect(await refusal({ kind: 'predict', provider: null, timeframe: '1h', symbols: [] })).toMatchObject({ message: 'A predict job needs at least one symbol.' });
      expect(await refusal({ kind: 'backfill', provider: null, timeframe: '1h' })).toMatchObject({ message: 'A backfill job needs a provider.' });
      expect(await refusal({ kind: 'poll', modelName: 'ridge-1h' })).toMatchObject({ message: /Only a train job takes a model name/ });
      expect((await scheduler.list()).map((job) => job.id).sort()).toEqual([predict.id, train.id].sort());
    });

    it('runs a predict job when bars of its series land, once for a burst, again for bars that land while it runs', async () => {
      const job = await scheduler.create(predictJob({ symbols: ['XAUUSD', 'XAGUSD'] }));
      landed('XAUUSD', '1h');
      await settle();
      expect(running()).toHaveLength(0); // schedules and bar triggers wait for a host to start the scheduler

      scheduler.start();
      landed('XAUUSD', '1d');
      landed('BTCUSD', '1h');
      await settle();
      expect(running()).toHaveLength(0);

      landed('XAGUSD', '1h');
      await settle();
      expect(running()).toHaveLength(1);
      landed('XAUUSD', '1h');
      landed('XAUUSD', '1h');
      await settle();
      expect(running()).toHaveLength(1);
      running()[0]!.succeed();
      await settle();
      expect(running()).toHaveLength(2);
      running()[1]!.succeed();
      await settle();
      expect(running()).toHaveLength(2);
      expect((await runsOf(job.id)).map((run) => [run.kind, run.status])).toEqual([
        ['predict', 'succeeded'],
        ['predict', 'succeeded'],
      ]);

      await scheduler.setEnabled(job.id, false);
      landed('XAUUSD', '1h');
      await settle();
      expect(running()).toHaveLength(2);
    });

    it('runs the train jobs of a model name and symbol when drift asks, and says when there is none', async () => {
      await scheduler.create(definition({ name: 'Retrain ridge', kind: 'train', provider: null, modelName: 'ridge-1h', symbols: ['XAUUSD'] }));
      scheduler.start();
      expect(await scheduler.retrain('ridge-1h', 'XAGUSD')).toBe(false);
      expect(await scheduler.retrain('lstm-1h', 'XAUUSD')).toBe(false);
      expect(await scheduler.retrain('ridge-1h', 'XAUUSD')).toBe(true);
      await settle();
      expect(running().map((run) => run.name)).toEqual(['Retrain ridge']);
    });
  });
});
