/**
 * TEMPORARY stand-in, written by the neural part only so the training worker compiles and its
 * tests run before the pipeline part lands; the pipeline's train.ts replaces this whole file.
 * It fits the network on windows of one-bar log returns and nothing else: no features, no
 * baselines, no evaluation.
 */
import type { BarColumns, EpochReport, ForecastPoint, NeuralEngine, NeuralWeights, TrainOutcome, TrainSpec } from '../engine/ports';

export interface TrainHooks {
  onEpoch(report: EpochReport): void;
  signal: AbortSignal;
}

interface StubArtifact {
  spec: TrainSpec;
  weights: NeuralWeights;
}

function windows(bars: BarColumns, lookback: number) {
  const returns = Float32Array.from({ length: bars.close.length - 1 }, (_, i) => Math.log(bars.close[i + 1]! / bars.close[i]!));
  const samples = Math.max(0, returns.length - lookback);
  const x = new Float32Array(samples * lookback);
  const y = new Float32Array(samples);
  for (let s = 0; s < samples; s++) {
    x.set(returns.subarray(s, s + lookback), s * lookback);
    y[s] = returns[s + lookback]!;
  }
  return { x, y, samples, last: returns.subarray(returns.length - lookback) };
}

export async function trainModel(spec: TrainSpec, bars: BarColumns, engine: NeuralEngine, hooks: TrainHooks): Promise<TrainOutcome> {
  if (spec.modelType !== 'mlp' && spec.modelType !== 'lstm' && spec.modelType !== 'gru') throw new Error('the stand-in trains networks only');
  const { x, y, samples } = windows(bars, spec.lookback);
  const fitted = await engine.fit({
    ...spec,
    modelType: spec.modelType,
    x,
    y,
    samples,
    features: 1,
    validation: { x: new Float32Array(0), y: new Float32Array(0), samples: 0 },
    onEpoch: hooks.onEpoch,
    signal: hooks.signal,
  });
  const segment = { from: bars.time[spec.lookback + 1] ?? 0, to: bars.time.at(-1) ?? 0, samples };
  return {
    artifact: new TextEncoder().encode(JSON.stringify({ spec, weights: fitted.weights } satisfies StubArtifact)),
    backend: engine.backend,
    featureSetVersion: spec.featureSetVersion,
    featureColumns: ['log_return_1'],
    metrics: { mae: null, rmse: null, mape: null, directional_accuracy: null, rel_mae: null, mase: null, dm_pvalue: null, interval_coverage: null },
    baselines: {},
    training: segment,
    validation: null,
    evaluation: { ...segment, horizon: spec.horizon, level: spec.level },
    lossHistory: fitted.lossHistory,
    testForecasts: [],
  };
}

export async function predictWithArtifact(artifact: Uint8Array, bars: BarColumns, engine: NeuralEngine): Promise<ForecastPoint[]> {
  const { spec, weights } = JSON.parse(new TextDecoder().decode(artifact)) as StubArtifact;
  const { last } = windows(bars, spec.lookback);
  const [logReturn] = await engine.predict(weights, Float32Array.from(last), 1, spec.lookback, 1);
  const close = bars.close.at(-1)!;
  const predicted = close * Math.exp(logReturn!);
  const madeAt = bars.time.at(-1)!;
  return [{ madeAt, targetTime: madeAt + 1, predicted, lower: predicted, upper: predicted, oodScore: null, features: null }];
}
