/** The registry's actions: summaries and details, stage changes with their history, deletion. */
import { AppError } from '../../../shared/errors';
import type { ModelDetail, ModelStage, ModelSummary } from '../../../shared/models';
import type { CoreContext } from '../../context';
import type { RegisteredModel, StorageTransaction } from '../../storage/types';
import type { ArtifactStore } from './artifact-store';

export function toSummary(model: RegisteredModel, artifacts: ArtifactStore): ModelSummary {
  return {
    modelId: model.modelId,
    modelName: model.modelName,
    modelType: model.modelType,
    version: model.version,
    symbol: model.symbol,
    timeframe: model.timeframe,
    stage: model.stage,
    isActive: model.isActive,
    metrics: model.metrics,
    artifactPath: artifacts.absolutePath(model.artifactPath),
    trainingDate: model.trainingDate,
    backend: model.backend,
    horizon: model.horizon,
    flagged: model.flagged,
  };
}

export async function getModel(ctx: CoreContext, modelId: string): Promise<RegisteredModel> {
  const model = await ctx.storage.modelRegistry.get(modelId);
  if (!model) throw new AppError('NOT_FOUND', `There is no model ${modelId}.`, { modelId });
  return model;
}

export async function toDetail(ctx: CoreContext, artifacts: ArtifactStore, model: RegisteredModel): Promise<ModelDetail> {
  const run = model.trainingRunId ? await ctx.storage.trainingRuns.get(model.trainingRunId) : undefined;
  return {
    ...toSummary(model, artifacts),
    hyperparameters: model.hyperparameters,
    featureSetVersion: model.featureSetVersion,
    featureColumns: model.featureColumns,
    artifactSha256: model.artifactSha256,
    lineage: {
      trainingRunId: model.trainingRunId,
      dataFrom: model.dataFrom,
      dataTo: model.dataTo,
      dataFingerprint: model.dataFingerprint,
      appVersion: model.appVersion,
    },
    training: model.trainingSegment,
    evaluation: model.evaluationSegment,
    baselines: model.baselines,
    lossHistory: run?.lossHistory ?? [],
    testForecasts: model.testForecasts,
    stageHistory: await ctx.storage.modelStageHistory.list(model.modelId),
    drift: await ctx.live.driftState(model),
  };
}

const describe = (model: RegisteredModel) => `${model.modelName} v${model.version} of ${model.symbol}`;

/**
 * Moves a version to `stage` in one transaction with everything it implies: activating demotes
 * the active version of its name and symbol to candidate first (the database allows one active),
 * and each change is recorded in the stage history and the audit log. Rolling back is
 * activating an older version. Answers the version as it is now.
 */
export async function changeStage(ctx: CoreContext, modelId: string, stage: ModelStage, reason: string | undefined, actor = 'user'): Promise<RegisteredModel> {
  const at = ctx.now();
  const changed = await ctx.storage.transaction(async (tx) => {
    const model = await tx.modelRegistry.get(modelId);
    if (!model) throw new AppError('NOT_FOUND', `There is no model ${modelId}.`, { modelId });
    if (model.stage === stage) return undefined;
    if (stage === 'active') {
      const previous = await tx.modelRegistry.active(model.modelName, model.symbol);
      if (previous) await moveStage(tx, previous, 'candidate', at, `replaced by v${model.version}${reason ? `: ${reason}` : ''}`, actor);
    }
    await moveStage(tx, model, stage, at, reason ?? defaultReason(stage), actor);
    return model;
  });
  if (changed) ctx.events.emit('models.changed', { modelId, change: stage });
  return getModel(ctx, modelId);
}

async function moveStage(tx: StorageTransaction, model: RegisteredModel, stage: ModelStage, at: number, reason: string, actor: string): Promise<void> {
  await tx.modelRegistry.setStage(model.modelId, stage);
  await tx.modelStageHistory.record(model.modelId, { at, from: model.stage, to: stage, reason });
  await tx.auditLog.record({ at, actor, action: `models.${stage === 'active' ? 'activate' : 'setStage'}`, details: { modelId: model.modelId, model: describe(model), from: model.stage, to: stage, reason } });
}

function defaultReason(stage: ModelStage): string {
  switch (stage) {
    case 'active':
      return 'activated';
    case 'archived':
      return 'archived';
    case 'shadow':
      return 'runs in shadow beside the active version';
    case 'candidate':
      return 'made a candidate';
  }
}

/** Deletes a version with its artifact; the active one must be replaced or archived first. */
export async function deleteModel(ctx: CoreContext, artifacts: ArtifactStore, modelId: string): Promise<{ modelId: string; deletedArtifact: boolean }> {
  await ctx.storage.transaction(async (tx) => {
    const model = await tx.modelRegistry.get(modelId);
    if (!model) throw new AppError('NOT_FOUND', `There is no model ${modelId}.`, { modelId });
    if (model.isActive) {
      throw new AppError('CONFLICT', `${describe(model)} is the active version; activate another version or archive it before deleting it.`, { modelId });
    }
    await tx.modelRegistry.delete(modelId);
    await tx.auditLog.record({ at: ctx.now(), actor: 'user', action: 'models.delete', details: { modelId, model: describe(model) } });
  });
  const deletedArtifact = await artifacts.remove(modelId);
  ctx.events.emit('models.changed', { modelId, change: 'deleted' });
  return { modelId, deletedArtifact };
}
