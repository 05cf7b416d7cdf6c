/**
 * quality.repair through a real core against the fake provider server: gaps cut out of a
 * stored Polygon series are re-fetched, falling back to Twelve Data, on SQLite and on Postgres.
 * Expectations come from what the fake server serves for each ticker (its synthetic prices
 * differ per ticker, so Twelve Data's bars are told apart from Polygon's by value), never from
 * the repair module itself.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/create-core';
import { keyFingerprint } from '../../src/core/providers/plan-depth';
import type { EventMessage, EventPayload } from '../../src/shared/contract';
import type { Bar } from '../../src/shared/domain';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { useTestPostgres } from '../support/postgres';
import { createTestCore, type TestCore } from '../support/test-core';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The fake server's and the core's "now": Thursday 2025-02-20 12:00 UTC. */
const NOW = Date.UTC(2025, 1, 20, 12);
/** Tuesday and Wednesday of the week before, every minute (the fake server's spot metals trade around the clock). */
const SERIES_FROM = Date.UTC(2025, 1, 11);
const SERIES_TO = SERIES_FROM + 2 * DAY;
/** [start, end) cut out of the series, all inside CME trading hours: 30, 5 and 60 minutes. */
const GAPS: readonly (readonly [number, number])[] = [
  [SERIES_FROM + 10 * HOUR, SERIES_FROM + 10 * HOUR + 30 * MINUTE],
  [SERIES_FROM + 10 * HOUR + 40 * MINUTE, SERIES_FROM + 10 * HOUR + 45 * MINUTE],
  [SERIES_FROM + DAY + 14 * HOUR, SERIES_FROM + DAY + 15 * HOUR],
];
const MISSING = GAPS.reduce((sum, [start, end]) => sum + (end - start) / MINUTE, 0);
const SERIES_BARS = (SERIES_TO - SERIES_FROM) / MINUTE;

const inGap = (time: number, gaps = GAPS) => gaps.some(([start, end]) => time >= start && time < end);
const minutes = (from: number, to: number) => Array.from({ length: (to - from) / MINUTE }, (_, i) => from + i * MINUTE);
/** A Polygon minute bar as the fake server serves it. */
const polygonBar = (ticker: string, time: number): Bar => ({ time, ...syntheticBar(ticker, time, MINUTE) });
/** A Twelve Data minute bar as the fake server serves it: five-decimal strings, no volume for metals. */
function twelveDataBar(symbol: string, time: number): Bar {
  const bar = syntheticBar(symbol, time, MINUTE);
  const decimal = (value: number) => Number(value.toFixed(5));
  return { time, open: decimal(bar.open), high: decimal(bar.high), low: decimal(bar.low), close: decimal(bar.close), volume: 0 };
}
const gapRuns = (gaps = GAPS) => gaps.map(([start, end]) => ({ from: start, to: end - MINUTE, missing: (end - start) / MINUTE }));
/** The gaps as quality.report gives them: no rows were rejected at import here. */
const reportedGaps = (gaps = GAPS) => gapRuns(gaps).map((gap) => ({ ...gap, rejected: 0 }));
const emptyAggregates = (ticker: string) => ({
  respond: { status: 200, json: { ticker, queryCount: 0, resultsCount: 0, adjusted: true, status: 'OK', request_id: 'e0' } },
});
const NO_DATA = { code: 400, message: 'No data is available on the specified dates. Try setting different start/end dates.', status: 'error' };

/** The stored Polygon series of `symbol` with the gaps cut out, as a backfill would have left it. */
async function storeSeriesWithGaps(core: Core, symbol: string, ticker: string, gaps = GAPS, from = SERIES_FROM, to = SERIES_TO): Promise<void> {
  const bars = minutes(from, to)
    .filter((time) => !inGap(time, gaps))
    .map((time) => polygonBar(ticker, time));
  await core.storage.marketData.upsertBars({ symbol, timeframe: '1m', source: 'polygon', bars });
}

