/**
 * The corners a chart meets: too little history, period 1, flat prices, flat ranges,
 * close-only bars without volume. Conventions follow TA-Lib where it has one.
 */
import { describe, expect, it } from 'vitest';
import {
  atr,
  bollinger,
  ema,
  logReturnVolatility,
  macd,
  rsi,
  sma,
  stochastic,
  vwap,
  wma,
} from '../../../src/shared/indicator-math';
import {
  computeIndicator,
  periodsPerYear,
  toPriceColumns,
  warmUpBars,
} from '../../../src/shared/compute-indicators';
import { indicatorOutputNames } from '../../../src/shared/indicator-outputs';
import { indicatorSpecSchema, type IndicatorSpec } from '../../../src/shared/indicators';
import type { Bar } from '../../../src/shared/domain';

const values = (...v: number[]) => Float64Array.from(v);
const flat = (length: number, price = 100) => new Float64Array(length).fill(price);
const allNaN = (a: Float64Array) => Array.from(a).every(Number.isNaN);
const definedFrom = (a: Float64Array) => Array.from(a).findIndex((v) => !Number.isNaN(v));

describe('period longer than the series', () => {
  const close = values(1, 2, 3, 4, 5);
  it('gives warm-up only, never an exception or a partial value', () => {
    expect(allNaN(sma(close, 6))).toBe(true);
    expect(allNaN(wma(close, 6))).toBe(true);
    expect(allNaN(ema(close, 6))).toBe(true);
    expect(allNaN(rsi(close, 5))).toBe(true);
    expect(allNaN(atr(close, close, close, 5))).toBe(true);
    expect(allNaN(bollinger(close, 6, 2).middle)).toBe(true);
    expect(allNaN(macd(close, 2, 6, 1).macd)).toBe(true);
    expect(allNaN(stochastic(close, close, close, 6, 1, 1).k)).toBe(true);
    expect(allNaN(logReturnVolatility(close, 5, 252))).toBe(true);
  });

  it('handles an empty series', () => {
    const empty = new Float64Array(0);
    expect(sma(empty, 3).length).toBe(0);
    expect(rsi(empty, 14).length).toBe(0);
    expect(macd(empty, 12, 26, 9).histogram.length).toBe(0);
    expect(vwap(empty, empty, empty, empty, () => 0).length).toBe(0);
  });
});

describe('warm-up ends exactly where the definition says', () => {
  const close = Float64Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i) * 5);
  const high = close.map((c) => c + 1);
  const low = close.map((c) => c - 1);
  it.each([
    ['sma(10)', () => sma(close, 10), 9],
    ['wma(10)', () => wma(close, 10), 9],
    ['ema(10)', () => ema(close, 10), 9],
    ['rsi(14)', () => rsi(close, 14), 14],
    ['atr(14)', () => atr(high, low, close, 14), 14],
    ['bbands(20)', () => bollinger(close, 20, 2).upper, 19],
    ['macd line (12, 26, 9)', () => macd(close, 12, 26, 9).macd, 25],
    ['macd signal (12, 26, 9)', () => macd(close, 12, 26, 9).signal, 33],
    ['macd histogram (12, 26, 9)', () => macd(close, 12, 26, 9).histogram, 33],
    ['stoch %K (14, 3, 3)', () => stochastic(high, low, close, 14, 3, 3).k, 15],
    ['stoch %D (14, 3, 3)', () => stochastic(high, low, close, 14, 3, 3).d, 17],
    ['volatility(20)', () => logReturnVolatility(close, 20, 252), 20],
  ])('%s from bar %i', (_name, compute, first) => {
    const out = compute();
    expect(definedFrom(out)).toBe(first);
    expect(Array.from(out.slice(first)).every(Number.isFinite)).toBe(true);
  });
});

