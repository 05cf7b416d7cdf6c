import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { NeuralEngine, NeuralFitInput } from '../../../src/core/models/engine/ports';
import { ARTIFACT_FORMAT_VERSION, decodeArtifact, type FittedParams } from '../../../src/core/models/pipeline/artifact';
import { forecastHistoryBars, predictWithArtifact, trainModel } from '../../../src/core/models/pipeline/train';
import { baselineModelTypes, type ModelType } from '../../../src/shared/models';
import { changedAfter, cut, lastBars, noHooks, spec, xauDaily } from './model-fixtures';

const bars = xauDaily();
const DAY = 86_400_000;

describe('trainModel', () => {
  it.each<ModelType>(['naive', 'seasonal_naive', 'drift', 'ridge'])('scores %s beside every baseline on the same test targets', async (modelType) => {
    const outcome = await trainModel(spec({ modelType }), bars, null, noHooks());
    expect(outcome.backend).toBe('js');
    expect(Object.keys(outcome.baselines).sort()).toEqual([...baselineModelTypes].sort());
    expect(outcome.baselines.naive!.rel_mae).toBe(1);
    expect(outcome.baselines.naive!.dm_pvalue).toBeNull();
    if (modelType === 'naive') expect(outcome.metrics).toEqual(outcome.baselines.naive);
    const naiveMae = outcome.testForecasts.reduce((s, f) => s + Math.abs(f.actual - f.naive), 0) / outcome.testForecasts.length;
    const mae = outcome.testForecasts.reduce((s, f) => s + Math.abs(f.actual - f.predicted), 0) / outcome.testForecasts.length;
    expect(outcome.metrics.rel_mae).toBeCloseTo(mae / naiveMae, 12);
    expect(outcome.evaluation.samples).toBe(outcome.testForecasts.length);
    expect(outcome.evaluation.to).toBe(bars.time[bars.time.length - 1]);
    expect(outcome.training.to).toBeLessThan(outcome.validation!.from);
    expect(outcome.validation!.to).toBeLessThan(outcome.evaluation.from);
    expect(outcome.metrics.interval_coverage).toBeGreaterThan(0.8);
  });

  it('gives the same metrics and the same artifact for the same seed and data', async () => {
    const first = await trainModel(spec({ walkForwardEvery: 60 }), bars, null, noHooks());
    const second = await trainModel(spec({ walkForwardEvery: 60 }), bars, null, noHooks());
    expect(second.metrics).toEqual(first.metrics);
    expect(second.baselines).toEqual(first.baselines);
    expect(Buffer.from(second.artifact).equals(Buffer.from(first.artifact))).toBe(true);
  });

  it('refits in a walk-forward backtest, which changes the forecasts but not the targets', async () => {
    const single = await trainModel(spec(), bars, null, noHooks());
    const rolling = await trainModel(spec({ walkForwardEvery: 60 }), bars, null, noHooks());
    expect(rolling.testForecasts.map((f) => f.targetTime)).toEqual(single.testForecasts.map((f) => f.targetTime));
    expect(rolling.testForecasts.slice(0, 60).map((f) => f.predicted)).toEqual(single.testForecasts.slice(0, 60).map((f) => f.predicted));
    expect(rolling.testForecasts[100]!.predicted).not.toBe(single.testForecasts[100]!.predicted);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(trainModel(spec(), bars, null, { onEpoch: () => {}, signal: controller.signal })).rejects.toThrow();
  });

  it('refuses a network without the neural engine', async () => {
    await expect(trainModel(spec({ modelType: 'lstm' }), bars, null, noHooks())).rejects.toThrow(/needs the neural engine/);
  });
});

describe('no look-ahead', () => {
  it('test forecasts made as of T are identical when every bar after T is changed', async () => {
    for (const walkForwardEvery of [null, 60]) {
      const original = await trainModel(spec({ walkForwardEvery }), bars, null, noHooks());
      const T = bars.time.indexOf(original.evaluation.from) + 130;
      const changed = await trainModel(spec({ walkForwardEvery }), changedAfter(bars, T), null, noHooks());
      // Forecasts whose origin (target − 1 day) is at or before T.
      const madeBy = (forecasts: typeof original.testForecasts) => forecasts.filter((f) => f.targetTime <= bars.time[T + 1]!).map(({ predicted, lower, upper }) => ({ predicted, lower, upper }));
      expect(madeBy(changed.testForecasts).length).toBe(132);
      expect(madeBy(changed.testForecasts)).toEqual(madeBy(original.testForecasts));
      expect(changed.testForecasts[140]!.predicted).not.toBe(original.testForecasts[140]!.predicted);
    }
  });

  it('each test forecast is what the model says with only the bars up to its origin', async () => {
    const outcome = await trainModel(spec(), bars, null, noHooks());
    const firstTest = bars.time.indexOf(outcome.evaluation.from) - 1;
    for (const offset of [0, 57, outcome.testForecasts.length - 1]) {
      const origin = firstTest + offset;
      // Bars after the origin scrambled, so any use of them would show.
      const [forecast] = await predictWithArtifact(outcome.artifact, cut(changedAfter(bars, origin), origin + 1), null);
      const expected = outcome.testForecasts[offset]!;
      expect(forecast!.targetTime).toBe(bars.time[origin]! + DAY);
      expect(forecast!.predicted).toBe(expected.predicted);
      expect(forecast!.lower).toBe(expected.lower);
      expect(forecast!.upper).toBe(expected.upper);
    }
  });
});

