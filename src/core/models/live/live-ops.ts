/** Live tracking's reach into the models service: its forecasts, its training and its artifacts. */
import type { ParsedInput } from '../../../shared/contract';
import type { PresetName } from '../../../shared/models';
import type { CoreContext } from '../../context';
import type { RegisteredModel } from '../../storage/types';
import type { TrainSpec } from '../engine/ports';
import { decodeArtifact } from '../pipeline/artifact';
import type { FeatureHistogram } from '../pipeline/drift';
import type { ArtifactStore } from '../service/artifact-store';
import { forecast, toRecords } from '../service/forecasts';
import { prepareTraining, startTraining, trainInJob } from '../service/training';
import type { LiveModelOps } from './live-tracker';

/**
 * `context` is read when a job runs, not when the tracker is built: the scheduler that runs
 * the jobs is part of the context it needs.
 */
export function serviceLiveOps(context: () => CoreContext, artifacts: ArtifactStore): LiveModelOps {
  // Artifacts never change under a model id (a changed one is refused on load), so each is read once.
  const references = new Map<string, FeatureHistogram[] | null>();
  return {
    predictAndStore: async (model) => {
      const ctx = context();
      return ctx.storage.predictions.upsert(toRecords(await forecast(ctx, artifacts, model, undefined)));
    },
    retrain: async (active, job) => {
      // The spec the version was fitted with, every default already applied, so nothing changes but the bars.
      const spec = active.hyperparameters as Partial<TrainSpec> & { preset?: PresetName | null };
      const input: ParsedInput<'models.train'> = {
        symbol: active.symbol,
        timeframe: active.timeframe,
        modelType: active.modelType,
        modelName: active.modelName,
        horizon: active.horizon,
        seed: spec.seed ?? 42,
        level: spec.level ?? active.intervalLevel ?? 0.9,
        epochs: spec.epochs,
        lookback: spec.lookback,
        seasonLength: spec.seasonLength,
        hiddenUnits: spec.hiddenUnits,
        learningRate: spec.learningRate,
        batchSize: spec.batchSize,
        patience: spec.patience,
        ridgeLambda: spec.ridgeLambda,
        walkForwardEvery: spec.walkForwardEvery ?? undefined,
        // The same start as the version it replaces, on every bar stored since; a preset reads its own window.
        ...(spec.preset ? { preset: spec.preset } : { from: active.dataFrom }),
        // A challenger earns the active stage on live evidence (the DM gate), never by being newer.
        stage: 'shadow',
        wait: true,
      };
      const ctx = context();
      // Inside a scheduled train job's run the fit is that run, so its cancel and timeout reach the worker.
      if (job) return (await trainInJob(ctx, artifacts, job, await prepareTraining(ctx, input))).modelId;
      const { result } = await startTraining(ctx, artifacts, input);
      return result!.modelId;
    },
    trainingReference: async (model: RegisteredModel) => {
      // A model without features (the baselines) has no histograms; its artifact need not be read for them.
      if (model.featureColumns.length === 0) return null;
      if (!references.has(model.modelId)) references.set(model.modelId, decodeArtifact(await artifacts.read(model)).reference?.histograms ?? null);
      return references.get(model.modelId)!;
    },
  };
}
