/**
 * Fitting and forecasting: bars → features → samples → purged split → fit → test forecasts
 * scored beside every baseline on exactly the same targets → artifact. Every model forecasts the
 * log return to the close `horizon` bars ahead; prices come from exp of it. Runs inside the
 * training worker: no storage, no Electron, the networks only through the NeuralEngine port.
 */
import {
  baselineModelTypes,
  neuralModelTypes,
  type LossPoint,
  type ModelMetrics,
  type ModelType,
  type NeuralModelType,
  type Segment,
  type TrainingBackend,
} from '../../../shared/models';
import { fixedTimeframeMs, type Timeframe } from '../../../shared/timeframes';
import type { BarColumns, EpochReport, ForecastPoint, NeuralEngine, TrainOutcome, TrainSpec } from '../engine/ports';
import { decodeArtifact, encodeArtifact, ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type FittedParams } from './artifact';
import { baselineLogReturn, fitDriftSlope, type BaselineParams } from './baselines';
import {
  applyScaler,
  chronologicalSplit,
  designMatrix,
  firstSampleBar,
  fitScaler,
  labelledSamples,
  lookbackWindows,
  rangeLength,
  type SampleRange,
  type Samples,
  type Scaler,
  type SplitPlan,
} from './dataset';
import { featureHistograms, oodReference, oodScore } from './drift';
import { computeFeatures, featureRecord, type FeatureMatrix } from './features';
import { conformalQuantile, inSampleNaiveMae, meanAbsoluteError, priceInterval, scoreForecasts } from './metrics';
import { fitRidge, ridgePredict } from './ridge';
import { AppError } from '../../../shared/errors';

export interface TrainHooks {
  onEpoch(report: EpochReport): void;
  signal: AbortSignal;
}

export const isNeuralModel = (modelType: ModelType): modelType is NeuralModelType => (neuralModelTypes as readonly ModelType[]).includes(modelType);
const usesFeatures = (modelType: ModelType) => modelType === 'ridge' || isNeuralModel(modelType);

/** One series prepared for fitting: its features and every labelled sample. */
interface Series {
  bars: BarColumns;
  features: FeatureMatrix;
  samples: Samples;
}

interface FittedModel {
  params: FittedParams;
  scaler: Scaler | null;
  scaled: Float64Array | null;
  halfWidth: number;
  heldOut: number;
  lossHistory: LossPoint[];
  train: SampleRange;
}

/** One fit of a rolling-origin backtest: what it trains and validates on, and the test samples it forecasts. */
export interface Refit {
  train: SampleRange;
  validation: SampleRange;
  test: SampleRange;
}

/**
 * The fits of a backtest. Without walk-forward: one fit on the split's training (and
 * validation) segments forecasting the whole test segment. With it: the test segment is cut
 * every `every` samples; each piece is forecast by a refit on everything before it, minus the
 * purge gap, keeping the validation segment's size and its own purge gap before it.
 */
export function walkForwardPlan(split: SplitPlan, every: number | null): Refit[] {
  if (every === null) return [{ train: split.train, validation: split.validation, test: split.test }];
  const validationCount = rangeLength(split.validation);
  const refits: Refit[] = [];
  for (let start = split.test.start; start < split.test.end; start += every) {
    const fitEnd = start - split.gap;
    const validation = validationCount > 0 ? { start: fitEnd - validationCount, end: fitEnd } : { start: fitEnd, end: fitEnd };
    const train = { start: 0, end: validationCount > 0 ? validation.start - split.gap : fitEnd };
    refits.push({ train, validation, test: { start, end: Math.min(start + every, split.test.end) } });
  }
  return refits;
}

/**
 * Every model type starts its samples where a network's lookback window is complete, though only
 * the networks use the window: so models trained with the same spec are scored on identical targets.
 */
function prepareSeries(spec: TrainSpec, bars: BarColumns): Series {
  const features = computeFeatures(bars, spec.timeframe, spec.featureSetVersion);
  const firstBar = firstSampleBar(features, spec.lookback, spec.horizon, spec.seasonLength);
  return { bars, features, samples: labelledSamples(bars.close, firstBar, spec.horizon) };
}

