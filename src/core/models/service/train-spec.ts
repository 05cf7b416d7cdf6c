/**
 * From what a caller asks (`models.train`'s input) to the `TrainSpec` the worker fits: presets,
 * then the model type's defaults for whatever is left out, and how many bars that needs.
 */
import { AppError } from '../../../shared/errors';
import type { ModelType, PresetName, TrainParams } from '../../../shared/models';
import type { Timeframe } from '../../../shared/timeframes';
import type { TrainSpec } from '../engine/ports';
import { FEATURE_SET_VERSION } from '../pipeline/features';

/** Bars the slowest feature of the set needs before its first value (a 50-bar moving-average ratio), with room to spare. */
export const FEATURE_WARMUP_BARS = 60;
/** Test targets below which no metric means much; the other segments are sized from the same fractions. */
const MIN_TEST_SAMPLES = 10;
const VALIDATION_FRACTION = 0.15;
const TEST_FRACTION = 0.15;

interface TypeDefaults {
  epochs: number;
  lookback: number;
  hiddenUnits: number;
  learningRate: number;
  batchSize: number;
  patience: number;
}

const NETWORK = { hiddenUnits: 32, learningRate: 0.001, batchSize: 32, patience: 10 };
/** What baselines and ridge never read but the spec carries: one pass over one feature row. */
const CLOSED_FORM = { epochs: 1, lookback: 1, ...NETWORK };

const typeDefaults: Record<ModelType, TypeDefaults> = {
  naive: CLOSED_FORM,
  seasonal_naive: CLOSED_FORM,
  drift: CLOSED_FORM,
  ridge: CLOSED_FORM,
  mlp: { ...NETWORK, epochs: 100, lookback: 10 },
  lstm: { ...NETWORK, epochs: 50, lookback: 30 },
  gru: { ...NETWORK, epochs: 50, lookback: 30 },
};

/** One season in bars: a trading week of days, a day of intraday bars, a year of weeks or months. */
const seasonLengths: Record<Timeframe, number> = { '1m': 60, '5m': 288, '15m': 96, '30m': 48, '1h': 24, '4h': 6, '1d': 5, '1w': 52, '1M': 12 };

export interface Preset {
  /** The registry name its versions share. */
  modelName: string;
  /** What the preset is for, said in errors and the README. */
  description: string;
  /** Model types and timeframes it fits; anything else is refused. */
  modelTypes: readonly ModelType[] | null;
  timeframes: readonly Timeframe[];
  defaults: Partial<TypeDefaults>;
  /** `spot`: the poll job's snapshots in `latest_12_hour_prices`, resampled to 1m bars; `bars`: stored bars. */
  data: 'spot' | 'bars';
}

const INTRADAY: readonly Timeframe[] = ['1m', '5m', '15m', '30m', '1h', '4h'];

export const presets: Record<PresetName, Preset> = {
  spot_12h: {
    modelName: 'spot_12h',
    description: 'the last 12 hours of spot prices as 1m bars',
    modelTypes: null,
    timeframes: ['1m'],
    defaults: { lookback: 30, epochs: 30 },
    data: 'spot',
  },
  daily_lstm: {
    modelName: 'daily_lstm',
    description: 'an LSTM on daily bars',
    modelTypes: ['lstm'],
    timeframes: ['1d'],
    defaults: { lookback: 30, epochs: 100, hiddenUnits: 32 },
    data: 'bars',
  },
  intraday_gru: {
    modelName: 'intraday_gru',
    description: 'a GRU on intraday bars',
    modelTypes: ['gru'],
    timeframes: INTRADAY,
    defaults: { lookback: 60, epochs: 50, hiddenUnits: 32 },
    data: 'bars',
  },
};

export interface ResolvedTraining {
  spec: TrainSpec;
  modelName: string;
  preset: PresetName | null;
  /** Bars the fit needs at least, from the feature warm-up, the window, the horizon's purge gaps and the test size. */
  minimumBars: number;
}

export function resolveTraining(params: TrainParams, presetName: PresetName | undefined): ResolvedTraining {
  const preset = presetName ? presets[presetName] : undefined;
  if (preset) {
    if (preset.modelTypes && !preset.modelTypes.includes(params.modelType)) {
      throw new AppError('VALIDATION', `The ${presetName} preset trains ${preset.modelTypes.join(' or ')}, not ${params.modelType}.`);
    }
    if (!preset.timeframes.includes(params.timeframe)) {
      throw new AppError('VALIDATION', `The ${presetName} preset trains on ${preset.description}: timeframe ${preset.timeframes.join(', ')}, not ${params.timeframe}.`);
    }
  }
  const defaults = { ...typeDefaults[params.modelType], ...preset?.defaults };
  const spec: TrainSpec = {
    modelType: params.modelType,
    symbol: params.symbol,
    timeframe: params.timeframe,
    horizon: params.horizon,
    level: params.level,
    seed: params.seed,
    epochs: params.epochs ?? defaults.epochs,
    lookback: params.lookback ?? defaults.lookback,
    seasonLength: params.seasonLength ?? seasonLengths[params.timeframe],
    hiddenUnits: params.hiddenUnits ?? defaults.hiddenUnits,
    learningRate: params.learningRate ?? defaults.learningRate,
    batchSize: params.batchSize ?? defaults.batchSize,
    patience: params.patience ?? defaults.patience,
    ridgeLambda: params.ridgeLambda ?? 1,
    validationFraction: VALIDATION_FRACTION,
    testFraction: TEST_FRACTION,
    walkForwardEvery: params.walkForwardEvery ?? null,
    featureSetVersion: FEATURE_SET_VERSION,
  };
  const samples = Math.ceil(MIN_TEST_SAMPLES / TEST_FRACTION);
  const warmup = Math.max(FEATURE_WARMUP_BARS, spec.seasonLength);
  return {
    spec,
    modelName: params.modelName ?? preset?.modelName ?? `${params.modelType}-${params.timeframe}`,
    preset: presetName ?? null,
    minimumBars: warmup + spec.lookback + 3 * spec.horizon + samples,
  };
}


/** The spot preset's window: what `latest_12_hour_prices` holds. */
export const SPOT_WINDOW_MS = 12 * 3_600_000;
