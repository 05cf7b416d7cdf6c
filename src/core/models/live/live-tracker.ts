import { AppError } from '../../../shared/errors';
import { SKILL_PVALUE } from '../../../shared/model-verdicts';
import type { DriftState } from '../../../shared/models';
import { defaultLiveTracking, type LiveTracking } from '../../../shared/scheduler';
import { raiseAlertUnlessOpen, type AlertDeps } from '../../alerts/alerts';
import type { JobContext } from '../../jobs/job-runner';
import type { Logger } from '../../ports';
import type { ModelJobs } from '../../scheduler/executors';
import type { RegisteredModel, StoredIngestJob } from '../../storage/types';
import type { FeatureHistogram } from '../pipeline/drift';
import { inSampleNaiveMae } from '../pipeline/metrics';
import { loadBars } from '../service/bar-data';
import { assessDrift, MIN_GATE_SAMPLES, promotionGate, retirementDue, scoreLiveWindow, type LiveScoreContext, type ScoredPrediction } from './live-scores';

/** What live tracking asks of the models service: forecasts, training and artifacts. */
export interface LiveModelOps {
  /** Forecasts from the series' latest bar and stores them; a target already predicted is not stored twice. Answers how many were stored. */
  predictAndStore(model: RegisteredModel): Promise<number>;
  /**
   * A new version of an active model from its parameters on the series as it now stands, entering
   * as `shadow`; answers its id. Given a job, the fit runs in it; otherwise it is a job of its own.
   */
  retrain(active: RegisteredModel, job?: JobContext): Promise<string>;
  /** The training histograms of the model's features, from its verified artifact; null for models without features. */
  trainingReference(model: RegisteredModel): Promise<FeatureHistogram[] | null>;
}

export interface LiveTrackerDeps extends AlertDeps {
  ops: LiveModelOps;
  logger: Logger;
  /** Runs the train jobs of a model name and symbol; false when there is none (Scheduler.retrain). */
  runTrainJobs(modelName: string, symbol: string): Promise<boolean>;
}

/** Scored predictions Page–Hinkley reads, beyond the rolling window, as a sequential test. */
const PAGE_HINKLEY_HISTORY = 500;

/**
 * Live predictions and their aftermath: forecasts with every active and shadow version of a
 * series as bars land, scores when the actual bars arrive, rolling scores beside naive,
 * drift and retirement flags with one alert each, retraining on drift, and the live
 * Diebold–Mariano gate for promoting a shadow challenger.
 */
export class LiveTracker implements ModelJobs {
  private readonly maseScales = new Map<string, number | null>();
  private readonly retrains = new Set<Promise<unknown>>();

  constructor(private readonly deps: LiveTrackerDeps) {}

  async predict(ctx: JobContext, job: StoredIngestJob, symbol: string): Promise<number> {
    const { timeframe } = job;
    if (timeframe === null) throw new AppError('VALIDATION', `The predict job "${job.name}" has no timeframe.`);
    const { modelRegistry } = this.deps.storage;
    const models = [...(await modelRegistry.list({ symbol, timeframe, stage: 'active' })), ...(await modelRegistry.list({ symbol, timeframe, stage: 'shadow' }))];
    let rows = 0;
    const failures: { model: RegisteredModel; error: unknown }[] = [];
    // One broken version (a refused artifact) must not keep the others of the series from predicting.
    for (const model of models) {
      ctx.throwIfCancelled();
      try {
        rows += await this.scoreSettled(model, job.tracking);
        rows += await this.deps.ops.predictAndStore(model);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        failures.push({ model, error });
      }
    }
    if (failures.length > 0) {
      // The first failure's code decides whether the scheduler retries, as for a job's symbols.
      const first = failures[0]!.error;
      const message = failures.map(({ model, error }) => `${describe(model)}: ${error instanceof Error ? error.message : String(error)}`).join(' ');
      throw new AppError(first instanceof AppError ? first.code : 'INTERNAL', message);
    }
    return rows;
  }

  async train(ctx: JobContext, job: StoredIngestJob, symbol: string): Promise<number> {
    if (job.modelName === null) throw new AppError('VALIDATION', `The train job "${job.name}" names no model.`);
    const active = await this.deps.storage.modelRegistry.active(job.modelName, symbol);
    if (!active) throw new AppError('NOT_FOUND', `There is no active version of "${job.modelName}" for ${symbol} to retrain; activate one first.`);
    await this.deps.ops.retrain(active, ctx);
    return 1;
  }

