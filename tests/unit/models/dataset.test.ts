import { describe, expect, it } from 'vitest';
import {
  chronologicalSplit,
  firstSampleBar,
  fitScaler,
  labelledSamples,
  lookbackWindows,
  applyScaler,
  rangeLength,
} from '../../../src/core/models/pipeline/dataset';
import { computeFeatures, featureColumns, featureRecord } from '../../../src/core/models/pipeline/features';
import { rsi, sma } from '../../../src/shared/indicator-math';
import { walkForwardPlan } from '../../../src/core/models/pipeline/train';
import { changedAfter, xauDaily } from './model-fixtures';

const bars = xauDaily();

describe('features', () => {
  it('are computed with the charts’ indicator code', () => {
    const features = computeFeatures(bars, '1d');
    const rsi14 = rsi(bars.close, 14);
    const sma50 = sma(bars.close, 50);
    const row = featureRecord(features, 400);
    expect(row.rsi_14).toBe(rsi14[400]! / 100);
    expect(row.sma_ratio_50).toBe(bars.close[400]! / sma50[400]! - 1);
    expect(row.log_return_5).toBe(Math.log(bars.close[400]! / bars.close[395]!));
    expect(Object.keys(row)).toEqual(featureColumns('v1', '1d'));
  });

  it('encode the hour only for intraday timeframes, and refuse an unknown set', () => {
    expect(featureColumns('v1', '1h')).toContain('hour_sin');
    expect(featureColumns('v1', '1d')).not.toContain('hour_sin');
    expect(featureColumns('v1', '1d')).toContain('weekday_cos');
    expect(() => featureColumns('v9', '1d')).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/Unknown feature set "v9"/) }));
  });

  it('leave warm-up rows out: every row from firstComplete on is finite, the row before is not', () => {
    const features = computeFeatures(bars, '1d');
    const { width, values, firstComplete } = features;
    expect(values.subarray(firstComplete * width).every(Number.isFinite)).toBe(true);
    expect(values.subarray((firstComplete - 1) * width, firstComplete * width).some((v) => !Number.isFinite(v))).toBe(true);
  });

  it('at T are unchanged by any change to later bars', () => {
    const T = 900;
    const original = computeFeatures(bars, '1d');
    const changed = computeFeatures(changedAfter(bars, T), '1d');
    const prefix = (T + 1) * original.width;
    expect(Array.from(changed.values.subarray(0, prefix))).toEqual(Array.from(original.values.subarray(0, prefix)));
    expect(changed.values[prefix + original.width]).not.toBe(original.values[prefix + original.width]);
  });
});

describe('samples and split', () => {
  const features = computeFeatures(bars, '1d');
  const horizon = 5;
  const samples = labelledSamples(bars.close, firstSampleBar(features, 1, horizon, 5), horizon);

  it('target the log return horizon bars ahead', () => {
    const i = 100;
    const t = samples.bar[i]!;
    expect(samples.target[i]).toBe(Math.log(bars.close[t + horizon]! / bars.close[t]!));
    expect(samples.bar[samples.bar.length - 1]! + horizon).toBe(bars.close.length - 1);
  });

  it('purges horizon samples between segments, so no label reaches the next segment', () => {
    const split = chronologicalSplit(samples.bar.length, 0.15, 0.2, horizon);
    const lastLabelBar = (end: number) => samples.bar[end - 1]! + horizon;
    expect(lastLabelBar(split.train.end)).toBeLessThan(samples.bar[split.validation.start]!);
    expect(lastLabelBar(split.validation.end)).toBeLessThan(samples.bar[split.test.start]!);
    expect(split.validation.start - split.train.end).toBe(horizon);
    expect(split.test.start - split.validation.end).toBe(horizon);
    expect(rangeLength(split.test)).toBe(Math.floor(samples.bar.length * 0.2));
  });

  it('keeps the purge gap in every walk-forward refit', () => {
    const split = chronologicalSplit(samples.bar.length, 0.15, 0.2, horizon);
    const plan = walkForwardPlan(split, 50);
    expect(plan.length).toBe(Math.ceil(rangeLength(split.test) / 50));
    for (const refit of plan) {
      expect(samples.bar[refit.train.end - 1]! + horizon).toBeLessThan(samples.bar[refit.validation.start]!);
      expect(samples.bar[refit.validation.end - 1]! + horizon).toBeLessThan(samples.bar[refit.test.start]!);
      expect(rangeLength(refit.validation)).toBe(rangeLength(split.validation));
    }
    expect(plan[0]!.train).toEqual(split.train);
    expect(plan.map((refit) => refit.test.start)).toEqual(plan.map((_, k) => split.test.start + 50 * k));
  });

  it('refuses a split with too few samples, with the counts', () => {
    expect(() => chronologicalSplit(10, 0.3, 0.3, 5)).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/Too few samples: 10/) }));
  });

  it('fits the scaler on training rows only: later bars do not change it', () => {
    const split = chronologicalSplit(samples.bar.length, 0.15, 0.2, horizon);
    const trainBars = samples.bar.subarray(split.train.start, split.train.end);
    const lastTrainingBar = trainBars[trainBars.length - 1]!;
    const scaler = fitScaler(features, trainBars);
    const changed = computeFeatures(changedAfter(bars, lastTrainingBar), '1d');
    expect(fitScaler(changed, trainBars)).toEqual(scaler);
    const scaled = applyScaler(features, scaler);
    const column = (c: number) => Array.from(trainBars, (bar) => scaled[bar * features.width + c]!);
    const mean = column(0).reduce((s, v) => s + v, 0) / trainBars.length;
    expect(mean).toBeCloseTo(0, 10);
    // Over all rows (validation and test included) the scaled mean is not 0: they were not used.
    expect(Math.abs(scaled.subarray(features.firstComplete * features.width).filter((_, i) => i % features.width === 0).reduce((s, v) => s + v, 0))).toBeGreaterThan(1e-6);
  });

  it('builds lookback windows oldest row first, ending at the sample bar', () => {
    const scaler = fitScaler(features, samples.bar.subarray(0, 200));
    const scaled = applyScaler(features, scaler);
    const lookback = 4;
    const windows = lookbackWindows(scaled, features.width, samples.bar.subarray(300, 302), lookback);
    const { width } = features;
    expect(windows.length).toBe(2 * lookback * width);
    const t = samples.bar[301]!;
    expect(windows[lookback * width + (lookback - 1) * width + 3]).toBe(Math.fround(scaled[t * width + 3]!));
    expect(windows[lookback * width + 3]).toBe(Math.fround(scaled[(t - lookback + 1) * width + 3]!));
  });
});