describe('period 1', () => {
  const close = values(10, 12, 11, 11, 15);
  const high = values(11, 13, 12, 11.5, 16);
  const low = values(9, 11, 10, 10.5, 14);
  it('moving averages are the price itself', () => {
    expect(Array.from(sma(close, 1))).toEqual(Array.from(close));
    expect(Array.from(wma(close, 1))).toEqual(Array.from(close));
    expect(Array.from(ema(close, 1))).toEqual(Array.from(close));
  });
  it('ATR(1) is the true range from the second bar on (TA-Lib TRANGE)', () => {
    expect(Array.from(atr(high, low, close, 1))).toEqual([NaN, 3, 2, 1, 5]);
  });
  it('stochastic(1, 1, 1) is where the close sits in its own bar', () => {
    expect(Array.from(stochastic(high, low, close, 1, 1, 1).k)).toEqual([50, 50, 50, 50, 50]);
  });
});

describe('flat prices', () => {
  const price = flat(40, 1234.5);
  it('RSI is 0 when nothing moved (TA-Lib), 100 when only gains, 0 when only losses', () => {
    const out = rsi(price, 14);
    expect(Array.from(out.slice(14)).every((v) => v === 0)).toBe(true);
    const rising = Float64Array.from({ length: 30 }, (_, i) => 100 + i);
    expect(Array.from(rsi(rising, 14).slice(14)).every((v) => v === 100)).toBe(true);
    const falling = Float64Array.from({ length: 30 }, (_, i) => 100 - i);
    expect(Array.from(rsi(falling, 14).slice(14)).every((v) => v === 0)).toBe(true);
  });
  it('a range-less stochastic window gives 0 (TA-Lib)', () => {
    const lines = stochastic(price, price, price, 14, 3, 3);
    expect(Array.from(lines.k.slice(15)).every((v) => v === 0)).toBe(true);
    expect(Array.from(lines.d.slice(17)).every((v) => v === 0)).toBe(true);
  });
  it('Bollinger bands collapse onto the average and volatility is exactly 0', () => {
    const bands = bollinger(price, 20, 2);
    expect(bands.upper[39]).toBe(1234.5);
    expect(bands.lower[39]).toBe(1234.5);
    expect(Array.from(logReturnVolatility(price, 10, 252).slice(10)).every((v) => v === 0)).toBe(true);
  });
  it('a flat stretch after a volatile one still gives exactly 0 deviation', () => {
    const series = Float64Array.from({ length: 80 }, (_, i) => (i < 40 ? 100 + (i % 7) * 13.37 : 250));
    expect(bollinger(series, 20, 2).upper[79]).toBe(250);
    expect(logReturnVolatility(series, 20, 252)[79]).toBe(0);
  });
  it('ATR and MACD are 0, not NaN', () => {
    expect(atr(price, price, price, 14)[39]).toBe(0);
    const lines = macd(price, 12, 26, 9);
    expect(lines.macd[39]).toBe(0);
    expect(lines.histogram[39]).toBe(0);
  });
});

