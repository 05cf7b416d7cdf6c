/**
 * Samples, targets, the chronological split and the scaler. A sample is a bar t with complete
 * features (and, for networks, a complete lookback window ending at t); its target is the log
 * return from close[t] to close[t + horizon]. Segments are split in time with a purge gap of
 * `horizon` samples between them, so that no training label reaches into validation and no
 * validation label into test; the scaler sees training rows only.
 */
import type { FeatureMatrix } from './features';
import { AppError } from '../../../shared/errors';

/** Samples of one series, ascending by bar. */
export interface Samples {
  /** Bar index t of each sample. */
  bar: Int32Array;
  /** log(close[t + horizon] / close[t]). */
  target: Float64Array;
  horizon: number;
}

/** A half-open range [start, end) of sample positions. */
export interface SampleRange {
  start: number;
  end: number;
}

export interface SplitPlan {
  train: SampleRange;
  validation: SampleRange;
  test: SampleRange;
  /** Samples left out between consecutive segments. */
  gap: number;
}

export interface Scaler {
  mean: number[];
  std: number[];
}

export const rangeLength = (range: SampleRange) => range.end - range.start;

export function logReturnTarget(close: Float64Array, bar: number, horizon: number): number {
  return Math.log(close[bar + horizon]! / close[bar]!);
}

/**
 * Every labelled sample from bar `firstBar` on: those whose target bar exists. `firstBar`
 * is the first bar with complete features and lookback window (see firstSampleBar).
 */
export function labelledSamples(close: Float64Array, firstBar: number, horizon: number): Samples {
  const count = Math.max(0, close.length - horizon - firstBar);
  const bar = new Int32Array(count);
  const target = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    bar[i] = firstBar + i;
    target[i] = logReturnTarget(close, firstBar + i, horizon);
  }
  return { bar, target, horizon };
}

/**
 * The first bar that can be a sample: complete features for the whole lookback window, and
 * old enough that the seasonal baseline's reference bar t + h − m·⌈h/m⌉ exists, so every
 * baseline is scored on exactly the model's targets.
 */
export function firstSampleBar(features: FeatureMatrix, lookback: number, horizon: number, seasonLength: number): number {
  const seasonalReach = seasonLength * Math.ceil(horizon / seasonLength) - horizon;
  return Math.max(features.firstComplete + lookback - 1, seasonalReach);
}

/**
 * Train, then validation, then test, by share of the `count` samples, with `gap` samples
 * purged before validation and before test. Test and validation are rounded down, training
 * gets the rest; a segment that would be empty is refused with the counts.
 */
export function chronologicalSplit(count: number, validationFraction: number, testFraction: number, gap: number): SplitPlan {
  if (validationFraction < 0 || testFraction <= 0 || validationFraction + testFraction >= 1) {
    throw new AppError('VALIDATION', `Give a test share above 0 and validation + test shares below 1 (got ${validationFraction} and ${testFraction})`);
  }
  const testCount = Math.floor(count * testFraction);
  const validationCount = Math.floor(count * validationFraction);
  const gaps = validationCount > 0 ? 2 * gap : gap;
  const trainCount = count - testCount - validationCount - gaps;
  if (testCount < 1 || trainCount < 2) {
    throw new AppError(
      'VALIDATION',
      `Too few samples: ${count} after warm-up leave ${Math.max(trainCount, 0)} for training and ${testCount} for testing with a purge gap of ${gap}`,
    );
  }
  const train = { start: 0, end: trainCount };
  const validation = validationCount > 0 ? { start: train.end + gap, end: train.end + gap + validationCount } : { start: train.end, end: train.end };
  const test = { start: count - testCount, end: count };
  return { train, validation, test, gap };
}

/** Mean and population standard deviation of each column over the given rows; a constant column gets std 1. */
export function fitScaler(features: FeatureMatrix, rows: ArrayLike<number>): Scaler {
  const { width, values } = features;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (let i = 0; i < rows.length; i++) {
    const offset = rows[i]! * width;
    for (let c = 0; c < width; c++) mean[c]! += values[offset + c]!;
  }
  for (let c = 0; c < width; c++) mean[c] = mean[c]! / rows.length;
  for (let i = 0; i < rows.length; i++) {
    const offset = rows[i]! * width;
    for (let c = 0; c < width; c++) std[c]! += (values[offset + c]! - mean[c]!) ** 2;
  }
  for (let c = 0; c < width; c++) {
    const deviation = Math.sqrt(std[c]! / rows.length);
    std[c] = deviation > 1e-12 ? deviation : 1;
  }
  return { mean, std };
}

/** The feature matrix scaled by `scaler`, same layout (warm-up rows stay NaN). */
export function applyScaler(features: FeatureMatrix, scaler: Scaler): Float64Array {
  const { width, values } = features;
  const scaled = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % width;
    scaled[i] = (values[i]! - scaler.mean[c]!) / scaler.std[c]!;
  }
  return scaled;
}

/** Samples × features rows of the given bars, row-major, for linear models. */
export function designMatrix(scaled: Float64Array, width: number, bars: ArrayLike<number>): Float64Array {
  const out = new Float64Array(bars.length * width);
  for (let i = 0; i < bars.length; i++) out.set(scaled.subarray(bars[i]! * width, (bars[i]! + 1) * width), i * width);
  return out;
}

/** Samples × lookback × features windows ending at each bar (oldest row first), for networks. */
export function lookbackWindows(scaled: Float64Array, width: number, bars: ArrayLike<number>, lookback: number): Float32Array {
  const out = new Float32Array(bars.length * lookback * width);
  for (let i = 0; i < bars.length; i++) {
    const first = bars[i]! - lookback + 1;
    out.set(scaled.subarray(first * width, (bars[i]! + 1) * width), i * lookback * width);
  }
  return out;
}

export function sliceRange<T extends Int32Array | Float64Array>(values: T, range: SampleRange): T {
  return values.subarray(range.start, range.end) as T;
}