async function predictLogReturns(
  params: FittedParams,
  scaled: Float64Array | null,
  series: Pick<Series, 'bars' | 'features'>,
  horizon: number,
  bars: Int32Array,
  engine: NeuralEngine | null,
): Promise<Float64Array> {
  const width = series.features.width;
  switch (params.modelType) {
    case 'naive':
    case 'seasonal_naive':
    case 'drift':
      return Float64Array.from(bars, (bar) => baselineLogReturn(params, series.bars.close, bar, horizon));
    case 'ridge': {
      const x = designMatrix(scaled!, width, bars);
      return Float64Array.from(bars, (_, i) => ridgePredict(params.ridge, x.subarray(i * width, (i + 1) * width)));
    }
    case 'mlp':
    case 'lstm':
    case 'gru': {
      const output = await requireEngine(engine, params.modelType).predict(
        params.weights,
        lookbackWindows(scaled!, width, bars, params.lookback),
        bars.length,
        params.lookback,
        width,
      );
      return Float64Array.from(output, (value) => value * params.targetScale);
    }
  }
}

function requireEngine(engine: NeuralEngine | null, modelType: ModelType): NeuralEngine {
  if (!engine) throw new AppError('UNAVAILABLE', `A ${modelType} model needs the neural engine, which this process was not given`);
  return engine;
}