describe('artifact', () => {
  it('round-trips: decoded and re-encoded, it forecasts identically', async () => {
    const { artifact } = await trainModel(spec(), bars, null, noHooks());
    const decoded = decodeArtifact(artifact);
    expect(decoded.formatVersion).toBe(ARTIFACT_FORMAT_VERSION);
    expect(decoded.featureSet.version).toBe('v1');
    expect(decoded.params.modelType).toBe('ridge');
    expect(decoded.reference!.histograms.length).toBe(decoded.featureSet.columns.length);
    const reencoded = new Uint8Array(gzipSync(Buffer.from(JSON.stringify(decoded))));
    const [a] = await predictWithArtifact(artifact, bars, null);
    const [b] = await predictWithArtifact(reencoded, bars, null);
    expect(b).toEqual(a);
    expect(a!.oodScore).toBeGreaterThan(0);
    expect(Object.keys(a!.features!)).toEqual(decoded.featureSet.columns);
  });

  it('refuses a newer format with a clear message, and anything that is not an artifact', async () => {
    const { artifact } = await trainModel(spec({ modelType: 'naive' }), bars, null, noHooks());
    const document = JSON.parse(gunzipSync(artifact).toString('utf8'));
    const newer = new Uint8Array(gzipSync(Buffer.from(JSON.stringify({ ...document, formatVersion: ARTIFACT_FORMAT_VERSION + 1 }))));
    await expect(predictWithArtifact(newer, bars, null)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/format version 2, made by a newer Metalytics; this version reads up to 1/) });
    expect(() => decodeArtifact(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'CORRUPT', message: expect.stringMatching(/Not a Metalytics model artifact/) }));
    const damaged = new Uint8Array(gzipSync(Buffer.from(JSON.stringify({ ...document, conformal: null }))));
    expect(() => decodeArtifact(damaged)).toThrow(/Damaged model artifact: conformal/);
  });

  it('forecasts from forecastHistoryBars of history what it forecasts from the whole history', async () => {
    const { artifact } = await trainModel(spec(), bars, null, noHooks());
    const [whole] = await predictWithArtifact(artifact, bars, null);
    const [recent] = await predictWithArtifact(artifact, lastBars(bars, forecastHistoryBars(spec())), null);
    expect(recent!.targetTime).toBe(whole!.targetTime);
    expect(recent!.predicted).toBeCloseTo(whole!.predicted, 9);
    expect(recent!.upper).toBeCloseTo(whole!.upper, 9);
    // A short history seeds the averages too late and gives another forecast, so the bound matters.
    const [short] = await predictWithArtifact(artifact, lastBars(bars, 80), null);
    expect(Math.abs(short!.predicted - whole!.predicted)).toBeGreaterThan(1e-6);
  });

  it('says how many bars a forecast needs', async () => {
    const { artifact } = await trainModel(spec(), bars, null, noHooks());
    await expect(predictWithArtifact(artifact, cut(bars, 20), null)).rejects.toThrow(/needs at least \d+ bars; there are 20/);
  });
});

/** A stand-in network: it "learns" the mean training target, and records what the pipeline gave it. */
function meanEngine() {
  const calls: NeuralFitInput[] = [];
  const engine: NeuralEngine = {
    backend: 'cpu',
    async fit(input) {
      calls.push(input);
      const mean = input.y.reduce((s, v) => s + v, 0) / input.samples;
      input.onEpoch({ epoch: 1, epochs: input.epochs, loss: 1, valLoss: 1 });
      return { weights: { modelTopology: null, weightSpecs: null, weightData: String(mean) }, lossHistory: [{ epoch: 1, loss: 1, valLoss: 1 }], bestEpoch: 1 };
    },
    async predict(weights, _x, samples) {
      return new Float32Array(samples).fill(Number(weights.weightData));
    },
  };
  return { engine, calls };
}

describe('networks through the NeuralEngine port', () => {
  it('get lookback windows and scaled targets, and their epochs count on across walk-forward refits', async () => {
    const { engine, calls } = meanEngine();
    const epochs: Array<[number, number]> = [];
    const outcome = await trainModel(spec({ modelType: 'gru', walkForwardEvery: 100 }), bars, engine, {
      onEpoch: (report) => epochs.push([report.epoch, report.epochs]),
      signal: new AbortController().signal,
    });
    const refits = Math.ceil(outcome.evaluation.samples / 100);
    expect(calls.length).toBe(refits);
    const first = calls[0]!;
    expect(first.x.length).toBe(first.samples * first.lookback * first.features);
    expect(first.lookback).toBe(10);
    // Targets are scaled to unit variance on the training rows.
    const mean = first.y.reduce((s, v) => s + v, 0) / first.samples;
    const variance = first.y.reduce((s, v) => s + (v - mean) ** 2, 0) / first.samples;
    expect(variance).toBeCloseTo(1, 4);
    expect(epochs).toEqual(Array.from({ length: refits }, (_, k) => [k * 5 + 1, refits * 5]));
    expect(outcome.backend).toBe('cpu');
    expect(outcome.lossHistory).toEqual([{ epoch: 1, loss: 1, valLoss: 1 }]);
    const params = decodeArtifact(outcome.artifact).params as Extract<FittedParams, { lookback: number }>;
    const [forecast] = await predictWithArtifact(outcome.artifact, bars, engine);
    // The engine's output is scaled back to a log return and mapped to price from the last close.
    const logReturn = Math.fround(Number(params.weights.weightData)) * params.targetScale;
    expect(forecast!.predicted).toBeCloseTo(bars.close[bars.close.length - 1]! * Math.exp(logReturn), 9);
  });
});
