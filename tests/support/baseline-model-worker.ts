/**
 * A `ModelWorker` test double: the real pipeline (baselines and ridge, real artifacts) run
 * in-process instead of in the worker thread, refusing the networks. For tests that need a
 * training long enough to cancel, `epochDelayMs` reports `spec.epochs` slow epochs first.
 */
import { AppError } from '../../src/shared/errors';
import type { ModelWorker } from '../../src/core/models/engine/ports';
import { predictWithArtifact, trainModel } from '../../src/core/models/pipeline/train';

export function baselineModelWorker(options: { epochDelayMs?: number } = {}): ModelWorker {
  return {
    backend: async () => 'cpu',
    async train(spec, bars, onEpoch, signal) {
      for (let epoch = 1; options.epochDelayMs !== undefined && epoch <= spec.epochs; epoch++) {
        await new Promise((resolve) => setTimeout(resolve, options.epochDelayMs));
        if (signal.aborted) throw new AppError('CANCELLED', 'Training was cancelled');
        onEpoch({ epoch, epochs: spec.epochs, loss: 1 / epoch, valLoss: 1.1 / epoch });
      }
      return trainModel(spec, bars, null, { onEpoch, signal });
    },
    predict: (artifact, bars) => predictWithArtifact(artifact, bars, null),
    close: async () => {},
  };
}
