import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { ArtifactStore } from './service/artifact-store';
import { makePredictions, queryPredictions } from './service/forecasts';
import { changeStage, deleteModel, getModel, toDetail, toSummary } from './service/registry';
import { startTraining } from './service/training';
import { exportModel, importModel } from './service/transfer';

/** The registry, training and predictions; artifacts live in `<data folder>/models/<modelId>/`. */
export function modelsHandlers(ctx: CoreContext): HandlerMap {
  const artifacts = new ArtifactStore(ctx.ports.config.dataDir);
  return {
    'models.train': (input) => startTraining(ctx, artifacts, input),
    'models.list': async (filter) => ({ models: (await ctx.storage.modelRegistry.list(filter)).map((model) => toSummary(model, artifacts)) }),
    'models.runs': async ({ limit, ...filter }) => ({
      runs: (await ctx.storage.trainingRuns.list({ ...filter, limit })).map(({ id, hyperparameters, ...run }) => ({ runId: id, params: hyperparameters, ...run })),
    }),
    'models.get': async ({ modelId }) => toDetail(ctx, artifacts, await getModel(ctx, modelId)),
    'models.activate': async ({ modelId, reason, gate }) => {
      if (gate === 'live_dm') await ctx.live.checkPromotion(await getModel(ctx, modelId));
      return toSummary(await changeStage(ctx, modelId, 'active', reason), artifacts);
    },
    'models.archive': async ({ modelId, reason }) => toSummary(await changeStage(ctx, modelId, 'archived', reason), artifacts),
    'models.setStage': async ({ modelId, stage, reason, gate }) => {
      if (gate === 'live_dm' && stage === 'active') await ctx.live.checkPromotion(await getModel(ctx, modelId));
      return toSummary(await changeStage(ctx, modelId, stage, reason), artifacts);
    },
    'models.delete': ({ modelId }) => deleteModel(ctx, artifacts, modelId),
    'models.compare': async ({ modelIds }) => {
      const models = await Promise.all(modelIds.map((modelId) => getModel(ctx, modelId)));
      return { models: await Promise.all(models.map((model) => toDetail(ctx, artifacts, model))) };
    },
    'models.export': (input) => exportModel(ctx, artifacts, input),
    'models.import': (input) => importModel(ctx, artifacts, input),
    'predictions.make': (input) => makePredictions(ctx, artifacts, input),
    'predictions.query': (input) => queryPredictions(ctx, input),
  };
}