function standardDeviation(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

async function fitParams(
  modelType: ModelType,
  spec: TrainSpec,
  series: Series,
  scaled: Float64Array | null,
  refit: Refit,
  engine: NeuralEngine | null,
  hooks: TrainHooks,
): Promise<{ params: FittedParams; lossHistory: LossPoint[] }> {
  const { samples, features } = series;
  const trainBars = samples.bar.subarray(refit.train.start, refit.train.end);
  const trainTargets = samples.target.subarray(refit.train.start, refit.train.end);
  switch (modelType) {
    case 'naive':
      return { params: { modelType }, lossHistory: [] };
    case 'seasonal_naive':
      return { params: { modelType, seasonLength: spec.seasonLength }, lossHistory: [] };
    case 'drift': {
      // The slope sees the training closes up to the last training label, all before the purge gap.
      const logSlope = fitDriftSlope(series.bars.close, trainBars[0]!, trainBars[trainBars.length - 1]! + spec.horizon);
      return { params: { modelType, logSlope } satisfies BaselineParams, lossHistory: [] };
    }
    case 'ridge': {
      const ridge = fitRidge(designMatrix(scaled!, features.width, trainBars), trainTargets, features.width, spec.ridgeLambda);
      return { params: { modelType, ridge }, lossHistory: [] };
    }
    case 'mlp':
    case 'lstm':
    case 'gru': {
      if (rangeLength(refit.validation) === 0) throw new AppError('VALIDATION', `A ${modelType} model needs a validation segment for early stopping; give a validation share above 0`);
      const targetScale = standardDeviation(trainTargets) || 1;
      const validationBars = samples.bar.subarray(refit.validation.start, refit.validation.end);
      const scaleTargets = (targets: Float64Array) => Float32Array.from(targets, (value) => value / targetScale);
      const lookback = spec.lookback;
      const output = await requireEngine(engine, modelType).fit({
        modelType,
        x: lookbackWindows(scaled!, features.width, trainBars, lookback),
        y: scaleTargets(trainTargets),
        samples: trainBars.length,
        lookback,
        features: features.width,
        validation: {
          x: lookbackWindows(scaled!, features.width, validationBars, lookback),
          y: scaleTargets(samples.target.subarray(refit.validation.start, refit.validation.end)),
          samples: validationBars.length,
        },
        hiddenUnits: spec.hiddenUnits,
        epochs: spec.epochs,
        batchSize: spec.batchSize,
        learningRate: spec.learningRate,
        patience: spec.patience,
        seed: spec.seed,
        onEpoch: hooks.onEpoch,
        signal: hooks.signal,
      });
      return { params: { modelType, weights: output.weights, lookback, targetScale }, lossHistory: output.lossHistory };
    }
  }
}

/** Fits one model on a refit's training rows; its conformal half-width comes from the validation residuals (training ones without validation). */
async function fitModel(
  modelType: ModelType,
  spec: TrainSpec,
  series: Series,
  refit: Refit,
  engine: NeuralEngine | null,
  hooks: TrainHooks,
): Promise<FittedModel> {
  const scaler = usesFeatures(modelType) ? fitScaler(series.features, series.samples.bar.subarray(refit.train.start, refit.train.end)) : null;
  const scaled = scaler ? applyScaler(series.features, scaler) : null;
  const { params, lossHistory } = await fitParams(modelType, spec, series, scaled, refit, engine, hooks);
  const held = rangeLength(refit.validation) > 0 ? refit.validation : refit.train;
  const heldBars = series.samples.bar.subarray(held.start, held.end);
  const predicted = await predictLogReturns(params, scaled, series, spec.horizon, heldBars, engine);
  const residuals = predicted.map((value, i) => Math.abs(series.samples.target[held.start + i]! - value));
  return { params, scaler, scaled, halfWidth: conformalQuantile(residuals, spec.level), heldOut: residuals.length, lossHistory, train: refit.train };
}

interface Backtest {
  /** Log-return forecast and conformal half-width of each test sample. */
  logReturn: Float64Array;
  halfWidth: Float64Array;
  /** The last refit: the one that has seen the most data, and the one the artifact holds. */
  last: FittedModel;
}

async function backtest(
  modelType: ModelType,
  spec: TrainSpec,
  series: Series,
  plan: Refit[],
  engine: NeuralEngine | null,
  hooks: TrainHooks,
): Promise<Backtest> {
  const testStart = plan[0]!.test.start;
  const testCount = plan[plan.length - 1]!.test.end - testStart;
  const logReturn = new Float64Array(testCount);
  const halfWidth = new Float64Array(testCount);
  let last: FittedModel | null = null;
  for (const [index, refit] of plan.entries()) {
    hooks.signal.throwIfAborted();
    // Epochs count on across refits so that progress runs once from 0 to the end.
    const onEpoch = (report: EpochReport) =>
      hooks.onEpoch({ ...report, epoch: index * spec.epochs + report.epoch, epochs: plan.length * spec.epochs });
    last = await fitModel(modelType, spec, series, refit, engine, { onEpoch, signal: hooks.signal });
    const bars = series.samples.bar.subarray(refit.test.start, refit.test.end);
    logReturn.set(await predictLogReturns(last.params, last.scaled, series, spec.horizon, bars, engine), refit.test.start - testStart);
    halfWidth.fill(last.halfWidth, refit.test.start - testStart, refit.test.end - testStart);
  }
  return { logReturn, halfWidth, last: last! };
}

function segmentOf(series: Series, range: SampleRange, horizon: number): Segment {
  const { bar } = series.samples;
  return { from: series.bars.time[bar[range.start]! + horizon]!, to: series.bars.time[bar[range.end - 1]! + horizon]!, samples: rangeLength(range) };
}

/** Fits `spec.modelType` on `bars`, scores it and every baseline on the same test targets, and builds the artifact. */
export async function trainModel(spec: TrainSpec, bars: BarColumns, engine: NeuralEngine | null, hooks: TrainHooks): Promise<TrainOutcome> {
  const series = prepareSeries(spec, bars);
  const split = chronologicalSplit(series.samples.bar.length, spec.validationFraction, spec.testFraction, spec.horizon);
  const plan = walkForwardPlan(split, spec.walkForwardEvery);
  const close = bars.close;
  const testBars = series.samples.bar.subarray(split.test.start, split.test.end);
  const origin = Float64Array.from(testBars, (bar) => close[bar]!);
  const actual = Float64Array.from(testBars, (bar) => close[bar + spec.horizon]!);
  const naiveMae = meanAbsoluteError(actual, origin);
  const trainBars = series.samples.bar.subarray(split.train.start, split.train.end);
  const maseScale = inSampleNaiveMae(close, trainBars[0]!, trainBars[trainBars.length - 1]!);

  const score = (modelType: ModelType, result: Backtest) => {
    const intervals = Array.from(testBars, (_, i) => priceInterval(origin[i]!, result.logReturn[i]!, result.halfWidth[i]!));
    const forecasts = {
      actual,
      origin,
      predicted: intervals.map((interval) => interval.predicted),
      lower: intervals.map((interval) => interval.lower),
      upper: intervals.map((interval) => interval.upper),
    };
    return { forecasts, metrics: scoreForecasts(forecasts, { naiveMae, maseScale, horizon: spec.horizon, isNaive: modelType === 'naive' }) };
  };

  const model = await backtest(spec.modelType, spec, series, plan, engine, hooks);
  const scored = score(spec.modelType, model);
  const baselines: Partial<Record<ModelType, ModelMetrics>> = {};
  for (const baseline of baselineModelTypes) {
    const result = baseline === spec.modelType ? model : await backtest(baseline, spec, series, plan, null, hooks);
    baselines[baseline] = baseline === spec.modelType ? scored.metrics : score(baseline, result).metrics;
  }

  const backend: TrainingBackend = isNeuralModel(spec.modelType) ? requireEngine(engine, spec.modelType).backend : 'js';
  const last = model.last;
  const lastTrainBars = series.samples.bar.subarray(last.train.start, last.train.end);
  const artifact = encodeArtifact({
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    modelType: spec.modelType,
    backend,
    spec,
    featureSet: { version: series.features.version, columns: series.features.columns },
    scaler: last.scaler,
    params: last.params,
    conformal: { level: spec.level, halfWidth: last.halfWidth, residuals: last.heldOut },
    reference: last.scaled
      ? { histograms: featureHistograms(series.features, lastTrainBars), ood: oodReference(last.scaled, series.features.width, lastTrainBars) }
      : null,
  });

  return {
    artifact,
    backend,
    featureSetVersion: series.features.version,
    featureColumns: usesFeatures(spec.modelType) ? series.features.columns : [],
    metrics: scored.metrics,
    baselines,
    training: segmentOf(series, split.train, spec.horizon),
    validation: rangeLength(split.validation) > 0 ? segmentOf(series, split.validation, spec.horizon) : null,
    evaluation: { ...segmentOf(series, split.test, spec.horizon), horizon: spec.horizon, level: spec.level },
    lossHistory: last.lossHistory,
    testForecasts: Array.from(testBars, (bar, i) => ({
      targetTime: bars.time[bar + spec.horizon]!,
      actual: actual[i]!,
      predicted: scored.forecasts.predicted[i]!,
      naive: origin[i]!,
      lower: scored.forecasts.lower[i]!,
      upper: scored.forecasts.upper[i]!,
    })),
  };
}

/** Open time `count` bars after `time`; months by the calendar. */
export function barsAfter(time: number, count: number, timeframe: Timeframe): number {
  if (timeframe === '1M') {
    const date = new Date(time);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + count, 1);
  }
  return time + count * fixedTimeframeMs[timeframe];
}