  /** The drift state `models.get` shows, read from the stored scores with the tracking of the series' predict job. */
  async driftState(model: RegisteredModel): Promise<DriftState> {
    const tracking = await this.trackingOf(model);
    const history = await this.scored(model.modelId, Math.max(tracking.window, PAGE_HINKLEY_HISTORY));
    const reference = await this.deps.ops.trainingReference(model).catch((error: unknown) => {
      // A refused artifact fails this version's forecasts loudly; its detail still shows the scores it has.
      this.deps.logger.warn('no training reference for drift', { model: model.modelId, error: String(error) });
      return null;
    });
    return assessDrift(history, tracking.window, model.metrics.rel_mae, reference, await this.scoreContext(model)).state;
  }

  /**
   * Refuses to promote a shadow version unless the one-sided Diebold–Mariano test over the live
   * window says it forecasts better than the active version (than naive when none is active).
   */
  async checkPromotion(model: RegisteredModel): Promise<void> {
    if (model.stage !== 'shadow') {
      throw new AppError('VALIDATION', `The live gate promotes shadow versions, scored beside the active one; ${describe(model)} is ${model.stage}.`);
    }
    const { window } = await this.trackingOf(model);
    const active = await this.deps.storage.modelRegistry.active(model.modelName, model.symbol);
    const challenger = await this.scored(model.modelId, window);
    const incumbent = active ? await this.scored(active.modelId, window * 2) : null;
    const gate = promotionGate(challenger, incumbent, model.horizon);
    if (gate.passed) return;
    const rival = active ? `the active version v${active.version}` : 'naive';
    if (gate.pValue === null) {
      throw new AppError(
        'CONFLICT',
        `Not promoted: the live gate needs at least ${MIN_GATE_SAMPLES} targets scored for v${model.version}${active ? ` and ${rival} alike` : ''}, with a loss difference to ${rival} that varies; it has ${gate.samples}.`,
        { samples: gate.samples },
      );
    }
    throw new AppError(
      'CONFLICT',
      `Not promoted: over ${gate.samples} live targets, the one-sided Diebold–Mariano test that v${model.version} forecasts better than ${rival} gives p = ${gate.pValue.toFixed(3)}, not below ${SKILL_PVALUE}: no evidence of skill.`,
      { pValue: gate.pValue, samples: gate.samples },
    );
  }

  /** Settles once every retrain drift started has ended. */
  async settled(): Promise<void> {
    while (this.retrains.size > 0) await Promise.allSettled([...this.retrains]);
  }

  /** The tracking of the predict job covering the model's series; the defaults when none does. */
  private async trackingOf(model: RegisteredModel): Promise<LiveTracking> {
    const jobs = await this.deps.storage.ingestJobs.list();
    const covering = jobs.find((job) => job.kind === 'predict' && job.timeframe === model.timeframe && job.symbols.includes(model.symbol));
    return covering?.tracking ?? defaultLiveTracking;
  }

  /** The model's latest `limit` scored predictions, ascending by target time. */
  private async scored(modelId: string, limit: number): Promise<ScoredPrediction[]> {
    const records = await this.deps.storage.predictions.query({ modelId, scoredOnly: true, limit });
    return records.map((p) => ({
      madeAt: p.madeAt,
      targetTime: p.targetTime,
      predicted: p.predicted,
      lower: p.lower,
      upper: p.upper,
      actual: p.actual!,
      naive: p.naive!,
      outOfDistribution: p.outOfDistribution,
      features: p.features,
    }));
  }

  /**
   * Scores the model's predictions whose actual bars have arrived, then its rolling score, drift
   * and retirement. The actual is the close `horizon` stored bars after the bar the forecast was
   * made at, as training defines the target, so a weekend or holiday between them changes nothing.
   */
  private async scoreSettled(model: RegisteredModel, tracking: LiveTracking): Promise<number> {
    const { storage, clock } = this.deps;
    const [latest] = await loadBars(storage, { symbol: model.symbol, timeframe: model.timeframe, limit: 1 });
    if (!latest) return 0;
    const pending = await storage.predictions.pending(model.modelId, latest.time);
    if (pending.length === 0) return 0;
    const bars = await loadBars(storage, { symbol: model.symbol, timeframe: model.timeframe, from: pending[0]!.madeAt, to: latest.time });
    const indexOf = new Map(bars.map((bar, index) => [bar.time, index]));
    let scored = 0;
    for (const prediction of pending) {
      const origin = indexOf.get(prediction.madeAt);
      const target = origin === undefined ? undefined : bars[origin + prediction.horizon];
      // Not yet `horizon` bars on, or its origin bar is gone from the series: it waits, and is never guessed.
      if (origin === undefined || target === undefined) continue;
      const naive = prediction.naive ?? bars[origin]!.close;
      await storage.predictions.recordActual(prediction, { targetTime: target.time, actual: target.close, naive, scoredAt: clock.now() });
      scored++;
    }
    if (scored > 0) await this.evaluate(model, tracking);
    return scored;
  }

