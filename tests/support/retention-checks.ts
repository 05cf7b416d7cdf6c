/**
 * The data-retention suite, run on each engine. Minute bars are made from real BTCUSDT hours
 * (btcusdt-1h.csv: each hour becomes up to 60 minutes whose open, high, low and close are the
 * hour's), with missing minutes and a missing hour. What retention stores is held to an
 * aggregation of the deleted minute rows, read straight from the database before and
 * grouped in plain JavaScript by epoch-ms division, not by the product's code.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it, vi } from 'vitest';
import type { Bar } from '../../src/shared/domain';
import type { Timeframe } from '../../src/shared/timeframes';
import { watchEventLoop } from '../bench/loop-watch';
import { expectSameBars } from '../contract/storage-contract';
import { binanceHourlyBars, metaTraderDailyBars } from './shared-data';
import type { TestCore } from './test-core';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
export const MINUTE_SYMBOL = 'BTCMIN';
/** Two days of minutes, all older than the cut-off: its whole minute series goes. */
export const SHORT_SYMBOL = 'ETHMIN';
/** Daily bars only: retention must leave it exactly as it was. */
export const DAILY_SYMBOL = 'XAUUSD';
export const KEEP_DAYS = 3;

type Row = { symbol: string; timeframe: string; time: number; open: number; high: number; low: number; close: number; volume: number; source: string };

/**
 * The file's hours of its first `days` whole days, as the minute series' source: those whose
 * high and low contain open and close, each placed at the start of its UTC hour (the file's
 * bars move to :05 on its fourth day).
 */
function realHours(days: number): Bar[] {
  const hours = binanceHourlyBars()
    .filter((b) => b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close))
    .map((b) => ({ ...b, time: Math.floor(b.time / HOUR) * HOUR }));
  const start = Math.ceil(hours[0]!.time / DAY) * DAY;
  return hours.filter((b) => b.time >= start && b.time < start + days * DAY);
}

/**
 * Up to 60 minutes per real hour: open at :00, the high at :17, the low at :41, the close at
 * :59, the rest on a straight line; every 13th other minute is missing, and so is one hour.
 */
export function minutesOf(hours: readonly Bar[]): Bar[] {
  const minutes: Bar[] = [];
  hours.forEach((hour, index) => {
    if (index === 30) return;
    let previous = hour.open;
    for (let i = 0; i < 60; i++) {
      if (![0, 17, 41, 59].includes(i) && (index * 7 + i) % 13 === 0) continue;
      const close = i === 59 ? hour.close : i === 17 ? hour.high : i === 41 ? hour.low : hour.open + ((hour.close - hour.open) * i) / 59;
      const open = i === 0 ? hour.open : previous;
      const clamp = (x: number) => Math.min(hour.high, Math.max(hour.low, x));
      minutes.push({ time: hour.time + i * MINUTE, open: clamp(open), high: clamp(Math.max(open, close)), low: clamp(Math.min(open, close)), close: clamp(close), volume: hour.volume / 60 + (i % 7) * 0.125 });
      previous = close;
    }
  });
  return minutes;
}

/** Minute rows grouped into UTC hours the plain way: floor(time / 1 h), first open, last close, extremes, summed volume. */
export function hoursOfRows(rows: readonly Row[]): Bar[] {
  const byHour = new Map<number, Row[]>();
  for (const row of rows) {
    const hour = Math.floor(row.time / HOUR) * HOUR;
    byHour.set(hour, [...(byHour.get(hour) ?? []), row]);
  }
  return [...byHour.entries()]
    .sort(([a], [b]) => a - b)
    .map(([time, group]) => {
      const sorted = [...group].sort((a, b) => a.time - b.time);
      return {
        time,
        open: sorted[0]!.open,
        high: Math.max(...sorted.map((r) => r.high)),
        low: Math.min(...sorted.map((r) => r.low)),
        close: sorted.at(-1)!.close,
        volume: sorted.reduce((sum, r) => sum + r.volume, 0),
      };
    });
}

