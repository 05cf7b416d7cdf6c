/**
 * From an indicator request to its series: which maths, how much older history it needs
 * to be warmed up, and the instrument facts some indicators depend on. The chart's
 * `indicators.query`, the model features and the chart's own update of a live bar share
 * this, so a feature and the line a trader sees are the same numbers.
 */
import type { Bar, Instrument } from './domain';
import type { IndicatorOutputName } from './indicator-outputs';
import type { IndicatorKind, IndicatorSpec, VwapAnchor } from './indicators';
import { bucketStart, fixedTimeframeMs, type Timeframe } from './timeframes';
import { atr, bollinger, ema, logReturnVolatility, macd, rsi, sma, stochastic, vwap, wma } from './indicator-math';

/** Bars as columns, the form the maths reads. */
export interface PriceColumns {
  readonly length: number;
  readonly time: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export function toPriceColumns(bars: readonly Bar[]): PriceColumns {
  const n = bars.length;
  const columns = {
    length: n,
    time: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const bar = bars[i]!;
    columns.time[i] = bar.time;
    columns.high[i] = bar.high;
    columns.low[i] = bar.low;
    columns.close[i] = bar.close;
    columns.volume[i] = bar.volume;
  }
  return columns;
}

export interface IndicatorContext {
  readonly timeframe: Timeframe;
  readonly instrumentKind: Instrument['kind'];
  /** Index of the first bar the caller shows; the bars before it are warm-up history. */
  readonly firstShown: number;
}

/** A request with its outputs, each output turned into `T` by the caller's `emit`. */
export type IndicatorValues<T> = {
  [K in IndicatorKind]: Extract<IndicatorSpec, { kind: K }> & { outputs: { [N in IndicatorOutputName<K>]: T } };
}[IndicatorKind];

const DAY_MS = fixedTimeframeMs['1d'];

/** The period VWAP restarts at when the request names none: the UTC day intraday, else the month or year. */
function defaultVwapAnchor(timeframe: Timeframe): VwapAnchor {
  if (timeframe === '1d') return 'month';
  if (timeframe === '1w' || timeframe === '1M') return 'year';
  return 'day';
}

/** The longest each anchor period can be, for the warm-up bound. */
const ANCHOR_MAX_DAYS: Record<VwapAnchor, number> = { day: 1, week: 7, month: 31, quarter: 92, year: 366 };

/** Most bars of `timeframe` one anchor period can hold, each counted in the period its bar opens in. */
function barsPerAnchor(anchor: VwapAnchor, timeframe: Timeframe): number {
  if (timeframe === '1M') return { day: 1, week: 1, month: 1, quarter: 3, year: 12 }[anchor];
  return Math.max(1, Math.ceil((ANCHOR_MAX_DAYS[anchor] * DAY_MS) / fixedTimeframeMs[timeframe]));
}

/** A number that changes exactly when the UTC anchor period of `time` does. */
function anchorPeriod(time: number, anchor: VwapAnchor): number {
  if (anchor === 'day') return Math.floor(time / DAY_MS);
  if (anchor === 'week') return bucketStart(time, '1w');
  const date = new Date(time);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (anchor === 'month') return year * 12 + month;
  if (anchor === 'quarter') return year * 4 + Math.floor(month / 3);
  return year;
}

/**
 * Bars per year, to annualise volatility: crypto trades every calendar day, everything
 * else about 252 days a year. Intraday bars per day follow the session: US stocks, ETFs
 * and indices 6.5 hours, every other kind (spot metals, FX, futures, crypto, demo) nearly
 * 24 hours; a partial last bucket counts as a bar.
 */
export function periodsPerYear(kind: Instrument['kind'], timeframe: Timeframe): number {
  if (timeframe === '1M') return 12;
  if (timeframe === '1w') return 52;
  const days = kind === 'crypto' ? 365 : 252;
  const sessionMs = kind === 'stock' || kind === 'etf' || kind === 'index' ? 6.5 * 3_600_000 : DAY_MS;
  return days * Math.ceil(sessionMs / fixedTimeframeMs[timeframe]);
}

/**
 * How far an exponential average must run past its seed before the seed's remaining
 * weight, (1 − alpha)^n, falls below one part in 10⁹: from there on, where the history
 * started no longer shows in any printed digit.
 */
const SEED_WEIGHT = 1e-9;
function convergenceBars(alpha: number): number {
  return alpha >= 1 ? 0 : Math.ceil(Math.log(SEED_WEIGHT) / Math.log(1 - alpha));
}
const emaAlpha = (period: number) => 2 / (period + 1);
const wilderAlpha = (period: number) => 1 / period;

/**
 * Bars of older history to read before the first bar shown, so the indicator has its
 * value there: exactly the window for SMA-like ones, the seed plus convergence for the
 * exponential ones (EMA, RSI, ATR, MACD), the rest of the anchor period for VWAP.
 */
export function warmUpBars(spec: IndicatorSpec, timeframe: Timeframe): number {
  switch (spec.kind) {
    case 'sma':
    case 'wma':
    case 'bbands':
      return spec.params.period - 1;
    case 'ema':
      return spec.params.period - 1 + convergenceBars(emaAlpha(spec.params.period));
    case 'rsi':
    case 'atr':
      return spec.params.period + convergenceBars(wilderAlpha(spec.params.period));
    case 'macd': {
      const { slow, signal } = spec.params;
      return slow - 1 + convergenceBars(emaAlpha(slow)) + signal - 1 + convergenceBars(emaAlpha(signal));
    }
    case 'stoch':
      return spec.params.k + spec.params.smooth + spec.params.d - 3;
    case 'vwap':
      return barsPerAnchor(spec.params.anchor ?? defaultVwapAnchor(timeframe), timeframe) - 1;
    case 'volatility':
      return spec.params.period;
  }
}

/** Computes one indicator over all columns and hands every output series to `emit`. */
export function computeIndicator<T>(
  spec: IndicatorSpec,
  columns: PriceColumns,
  context: IndicatorContext,
  emit: (values: Float64Array) => T,
): IndicatorValues<T> {
  const { high, low, close } = columns;
  switch (spec.kind) {
    case 'sma':
      return { ...spec, outputs: { value: emit(sma(close, spec.params.period)) } };
    case 'ema':
      return { ...spec, outputs: { value: emit(ema(close, spec.params.period)) } };
    case 'wma':
      return { ...spec, outputs: { value: emit(wma(close, spec.params.period)) } };
    case 'rsi':
      return { ...spec, outputs: { value: emit(rsi(close, spec.params.period)) } };
    case 'atr':
      return { ...spec, outputs: { value: emit(atr(high, low, close, spec.params.period)) } };
    case 'bbands': {
      const bands = bollinger(close, spec.params.period, spec.params.stddev);
      return { ...spec, outputs: { upper: emit(bands.upper), middle: emit(bands.middle), lower: emit(bands.lower) } };
    }
    case 'macd': {
      const lines = macd(close, spec.params.fast, spec.params.slow, spec.params.signal);
      return { ...spec, outputs: { macd: emit(lines.macd), signal: emit(lines.signal), histogram: emit(lines.histogram) } };
    }
    case 'stoch': {
      const lines = stochastic(high, low, close, spec.params.k, spec.params.d, spec.params.smooth);
      return { ...spec, outputs: { k: emit(lines.k), d: emit(lines.d) } };
    }
    case 'vwap': {
      const { time } = columns;
      const anchor = spec.params.anchor ?? defaultVwapAnchor(context.timeframe);
      const session = (i: number) => anchorPeriod(time[i]!, anchor);
      return { ...spec, outputs: { value: emit(vwap(high, low, close, columns.volume, session)) } };
    }
    case 'volatility': {
      const perYear = periodsPerYear(context.instrumentKind, context.timeframe);
      return { ...spec, outputs: { value: emit(logReturnVolatility(close, spec.params.period, perYear)) } };
    }
  }
}