function providerEnvironment(fake: FakeProviderServer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const provider of ['yahoo', 'polygon', 'twelvedata', 'metalsapi'] as const) {
    env[`METALYTICS_${provider.toUpperCase()}_BASE_URL`] = fake.baseUrl(provider);
    env[`METALYTICS_${provider.toUpperCase()}_RATE_LIMIT`] = '0';
  }
  env.METALYTICS_POLYGON_API_KEY = fake.state.keys.polygon;
  env.METALYTICS_TWELVEDATA_API_KEY = fake.state.keys.twelvedata;
  env.METALYTICS_METALSAPI_API_KEY = fake.state.keys.metalsapi;
  return env;
}

function recordEvents(core: Core): { events: EventMessage[]; stop: () => void } {
  const events: EventMessage[] = [];
  return { events, stop: core.events.subscribe((message) => events.push(message)) };
}

/**
 * The main story, on either database: Polygon stored the series, has nothing for the gaps,
 * Twelve Data fills them; the bars between the gaps stay Polygon's; a second repair finds nothing.
 */
function fallbackScenario(context: () => { test: TestCore; fake: FakeProviderServer }) {
  it('fills every gap from the second provider when the first has nothing, records each bar’s source, and a second run finds nothing', async () => {
    const { test, fake } = context();
    await storeSeriesWithGaps(test.core, 'XAUUSD', 'C:XAUUSD');
    expect((await test.call('quality.report', { symbol: 'XAUUSD', timeframe: '1m' })).gaps).toEqual(reportedGaps());

    fake.script('polygon', emptyAggregates('C:XAUUSD'));
    const recorded = recordEvents(test.core);
    const result = await test.call('quality.repair', { symbol: 'XAUUSD', timeframe: '1m' });
    recorded.stop();

    expect(result).toMatchObject({ symbol: 'XAUUSD', timeframe: '1m', storedTimeframe: '1m', filled: MISSING, rejected: 0, remaining: 0 });
    expect(result.gaps).toEqual(
      gapRuns().map((gap) => ({
        ...gap,
        filled: gap.missing,
        filledBy: [{ provider: 'twelvedata', bars: gap.missing }],
        notes: ['Polygon/Massive had no bars in this gap (the market may really have been shut).'],
      })),
    );
    // The three gaps lie within one request's reach of each provider: one request each.
    expect(fake.requestsTo('polygon')).toHaveLength(1);
    expect(fake.requestsTo('twelvedata')).toHaveLength(1);

    const stored = (await test.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).bars;
    expect(stored).toEqual(minutes(SERIES_FROM, SERIES_TO).map((time) => (inGap(time) ? twelveDataBar('XAU/USD', time) : polygonBar('C:XAUUSD', time))));
    const coverage = (await test.call('bars.coverage', { symbol: 'XAUUSD' })).coverage;
    expect(coverage.find((c) => c.source === 'polygon')).toMatchObject({ count: SERIES_BARS - MISSING, first: SERIES_FROM, last: SERIES_TO - MINUTE });
    expect(coverage.find((c) => c.source === 'twelvedata')).toMatchObject({ count: MISSING, first: GAPS[0]![0], last: GAPS[2]![1] - MINUTE });

    const changed = recorded.events.flatMap((e) => (e.name === 'bars.changed' ? [e.payload] : []));
    expect(changed).toEqual([{ symbol: 'XAUUSD', timeframe: '1m', from: GAPS[0]![0], to: GAPS[2]![1] - MINUTE }]);
    const progress = recorded.events.flatMap((e) => (e.name === 'job.progress' ? [e.payload] : []));
    expect(progress[0]).toMatchObject({ jobId: result.jobId, kind: 'repair', unit: 'gaps', done: 0, total: 3 });
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3 });
    expect((await test.call('jobs.runs', { kind: 'repair' })).runs).toMatchObject([{ id: result.jobId, status: 'succeeded', rows: MISSING }]);

    fake.reset();
    expect((await test.call('quality.report', { symbol: 'XAUUSD', timeframe: '1m' })).gaps).toEqual([]);
    const again = await test.call('quality.repair', { symbol: 'XAUUSD', timeframe: '1m' });
    expect(again).toMatchObject({ filled: 0, rejected: 0, remaining: 0, gaps: [] });
    expect(fake.requests).toHaveLength(0);
    expect((await test.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).bars).toEqual(stored);
  });
}

