/**
 * A `models.train` call: the spec and its bars are checked before anything starts, then the fit
 * runs as a `train` job in the training worker (progress, `training.epoch`, cancel), every run is
 * a `training_runs` row however it ends, and a finished fit becomes a new registry version.
 */
import { randomUUID } from 'node:crypto';
import type { ParsedInput } from '../../../shared/contract';
import type { Bar } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { neuralModelTypes, type LossPoint, type ModelType, type TrainResult, type TrainingBackend } from '../../../shared/models';
import type { CoreContext } from '../../context';
import type { JobContext } from '../../jobs/job-runner';
import type { RegisteredModel, TrainingRun } from '../../storage/types';
import type { BarColumns, TrainOutcome } from '../engine/ports';
import type { ArtifactStore } from './artifact-store';
import { toBarColumns } from '../pipeline/bar-columns';
import { fingerprintBars, loadBars, loadSpotBars } from './bar-data';
import { presets, resolveTraining, type ResolvedTraining } from './train-spec';

/** What is learned, as training_runs records it. */
const targetOf = (horizon: number) => `log_return(close, +${horizon})`;
/** Attempts at registering when another process takes the same version number at the same moment. */
const REGISTER_ATTEMPTS = 3;

const isNeural = (type: ModelType) => (neuralModelTypes as readonly ModelType[]).includes(type);

export async function startTraining(
  ctx: CoreContext,
  artifacts: ArtifactStore,
  input: ParsedInput<'models.train'>,
): Promise<{ runId: string; result: TrainResult | null }> {
  const prepared = await prepareTraining(ctx, input);
  const { training } = prepared;
  const description = `Training ${training.modelName} (${training.spec.modelType}) on ${training.spec.symbol} ${training.spec.timeframe}`;
  const started = await ctx.jobs.start('train', description, 'epochs', async (job) => ({ rows: 1, value: await trainInJob(ctx, artifacts, job, prepared) }));
  // Without `wait` the ending reaches callers as job.finished and the run's row.
  return { runId: started.runId, result: input.wait ? await started.finished : null };
}

/** A training checked and its bars loaded, ready to fit inside a job. */
export interface PreparedTraining {
  training: ResolvedTraining;
  columns: BarColumns;
  first: number;
  last: number;
  dataFingerprint: string;
  dataSource: string;
  backend: TrainingBackend;
  stage: 'candidate' | 'shadow';
}

/** Checks the spec and its bars before anything starts, so a refusal is an answer and not a failed run. */
export async function prepareTraining(ctx: CoreContext, input: ParsedInput<'models.train'>): Promise<PreparedTraining> {
  const { preset, wait: _wait, ...params } = input;
  const training = resolveTraining(params, preset);
  const { spec, minimumBars } = training;
  if (!(await ctx.storage.instruments.get(spec.symbol))) throw new AppError('NOT_FOUND', `There is no instrument ${spec.symbol}.`, { symbol: spec.symbol });

  let bars: Bar[];
  let dataSource: string;
  if (preset && presets[preset].data === 'spot') {
    ({ bars, source: dataSource } = await loadSpotBars(ctx.storage, spec.symbol, minimumBars));
  } else {
    bars = await loadBars(ctx.storage, { symbol: spec.symbol, timeframe: spec.timeframe, from: params.from, to: params.to });
    dataSource = `${spec.timeframe} bars`;
  }
  if (bars.length < minimumBars) {
    throw new AppError(
      'VALIDATION',
      `Training ${spec.modelType} on ${spec.symbol} ${spec.timeframe} needs at least ${minimumBars} bars (feature warm-up, a ${spec.lookback}-bar window, horizon ${spec.horizon} with its purge gaps and enough test targets); the range holds ${bars.length}.`,
      { needed: minimumBars, available: bars.length },
    );
  }
  const first = bars[0]!.time;
  const last = bars.at(-1)!.time;
  const columns = toBarColumns(bars);
  // Before the columns go to the worker, which may take their buffers.
  const dataFingerprint = fingerprintBars(columns);
  const backend: TrainingBackend = isNeural(spec.modelType) ? await ctx.modelWorker.backend() : 'js';
  return { training, columns, first, last, dataFingerprint, dataSource, backend, stage: params.stage };
}

/**
 * Fits a prepared training inside `job` (a `models.train` call's own job, or a scheduled train
 * job's run), so that job's cancel and timeout reach the worker and its run id is the
 * `training_runs` row's.
 */