/**
 * Bars of history a forecast should be given. The exponential averages behind EMA, MACD, RSI
 * and ATR are seeded at the first bar they see, and the seed's weight decays by at least
 * 13/14 a bar, so after 1,000 bars it is below 1e-30 and a forecast from this many bars equals
 * one from the whole history to double precision; the lookback window and the season come on top.
 */
export function forecastHistoryBars(spec: Pick<TrainSpec, 'lookback' | 'seasonLength' | 'horizon'>): number {
  return 1_000 + spec.lookback + spec.seasonLength * Math.ceil(spec.horizon / spec.seasonLength);
}

/** Forecasts the close `horizon` bars past the last of `bars` with a stored model (give it forecastHistoryBars of them). */
export async function predictWithArtifact(artifactBytes: Uint8Array, bars: BarColumns, engine: NeuralEngine | null): Promise<ForecastPoint[]> {
  const artifact = decodeArtifact(artifactBytes);
  const { spec, params, scaler } = artifact;
  const features = computeFeatures(bars, spec.timeframe, artifact.featureSet.version);
  if (features.columns.join() !== artifact.featureSet.columns.join()) {
    throw new AppError('VALIDATION', `The model was trained on feature columns ${artifact.featureSet.columns.join(', ')}, which feature set ${features.version} no longer gives`);
  }
  const last = bars.close.length - 1;
  const needed = firstSampleBar(features, spec.lookback, spec.horizon, spec.seasonLength) + 1;
  if (last + 1 < needed) throw new AppError('VALIDATION', `A forecast with this model needs at least ${needed} bars; there are ${last + 1}`);
  const scaled = scaler ? applyScaler(features, scaler) : null;
  const [logReturn] = await predictLogReturns(params, scaled, { bars, features }, spec.horizon, Int32Array.of(last), engine);
  const interval = priceInterval(bars.close[last]!, logReturn!, artifact.conformal.halfWidth);
  const row = scaled ? scaled.subarray(last * features.width, (last + 1) * features.width) : null;
  return [
    {
      madeAt: bars.time[last]!,
      targetTime: barsAfter(bars.time[last]!, spec.horizon, spec.timeframe),
      ...interval,
      oodScore: artifact.reference && row ? oodScore(artifact.reference.ood, row) : null,
      features: scaled ? featureRecord(features, last) : null,
    },
  ];
}
