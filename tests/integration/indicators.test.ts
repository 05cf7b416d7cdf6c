/**
 * indicators.query through the real core on SQLite, with real history imported the way a
 * user imports it: warm-up from older bars, alignment with the bars, validation and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BARS_PER_QUERY } from '../../src/shared/domain';
import type { MethodInput, MethodOutput } from '../../src/shared/contract';
import type { IndicatorSpec } from '../../src/shared/indicators';
import { createTestCore, type TestCore } from '../support/test-core';

const DAY = 86_400_000;

type Reply = MethodOutput<'indicators.query'>;

const everyKind: IndicatorSpec[] = [
  { kind: 'sma', params: { period: 50 } },
  { kind: 'ema', params: { period: 20 } },
  { kind: 'wma', params: { period: 30 } },
  { kind: 'rsi', params: { period: 14 } },
  { kind: 'atr', params: { period: 14 } },
  { kind: 'bbands', params: { period: 20, stddev: 2 } },
  { kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } },
  { kind: 'stoch', params: { k: 14, d: 3, smooth: 3 } },
  { kind: 'volatility', params: { period: 20 } },
  { kind: 'ema', params: { period: 200 } },
  // Restarts each month on daily bars, so it no longer depends on how much history is loaded.
  { kind: 'vwap', params: {} },
];

/** Output series of one result by name; the contract types them per kind. */
const outputsOf = (result: Reply['indicators'][number]) => result.outputs as Record<string, (number | null)[]>;

