/**
 * A `ModelWorker` test double that fits naive and drift in-process, so the service's tests run
 * before the training worker thread is part of the build. Its artifact is its own JSON; the
 * service treats artifacts as opaque bytes, which is what these tests exercise.
 */
import type { ModelMetrics } from '../../src/shared/models';
import { AppError } from '../../src/shared/errors';
import type { BarColumns, ModelWorker, TrainOutcome } from '../../src/core/models/engine/ports';

interface Artifact {
  modelType: 'naive' | 'drift';
  horizon: number;
  drift: number;
  halfWidth: number;
}

export function baselineModelWorker(options: { epochDelayMs?: number } = {}): ModelWorker {
  const worker = {
    backend: async () => 'cpu' as const,
    async train(spec, bars, onEpoch, signal): Promise<TrainOutcome> {
      if (spec.modelType !== 'naive' && spec.modelType !== 'drift') throw new AppError('VALIDATION', `The test worker fits naive and drift, not ${spec.modelType}.`);
      const n = bars.close.length;
      const close = bars.close;
      const testStart = Math.floor(n * (1 - spec.testFraction));
      const drift = (close[testStart - 1]! - close[0]!) / (testStart - 1);
      for (let epoch = 1; epoch <= spec.epochs; epoch++) {
        if (options.epochDelayMs) await new Promise((resolve) => setTimeout(resolve, options.epochDelayMs));
        if (signal.aborted) throw new AppError('CANCELLED', 'Training was cancelled');
        onEpoch({ epoch, epochs: spec.epochs, loss: 1 / epoch, valLoss: 1.1 / epoch });
      }
      const h = spec.horizon;
      const errors: number[] = [];
      const naiveErrors: number[] = [];
      const testForecasts: TrainOutcome['testForecasts'] = [];
      for (let i = testStart; i + h < n; i++) {
        const predicted = close[i]! + (spec.modelType === 'drift' ? drift * h : 0);
        errors.push(Math.abs(close[i + h]! - predicted));
        naiveErrors.push(Math.abs(close[i + h]! - close[i]!));
        testForecasts.push({ targetTime: bars.time[i + h]!, actual: close[i + h]!, predicted, naive: close[i]!, lower: predicted - 1, upper: predicted + 1 });
      }
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const mae = mean(errors);
      const metrics: ModelMetrics = {
        mae,
        rmse: Math.sqrt(mean(errors.map((e) => e * e))),
        mape: null,
        directional_accuracy: null,
        rel_mae: mae / mean(naiveErrors),
        mase: null,
        dm_pvalue: spec.modelType === 'naive' ? null : 0.5,
        interval_coverage: null,
      };
      const artifact: Artifact = { modelType: spec.modelType, horizon: h, drift, halfWidth: 2 * mae };
      return {
        artifact: new TextEncoder().encode(JSON.stringify(artifact)),
        backend: 'js',
        featureSetVersion: spec.featureSetVersion,
        featureColumns: [],
        metrics,
        baselines: { naive: { ...metrics, rel_mae: 1, dm_pvalue: null } },
        training: { from: bars.time[h]!, to: bars.time[testStart - 1]!, samples: testStart - h },
        validation: null,
        evaluation: { from: testForecasts[0]!.targetTime, to: testForecasts.at(-1)!.targetTime, samples: testForecasts.length, horizon: h, level: spec.level },
        lossHistory: Array.from({ length: spec.epochs }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), valLoss: 1.1 / (i + 1) })),
        testForecasts,
      };
    },
    async predict(bytes: Uint8Array, bars: BarColumns) {
      const artifact = JSON.parse(new TextDecoder().decode(bytes)) as Artifact;
      const n = bars.time.length;
      const step = n > 1 ? bars.time[n - 1]! - bars.time[n - 2]! : 60_000;
      const predicted = bars.close[n - 1]! + artifact.drift * artifact.horizon * (artifact.modelType === 'drift' ? 1 : 0);
      return [
        {
          madeAt: bars.time[n - 1]!,
          targetTime: bars.time[n - 1]! + artifact.horizon * step,
          predicted,
          lower: predicted - artifact.halfWidth,
          upper: predicted + artifact.halfWidth,
          oodScore: null,
          features: null,
        },
      ];
    },
    async close() {},
  } satisfies ModelWorker;
  return worker;
}
