/**
 * Every indicator on real series (XAU/USD daily since 2004, BTC/USDT hourly 2018–2022)
 * against a straightforward implementation written here from the definitions: plain
 * loops over each window, no sliding sums, no code shared with the product. Agreement is
 * required to 1e-8 relative, and warm-up must end exactly where the definition says.
 */
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/shared/domain';
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
import { binanceHourlyBars, metaTraderDailyBars } from '../../support/shared-data';

const RELATIVE = 1e-8;
const DAY = 86_400_000;

type Series = (number | undefined)[];

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function window(values: ArrayLike<number>, end: number, length: number): number[] {
  return Array.from({ length }, (_, j) => values[end - length + 1 + j]!);
}

function referenceSma(values: ArrayLike<number>, period: number): Series {
  return Array.from({ length: values.length }, (_, i) => (i >= period - 1 ? mean(window(values, i, period)) : undefined));
}

function referenceWma(values: ArrayLike<number>, period: number): Series {
  return Array.from({ length: values.length }, (_, i) => {
    if (i < period - 1) return undefined;
    const w = window(values, i, period);
    return w.reduce((sum, v, j) => sum + (j + 1) * v, 0) / ((period * (period + 1)) / 2);
  });
}

/** EMA whose first value, at `seedEnd`, is the mean of the `period` values ending there. */
function referenceEma(values: Series, period: number, seedEnd: number): Series {
  const out: Series = new Array(values.length).fill(undefined);
  if (seedEnd >= values.length) return out;
  let value = mean(window(values as number[], seedEnd, period));
  out[seedEnd] = value;
  for (let i = seedEnd + 1; i < values.length; i++) {
    value = value + (2 / (period + 1)) * (values[i]! - value);
    out[i] = value;
  }
  return out;
}

function referenceRsi(close: number[], period: number): Series {
  const out: Series = new Array(close.length).fill(undefined);
  const changes = close.map((c, i) => (i === 0 ? 0 : c - close[i - 1]!));
  let gain = mean(changes.slice(1, period + 1).map((c) => Math.max(c, 0)));
  let loss = mean(changes.slice(1, period + 1).map((c) => Math.max(-c, 0)));
  const value = () => (gain + loss === 0 ? 0 : 100 - 100 / (1 + gain / loss));
  if (close.length > period) out[period] = value();
  for (let i = period + 1; i < close.length; i++) {
    gain = (gain * (period - 1) + Math.max(changes[i]!, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-changes[i]!, 0)) / period;
    out[i] = value();
  }
  return out;
}

function referenceAtr(bars: Bar[], period: number): Series {
  const out: Series = new Array(bars.length).fill(undefined);
  const tr = bars.map((b, i) =>
    i === 0 ? NaN : Math.max(b.high, bars[i - 1]!.close) - Math.min(b.low, bars[i - 1]!.close),
  );
  if (bars.length <= period) return out;
  let value = mean(tr.slice(1, period + 1));
  out[period] = value;
  for (let i = period + 1; i < bars.length; i++) {
    value = (value * (period - 1) + tr[i]!) / period;
    out[i] = value;
  }
  return out;
}

function referenceBands(close: number[], period: number, width: number) {
  const upper: Series = [];
  const lower: Series = [];
  close.forEach((_, i) => {
    if (i < period - 1) {
      upper.push(undefined);
      lower.push(undefined);
      return;
    }
    const w = window(close, i, period);
    const m = mean(w);
    const sd = Math.sqrt(mean(w.map((v) => (v - m) ** 2)));
    upper.push(m + width * sd);
    lower.push(m - width * sd);
  });
  return { upper, lower };
}

function referenceStochastic(bars: Bar[], k: number, d: number, smooth: number) {
  const raw: Series = bars.map((b, i) => {
    if (i < k - 1) return undefined;
    const w = bars.slice(i - k + 1, i + 1);
    const hh = Math.max(...w.map((x) => x.high));
    const ll = Math.min(...w.map((x) => x.low));
    return hh === ll ? 0 : ((b.close - ll) / (hh - ll)) * 100;
  });
  const slowK: Series = raw.map((_, i) => (i >= k + smooth - 2 ? mean(window(raw as number[], i, smooth)) : undefined));
  const slowD: Series = slowK.map((_, i) => (i >= k + smooth + d - 3 ? mean(window(slowK as number[], i, d)) : undefined));
  return { slowK, slowD };
}

function referenceVwap(bars: Bar[], anchoredDaily: boolean): Series {
  return bars.map((bar, i) => {
    if (bar.volume === 0) return undefined;
    let start = i;
    while (start > 0 && (!anchoredDaily || Math.floor(bars[start - 1]!.time / DAY) === Math.floor(bar.time / DAY))) start--;
    const session = bars.slice(start, i + 1);
    const volume = session.reduce((s, b) => s + b.volume, 0);
    return session.reduce((s, b) => s + ((b.high + b.low + b.close) / 3) * b.volume, 0) / volume;
  });
}