  private async evaluate(model: RegisteredModel, tracking: LiveTracking): Promise<void> {
    const { storage, ops, clock } = this.deps;
    const history = await this.scored(model.modelId, Math.max(tracking.window, PAGE_HINKLEY_HISTORY));
    const context = await this.scoreContext(model);
    const scores = scoreLiveWindow(history.slice(-tracking.window), context);
    await storage.modelPerformance.insert({
      modelId: model.modelId,
      symbol: model.symbol,
      timeframe: model.timeframe,
      evaluatedAt: clock.now(),
      windowFrom: scores.windowFrom,
      windowTo: scores.windowTo,
      samples: scores.samples,
      mae: scores.metrics.mae,
      rmse: scores.metrics.rmse,
      mape: scores.metrics.mape,
      directionalAccuracy: scores.metrics.directional_accuracy,
      mase: scores.metrics.mase,
      naiveMae: scores.naiveMae,
    });
    let flagged = model.flagged;
    const drift = assessDrift(history, tracking.window, model.metrics.rel_mae, await ops.trainingReference(model), context);
    if (drift.reasons.length > 0 && flagged === null) {
      flagged = `drift: ${drift.reasons.join('; ')}`;
      await this.flag(model, flagged, 'drift', `${describe(model)} drifted: ${drift.reasons.join('; ')}.`);
      if (tracking.onDrift === 'retrain' && model.stage === 'active') this.retrainOnDrift(model);
    }
    const recent = await storage.modelPerformance.query({ modelId: model.modelId, limit: tracking.retireAfter });
    const relMaes = recent.map((row) => (row.mae !== null && row.naiveMae !== null && row.naiveMae > 0 ? row.mae / row.naiveMae : null));
    if (!flagged?.startsWith('retire') && retirementDue(relMaes, tracking.retireAfter)) {
      flagged = `retire: live rel_mae above 1 (worse than naive) in each of the last ${tracking.retireAfter} rolling scores`;
      await this.flag(model, flagged, 'retirement', `${describe(model)} is flagged for retirement: ${flagged.slice('retire: '.length)}.`);
    }
  }

  private async flag(model: RegisteredModel, flagged: string, code: 'drift' | 'retirement', message: string): Promise<void> {
    await this.deps.storage.modelRegistry.setFlagged(model.modelId, flagged);
    this.deps.events.emit('models.changed', { modelId: model.modelId, change: 'flagged' });
    await raiseAlertUnlessOpen(this.deps, { severity: 'warning', source: `model:${model.modelId}`, message, details: { code, modelId: model.modelId } });
  }

  /** Runs the train jobs for the model, or retrains it directly when no job covers it; the predict run does not wait for it. */
  private retrainOnDrift(model: RegisteredModel): void {
    const work = (async () => {
      if (!(await this.deps.runTrainJobs(model.modelName, model.symbol))) await this.deps.ops.retrain(model);
    })().catch((error: unknown) => this.deps.logger.warn('a retrain drift asked for failed', { model: model.modelId, error: String(error) }));
    this.retrains.add(work);
    void work.finally(() => this.retrains.delete(work));
  }

  private async scoreContext(model: RegisteredModel): Promise<LiveScoreContext> {
    return { horizon: model.horizon, maseScale: await this.maseScale(model), isNaive: model.modelType === 'naive' };
  }

  /** The one-step naive MAE over the model's training bars, read once per model. */
  private async maseScale(model: RegisteredModel): Promise<number | null> {
    if (this.maseScales.has(model.modelId)) return this.maseScales.get(model.modelId)!;
    let scale: number | null = null;
    const segment = model.trainingSegment;
    if (segment) {
      const closes = (await loadBars(this.deps.storage, { symbol: model.symbol, timeframe: model.timeframe, from: segment.from, to: segment.to })).map((bar) => bar.close);
      scale = closes.length > 1 ? inSampleNaiveMae(closes, 0, closes.length - 1) : null;
    }
    this.maseScales.set(model.modelId, scale);
    return scale;
  }
}

function describe(model: RegisteredModel): string {
  return `${model.modelName} v${model.version} (${model.symbol} ${model.timeframe}, ${model.stage})`;
}
