/**
 * The seams of the models engine. Everything here crosses the training worker's message port,
 * so it is plain data: typed arrays, numbers, strings, no class instances.
 *
 * - `pipeline/` (pure TypeScript, no tfjs) turns bars into features, samples, splits, fits the
 *   baselines and ridge, evaluates against naive and builds the artifact.
 * - `NeuralEngine` fits and runs the networks; the tfjs implementation lives in `tfjs/`, and
 *   another engine (onnxruntime for inference, say) can fill the same port.
 * - `ModelWorker` is what the main thread sees: one long-lived worker thread running both.
 */
import type { LossPoint, ModelMetrics, ModelType, NeuralModelType, Segment, TrainingBackend } from '../../../shared/models';
import type { Timeframe } from '../../../shared/timeframes';
import type { FeatureMatrix } from '../pipeline/features';

/** Bars as columns, ascending by open time, so they transfer to the worker without copying. */
export interface BarColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Everything a fit needs, every default already applied by the service. */
export interface TrainSpec {
  modelType: ModelType;
  symbol: string;
  timeframe: Timeframe;
  horizon: number;
  level: number;
  seed: number;
  epochs: number;
  lookback: number;
  seasonLength: number;
  hiddenUnits: number;
  learningRate: number;
  batchSize: number;
  patience: number;
  ridgeLambda: number;
  /** Shares of the samples, chronological: train, then validation, then test; purge gaps of `horizon` bars between. */
  validationFraction: number;
  testFraction: number;
  walkForwardEvery: number | null;
  featureSetVersion: string;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number | null;
}

/** The neural networks' weights, as tfjs `io.ModelArtifacts` reduced to plain data. */
export interface NeuralWeights {
  modelTopology: unknown;
  weightSpecs: unknown;
  /** base64 of the concatenated weight buffers. */
  weightData: string;
}

export interface NeuralFitInput {
  modelType: NeuralModelType;
  /** Row-major samples × lookback × features (an MLP sees the window flattened). */
  x: Float32Array;
  y: Float32Array;
  samples: number;
  lookback: number;
  features: number;
  validation: { x: Float32Array; y: Float32Array; samples: number };
  hiddenUnits: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  seed: number;
  onEpoch(report: EpochReport): void;
  signal: AbortSignal;
}

export interface NeuralFitOutput {
  /** The weights of the epoch with the best validation loss. */
  weights: NeuralWeights;
  lossHistory: LossPoint[];
  bestEpoch: number;
}

export interface NeuralEngine {
  readonly backend: TrainingBackend;
  fit(input: NeuralFitInput): Promise<NeuralFitOutput>;
  predict(weights: NeuralWeights, x: Float32Array, samples: number, lookback: number, features: number): Promise<Float32Array>;
}

/** What a finished fit hands the registry. */
export interface TrainOutcome {
  /** The artifact file's bytes (see pipeline/artifact.ts); its sha256 is the registry's. */
  artifact: Uint8Array;
  backend: TrainingBackend;
  featureSetVersion: string;
  featureColumns: string[];
  metrics: ModelMetrics;
  /** The baselines on exactly the same test targets, keyed by model type. */
  baselines: Partial<Record<ModelType, ModelMetrics>>;
  training: Segment;
  validation: Segment | null;
  evaluation: Segment & { horizon: number; level: number };
  lossHistory: LossPoint[];
  /** The test targets with the model's and naive's forecasts, for the version's chart. */
  testForecasts: Array<{ targetTime: number; actual: number; predicted: number; naive: number; lower: number; upper: number }>;
}

export interface ForecastPoint {
  /** Open time of the last bar used. */
  madeAt: number;
  targetTime: number;
  predicted: number;
  lower: number;
  upper: number;
  /** Nearest-training-row distance over the typical one; null for models without features. */
  oodScore: number | null;
  /** The feature row the forecast used, keyed by column, for the population-stability index. */
  features: Record<string, number> | null;
}

export interface ModelWorker {
  /** The backend the worker settled on (tensorflow, wasm or cpu). */
  backend(): Promise<TrainingBackend>;
  /** Takes the bars' buffers (transferred, not copied): fingerprint or read them before, not after. */
  train(spec: TrainSpec, bars: BarColumns, onEpoch: (report: EpochReport) => void, signal: AbortSignal): Promise<TrainOutcome>;
  /** Forecasts `horizon` bars past the last of `bars`, which the caller has cut at asOf. */
  predict(artifact: Uint8Array, bars: BarColumns): Promise<ForecastPoint[]>;
  /** Feature set `version` over `bars` (computeFeatures), off the main thread: a long history takes a second. */
  features(bars: BarColumns, timeframe: Timeframe, version: string): Promise<FeatureMatrix>;
  close(): Promise<void>;
}