export async function trainInJob(ctx: CoreContext, artifacts: ArtifactStore, job: JobContext, prepared: PreparedTraining): Promise<TrainResult> {
  const { training, columns, first, last, dataFingerprint, dataSource, backend, stage } = prepared;
  const { spec } = training;
  const run: Omit<TrainingRun, 'status' | 'finishedAt' | 'epochs' | 'lossHistory' | 'metrics' | 'error' | 'samples'> = {
    id: job.runId,
    modelName: training.modelName,
    modelType: spec.modelType,
    symbols: [spec.symbol],
    timeframe: spec.timeframe,
    target: targetOf(spec.horizon),
    horizon: spec.horizon,
    dataFrom: first,
    dataTo: last,
    hyperparameters: { ...spec, preset: training.preset, dataSource },
    featureSetVersion: spec.featureSetVersion,
    backend,
    startedAt: ctx.now(),
    jobRunId: job.runId,
  };
  await ctx.storage.trainingRuns.start(run);
  const lossSoFar: LossPoint[] = [];
  let outcome: TrainOutcome;
  let model: RegisteredModel;
  try {
    job.throwIfCancelled();
    outcome = await fit(ctx, job, training, columns, backend, lossSoFar);
    model = await register(ctx, artifacts, training, run, outcome, dataFingerprint, stage);
  } catch (error) {
    const cancelled = job.signal.aborted || (error instanceof AppError && error.code === 'CANCELLED');
    await ctx.storage.trainingRuns.finish(job.runId, {
      status: cancelled ? 'cancelled' : 'failed',
      finishedAt: ctx.now(),
      error: error instanceof Error ? error.message : String(error),
      lossHistory: lossSoFar,
      metrics: null,
      samples: null,
      backend,
      featureSetVersion: spec.featureSetVersion,
    });
    throw error;
  }
  return {
    modelId: model.modelId,
    version: model.version,
    modelType: model.modelType,
    backend: model.backend,
    metrics: outcome.metrics,
    training: outcome.training,
    evaluation: outcome.evaluation,
  };
}

/** Runs the fit in the worker, reporting each epoch as an event and as job progress, and keeping the losses in `losses`. */
async function fit(
  ctx: CoreContext,
  job: JobContext,
  training: ResolvedTraining,
  columns: BarColumns,
  backend: string,
  losses: LossPoint[],
): Promise<TrainOutcome> {
  const { spec } = training;
  const startedAt = ctx.now();
  job.progress(0, spec.epochs);
  const outcome = await ctx.modelWorker.train(
    spec,
    columns,
    (report) => {
      losses.push({ epoch: report.epoch, loss: report.loss, valLoss: report.valLoss });
      const elapsed = ctx.now() - startedAt;
      const etaMs = report.epoch > 0 ? Math.max(0, (elapsed / report.epoch) * (report.epochs - report.epoch)) : null;
      ctx.events.emit('training.epoch', { runId: job.runId, modelType: spec.modelType, backend, etaMs, ...report });
      job.progress(report.epoch, report.epochs);
    },
    job.signal,
  );
  job.throwIfCancelled();
  job.progress(spec.epochs, spec.epochs);
  return outcome;
}

/**
 * Writes the artifact, then in one transaction registers it as the next version of its name and
 * symbol with its lineage, records its first stage, ends the training run and audits it.
 */
async function register(
  ctx: CoreContext,
  artifacts: ArtifactStore,
  training: ResolvedTraining,
  run: Pick<TrainingRun, 'id' | 'dataFrom' | 'dataTo'>,
  outcome: TrainOutcome,
  dataFingerprint: string,
  stage: 'candidate' | 'shadow',
): Promise<RegisteredModel> {
  const { spec } = training;
  const modelId = randomUUID();
  const { artifactPath, sha256 } = await artifacts.write(modelId, outcome.artifact);
  const at = ctx.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const model = await ctx.storage.transaction(async (tx) => {
        const registered: RegisteredModel = {
          modelId,
          modelName: training.modelName,
          modelType: spec.modelType,
          version: await tx.modelRegistry.nextVersion(training.modelName, spec.symbol),
          symbol: spec.symbol,
          timeframe: spec.timeframe,
          trainingDate: at,
          metrics: outcome.metrics,
          hyperparameters: { ...spec, preset: training.preset },
          featureColumns: outcome.featureColumns,
          featureSetVersion: outcome.featureSetVersion,
          dataFrom: run.dataFrom,
          dataTo: run.dataTo,
          artifactPath,
          artifactSha256: sha256,
          backend: outcome.backend,
          stage,
          isActive: false,
          trainingRunId: run.id,
          dataFingerprint,
          appVersion: ctx.ports.appVersion,
          horizon: spec.horizon,
          intervalLevel: spec.level,
          trainingSegment: outcome.training,
          evaluationSegment: outcome.evaluation,
          baselines: outcome.baselines,
          testForecasts: outcome.testForecasts,
          flagged: null,
        };
        await tx.trainingRuns.finish(run.id, {
          status: 'succeeded',
          finishedAt: at,
          error: null,
          lossHistory: outcome.lossHistory,
          metrics: outcome.metrics,
          samples: outcome.training.samples + (outcome.validation?.samples ?? 0) + outcome.evaluation.samples,
          backend: outcome.backend,
          featureSetVersion: outcome.featureSetVersion,
        });
        await tx.modelRegistry.insert(registered);
        await tx.modelStageHistory.record(modelId, { at, from: null, to: stage, reason: `trained by run ${run.id}` });
        await tx.auditLog.record({ at, actor: 'user', action: 'models.train', details: { modelId, runId: run.id, modelName: registered.modelName, version: registered.version } });
        return registered;
      });
      ctx.events.emit('models.changed', { modelId, change: 'trained' });
      return model;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONFLICT') || attempt >= REGISTER_ATTEMPTS) {
        await artifacts.remove(modelId);
        throw error;
      }
    }
  }
}
