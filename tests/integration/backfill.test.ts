import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import { INTERRUPTED_JOB_ERROR } from '../../src/core/storage/job-run-repository';
import { openStorage } from '../../src/core/storage/open-storage';
import type { EventMessage, EventPayload, MethodInput } from '../../src/shared/contract';
import type { Bar } from '../../src/shared/domain';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { CLI_BIN as BIN } from '../support/cli-process';
import { silentLogger } from '../support/silent-logger';
import { createTestCore, invokeFailure as failure, invokeOk as ok, type TestCore } from '../support/test-core';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The fake server's and the core's "now", so Polygon's two-year depth is measured from the same day. */
const NOW = Date.UTC(2025, 1, 20, 12);

/** What the fake server serves for a 24/7 Polygon ticker: one bar a minute in [from, to). */
function serverBars(ticker: string, from: number, to: number): Bar[] {
  const bars: Bar[] = [];
  for (let time = from; time < to; time += MINUTE) bars.push({ time, ...syntheticBar(ticker, time, MINUTE) });
  return bars;
}

function waitForJobEnd(core: Core, jobId: string): Promise<EventPayload<'job.finished'>> {
  return new Promise((resolve) => {
    const unsubscribe = core.events.subscribe((message) => {
      if (message.name === 'job.finished' && message.payload.jobId === jobId) {
        unsubscribe();
        resolve(message.payload);
      }
    });
  });
}

async function backfill(core: Core, input: MethodInput<'backfill.start'>) {
  const started = await ok(core, 'backfill.start', input);
  const ending = await waitForJobEnd(core, started.jobId);
  const checkpoint = (await ok(core, 'backfill.list', {})).checkpoints.find((c) => c.id === started.checkpointId)!;
  return { started, ending, checkpoint };
}

const storedBars = async (core: Core, symbol: string) => (await ok(core, 'bars.query', { symbol, timeframe: '1m' })).bars;