function referenceVolatility(close: number[], period: number, perYear: number): Series {
  return close.map((_, i) => {
    if (i < period) return undefined;
    const returns = Array.from({ length: period }, (_, j) => Math.log(close[i - period + 1 + j]! / close[i - period + j]!));
    const m = mean(returns);
    return Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (period - 1)) * Math.sqrt(perYear);
  });
}

/**
 * Same definedness bar by bar, and values within 1e-8 of the reference relative to
 * `scale` (the value itself, or a series magnitude for lines that cross zero).
 */
function expectSeries(actual: Float64Array, expected: Series, scale?: number) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const got = actual[i]!;
    if (want === undefined) {
      if (!Number.isNaN(got)) throw new Error(`bar ${i}: expected warm-up (NaN), got ${got}`);
      continue;
    }
    if (!Number.isFinite(got)) throw new Error(`bar ${i}: expected ${want}, got ${got}`);
    const error = Math.abs(got - want) / Math.max(scale ?? Math.abs(want), Number.MIN_VALUE);
    worst = Math.max(worst, error);
  }
  expect(worst).toBeLessThanOrEqual(RELATIVE);
}

const magnitude = (values: Series) => Math.max(...values.filter((v): v is number => v !== undefined).map(Math.abs));

const datasets: [string, Bar[]][] = [
  ['XAU/USD daily (MetaTrader)', metaTraderDailyBars()],
  ['BTC/USDT hourly (Binance)', binanceHourlyBars()],
];

describe.each(datasets)('%s', (_name, bars) => {
  const close = Float64Array.from(bars, (b) => b.close);
  const high = Float64Array.from(bars, (b) => b.high);
  const low = Float64Array.from(bars, (b) => b.low);
  const volume = Float64Array.from(bars, (b) => b.volume);
  const closes = Array.from(close);

  it('has enough real bars to mean something', () => {
    expect(bars.length).toBeGreaterThan(5000);
  });

  it.each([1, 2, 20, 200])('SMA(%i)', (period) => expectSeries(sma(close, period), referenceSma(closes, period)));

  it.each([1, 9, 50])('WMA(%i)', (period) => expectSeries(wma(close, period), referenceWma(closes, period)));

  it.each([1, 12, 200])('EMA(%i)', (period) => expectSeries(ema(close, period), referenceEma(closes, period, period - 1)));

  it.each([2, 14, 50])('RSI(%i)', (period) => expectSeries(rsi(close, period), referenceRsi(closes, period)));

  it.each([1, 14, 100])('ATR(%i)', (period) => expectSeries(atr(high, low, close, period), referenceAtr(bars, period)));

  it.each([
    [20, 2],
    [50, 2.5],
  ])('Bollinger(%i, %f)', (period, width) => {
    const bands = bollinger(close, period, width);
    const expected = referenceBands(closes, period, width);
    expectSeries(bands.middle, referenceSma(closes, period));
    expectSeries(bands.upper, expected.upper);
    expectSeries(bands.lower, expected.lower);
  });

  it.each([
    [12, 26, 9],
    [5, 35, 5],
  ])('MACD(%i, %i, %i)', (fast, slow, signal) => {
    const lines = macd(close, fast, slow, signal);
    const slowEma = referenceEma(closes, slow, slow - 1);
    const fastEma = referenceEma(closes, fast, slow - 1);
    const line: Series = closes.map((_, i) => (i >= slow - 1 ? fastEma[i]! - slowEma[i]! : undefined));
    const signalLine = referenceEma(line, signal, slow + signal - 2);
    const histogram = line.map((v, i) => (signalLine[i] === undefined ? undefined : v! - signalLine[i]!));
    // The MACD line crosses zero, so its error is measured against the line's own size.
    const scale = magnitude(line);
    expectSeries(lines.macd, line, scale);
    expectSeries(lines.signal, signalLine, scale);
    expectSeries(lines.histogram, histogram, scale);
  });

  it.each([
    [14, 3, 3],
    [5, 3, 1],
  ])('stochastic(%i, %i, %i)', (k, d, smooth) => {
    const lines = stochastic(high, low, close, k, d, smooth);
    const expected = referenceStochastic(bars, k, d, smooth);
    // %K and %D live on 0…100 and touch 0; errors are measured in points of that scale.
    expectSeries(lines.k, expected.slowK, 100);
    expectSeries(lines.d, expected.slowD, 100);
  });

  it('VWAP anchored at 00:00 UTC and over the whole range', () => {
    expectSeries(vwap(high, low, close, volume, (i) => Math.floor(bars[i]!.time / DAY)), referenceVwap(bars, true));
    const tail = bars.slice(-3000);
    const columns = (f: (b: Bar) => number) => Float64Array.from(tail, f);
    expectSeries(
      vwap(columns((b) => b.high), columns((b) => b.low), columns((b) => b.close), columns((b) => b.volume), () => 0),
      referenceVwap(tail, false),
    );
  });

  it.each([
    [20, 252],
    [2, 8760],
  ])('volatility(%i) annualised with %i periods a year', (period, perYear) =>
    expectSeries(logReturnVolatility(close, period, perYear), referenceVolatility(closes, period, perYear)),
  );
});
