import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import { INTERRUPTED_JOB_ERROR } from '../../src/core/storage/rows';
import { openStorage } from '../../src/core/storage/open-storage';
import type { EventMessage, EventPayload, MethodInput } from '../../src/shared/contract';
import type { Bar } from '../../src/shared/domain';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { silentLogger } from '../support/silent-logger';
import { createTestCore, invokeFailure as failure, invokeOk as ok, type TestCore } from '../support/test-core';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The fake server's and the core's "now", so Polygon's two-year depth is measured from the same day. */
const NOW = Date.UTC(2025, 1, 20, 12);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(repoRoot, 'bin/metalytics.js');

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
        METALYTICS_POLYGON_BASE_URL: fake.baseUrl('polygon'),
        METALYTICS_POLYGON_API_KEY: fake.state.keys.polygon,
        METALYTICS_POLYGON_RATE_LIMIT: '0',
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
    expect(await ok(core, 'jobs.cancel', { jobId: started.jobId })).toEqual({ jobId: started.jobId, cancelled: true });
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
    expect(await failure(core, 'backfill.start', { provider: 'polygon', symbol: 'XAUUSD', timeframe: '1m', from: Date.UTC(2010, 0, 1), to: Date.UTC(2010, 0, 2) })).toMatchObject({
      code: 'VALIDATION',
    });
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