describe('quality.repair on SQLite', () => {
  let fake: FakeProviderServer;
  let test: TestCore;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW });
    test = await createTestCore({ now: () => NOW, environment: providerEnvironment(fake) });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  fallbackScenario(() => ({ test, fake }));

  it('falls back when the first provider fails, and says why', async () => {
    await storeSeriesWithGaps(test.core, 'XAGUSD', 'C:XAGUSD');
    fake.script('polygon', { respond: { status: 401, json: { status: 'ERROR', request_id: 'r1', error: 'Unknown API Key' } } });
    const result = await test.call('quality.repair', { symbol: 'XAGUSD', timeframe: '1m' });
    expect(result).toMatchObject({ filled: MISSING, remaining: 0 });
    for (const gap of result.gaps) {
      expect(gap.filledBy).toEqual([{ provider: 'twelvedata', bars: gap.missing }]);
      expect(gap.notes).toEqual(['Polygon/Massive: Polygon/Massive did not accept the API key (Polygon/Massive said: "Unknown API Key"). Check the key in Settings.']);
    }
    expect(fake.requestsTo('polygon')).toHaveLength(1);
    const stored = (await test.call('bars.query', { symbol: 'XAGUSD', timeframe: '1m', from: GAPS[2]![0], to: GAPS[2]![1] - MINUTE })).bars;
    expect(stored).toEqual(minutes(GAPS[2]![0], GAPS[2]![1]).map((time) => twelveDataBar('XAG/USD', time)));
  });

  it('rejects an invalid bar from a provider, counts it, and takes that minute from the next provider', async () => {
    await storeSeriesWithGaps(test.core, 'XPTUSD', 'C:XPTUSD');
    const broken = GAPS[0]![0] + 5 * MINUTE;
    fake.script('polygon', {
      mutate: (body: { results: { t: number; h: number; l: number }[] }) => {
        const bar = body.results.find((r) => r.t === broken)!;
        bar.h = bar.l - 1;
        return body;
      },
    });
    const result = await test.call('quality.repair', { symbol: 'XPTUSD', timeframe: '1m' });
    expect(result).toMatchObject({ filled: MISSING, rejected: 1, remaining: 0 });
    expect(result.gaps[0]!.filledBy).toEqual([
      { provider: 'polygon', bars: 29 },
      { provider: 'twelvedata', bars: 1 },
    ]);
    expect(result.gaps[0]!.notes).toHaveLength(1);
    expect(result.gaps[0]!.notes[0]).toMatch(/^Polygon\/Massive sent an invalid bar for 2025-02-11 10:05 UTC, not stored: High [\d.]+ is below low [\d.]+\.$/);
    expect(result.gaps.slice(1).map((g) => g.filledBy)).toEqual([[{ provider: 'polygon', bars: 5 }], [{ provider: 'polygon', bars: 60 }]]);
    // Twelve Data was asked for the one minute still open, not for the whole gaps.
    const asked = fake.requestsTo('twelvedata')[0]!.query;
    expect([asked.get('start_date'), asked.get('end_date')]).toEqual(['2025-02-11 10:05:00', '2025-02-11 10:05:59']);
    const [stored] = (await test.call('bars.query', { symbol: 'XPTUSD', timeframe: '1m', from: broken, to: broken })).bars;
    expect(stored).toEqual(twelveDataBar('XPT/USD', broken));
  });

  it('never replaces a bar stored meanwhile by another writer, even inside a gap', async () => {
    await storeSeriesWithGaps(test.core, 'ETHUSD', 'X:ETHUSD');
    const meanwhile = GAPS[2]![0] + 7 * MINUTE;
    const foreign = { time: meanwhile, open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 };
    fake.script('polygon', {
      // Arrives between the repair's scan and its write; SQLite writes it before the answer leaves.
      when: () => {
        void test.core.storage.marketData.upsertBars({ symbol: 'ETHUSD', timeframe: '1m', source: 'csv', bars: [foreign] });
        return true;
      },
      mutate: (body: unknown) => body,
    });
    const result = await test.call('quality.repair', { symbol: 'ETHUSD', timeframe: '1m' });
    expect(result).toMatchObject({ filled: MISSING - 1, remaining: 0 });
    expect(result.gaps[2]).toMatchObject({ missing: 60, filled: 59, filledBy: [{ provider: 'polygon', bars: 59 }], notes: [] });
    expect((await test.call('bars.query', { symbol: 'ETHUSD', timeframe: '1m', from: meanwhile, to: meanwhile })).bars).toEqual([foreign]);
    expect((await test.call('bars.query', { symbol: 'ETHUSD', timeframe: '1m' })).bars).toEqual(
      minutes(SERIES_FROM, SERIES_TO).map((time) => (time === meanwhile ? foreign : polygonBar('X:ETHUSD', time))),
    );
  });

  it('leaves gaps no provider has data for listed, with a note from each provider', async () => {
    await storeSeriesWithGaps(test.core, 'XPDUSD', 'C:XPDUSD');
    fake.script('polygon', emptyAggregates('C:XPDUSD'));
    fake.script('twelvedata', { respond: { status: 200, json: NO_DATA } });
    const result = await test.call('quality.repair', { symbol: 'XPDUSD', timeframe: '1m' });
    expect(result).toMatchObject({ filled: 0, rejected: 0, remaining: 3 });
    expect(result.gaps).toEqual(
      gapRuns().map((gap) => ({
        ...gap,
        filled: 0,
        filledBy: [],
        notes: [
          'Polygon/Massive had no bars in this gap (the market may really have been shut).',
          'Twelve Data had no bars in this gap (the market may really have been shut).',
        ],
      })),
    );
    expect((await test.call('quality.report', { symbol: 'XPDUSD', timeframe: '1m' })).gaps).toEqual(reportedGaps());
  });

  it('says which named providers do not carry the instrument or its timeframe, without asking them', async () => {
    const result = await test.call('quality.repair', {
      symbol: 'XPDUSD',
      timeframe: '1m',
      gaps: [{ from: GAPS[0]![0], to: GAPS[0]![1] - MINUTE }],
      providers: ['yahoo', 'metalsapi'],
    });
    expect(result).toMatchObject({ filled: 0, remaining: 1 });
    expect(result.gaps).toEqual([
      {
        ...gapRuns()[0]!,
        filled: 0,
        filledBy: [],
        notes: ['Yahoo Finance does not carry Palladium spot (XPDUSD).', 'Metals-API has no 1m bars, the timeframe this series is stored in.'],
      },
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it('repairs only the named part of a gap, and reports a named gap that is no longer missing', async () => {
    const [start] = GAPS[2]!;
    fake.script('polygon', emptyAggregates('C:XPDUSD'));
    const result = await test.call('quality.repair', {
      symbol: 'XPDUSD',
      timeframe: '1m',
      gaps: [
        { from: start + 10 * MINUTE, to: start + 19 * MINUTE },
        { from: SERIES_FROM, to: SERIES_FROM + 5 * MINUTE },
      ],
    });
    expect(result.gaps).toEqual([
      { from: SERIES_FROM, to: SERIES_FROM + 5 * MINUTE, missing: 0, filled: 0, filledBy: [], notes: ['Nothing is missing here any more.'] },
      {
        from: start + 10 * MINUTE,
        to: start + 19 * MINUTE,
        missing: 10,
        filled: 10,
        filledBy: [{ provider: 'twelvedata', bars: 10 }],
        notes: ['Polygon/Massive had no bars in this gap (the market may really have been shut).'],
      },
    ]);
    expect(result.remaining).toBe(0);
    expect((await test.call('quality.report', { symbol: 'XPDUSD', timeframe: '1m', from: start, to: GAPS[2]![1] })).gaps).toEqual([
      { from: start, to: start + 9 * MINUTE, missing: 10, rejected: 0 },
      { from: start + 20 * MINUTE, to: GAPS[2]![1] - MINUTE, missing: 40, rejected: 0 },
    ]);
  });

  it('does not ask a provider for bars older than the key\'s plan starts, as a backfill learned it', async () => {
    // A backfill learned that this key's plan starts its minutes on 2023-02-21: 2022 is out of its reach.
    await test.core.storage.planDepths.save({
      provider: 'polygon',
      keyFingerprint: keyFingerprint(fake.state.keys.polygon),
      timeframe: '1m',
      historyStart: Date.UTC(2023, 1, 21),
      learnedAt: NOW,
    });
    const from = Date.UTC(2022, 5, 7);
    const gap = [from + 10 * HOUR, from + 10 * HOUR + 30 * MINUTE] as const;
    await storeSeriesWithGaps(test.core, 'BTCUSD', 'X:BTCUSD', [gap], from, from + DAY);
    const result = await test.call('quality.repair', { symbol: 'BTCUSD', timeframe: '1m', providers: ['polygon'] });
    expect(result.gaps).toEqual([
      {
        ...gapRuns([gap])[0]!,
        filled: 0,
        filledBy: [],
        notes: ['Your Polygon/Massive plan starts 1m history at 2023-02-21 00:00 UTC; 2022-06-07 10:00 UTC to 2022-06-07 10:29 UTC is older.'],
      },
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it('says so when no provider carries the instrument', async () => {
    await storeSeriesWithGaps(test.core, 'BTCUSDT', 'BTCUSDT');
    const result = await test.call('quality.repair', { symbol: 'BTCUSDT', timeframe: '1m', gaps: [{ from: GAPS[1]![0], to: GAPS[1]![1] - MINUTE }] });
    expect(result.gaps[0]!.notes).toEqual(['No provider carries Bitcoin / Tether (Binance) (BTCUSDT); only an import can fill this gap.']);
    expect(result.remaining).toBe(1);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('quality.repair cancelled mid-way', () => {
  let fake: FakeProviderServer;
  let test: TestCore;

  beforeAll(async () => {
    // Small pages, so the merged window arrives in several and a cancel can fall between them.
    fake = await FakeProviderServer.start({ now: NOW, polygonPageSize: 500 });
    test = await createTestCore({ now: () => NOW, environment: providerEnvironment(fake) });
  });
  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  it('keeps only whole, valid bars inside the gaps, records the run as cancelled, and a rerun completes the series', async () => {
    await storeSeriesWithGaps(test.core, 'XAUUSD', 'C:XAUUSD');
    fake.script('polygon', { when: (request) => request.query.has('cursor'), fault: 'hang' });

    const firstWrite = new Promise<EventPayload<'bars.changed'>>((resolve) => {
      const stop = test.core.events.subscribe((message) => {
        if (message.name !== 'bars.changed') return;
        stop();
        resolve(message.payload);
      });
    });
    let jobId: string | undefined;
    const stopWatching = test.core.events.subscribe((message) => {
      if (message.name === 'job.progress' && message.payload.kind === 'repair') jobId = message.payload.jobId;
    });
    const repair = test.core.invoke('quality.repair', { symbol: 'XAUUSD', timeframe: '1m' });
    // The first page holds the first two gaps; the second page hangs until the cancel.
    expect(await firstWrite).toEqual({ symbol: 'XAUUSD', timeframe: '1m', from: GAPS[0]![0], to: GAPS[1]![1] - MINUTE });
    expect(await test.call('jobs.cancel', { runId: jobId! })).toEqual({ runId: jobId, jobId, cancelled: true });
    const outcome = await repair;
    stopWatching();
    expect(outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect((await test.call('jobs.runs', { kind: 'repair' })).runs).toMatchObject([{ id: jobId, status: 'cancelled', rows: 0 }]);

    expect((await test.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).bars).toEqual(
      minutes(SERIES_FROM, SERIES_TO)
        .filter((time) => !inGap(time, [GAPS[2]!]))
        .map((time) => polygonBar('C:XAUUSD', time)),
    );
    expect((await test.call('quality.report', { symbol: 'XAUUSD', timeframe: '1m' })).gaps).toEqual(reportedGaps([GAPS[2]!]));

    const rerun = await test.call('quality.repair', { symbol: 'XAUUSD', timeframe: '1m' });
    expect(rerun).toMatchObject({ filled: 60, remaining: 0 });
    expect((await test.call('bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).bars).toEqual(
      minutes(SERIES_FROM, SERIES_TO).map((time) => polygonBar('C:XAUUSD', time)),
    );
  });
});

describe('quality.repair and other work on the same provider', () => {
  let fake: FakeProviderServer;
  let test: TestCore;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW });
    test = await createTestCore({ now: () => NOW, environment: providerEnvironment(fake) });
  });
  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  it('waits for a running Polygon backfill to end before asking Polygon, as backfills wait for each other', async () => {
    await storeSeriesWithGaps(test.core, 'XAUUSD', 'C:XAUUSD');
    // The backfill's first request never answers, so it holds Polygon's turn until it is cancelled.
    fake.script('polygon', { when: (request) => request.path.includes('C:XAGUSD'), fault: 'hang' });
    const backfill = await test.call('backfill.start', { provider: 'polygon', symbol: 'XAGUSD', timeframe: '1m', from: SERIES_FROM, to: SERIES_TO });
    await expect.poll(() => fake.requestsTo('polygon').length).toBe(1);

    let repairJobId: string | undefined;
    const stop = test.core.events.subscribe((message) => {
      if (message.name === 'job.progress' && message.payload.kind === 'repair') repairJobId = message.payload.jobId;
    });
    const repair = test.call('quality.repair', { symbol: 'XAUUSD', timeframe: '1m' });
    await expect.poll(() => repairJobId).toBeDefined();
    // Give a repair that does not wait every chance to reach the server.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requestsTo('polygon')).toHaveLength(1);
    expect(fake.requestsTo('twelvedata')).toHaveLength(0);
    // One repair per symbol at a time: a second would fetch the same gaps.
    expect(await test.core.invoke('quality.repair', { symbol: 'XAUUSD', timeframe: '1h' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: 'A repair of XAUUSD is already running.' },
    });

    await test.call('jobs.cancel', { jobId: backfill.jobId });
    const result = await repair;
    stop();
    expect(result).toMatchObject({ filled: MISSING, remaining: 0 });
    expect(result.gaps.map((gap) => gap.filledBy)).toEqual(gapRuns().map((gap) => [{ provider: 'polygon', bars: gap.missing }]));
    expect(fake.requestsTo('polygon').map((r) => r.path.split('/')[4])).toEqual(['C:XAGUSD', 'C:XAUUSD']);
  });
});

describe('quality.repair of a coarser timeframe', () => {
  let fake: FakeProviderServer;
  let test: TestCore;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW });
    test = await createTestCore({ now: () => NOW, environment: providerEnvironment(fake) });
  });
  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  it('fills an hour missing from a minute series with minute bars, the timeframe the report reads', async () => {
    await storeSeriesWithGaps(test.core, 'BTCUSD', 'X:BTCUSD');
    const [hour] = GAPS[2]!;
    // Only the whole missing hour is an hourly gap; the half hour and the five minutes are not.
    expect((await test.call('quality.report', { symbol: 'BTCUSD', timeframe: '1h' })).gaps).toEqual([{ from: hour, to: hour, missing: 1, rejected: 0 }]);
    const result = await test.call('quality.repair', { symbol: 'BTCUSD', timeframe: '1h' });
    expect(result).toMatchObject({ timeframe: '1h', storedTimeframe: '1m', filled: 60, remaining: 0 });
    expect(result.gaps).toEqual([{ from: hour, to: hour, missing: 1, filled: 60, filledBy: [{ provider: 'polygon', bars: 60 }], notes: [] }]);
    expect((await test.call('bars.coverage', { symbol: 'BTCUSD' })).coverage).toMatchObject([{ timeframe: '1m', source: 'polygon', count: SERIES_BARS - MISSING + 60 }]);
    expect((await test.call('quality.report', { symbol: 'BTCUSD', timeframe: '1m' })).gaps).toEqual(reportedGaps(GAPS.slice(0, 2)));
  });
});

describe('quality.repair on Postgres', () => {
  const postgres = useTestPostgres();
  let fake: FakeProviderServer;
  let test: TestCore;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW });
    test = await createTestCore({ now: () => NOW, databaseUrl: await postgres.createDatabaseUrl(), environment: providerEnvironment(fake) });
  }, 120_000);
  afterEach(() => fake.reset());
  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  fallbackScenario(() => ({ test, fake }));
});