describe('indicators.query through the core', () => {
  let test: TestCore;

  const query = (input: MethodInput<'indicators.query'>): Promise<Reply> => test.call('indicators.query', input);

  beforeAll(async () => {
    test = await createTestCore();
    for (const [file, symbol] of [
      ['xauusd-1d-mt4.csv', 'XAUUSD'],
      ['btcusdt-1h.csv', 'BTCUSDT'],
    ] as const) {
      await test.importRealFile(file, symbol);
    }
  }, 120_000);

  afterAll(() => test?.cleanup());

  it('returns the same bars as bars.query, every series as long as the bars', async () => {
    const reply = await query({ symbol: 'XAUUSD', timeframe: '1d', limit: 200, indicators: everyKind });
    const bars = await test.core.invoke('bars.query', { symbol: 'XAUUSD', timeframe: '1d', limit: 200 });
    expect(bars.ok && bars.value).toEqual({ bars: reply.bars, sourceTimeframe: reply.sourceTimeframe, spans: reply.spans });
    expect(reply.bars).toHaveLength(200);
    expect(reply.indicators.map((r) => r.kind)).toEqual(everyKind.map((s) => s.kind));
    for (const result of reply.indicators) {
      for (const series of Object.values(outputsOf(result))) expect(series).toHaveLength(200);
    }
  });

  it('reads older history so the first of the latest 200 bars already has values, equal to the full-history ones', async () => {
    const full = await query({ symbol: 'XAUUSD', timeframe: '1d', indicators: everyKind });
    const latest = await query({ symbol: 'XAUUSD', timeframe: '1d', limit: 200, indicators: everyKind });
    const offset = full.bars.length - 200;
    expect(full.bars.length).toBeGreaterThan(5000);
    expect(full.bars[offset]!.time).toBe(latest.bars[0]!.time);

    latest.indicators.forEach((result, r) => {
      for (const [name, series] of Object.entries(outputsOf(result))) {
        const reference = outputsOf(full.indicators[r]!)[name]!;
        // Lines that cross zero (MACD) are compared against their own size.
        const scale = result.kind === 'macd' ? Math.max(...reference.slice(offset).map((v) => Math.abs(v ?? 0))) : undefined;
        series.forEach((value, j) => {
          const want = reference[offset + j]!;
          expect(value, `${result.kind}.${name} at bar ${j}`).not.toBeNull();
          expect(Math.abs(value! - want) / (scale ?? Math.abs(want))).toBeLessThanOrEqual(1e-8);
        });
      }
    });
  });

  it('leaves null only where there is truly not enough history', async () => {
    const first = await query({ symbol: 'XAUUSD', timeframe: '1d', to: Date.UTC(2004, 6, 31), indicators: [{ kind: 'sma', params: { period: 20 } }] });
    const sma = outputsOf(first.indicators[0]!).value!;
    expect(sma.slice(0, 19).every((v) => v === null)).toBe(true);
    expect(sma.slice(19).every((v) => typeof v === 'number')).toBe(true);
  });

  it('warms up before a from/to window just as before a limit', async () => {
    const from = Date.UTC(2020, 2, 1);
    const to = Date.UTC(2020, 2, 31);
    const window = await query({ symbol: 'XAUUSD', timeframe: '1d', from, to, indicators: [{ kind: 'rsi', params: { period: 14 } }] });
    expect(window.bars[0]!.time).toBeGreaterThanOrEqual(from);
    expect(window.bars.at(-1)!.time).toBeLessThanOrEqual(to);
    expect(outputsOf(window.indicators[0]!).value!.every((v) => typeof v === 'number')).toBe(true);
  });

  it('anchors VWAP at 00:00 UTC on hourly bars, reading the start of the first day shown', async () => {
    const reply = await query({ symbol: 'BTCUSDT', timeframe: '1h', limit: 30, indicators: [{ kind: 'vwap', params: {} }] });
    const first = reply.bars[0]!;
    const dayStart = Math.floor(first.time / DAY) * DAY;
    const sameDay = await test.core.invoke('bars.query', { symbol: 'BTCUSDT', timeframe: '1h', from: dayStart, to: first.time });
    if (!sameDay.ok) throw new Error(sameDay.error.message);
    const session = (sameDay.value as MethodOutput<'bars.query'>).bars;
    const expected =
      session.reduce((s, b) => s + ((b.high + b.low + b.close) / 3) * b.volume, 0) / session.reduce((s, b) => s + b.volume, 0);
    expect(outputsOf(reply.indicators[0]!).value![0]).toBeCloseTo(expected, 6);
  });

  it('annualises crypto volatility over 365 days of 24 hourly bars', async () => {
    const reply = await query({ symbol: 'BTCUSDT', timeframe: '1h', limit: 50, indicators: [{ kind: 'volatility', params: { period: 24 } }] });
    const closes = reply.bars.map((b) => b.close);
    const returns = closes.slice(-25).map((c, i, all) => (i === 0 ? NaN : Math.log(c / all[i - 1]!))).slice(1);
    const mean = returns.reduce((s, r) => s + r, 0) / 24;
    const sd = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / 23);
    expect(outputsOf(reply.indicators[0]!).value!.at(-1)).toBeCloseTo(sd * Math.sqrt(365 * 24), 10);
  });

  it('answers VALIDATION for malformed requests and NOT_FOUND for an unknown instrument', async () => {
    const invoke = (input: unknown) => test.core.invoke('indicators.query', input);
    const base = { symbol: 'XAUUSD', timeframe: '1d', limit: 10 };
    for (const indicators of [
      [{ kind: 'ichimoku', params: {} }],
      [{ kind: 'macd', params: { fast: 26, slow: 12, signal: 9 } }],
      [{ kind: 'macd', params: { fast: 12, slow: 12, signal: 9 } }],
      [{ kind: 'sma', params: { period: 0 } }],
      [{ kind: 'sma', params: {} }],
      [],
      Array.from({ length: 13 }, () => ({ kind: 'sma', params: { period: 5 } })),
    ]) {
      expect(await invoke({ ...base, indicators }), JSON.stringify(indicators).slice(0, 80)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    expect(await invoke({ ...base, from: 10, to: 5, indicators: [{ kind: 'sma', params: { period: 5 } }] })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await invoke({ ...base, symbol: 'NOPE', indicators: [{ kind: 'sma', params: { period: 5 } }] })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('answers an instrument without stored bars with empty, aligned series', async () => {
    const reply = await query({ symbol: 'AAPL', timeframe: '1d', indicators: [{ kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } }] });
    expect(reply).toMatchObject({ bars: [], sourceTimeframe: null, indicators: [{ outputs: { macd: [], signal: [], histogram: [] } }] });
  });
});

describe('indicators.query over a long minute history', () => {
  let test: TestCore;
  const START = Date.UTC(2024, 0, 1);
  const MINUTES = MAX_BARS_PER_QUERY + 10_000;

  beforeAll(async () => {
    test = await createTestCore();
    for (let offset = 0; offset < MINUTES; offset += 10_000) {
      const bars = Array.from({ length: Math.min(10_000, MINUTES - offset) }, (_, i) => {
        const price = 2000 + Math.sin((offset + i) / 500);
        return { time: START + (offset + i) * 60_000, open: price, high: price + 1, low: price - 1, close: price, volume: 1 };
      });
      await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'test', bars });
    }
  }, 120_000);

  afterAll(() => test?.cleanup());

  it('refuses an unlimited range beyond the bars.query cap, and answers it with a limit', async () => {
    const indicators = [{ kind: 'ema', params: { period: 20 } }];
    const unlimited = await test.core.invoke('indicators.query', { symbol: 'XAUUSD', timeframe: '1m', indicators });
    expect(unlimited).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (!unlimited.ok) expect(unlimited.error.message).toMatch(/"limit"/);
    const limited = await test.core.invoke('indicators.query', { symbol: 'XAUUSD', timeframe: '1m', limit: 2_000, indicators });
    expect(limited.ok).toBe(true);
    if (limited.ok) expect((limited.value as Reply).bars).toHaveLength(2_000);
  });
});