/** Reads the database directly, beside the core: SQLite through its own connection, Postgres through a client. */
export async function rawRows(test: TestCore, databaseUrl: string | undefined, where: string): Promise<Row[]> {
  const text = `SELECT symbol, timeframe, time, open, high, low, close, volume, source FROM market_data WHERE ${where} ORDER BY symbol, timeframe, time`;
  if (databaseUrl === undefined) {
    const db = new Database(test.core.storage.location, { readonly: true });
    try {
      return db.prepare(text).all() as Row[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, unknown>>(text);
    return rows.map((r) => ({ ...r, time: Number(r.time) }) as Row);
  } finally {
    await client.end();
  }
}

/** The workspace the suite starts from, and the clock it reads: the cut-off falls 7 days into the minutes. */
export interface RetentionWorkspace {
  now: number;
  cutoff: number;
  hours: Bar[];
}

export function retentionClock(): RetentionWorkspace {
  const hours = realHours(10);
  const start = hours[0]!.time;
  const now = start + 10 * DAY + 12 * HOUR;
  return { now, cutoff: start + 7 * DAY, hours };
}

/**
 * Stores the suite's bars: the minute series; a provider's hourly bars on day 2, 05:00–07:00
 * equal to those hours' minutes, 08:00–10:00 different; a short minute series; daily bars.
 */
export async function seedRetentionWorkspace(test: TestCore, workspace: RetentionWorkspace): Promise<void> {
  for (const symbol of [MINUTE_SYMBOL, SHORT_SYMBOL]) {
    await test.call('instruments.create', { symbol, name: `${symbol} minutes`, kind: 'crypto', unit: 'USDT', currency: 'USDT', providerSymbols: {} });
  }
  const { marketData } = test.core.storage;
  const minutes = minutesOf(workspace.hours);
  for (let i = 0; i < minutes.length; i += 5_000) {
    await marketData.upsertBars({ symbol: MINUTE_SYMBOL, timeframe: '1m', source: 'binance', bars: minutes.slice(i, i + 5_000) });
  }
  const day2 = workspace.hours[0]!.time + DAY;
  // The plain grouping sums volumes in another order than the database: equal but for the last bits.
  const provided = hoursOfRows(minutes.filter((m) => m.time >= day2 + 5 * HOUR && m.time < day2 + 11 * HOUR).map((m) => ({ ...m, symbol: '', timeframe: '1m', source: '' })));
  const providerHours = provided.map((bar, i) => (i < 3 ? bar : { ...bar, close: bar.close + 1, high: bar.high + 1, volume: bar.volume * 2 }));
  await marketData.upsertBars({ symbol: MINUTE_SYMBOL, timeframe: '1h', source: 'twelvedata', bars: providerHours });
  await marketData.upsertBars({ symbol: SHORT_SYMBOL, timeframe: '1m', source: 'binance', bars: minutesOf(workspace.hours.slice(0, 48)).map((m) => ({ ...m, close: m.close / 10, open: m.open / 10, high: m.high / 10, low: m.low / 10 })) });
  await marketData.upsertBars({ symbol: DAILY_SYMBOL, timeframe: '1d', source: 'import', bars: metaTraderDailyBars().slice(0, 400) });
}

const bucketStartOfDay = (time: number) => Math.floor(time / DAY) * DAY;

const pick = ({ open, high, low, close }: Bar) => ({ open, high, low, close });

const chartTimeframes: Timeframe[] = ['1h', '4h', '1d', '1w', '1M'];

async function chart(test: TestCore, symbol: string): Promise<Map<Timeframe, Bar[]>> {
  const answers = new Map<Timeframe, Bar[]>();
  for (const timeframe of chartTimeframes) answers.set(timeframe, (await test.call('bars.query', { symbol, timeframe })).bars);
  return answers;
}

/** The shared cases; `setup` gives a core made with `retentionClock().now` and seeded, and its database URL (none on SQLite). */
export function describeRetention(setup: () => { test: () => TestCore; databaseUrl: () => string | undefined; workspace: RetentionWorkspace }): void {
  it('estimates, per instrument with old minute bars, what apply then rolls up and deletes, and the roll-up equals the deleted minutes grouped by hour', async () => {
    const { test: getTest, databaseUrl: getUrl, workspace } = setup();
    const test = getTest();
    const databaseUrl = getUrl();
    await test.call('settings.update', { retention: { minuteBarsDays: KEEP_DAYS } });
    const before = await rawRows(test, databaseUrl, '1 = 1');
    const oldMinutes = (symbol: string) => before.filter((r) => r.symbol === symbol && r.timeframe === '1m' && r.time < workspace.cutoff);
    const chartBefore = { [MINUTE_SYMBOL]: await chart(test, MINUTE_SYMBOL), [SHORT_SYMBOL]: await chart(test, SHORT_SYMBOL), [DAILY_SYMBOL]: await chart(test, DAILY_SYMBOL) };

    const estimate = await test.call('retention.estimate');
    expect(estimate.before).toBe(workspace.cutoff);
    expect(estimate.instruments.map((i) => i.symbol)).toEqual([MINUTE_SYMBOL, SHORT_SYMBOL]);
    for (const instrument of estimate.instruments) {
      expect(instrument.minuteBars).toBe(oldMinutes(instrument.symbol).length);
      expect(instrument.hourBars).toBe(hoursOfRows(oldMinutes(instrument.symbol)).length);
      expect(instrument.bytesFreed).toBeGreaterThan(0);
    }
    expect(estimate.bytesFreed).toBe(estimate.instruments.reduce((sum, i) => sum + i.bytesFreed, 0));

    const applied = await test.call('retention.apply', { wait: true });
    expect(applied.instruments!.map(({ symbol, minuteBars, hourBars, before: cut }) => ({ symbol, minuteBars, hourBars, before: cut }))).toEqual(
      estimate.instruments.map(({ symbol, minuteBars, hourBars, before: cut }) => ({ symbol, minuteBars, hourBars, before: cut })),
    );

    const after = await rawRows(test, databaseUrl, '1 = 1');
    for (const symbol of [MINUTE_SYMBOL, SHORT_SYMBOL]) {
      expect(after.filter((r) => r.symbol === symbol && r.timeframe === '1m' && r.time < workspace.cutoff)).toEqual([]);
      expect(after.filter((r) => r.symbol === symbol && r.timeframe === '1m')).toEqual(before.filter((r) => r.symbol === symbol && r.timeframe === '1m' && r.time >= workspace.cutoff));
      const storedHours = after.filter((r) => r.symbol === symbol && r.timeframe === '1h');
      expectSameBars(storedHours.map(({ time, open, high, low, close, volume }) => ({ time, open, high, low, close, volume })), hoursOfRows(oldMinutes(symbol)));
    }
    // The provider's hours that equal the minutes keep their source; those that differ became the minutes' roll-up.
    const day2 = workspace.hours[0]!.time + DAY;
    const providerHours = before.filter((r) => r.symbol === MINUTE_SYMBOL && r.timeframe === '1h');
    expect(providerHours.length).toBeGreaterThan(3);
    const sources = after.filter((r) => r.symbol === MINUTE_SYMBOL && r.timeframe === '1h' && r.time >= day2 + 5 * HOUR && r.time < day2 + 11 * HOUR).map((r) => r.source);
    expect(sources).toEqual(providerHours.map((_, i) => (i < 3 ? 'twelvedata' : 'binance')));
    // Every rolled-up hour has the real file's open, high, low and close again (its minutes keep :00, :17, :41 and :59).
    const real = new Map(workspace.hours.map((h) => [h.time, h]));
    const rolledPrices = hoursOfRows(oldMinutes(MINUTE_SYMBOL)).map(({ time, open, high, low, close }) => ({ time, open, high, low, close }));
    expect(rolledPrices.length).toBeGreaterThan(80);
    expect(rolledPrices).toEqual(rolledPrices.map(({ time }) => ({ time, ...pick(real.get(time)!) })));

    // Untouched: the daily-only instrument, row for row.
    expect(after.filter((r) => r.symbol === DAILY_SYMBOL)).toEqual(before.filter((r) => r.symbol === DAILY_SYMBOL));
    // Every chart of an hour or longer answers as before.
    for (const [symbol, answers] of Object.entries(chartBefore)) {
      const now = await chart(test, symbol);
      for (const timeframe of chartTimeframes) expectSameBars(now.get(timeframe)!, answers.get(timeframe)!);
    }
    const coverage = (await test.call('bars.coverage', { symbol: SHORT_SYMBOL })).coverage;
    expect(coverage.map((c) => c.timeframe)).toEqual(['1h']);

    // Running it again finds nothing and changes nothing.
    expect((await test.call('retention.estimate')).instruments).toEqual([]);
    expect((await test.call('retention.apply', { wait: true })).instruments).toEqual([]);
    expect(await rawRows(test, databaseUrl, '1 = 1')).toEqual(after);
  });

  it('rolls up one UTC day per step, only hours wholly before the cut-off, and an interrupted run carries on where it stopped', async () => {
    const { test: getTest, databaseUrl: getUrl, workspace } = setup();
    const test = getTest();
    const databaseUrl = getUrl();
    const symbol = 'PARTIAL';
    const start = workspace.hours[0]!.time;
    await test.core.storage.marketData.upsertBars({ symbol, timeframe: '1m', source: 'binance', bars: minutesOf(workspace.hours.slice(0, 72)) });
    await test.call('instruments.create', { symbol, name: 'Partial hours', kind: 'crypto', unit: 'USDT', currency: 'USDT', providerSymbols: {} });
    // 10:30 on the third day: 10:00–10:59 is not wholly before it and stays in minutes.
    const before = start + 2 * DAY + 10 * HOUR + 30 * MINUTE;
    const minutes = await rawRows(test, databaseUrl, `symbol = '${symbol}'`);
    const chartBefore = await chart(test, symbol);
    const { marketData } = test.core.storage;
    const expected = (until: number) => minutes.filter((m) => m.time < until);

    const first = await marketData.rollUpMinuteBars(symbol, Number.MIN_SAFE_INTEGER, before);
    expect(first).toEqual({ minuteBars: expected(start + DAY).length, hourBars: hoursOfRows(expected(start + DAY)).length, next: start + DAY });
    // Stopped here, as a crash or a cancel would leave it: one day rolled up, and the charts unchanged.
    const midway = await rawRows(test, databaseUrl, `symbol = '${symbol}'`);
    expect(midway.filter((r) => r.timeframe === '1m')).toEqual(minutes.filter((m) => m.time >= start + DAY));
    expectSameBars(midway.filter((r) => r.timeframe === '1h').map(({ time, open, high, low, close, volume }) => ({ time, open, high, low, close, volume })), hoursOfRows(expected(start + DAY)));
    const chartMidway = await chart(test, symbol);
    for (const timeframe of chartTimeframes) expectSameBars(chartMidway.get(timeframe)!, chartBefore.get(timeframe)!);

    // A new run starts from the beginning and finds the rest.
    const steps = [];
    for (let from = Number.MIN_SAFE_INTEGER; ; ) {
      const step = await marketData.rollUpMinuteBars(symbol, from, before);
      if (step === null) break;
      steps.push(step);
      from = step.next;
    }
    expect(steps.map((step) => step.next)).toEqual([start + 2 * DAY, start + 2 * DAY + 10 * HOUR]);
    const cut = start + 2 * DAY + 10 * HOUR;
    const after = await rawRows(test, databaseUrl, `symbol = '${symbol}'`);
    expect(after.filter((r) => r.timeframe === '1m')).toEqual(minutes.filter((m) => m.time >= cut));
    expect(after.some((r) => r.timeframe === '1m' && r.time >= cut && r.time < cut + 30 * MINUTE)).toBe(true);
    expectSameBars(after.filter((r) => r.timeframe === '1h').map(({ time, open, high, low, close, volume }) => ({ time, open, high, low, close, volume })), hoursOfRows(expected(cut)));
    const chartAfter = await chart(test, symbol);
    for (const timeframe of chartTimeframes) expectSameBars(chartAfter.get(timeframe)!, chartBefore.get(timeframe)!);
    expect(await marketData.rollUpMinuteBars(symbol, Number.MIN_SAFE_INTEGER, before)).toBeNull();
    expect(await rawRows(test, databaseUrl, `symbol = '${symbol}'`)).toEqual(after);
  });

  it('runs as a scheduled retention job over every instrument, keeping the event loop responsive', async () => {
    const { test: getTest, databaseUrl: getUrl, workspace } = setup();
    const test = getTest();
    const databaseUrl = getUrl();
    const symbol = 'MANYDAYS';
    // Thirty days of minutes ending at the cut-off, from the real hours repeated.
    const days = 30;
    const template = minutesOf(workspace.hours).filter((m) => m.time < workspace.hours[0]!.time + 3 * DAY);
    const bars: Bar[] = [];
    for (let day = 0; day < days; day += 3) {
      const shift = workspace.cutoff - (days - day) * DAY - workspace.hours[0]!.time;
      for (const m of template) bars.push({ ...m, time: m.time + shift });
    }
    for (let i = 0; i < bars.length; i += 10_000) await test.core.storage.marketData.upsertBars({ symbol, timeframe: '1m', source: 'binance', bars: bars.slice(i, i + 10_000) });
    expect((await test.call('retention.estimate')).instruments).toContainEqual(expect.objectContaining({ symbol, minuteBars: bars.length }));

    await expect(test.call('jobs.create', { name: 'Roll up', kind: 'retention', symbols: [symbol], schedule: null })).rejects.toThrow(/retention job .* takes no symbols/);
    await expect(test.call('jobs.create', { name: 'Roll up', kind: 'retention', symbols: [], timeframe: '1m', schedule: null })).rejects.toThrow(/retention job .* takes no timeframe/);
    const job = await test.call('jobs.create', { name: 'Roll up old minutes', kind: 'retention', provider: 'polygon', symbols: [], schedule: '0 3 * * *' });
    expect(job.provider).toBeNull();
    const loop = watchEventLoop();
    const { runId } = await test.call('jobs.runNow', { id: job.id });
    await expect.poll(async () => (await test.call('jobs.runs', { kind: 'retention', limit: 5 })).runs.find((r) => r.id === runId)?.status, { timeout: 60_000, interval: 50 }).toBe('succeeded');
    const figures = loop.stop();
    console.info(
      `retention of ${bars.length} minute bars (${test.core.storage.mode}): main-loop max delay ${figures.maxDelayMs.toFixed(1)} ms, ` +
        `longest turn on the CPU ${figures.maxOnCpuMs?.toFixed(1) ?? 'n/a'} ms`,
    );
    // Loose on purpose: a shared machine keeps the thread waiting for a core far longer than
    // one symbol-day's transaction runs (about 2–5 ms of CPU), so the delay bound is wide and
    // the CPU a single turn of the loop took is held to the 50 ms goal.
    expect(figures.maxDelayMs).toBeLessThan(1_000);
    if (figures.maxOnCpuMs !== null) expect(figures.maxOnCpuMs).toBeLessThan(50);
    const run = (await test.call('jobs.runs', { kind: 'retention', limit: 5 })).runs.find((r) => r.id === runId)!;
    expect(run.rows).toBeGreaterThanOrEqual(bars.length);
    expect((await test.call('retention.estimate')).instruments).toEqual([]);
    expect((await rawRows(test, databaseUrl, `symbol = '${symbol}' AND timeframe = '1m'`)).length).toBe(0);
  });

  it('stops at a cancel between two days, keeping whole days rolled up, and the next run finishes the rest', async () => {
    const { test: getTest, databaseUrl: getUrl, workspace } = setup();
    const test = getTest();
    const databaseUrl = getUrl();
    const symbol = 'CANCELLED';
    const template = minutesOf(workspace.hours).filter((m) => m.time < workspace.hours[0]!.time + 3 * DAY);
    const bars: Bar[] = [];
    for (let day = 0; day < 15; day += 3) {
      const shift = workspace.cutoff - (15 - day) * DAY - workspace.hours[0]!.time;
      for (const m of template) bars.push({ ...m, time: m.time + shift });
    }
    await test.core.storage.marketData.upsertBars({ symbol, timeframe: '1m', source: 'binance', bars });
    await test.call('instruments.create', { symbol, name: 'Cancelled roll-up', kind: 'crypto', unit: 'USDT', currency: 'USDT', providerSymbols: {} });
    const chartBefore = await chart(test, symbol);

    // The user cancels while the third day of the run is being rolled up.
    const { marketData } = test.core.storage;
    const rollUp = marketData.rollUpMinuteBars.bind(marketData);
    let steps = 0;
    let runId = '';
    const spy = vi.spyOn(marketData, 'rollUpMinuteBars').mockImplementation(async (...args) => {
      if (++steps === 3) test.core.jobs.cancel(runId);
      return rollUp(...args);
    });
    try {
      runId = (await test.call('retention.apply', { wait: false })).runId;
      await expect.poll(async () => (await test.call('jobs.runs', { kind: 'retention', limit: 5 })).runs.find((r) => r.id === runId)?.status, { timeout: 60_000, interval: 50 }).toBe('cancelled');
    } finally {
      spy.mockRestore();
    }
    expect(steps).toBe(3);
    const run = (await test.call('jobs.runs', { kind: 'retention', limit: 5 })).runs.find((r) => r.id === runId)!;
    expect(run.rows).toBe(bars.filter((b) => b.time < bucketStartOfDay(bars[0]!.time) + 3 * DAY).length);
    // What is left is whole days of minutes, the newest ones, and the charts are as they were.
    const left = await rawRows(test, databaseUrl, `symbol = '${symbol}' AND timeframe = '1m'`);
    expect(left.length).toBe(bars.length - run.rows);
    expect(left[0]!.time % DAY).toBe(0);
    expect(left.map((r) => r.time)).toEqual(bars.filter((b) => b.time >= left[0]!.time).map((b) => b.time));
    const chartMidway = await chart(test, symbol);
    for (const timeframe of chartTimeframes) expectSameBars(chartMidway.get(timeframe)!, chartBefore.get(timeframe)!);

    const finished = await test.call('retention.apply', { wait: true });
    expect(finished.instruments).toEqual([expect.objectContaining({ symbol, minuteBars: bars.length - run.rows })]);
    expect(await rawRows(test, databaseUrl, `symbol = '${symbol}' AND timeframe = '1m'`)).toEqual([]);
    const chartAfter = await chart(test, symbol);
    for (const timeframe of chartTimeframes) expectSameBars(chartAfter.get(timeframe)!, chartBefore.get(timeframe)!);
  });

  it('refuses to apply while retention is off, and says how to turn it on', async () => {
    const test = setup().test();
    await test.call('settings.update', { retention: { minuteBarsDays: null } });
    try {
      await expect(test.call('retention.apply', { wait: true })).rejects.toThrow(/VALIDATION Data retention is off/);
      expect(await test.call('retention.estimate')).toEqual({ before: null, instruments: [], bytesFreed: 0 });
      // The screen may preview a setting before it is saved.
      expect((await test.call('retention.estimate', { minuteBarsDays: 1 })).before).toBe(setup().workspace.now - (setup().workspace.now % DAY) - DAY);
    } finally {
      await test.call('settings.update', { retention: { minuteBarsDays: KEEP_DAYS } });
    }
  });
}