describe('VWAP', () => {
  const DAY = 86_400_000;
  const bar = (time: number, close: number, volume: number): Bar => ({ time, open: close, high: close + 1, low: close - 1, close, volume });

  it('restarts at 00:00 UTC on intraday bars and ignores the previous day', () => {
    const bars = [bar(DAY - 7_200_000, 100, 10), bar(DAY - 3_600_000, 110, 10), bar(DAY, 200, 5), bar(DAY + 3_600_000, 210, 5)];
    const out = computeIndicator({ kind: 'vwap', params: {} }, toPriceColumns(bars), { timeframe: '1h', instrumentKind: 'spot', firstShown: 0 }, (v) => Array.from(v));
    expect((out.outputs as Record<string, number[]>).value).toEqual([100, 105, 200, 205]);
  });

  it('on daily bars it restarts each UTC month, whatever older history was read with them', () => {
    const jan31 = Date.UTC(2024, 0, 31);
    const bars = [bar(jan31 - DAY, 50, 100), bar(jan31, 100, 1), bar(jan31 + DAY, 200, 1), bar(jan31 + 2 * DAY, 300, 1)];
    const context = { timeframe: '1d' as const, instrumentKind: 'spot' as const };
    const values = (firstShown: number) =>
      (computeIndicator({ kind: 'vwap', params: {} }, toPriceColumns(bars), { ...context, firstShown }, (v) => Array.from(v)).outputs as Record<string, number[]>).value!;
    // January's two bars weigh together; February starts again on the 1st.
    expect(values(0)).toEqual([50, (50 * 100 + 100) / 101, 200, 250]);
    expect(values(2)).toEqual(values(0));
  });

  it('restarts at the anchor the request names: the week, quarter or year', () => {
    const monday = Date.UTC(2024, 2, 25);
    const bars = [bar(monday - DAY, 10, 1), bar(monday, 20, 1), bar(monday + 7 * DAY, 40, 1), bar(Date.UTC(2025, 0, 2), 80, 1)];
    const anchored = (anchor: 'week' | 'quarter' | 'year') =>
      (computeIndicator({ kind: 'vwap', params: { anchor } }, toPriceColumns(bars), { timeframe: '1d', instrumentKind: 'spot', firstShown: 0 }, (v) => Array.from(v))
        .outputs as Record<string, number[]>).value;
    expect(anchored('week')).toEqual([10, 20, 40, 80]);
    // 2024-04-01 opens the second quarter.
    expect(anchored('quarter')).toEqual([10, 15, 40, 80]);
    expect(anchored('year')).toEqual([10, 15, 70 / 3, 80]);
  });

  it('a bar without volume (close-only data) has no VWAP; later bars keep the session total', () => {
    const p = values(100, 100, 130);
    const out = vwap(p, p, p, values(10, 0, 10), () => 0);
    expect(Number.isNaN(out[1]!)).toBe(true);
    expect(out[2]).toBe(115);
    expect(allNaN(vwap(p, p, p, values(0, 0, 0), () => 0))).toBe(true);
  });
});

describe('warm-up history read before the first bar shown', () => {
  const spec = (input: unknown) => indicatorSpecSchema.parse(input);
  it('is exactly the window for SMA-like indicators', () => {
    expect(warmUpBars(spec({ kind: 'sma', params: { period: 50 } }), '1d')).toBe(49);
    expect(warmUpBars(spec({ kind: 'wma', params: { period: 1 } }), '1d')).toBe(0);
    expect(warmUpBars(spec({ kind: 'bbands', params: { period: 20, stddev: 2 } }), '1d')).toBe(19);
    expect(warmUpBars(spec({ kind: 'stoch', params: { k: 14, d: 3, smooth: 3 } }), '1d')).toBe(17);
    expect(warmUpBars(spec({ kind: 'volatility', params: { period: 20 } }), '1d')).toBe(20);
  });

  it('lets an exponential seed fade below one part in a billion', () => {
    const emaBars = warmUpBars(spec({ kind: 'ema', params: { period: 20 } }), '1d');
    expect((1 - 2 / 21) ** (emaBars - 19)).toBeLessThanOrEqual(1e-9);
    expect((1 - 2 / 21) ** (emaBars - 20)).toBeGreaterThan(1e-9);
    const rsiBars = warmUpBars(spec({ kind: 'rsi', params: { period: 14 } }), '1d');
    expect((1 - 1 / 14) ** (rsiBars - 14)).toBeLessThanOrEqual(1e-9);
    expect(warmUpBars(spec({ kind: 'atr', params: { period: 14 } }), '1d')).toBe(rsiBars);
    expect(warmUpBars(spec({ kind: 'ema', params: { period: 1 } }), '1d')).toBe(0);
    expect(warmUpBars(spec({ kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } }), '1d')).toBeGreaterThan(33 + 200);
  });

  it('covers the rest of the anchor period for VWAP', () => {
    const anchored = spec({ kind: 'vwap', params: {} });
    expect(warmUpBars(anchored, '1m')).toBe(1439);
    expect(warmUpBars(anchored, '4h')).toBe(5);
    expect(warmUpBars(anchored, '1d')).toBe(30);
    expect(warmUpBars(anchored, '1w')).toBe(52);
    expect(warmUpBars(anchored, '1M')).toBe(11);
    expect(warmUpBars(spec({ kind: 'vwap', params: { anchor: 'quarter' } }), '1M')).toBe(2);
    expect(warmUpBars(spec({ kind: 'vwap', params: { anchor: 'week' } }), '1h')).toBe(167);
  });
});

