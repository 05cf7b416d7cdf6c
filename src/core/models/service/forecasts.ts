/** `predictions.make` and `predictions.query`: forecasts from a verified artifact on bars cut at asOf, and what is stored of them. */
import type { MethodOutput, ParsedInput } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import type { StoredPrediction } from '../../../shared/models';
import type { CoreContext } from '../../context';
import type { PredictionRecord, RegisteredModel } from '../../storage/types';
import type { ForecastPoint } from '../engine/ports';
import { OOD_SCORE_THRESHOLD } from '../pipeline/drift';
import { forecastHistoryBars } from '../pipeline/train';
import type { ArtifactStore } from './artifact-store';
import { toBarColumns } from '../pipeline/bar-columns';
import { loadBars } from './bar-data';
import { getModel } from './registry';

export interface Forecast {
  model: RegisteredModel;
  /** The asOf asked for, or the latest bar's open time. */
  asOf: number;
  /** The close of the last bar used: naive's forecast for every target. */
  lastClose: number;
  points: ForecastPoint[];
}

/**
 * Forecasts with `model` using only bars whose open time is at or before `asOf` (default: the
 * latest stored bar), so a forecast as of T is the same whatever is stored after T.
 */
export async function forecast(ctx: CoreContext, artifacts: ArtifactStore, model: RegisteredModel, asOf: number | undefined): Promise<Forecast> {
  // Checked before any bar is read: a changed artifact is refused whatever else is wrong.
  const artifact = await artifacts.read(model);
  const spec = {
    modelType: model.modelType,
    horizon: model.horizon,
    lookback: Number(model.hyperparameters.lookback ?? 1),
    seasonLength: Number(model.hyperparameters.seasonLength ?? 1),
  };
  const history = forecastHistoryBars(spec);
  const bars = await loadBars(ctx.storage, { symbol: model.symbol, timeframe: model.timeframe, to: asOf, limit: history });
  const last = bars.at(-1);
  if (!last) {
    const when = asOf === undefined ? '' : ` at or before ${new Date(asOf).toISOString()}`;
    throw new AppError('VALIDATION', `There are no ${model.timeframe} bars of ${model.symbol}${when} to forecast from.`);
  }
  let points: ForecastPoint[];
  try {
    points = await ctx.modelWorker.predict(artifact, toBarColumns(bars));
  } catch (error) {
    // Short of the history asked for, the pipeline's refusal is about the range: say which range.
    if (bars.length >= history || (isAppError(error) && error.code !== 'VALIDATION')) throw error;
    throw new AppError(
      'VALIDATION',
      `${model.symbol} has only ${bars.length} ${model.timeframe} bars up to ${new Date(last.time).toISOString()}, too few for this model's features and window: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  return { model, asOf: asOf ?? last.time, lastClose: last.close, points };
}

/** Each point's bars ahead of the last bar used: the last point lies `horizon` ahead, the ones before it one bar closer each. */
const stepsAhead = (horizon: number, count: number, index: number) => horizon - (count - 1 - index);

export function toRecords(result: Forecast): PredictionRecord[] {
  const { model, points, lastClose } = result;
  return points.map((point, index) => ({
    modelId: model.modelId,
    symbol: model.symbol,
    timeframe: model.timeframe,
    madeAt: point.madeAt,
    targetTime: point.targetTime,
    horizon: stepsAhead(model.horizon, points.length, index),
    predicted: point.predicted,
    lower: point.lower,
    upper: point.upper,
    level: model.intervalLevel,
    actual: null,
    naive: lastClose,
    oodScore: point.oodScore,
    outOfDistribution: point.oodScore !== null && point.oodScore > OOD_SCORE_THRESHOLD,
    features: point.features,
    scoredAt: null,
  }));
}

export async function makePredictions(
  ctx: CoreContext,
  artifacts: ArtifactStore,
  input: ParsedInput<'predictions.make'>,
): Promise<MethodOutput<'predictions.make'>> {
  const result = await forecast(ctx, artifacts, await getModel(ctx, input.modelId), input.asOf);
  if (input.store) await ctx.storage.predictions.upsert(toRecords(result));
  return {
    modelId: input.modelId,
    asOf: result.asOf,
    predictions: result.points.map(({ targetTime, predicted, lower, upper }) => ({ targetTime, predicted, lower, upper })),
  };
}

function toStoredPrediction(record: PredictionRecord): StoredPrediction {
  const { modelId, madeAt, targetTime, horizon, predicted, lower, upper, level, actual, naive, oodScore, outOfDistribution } = record;
  return { modelId, madeAt, targetTime, horizon, predicted, lower, upper, level, actual, naive, oodScore, outOfDistribution };
}

export async function queryPredictions(ctx: CoreContext, input: ParsedInput<'predictions.query'>): Promise<MethodOutput<'predictions.query'>> {
  const filter = { modelId: input.modelId, symbol: input.symbol, timeframe: input.timeframe, from: input.from, to: input.to, limit: input.limit };
  const [predictions, performance] = await Promise.all([ctx.storage.predictions.query(filter), ctx.storage.modelPerformance.query(filter)]);
  return {
    predictions: predictions.map(toStoredPrediction),
    performance: performance.map((row) => ({
      modelId: row.modelId,
      evaluatedAt: row.evaluatedAt,
      samples: row.samples,
      mae: row.mae,
      naiveMae: row.naiveMae,
      relMae: row.mae !== null && row.naiveMae !== null && row.naiveMae > 0 ? row.mae / row.naiveMae : null,
      directionalAccuracy: row.directionalAccuracy,
    })),
  };
}
