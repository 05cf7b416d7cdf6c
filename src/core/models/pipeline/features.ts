/**
 * Versioned feature sets over bars, computed with the charts' own indicator code so that a
 * model's RSI is the RSI the trader sees. Every feature at bar t uses only bars 0…t (the
 * indicators are one-pass and seeded at fixed indices), so appending or changing later bars
 * never changes an earlier row. Rows inside an indicator's warm-up hold NaN and are not samples.
 */
import { atr, bollinger, ema, logReturnVolatility, macd, rsi, sma } from '../../../shared/indicator-math';
import { featureSetVersions } from '../../../shared/features';
import { nominalTimeframeMs, type Timeframe } from '../../../shared/timeframes';
import type { BarColumns } from '../engine/ports';
import { AppError } from '../../../shared/errors';

/** The newest set, the one training uses. */
export const FEATURE_SET_VERSION = featureSetVersions[0];

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Lags of the return features, in bars. */
const LOG_RETURN_LAGS = [1, 2, 5, 10, 20];
const SIMPLE_RETURN_LAGS = [1, 5, 20];

/** Feature rows, row-major (bars × columns), as long as the bars; NaN in warm-up rows. */
export interface FeatureMatrix {
  version: string;
  columns: string[];
  width: number;
  rows: number;
  values: Float64Array;
  /** First row from which every later row is complete (no NaN): the first possible sample. */
  firstComplete: number;
}

/** Calendar encodings that vary within the timeframe: hour for intraday, weekday below a week, month from daily up. */
function calendarColumns(timeframe: Timeframe): string[] {
  const step = nominalTimeframeMs(timeframe);
  const columns: string[] = [];
  if (step < DAY_MS) columns.push('hour_sin', 'hour_cos');
  if (step < WEEK_MS) columns.push('weekday_sin', 'weekday_cos');
  if (step >= DAY_MS) columns.push('month_sin', 'month_cos');
  return columns;
}

/** The columns of feature set `version` on `timeframe`, in matrix order. */
export function featureColumns(version: string, timeframe: Timeframe): string[] {
  assertKnownVersion(version);
  return [
    ...LOG_RETURN_LAGS.map((lag) => `log_return_${lag}`),
    ...SIMPLE_RETURN_LAGS.map((lag) => `return_${lag}`),
    'volatility_10',
    'volatility_20',
    'sma_ratio_10',
    'sma_ratio_20',
    'sma_ratio_50',
    'ema_ratio_12',
    'ema_ratio_26',
    'rsi_14',
    'macd_rel',
    'macd_signal_rel',
    'macd_histogram_rel',
    'bollinger_pct_b_20',
    'atr_rel_14',
    'range_rel',
    ...calendarColumns(timeframe),
  ];
}

function assertKnownVersion(version: string): void {
  if (!(featureSetVersions as readonly string[]).includes(version)) {
    throw new AppError('VALIDATION', `Unknown feature set "${version}"; this version of Metalytics knows ${featureSetVersions.join(', ')}`);
  }
}

function lagged(close: Float64Array, lag: number, transform: (now: number, then: number) => number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  for (let i = lag; i < close.length; i++) out[i] = transform(close[i]!, close[i - lag]!);
  return out;
}

/** close ÷ average − 1: where price sits against its average, comparable across price levels. */
function ratioTo(close: Float64Array, average: Float64Array): Float64Array {
  return close.map((value, i) => value / average[i]! - 1);
}

function relativeTo(values: Float64Array, close: Float64Array): Float64Array {
  return values.map((value, i) => value / close[i]!);
}

function cyclic(values: number[], period: number): [Float64Array, Float64Array] {
  const angle = values.map((value) => (2 * Math.PI * value) / period);
  return [Float64Array.from(angle, Math.sin), Float64Array.from(angle, Math.cos)];
}

/**
 * Calendar encodings are a function of the date alone: any live window shorter than a year
 * covers a few of their values, so their "drift" from the training years is by construction.
 */
export function isCalendarColumn(column: string): boolean {
  return /^(hour|weekday|month)_(sin|cos)$/.test(column);
}

function calendarSeries(time: Float64Array, timeframe: Timeframe): Float64Array[] {
  const step = nominalTimeframeMs(timeframe);
  const dates = Array.from(time, (t) => new Date(t));
  const series: Float64Array[] = [];
  if (step < DAY_MS) series.push(...cyclic(dates.map((d) => d.getUTCHours() + d.getUTCMinutes() / 60), 24));
  if (step < WEEK_MS) series.push(...cyclic(dates.map((d) => d.getUTCDay()), 7));
  if (step >= DAY_MS) series.push(...cyclic(dates.map((d) => d.getUTCMonth()), 12));
  return series;
}

/** Computes feature set `version` for every bar. */
export function computeFeatures(bars: BarColumns, timeframe: Timeframe, version: string = FEATURE_SET_VERSION): FeatureMatrix {
  const columns = featureColumns(version, timeframe);
  const { close, high, low, time } = bars;
  const macdLines = macd(close, 12, 26, 9);
  const bands = bollinger(close, 20, 2);
  const percentB = close.map((value, i) => {
    const width = bands.upper[i]! - bands.lower[i]!;
    // A flat window has no band; its close sits exactly in the middle.
    return width > 0 ? (value - bands.lower[i]!) / width : Number.isNaN(width) ? NaN : 0.5;
  });
  const series: Float64Array[] = [
    ...LOG_RETURN_LAGS.map((lag) => lagged(close, lag, (now, then) => Math.log(now / then))),
    ...SIMPLE_RETURN_LAGS.map((lag) => lagged(close, lag, (now, then) => now / then - 1)),
    // Per bar, not annualised: the scaler removes the scale anyway and the timeframe needs no year length.
    logReturnVolatility(close, 10, 1),
    logReturnVolatility(close, 20, 1),
    ratioTo(close, sma(close, 10)),
    ratioTo(close, sma(close, 20)),
    ratioTo(close, sma(close, 50)),
    ratioTo(close, ema(close, 12)),
    ratioTo(close, ema(close, 26)),
    rsi(close, 14).map((value) => value / 100),
    relativeTo(macdLines.macd, close),
    relativeTo(macdLines.signal, close),
    relativeTo(macdLines.histogram, close),
    percentB,
    relativeTo(atr(high, low, close, 14), close),
    high.map((value, i) => (value - low[i]!) / close[i]!),
    ...calendarSeries(time, timeframe),
  ];
  const width = columns.length;
  const rows = close.length;
  const values = new Float64Array(rows * width);
  let firstComplete = 0;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < width; column++) {
      const value = series[column]![row]!;
      values[row * width + column] = value;
      if (!Number.isFinite(value)) firstComplete = row + 1;
    }
  }
  return { version, columns, width, rows, values, firstComplete };
}

/** One row keyed by column, as `feature_store` and the population-stability index take it. */
export function featureRecord(matrix: FeatureMatrix, row: number): Record<string, number> {
  const record: Record<string, number> = {};
  matrix.columns.forEach((column, i) => {
    record[column] = matrix.values[row * matrix.width + i]!;
  });
  return record;
}