describe('annualising volatility', () => {
  it('counts calendar days for crypto and trading days for the rest', () => {
    expect(periodsPerYear('crypto', '1d')).toBe(365);
    expect(periodsPerYear('spot', '1d')).toBe(252);
    expect(periodsPerYear('crypto', '1h')).toBe(365 * 24);
    expect(periodsPerYear('future', '1h')).toBe(252 * 24);
    expect(periodsPerYear('stock', '1h')).toBe(252 * 7);
    expect(periodsPerYear('etf', '1m')).toBe(252 * 390);
    expect(periodsPerYear('stock', '1w')).toBe(52);
    expect(periodsPerYear('crypto', '1M')).toBe(12);
  });
});

describe('every kind through computeIndicator', () => {
  const bars: Bar[] = Array.from({ length: 300 }, (_, i) => {
    const close = 100 + 10 * Math.sin(i / 9) + i / 10;
    return { time: i * 3_600_000, open: close - 0.3, high: close + 1, low: close - 1.2, close, volume: i % 5 === 0 ? 0 : 50 + i };
  });
  const specs: IndicatorSpec[] = [
    { kind: 'sma', params: { period: 20 } },
    { kind: 'ema', params: { period: 20 } },
    { kind: 'wma', params: { period: 20 } },
    { kind: 'rsi', params: { period: 14 } },
    { kind: 'atr', params: { period: 14 } },
    { kind: 'bbands', params: { period: 20, stddev: 2 } },
    { kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } },
    { kind: 'stoch', params: { k: 14, d: 3, smooth: 3 } },
    { kind: 'vwap', params: {} },
    { kind: 'volatility', params: { period: 20 } },
  ];

  it.each(specs.map((s) => [s.kind, s] as const))('%s returns its named outputs, full length, no NaN past warm-up', (_kind, s) => {
    const result = computeIndicator(s, toPriceColumns(bars), { timeframe: '1h', instrumentKind: 'crypto', firstShown: 0 }, (v) => v);
    const outputs = result.outputs as Record<string, Float64Array>;
    expect(Object.keys(outputs)).toEqual([...indicatorOutputNames[s.kind]]);
    for (const series of Object.values(outputs)) {
      expect(series.length).toBe(bars.length);
      const first = definedFrom(series);
      expect(first).toBeGreaterThanOrEqual(0);
      const rest = Array.from(series.slice(first));
      // VWAP is undefined on the bars without volume; nothing else may be.
      if (s.kind === 'vwap') rest.forEach((v, j) => expect(Number.isNaN(v)).toBe(bars[first + j]!.volume === 0));
      else expect(rest.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('request validation', () => {
  const parse = (input: unknown) => indicatorSpecSchema.safeParse(input);
  it('accepts the documented shapes', () => {
    expect(parse({ kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } }).success).toBe(true);
    expect(parse({ kind: 'vwap' }).success).toBe(true);
    expect(parse({ kind: 'bbands', params: { period: 20, stddev: 2.5 } }).success).toBe(true);
  });
  it.each([
    ['an unknown kind', { kind: 'ichimoku', params: {} }],
    ['period 0', { kind: 'sma', params: { period: 0 } }],
    ['period 1001', { kind: 'ema', params: { period: 1001 } }],
    ['a fractional period', { kind: 'rsi', params: { period: 14.5 } }],
    ['RSI(1), outside TA-Lib bounds', { kind: 'rsi', params: { period: 1 } }],
    ['fast = slow', { kind: 'macd', params: { fast: 26, slow: 26, signal: 9 } }],
    ['fast > slow', { kind: 'macd', params: { fast: 26, slow: 12, signal: 9 } }],
    ['a negative band width', { kind: 'bbands', params: { period: 20, stddev: -2 } }],
    ['volatility of one return', { kind: 'volatility', params: { period: 1 } }],
    ['an unknown parameter', { kind: 'sma', params: { period: 5, offset: 2 } }],
  ])('refuses %s', (_what, input) => {
    expect(parse(input).success).toBe(false);
  });
});