describe('backfill through the core from the fake Polygon server', () => {
  let fake: FakeProviderServer;
  let test: TestCore;
  let core: Core;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW, polygonPageSize: 5000 });
    test = await createTestCore({
      now: () => NOW,
      environment: {
        ...fake.environment('polygon'),
        METALYTICS_YAHOO_BASE_URL: fake.baseUrl('yahoo'),
      },
    });
    core = test.core;
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  it('stores exactly the bars the server has, in provider-sized chunks of pages, and a re-run adds nothing', async () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2025, 1, 10);
    const events: EventMessage[] = [];
    const unsubscribe = core.events.subscribe((message) => events.push(message));
    const { started, ending, checkpoint } = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1m', from, to });
    unsubscribe();

    expect(ending).toMatchObject({ kind: 'backfill', status: 'succeeded', rows: 57_600 });
    expect(await storedBars(core, 'XAUUSD')).toEqual(serverBars('C:XAUUSD', from, to));
    // 40 days of minutes: one 50,000-bar request window and the rest, each paged by 5,000.
    expect(checkpoint).toMatchObject({ status: 'done', progress: 1, resumeFrom: to, rowsWritten: 57_600, jobRunId: started.jobId });
    expect(checkpoint.lastRun).toMatchObject({ chunks: 2, pages: 12, received: 57_600, inserted: 57_600, rejected: 0, resumed: false });
    expect(fake.requestsTo('polygon')).toHaveLength(12);
    const changed = events.filter((e) => e.name === 'bars.changed');
    expect(changed).toHaveLength(12);
    expect(changed[0]!.payload).toEqual({ symbol: 'XAUUSD', timeframe: '1m', from, to: from + 4999 * MINUTE });
    const progress = events.flatMap((e) => (e.name === 'job.progress' ? [e.payload] : []));
    expect(progress.at(-1)).toMatchObject({ kind: 'backfill', unit: 'bars', done: 57_600, total: 57_600 });

    const again = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1m', from, to });
    expect(again.ending).toMatchObject({ status: 'succeeded', rows: 0 });
    expect(again.checkpoint.lastRun).toMatchObject({ inserted: 0, updated: 0, unchanged: 57_600 });
    expect(await ok(core, 'bars.coverage', { symbol: 'XAUUSD' })).toMatchObject({ coverage: [{ timeframe: '1m', count: 57_600 }] });
    expect((await ok(core, 'jobs.runs', { kind: 'backfill' })).runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('retries a burst of 5xx answers mid-way and still stores every bar once', async () => {
    const from = Date.UTC(2025, 1, 1);
    const to = Date.UTC(2025, 1, 4);
    fake.state.polygonPageSize = 1000;
    try {
      const midway = { when: (r: { query: URLSearchParams }) => r.query.has('cursor') };
      fake.script('polygon', { ...midway, respond: { status: 503, json: { status: 'ERROR', error: 'busy' } } }, { ...midway, respond: { status: 502, text: 'Bad Gateway' } });
      const { ending, checkpoint } = await backfill(core, { provider: 'polygon', symbol: 'XAGUSD', timeframe: '1m', from, to });
      expect(ending.status).toBe('succeeded');
      expect(await storedBars(core, 'XAGUSD')).toEqual(serverBars('C:XAGUSD', from, to));
      expect(checkpoint.lastRun).toMatchObject({ pages: 5, inserted: 4320 });
      expect(fake.requestsTo('polygon')).toHaveLength(7);
    } finally {
      fake.state.polygonPageSize = 5000;
    }
  });

  it('fails on a rejected key with a clear message, keeps what it committed, and resumes from the checkpoint', async () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2025, 0, 8);
    fake.script('polygon', { when: (r) => r.query.has('cursor'), respond: { status: 401, json: { status: 'ERROR', request_id: 'x', error: 'Unknown API Key' } } });
    const first = await backfill(core, { provider: 'polygon', symbol: 'XPTUSD', timeframe: '1m', from, to });
    expect(first.ending.status).toBe('failed');
    expect(first.ending.error).toMatch(/did not accept the API key/);
    // Resumes just after the last committed bar.
    expect(first.checkpoint).toMatchObject({ status: 'failed', resumeFrom: from + 4999 * MINUTE + 1, rowsWritten: 5000 });
    expect(first.checkpoint.lastRun).toMatchObject({ errorCode: 'AUTH', inserted: 5000 });
    expect(fake.requestsTo('polygon')).toHaveLength(2); // AUTH is not retried

    const second = await backfill(core, { provider: 'polygon', symbol: 'XPTUSD', timeframe: '1m', from, to });
    expect(second.started.checkpointId).toBe(first.started.checkpointId);
    expect(second.checkpoint).toMatchObject({ status: 'done', rowsWritten: 10_080 });
    expect(second.checkpoint.lastRun).toMatchObject({ resumed: true, startedFrom: from + 4999 * MINUTE + 1, inserted: 5080, unchanged: 0 });
    expect(await storedBars(core, 'XPTUSD')).toEqual(serverBars('C:XPTUSD', from, to));
  });

  it('rejects bars that break the OHLC rules, counts them and stores the rest', async () => {
    const from = Date.UTC(2025, 1, 12); // after the first test's range
    const to = Date.UTC(2025, 1, 13);
    const broken = from + 3 * MINUTE;
    fake.script('polygon', {
      mutate: (body: { results: { t: number; h: number; l: number }[] }) => {
        const bar = body.results.find((r) => r.t === broken)!;
        bar.h = bar.l - 1;
        return body;
      },
    });
    const { ending, checkpoint } = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1m', from, to });
    expect(ending.status).toBe('succeeded');
    expect(checkpoint.lastRun).toMatchObject({ received: 1440, rejected: 1, inserted: 1439 });
    expect(checkpoint.lastRun!.rejections[0]).toMatch(/^2025-02-12T00:03:00.000Z: High .* is below low/);
    const stored = (await ok(core, 'bars.query', { symbol: 'XAUUSD', timeframe: '1m', from, to: to - 1 })).bars;
    expect(stored).toEqual(serverBars('C:XAUUSD', from, to).filter((bar) => bar.time !== broken));
  });

  it('cancels through the job, leaving the checkpoint resumable', async () => {
    const from = Date.UTC(2024, 11, 1);
    const to = Date.UTC(2024, 11, 8);
    fake.script('polygon', { when: (r) => r.query.has('cursor'), fault: 'hang' });
    const started = await ok(core, 'backfill.start', { provider: 'polygon', symbol: 'BTCUSD', timeframe: '1m', from, to });
    const ending = waitForJobEnd(core, started.jobId);
    while (fake.requestsTo('polygon').length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // `jobId` is the name `runId` had before 0.2; it is still accepted and answered for one release.
    expect(await ok(core, 'jobs.cancel', { jobId: started.jobId })).toEqual({ runId: started.jobId, jobId: started.jobId, cancelled: true });
    expect(await ending).toMatchObject({ status: 'cancelled' });
    const [cancelled] = (await ok(core, 'backfill.list', {})).checkpoints.filter((c) => c.id === started.checkpointId);
    expect(cancelled).toMatchObject({ status: 'cancelled', resumeFrom: from + 4999 * MINUTE + 1 });

    const resumed = await backfill(core, { provider: 'polygon', symbol: 'BTCUSD', timeframe: '1m', from, to });
    expect(resumed.checkpoint).toMatchObject({ status: 'done' });
    expect(resumed.checkpoint.lastRun).toMatchObject({ resumed: true });
    expect(await storedBars(core, 'BTCUSD')).toEqual(serverBars('X:BTCUSD', from, to));
  });

  it('runs backfills from one provider one after the other', async () => {
    const from = Date.UTC(2025, 0, 20);
    const to = Date.UTC(2025, 0, 21);
    fake.state.polygonPageSize = 300;
    try {
      const first = await ok(core, 'backfill.start', { provider: 'polygon', symbol: 'XPDUSD', timeframe: '1m', from, to });
      const second = await ok(core, 'backfill.start', { provider: 'polygon', symbol: 'XAGUSD', timeframe: '1m', from, to });
      const endings = await Promise.all([waitForJobEnd(core, first.jobId), waitForJobEnd(core, second.jobId)]);
      expect(endings.map((e) => e.status)).toEqual(['succeeded', 'succeeded']);
      const tickers = fake.requestsTo('polygon').map((r) => r.path.split('/')[4]);
      expect(tickers).toEqual([...Array<string>(5).fill('C:XPDUSD'), ...Array<string>(5).fill('C:XAGUSD')]);
    } finally {
      fake.state.polygonPageSize = 5000;
    }
  });

  it('shows a checkpoint whose process died as interrupted, with the summary its run recorded', async () => {
    const { storage } = core;
    const summary = {
      jobId: 'dead-run', status: 'running', startedFrom: 0, resumed: false, chunks: 3, pages: 2, received: 10, inserted: 10,
      updated: 0, unchanged: 0, rejected: 0, rejections: [], error: null, errorCode: null,
    } as const;
    const id = 'polygon:GLD:1m:0-86400000';
    await storage.jobRuns.start({ id: 'dead-run', kind: 'backfill', description: 'Backfill GLD', startedAt: 1, owner: 'a process that was killed' });
    await storage.jobRuns.finish('dead-run', { status: 'failed', finishedAt: 2, rows: 0, error: INTERRUPTED_JOB_ERROR, details: { backfills: { [id]: summary } } });
    await storage.backfillCheckpoints.save({
      id, provider: 'polygon', symbol: 'GLD', timeframe: '1m', rangeFrom: 0, rangeTo: DAY, resumeFrom: 600_000, rowsWritten: 10,
      status: 'running', jobRunId: 'dead-run', updatedAt: 2,
    });
    const listed = (await ok(core, 'backfill.list', {})).checkpoints.find((c) => c.id === id);
    expect(listed).toMatchObject({ status: 'interrupted', resumeFrom: 600_000, lastRun: summary });

    // A run that failed on its own (a refused key, say) shows as failed.
    await storage.jobRuns.start({ id: 'failed-run', kind: 'backfill', description: 'Backfill GLD', startedAt: 3, owner: 'a process' });
    await storage.jobRuns.finish('failed-run', { status: 'failed', finishedAt: 4, rows: 0, error: 'Polygon refused the key.' });
    await storage.backfillCheckpoints.save({
      id, provider: 'polygon', symbol: 'GLD', timeframe: '1m', rangeFrom: 0, rangeTo: DAY, resumeFrom: 600_000, rowsWritten: 10,
      status: 'running', jobRunId: 'failed-run', updatedAt: 4,
    });
    expect((await ok(core, 'backfill.list', {})).checkpoints.find((c) => c.id === id)?.status).toBe('failed');
  });

  it('refuses an unknown symbol, a timeframe the provider does not serve, and a range before its history', async () => {
    expect(await failure(core, 'backfill.start', { provider: 'polygon', symbol: 'NOPE', timeframe: '1m', from: 0, to: DAY })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(core, 'backfill.start', { provider: 'polygon', symbol: 'XAUUSD', timeframe: '4h', from: NOW - DAY, to: NOW })).toMatchObject({
      code: 'VALIDATION',
    });
    // Yahoo documents 30 days of 1m bars for everyone; that limit stays.
    expect(await failure(core, 'backfill.start', { provider: 'yahoo', symbol: 'GC=F', timeframe: '1m', from: Date.UTC(2010, 0, 1), to: Date.UTC(2010, 0, 2) })).toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('backfill as deep as the key\'s plan, from the fake Polygon server', () => {
  const FROM = Date.UTC(2005, 0, 1);
  const TO = Date.UTC(2025, 0, 1);
  /** Where the free key's plan starts: about two years before the server's "now". */
  const PLAN_START = Date.UTC(2023, 1, 21);
  let fake: FakeProviderServer;
  const cores: TestCore[] = [];

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW });
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    for (const test of cores) await test.cleanup();
    await fake?.close();
  });

  /** A core of its own for each key, as each test's database starts knowing no plan. */
  async function polygonCore(): Promise<Core> {
    const test = await createTestCore({
      now: () => NOW,
      environment: {
        ...fake.environment('polygon'),
      },
    });
    cores.push(test);
    return test.core;
  }

  const dailyBars = async (core: Core, symbol: string) => (await ok(core, 'bars.query', { symbol, timeframe: '1d', limit: 100_000 })).bars;
  const aggregatesFrom = (request: { path: string }) => Number(request.path.split('/')[8]);
  const refused = () => fake.requestsTo('polygon').filter((request) => aggregatesFrom(request) < PLAN_START);

  it('gives a paid key all twenty years of daily bars, asking for them as the user did', async () => {
    const core = await polygonCore();
    fake.state.polygonHistoryStart = null;
    const { ending, checkpoint } = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1d', from: FROM, to: TO });
    expect(ending.status).toBe('succeeded');
    const bars = await dailyBars(core, 'XAUUSD');
    // XAUUSD trades every day at the fake server: 2005-01-01 … 2024-12-31.
    expect(bars).toHaveLength((TO - FROM) / DAY);
    expect(bars[0]!.time).toBe(FROM);
    expect(bars.at(-1)!.time).toBe(TO - DAY);
    expect(checkpoint.lastRun).toMatchObject({ startedFrom: FROM, plan: null, inserted: (TO - FROM) / DAY });
    expect(fake.requestsTo('polygon').map(aggregatesFrom)).toEqual([FROM]);
  });

  it('learns where a free key\'s plan starts by bisection, stores from there, and resumes and runs again without probing', async () => {
    const core = await polygonCore();
    fake.state.polygonHistoryStart = PLAN_START;
    fake.state.polygonPageSize = 200;
    try {
      // The first page after the plan's start fails for another reason, so the run stops part-way.
      fake.script('polygon', { when: (r) => r.query.has('cursor'), respond: { status: 401, json: { status: 'ERROR', request_id: 'x', error: 'Unknown API Key' } } });
      const first = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1d', from: FROM, to: TO });
      expect(first.ending.status).toBe('failed');
      const probes = first.checkpoint.lastRun!.plan!.probes;
      expect(first.checkpoint.lastRun).toMatchObject({ startedFrom: PLAN_START, plan: { historyStart: PLAN_START, source: 'probed' }, inserted: 200 });
      // The refused request, the probes (one upper bound, then halving 7,300 days), a page of bars and the failed one.
      expect(probes).toBeLessThanOrEqual(1 + Math.ceil(Math.log2((TO - FROM) / DAY)));
      expect(fake.requestsTo('polygon')).toHaveLength(1 + probes + 2);
      expect(first.checkpoint).toMatchObject({ status: 'failed', resumeFrom: PLAN_START + 199 * DAY + 1, rowsWritten: 200 });

      fake.reset();
      const resumed = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1d', from: FROM, to: TO });
      expect(resumed.started.checkpointId).toBe(first.started.checkpointId);
      expect(resumed.ending.status).toBe('succeeded');
      expect(resumed.checkpoint.lastRun).toMatchObject({ resumed: true, plan: { historyStart: PLAN_START, source: 'remembered', probes: 0 } });
      // 480 bars left: three pages, and not one request from before the plan's start.
      expect(fake.requestsTo('polygon')).toHaveLength(3);
      expect(refused()).toEqual([]);
      const bars = await dailyBars(core, 'XAUUSD');
      expect(bars).toHaveLength((TO - PLAN_START) / DAY);
      expect(bars[0]!.time).toBe(PLAN_START);

      // Another backfill with the same key and timeframe starts at the remembered date straight away.
      fake.reset();
      const other = await backfill(core, { provider: 'polygon', symbol: 'XAGUSD', timeframe: '1d', from: FROM, to: TO });
      expect(other.ending.status).toBe('succeeded');
      expect(other.checkpoint.lastRun).toMatchObject({ resumed: false, startedFrom: PLAN_START, plan: { historyStart: PLAN_START, source: 'remembered', probes: 0 } });
      expect(fake.requestsTo('polygon')).toHaveLength(Math.ceil((TO - PLAN_START) / DAY / 200));
      expect(refused()).toEqual([]);
    } finally {
      fake.state.polygonPageSize = 50_000;
    }
  });

  it('starts where Settings say the plan does, without asking for older bars', async () => {
    const core = await polygonCore();
    fake.state.polygonHistoryStart = PLAN_START;
    await ok(core, 'settings.update', { providers: { polygon: { planHistoryStart: '2023-02-21' } } });
    const { ending, checkpoint } = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1d', from: FROM, to: TO });
    expect(ending.status).toBe('succeeded');
    expect(checkpoint.lastRun).toMatchObject({ startedFrom: PLAN_START, plan: { historyStart: PLAN_START, source: 'settings', probes: 0 } });
    expect(fake.requestsTo('polygon').map(aggregatesFrom)).toEqual([PLAN_START]);
    expect(await dailyBars(core, 'XAUUSD')).toHaveLength((TO - PLAN_START) / DAY);
  });

  it('says the plan starts after the range when it does, and fails on a refusal that is not about age', async () => {
    const core = await polygonCore();
    fake.state.polygonHistoryStart = PLAN_START;
    const before = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1d', from: FROM, to: Date.UTC(2010, 0, 1) });
    expect(before.ending).toMatchObject({ status: 'failed' });
    expect(before.ending.error).toMatch(/plan starts 1d history at 2023-02-21/);
    expect(before.checkpoint.lastRun).toMatchObject({ errorCode: 'AUTH', plan: { historyStart: PLAN_START, source: 'probed' }, inserted: 0 });

    fake.reset();
    fake.state.polygonHistoryStart = null;
    const notEntitled = {
      status: 403,
      json: { status: 'NOT_AUTHORIZED', request_id: 'y', message: 'You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing' },
    };
    fake.script('polygon', ...Array.from({ length: 3 }, () => ({ respond: notEntitled })));
    const entitled = await backfill(core, { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1h', from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 1, 1) });
    expect(entitled.ending.status).toBe('failed');
    expect(entitled.ending.error).toMatch(/not entitled to this data/);
    // The request, then the range's last bar and a recent one: both refused, so no start is learned.
    expect(fake.requestsTo('polygon')).toHaveLength(3);
    expect(entitled.checkpoint.lastRun).toMatchObject({ plan: null, inserted: 0 });
  });
});

/** Passes requests on to `target` after `delayMs`, so a CLI backfill lasts long enough to be killed part-way. */
async function startSlowProxy(target: string, delayMs: number): Promise<Server & { url: string }> {
  const server = createServer((req, res) => {
    setTimeout(() => {
      const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

describe('metalytics backfill survives SIGKILL', () => {
  let fake: FakeProviderServer;
  let proxy: Server & { url: string };
  let workDir: string;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ polygonPageSize: 400 });
    proxy = await startSlowProxy(fake.origin, 40);
    workDir = await mkdtemp(path.join(tmpdir(), 'metalytics-backfill-'));
  });

  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await fake?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  function startCli(
    args = ['--symbol', 'XPDUSD', '--timeframe', '1m', '--from', '2025-01-01', '--to', '2025-01-12'],
    extraEnv: NodeJS.ProcessEnv = {},
  ): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('METALYTICS_')));
    const child = spawn(process.execPath, [BIN, 'backfill', '--provider', 'polygon', ...args], {
      cwd: workDir,
      env: {
        ...env,
        METALYTICS_DATA_DIR: path.join(workDir, 'data'),
        METALYTICS_POLYGON_BASE_URL: `${proxy.url}/polygon`,
        METALYTICS_POLYGON_API_KEY: fake.state.keys.polygon,
        METALYTICS_POLYGON_RATE_LIMIT: '0',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    return { child, done };
  }

  it('resumes after being killed at random points and ends with every bar exactly once', async () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2025, 0, 13); // --to 2025-01-12 includes that day
    for (let kill = 0; kill < 3; kill++) {
      const before = fake.requestsTo('polygon').length;
      const { child, done } = startCli();
      let exited = false;
      void done.then(() => (exited = true));
      // Kill once it is fetching, at a random moment within the next few pages (40 pages in all,
      // so three kills never reach the end).
      while (fake.requestsTo('polygon').length < before + 2 && !exited) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      child.kill('SIGKILL');
      const ended = await done;
      expect(ended.signal).toBe('SIGKILL');
    }

    const { done } = startCli();
    const last = await done;
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toMatch(/Backfilled XPDUSD 1m from polygon/);
    expect(last.stdout).toMatch(/started at .* \(resumed from the checkpoint\)/);

    const storage = await openStorage({ dataDir: path.join(workDir, 'data'), logger: silentLogger() });
    try {
      const { bars } = await storage.marketData.queryBars({ symbol: 'XPDUSD', timeframe: '1m' });
      expect(bars.length).toBe((to - from) / MINUTE);
      expect(bars).toEqual(serverBars('C:XPDUSD', from, to));
      expect(await storage.marketData.countBars()).toBe(bars.length);
      const [checkpoint] = await storage.backfillCheckpoints.list();
      expect(checkpoint).toMatchObject({ status: 'done', resumeFrom: to, rangeFrom: from, rangeTo: to });
      // Each run after a kill started where the previous one's last commit ended, so it wrote no bar twice.
      expect(checkpoint!.rowsWritten).toBe(bars.length);
    } finally {
      await storage.close();
    }
  }, 60_000);

  it('ends with exit code 1 and the provider\'s reason when the key is refused, and 2 for a bad date', async () => {
    const refused = await startCli(['--symbol', 'XAGUSD', '--timeframe', '1h', '--from', '2025-01-01', '--to', '2025-01-02'], {
      METALYTICS_POLYGON_API_KEY: 'wrong-key',
    }).done;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Polygon\/Massive did not accept the API key/);
    expect(refused.stdout).toMatch(/failed; run the same command again to resume/);

    const usage = await startCli(['--symbol', 'XAGUSD', '--timeframe', '1h', '--from', 'last week']).done;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/UTC date/);
  }, 20_000);
});
