import { z } from 'zod';
import { epochMsSchema, jobStatusSchema, symbolSchema } from './domain';
import { timeframeSchema } from './timeframe-schema';
import { modelTypes, presetNames } from './choices';

export { modelTypes, presetNames };

export const modelTypeSchema = z.enum(modelTypes);
export type ModelType = z.infer<typeof modelTypeSchema>;

/** Scored on every evaluation, on exactly the model's test targets. */
export const baselineModelTypes = ['naive', 'seasonal_naive', 'drift'] as const satisfies readonly ModelType[];
export type BaselineModelType = (typeof baselineModelTypes)[number];
export const neuralModelTypes = ['mlp', 'lstm', 'gru'] as const satisfies readonly ModelType[];
export type NeuralModelType = (typeof neuralModelTypes)[number];

export const modelStages = ['candidate', 'active', 'shadow', 'archived'] as const;
export const modelStageSchema = z.enum(modelStages);
export type ModelStage = z.infer<typeof modelStageSchema>;

/** tfjs backends in order of preference; `js` is our own code (baselines, ridge) that needs none. */
export const trainingBackends = ['tensorflow', 'wasm', 'cpu', 'js'] as const;
export const trainingBackendSchema = z.enum(trainingBackends);
export type TrainingBackend = z.infer<typeof trainingBackendSchema>;

/**
 * Scores on the price scale over the test targets. `rel_mae` is MAE over naive's MAE on the
 * same targets (exactly 1 for naive); `mase` is scaled by the in-sample one-step naive MAE of
 * the training rows; `dm_pvalue` is the one-sided Diebold–Mariano p-value (HLN-corrected,
 * Newey–West lag horizon−1) that the model's squared error is lower than naive's, null for naive.
 * A figure is null when it cannot be computed (no test targets, a zero price for MAPE).
 */
export const modelMetricsSchema = z.object({
  mae: z.number().nullable(),
  rmse: z.number().nullable(),
  mape: z.number().nullable(),
  directional_accuracy: z.number().nullable(),
  rel_mae: z.number().nullable(),
  mase: z.number().nullable(),
  dm_pvalue: z.number().nullable(),
  interval_coverage: z.number().nullable(),
});
export type ModelMetrics = z.infer<typeof modelMetricsSchema>;

/** First and last target bar (open times, epoch ms) of a segment, and how many targets. */
export const segmentSchema = z.object({ from: epochMsSchema, to: epochMsSchema, samples: z.number().int() });
export type Segment = z.infer<typeof segmentSchema>;

export const lossPointSchema = z.object({ epoch: z.number().int(), loss: z.number(), valLoss: z.number().nullable() });
export type LossPoint = z.infer<typeof lossPointSchema>;

export const presetNameSchema = z.enum(presetNames);
export type PresetName = z.infer<typeof presetNameSchema>;

/** Accepted as the CLI takes dates: epoch ms, `YYYY-MM-DD` (UTC midnight) or an ISO date-time with its zone. */
export const timeInputSchema = z.union([
  epochMsSchema,
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/, 'Give YYYY-MM-DD or an ISO date-time with its zone')
    .transform((text, context) => {
      const time = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
      if (Number.isNaN(time)) {
        context.addIssue({ code: 'custom', message: `Not a date: ${text}` });
        return z.NEVER;
      }
      return time;
    }),
]);

/** Training choices; absent ones take the model type's defaults. */
export const trainParamsSchema = z
  .object({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    modelType: modelTypeSchema,
    /** Registry name; defaults to `<modelType>-<timeframe>`. */
    modelName: z.string().trim().min(1).max(100).optional(),
    /** Bars ahead the target close lies. */
    horizon: z.number().int().min(1).max(500).default(1),
    from: timeInputSchema.optional(),
    to: timeInputSchema.optional(),
    epochs: z.number().int().min(1).max(1_000).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** Prediction-interval level. */
    level: z.number().gt(0).lt(1).default(0.9),
    /** Bars of history an RNN sees per sample. */
    lookback: z.number().int().min(2).max(512).optional(),
    /** Season length for seasonal_naive, in bars; defaults from the timeframe (24 for 1h, 5 for 1d …). */
    seasonLength: z.number().int().min(2).max(10_000).optional(),
    hiddenUnits: z.number().int().min(1).max(512).optional(),
    learningRate: z.number().gt(0).max(1).optional(),
    batchSize: z.number().int().min(1).max(4_096).optional(),
    /** Epochs without a better validation loss before training stops. */
    patience: z.number().int().min(1).max(100).optional(),
    /** L2 penalty of ridge. */
    ridgeLambda: z.number().min(0).max(1e6).optional(),
    /** Rolling-origin backtest: refit every N test bars. Absent: one fit, one test segment. */
    walkForwardEvery: z.number().int().min(1).max(100_000).optional(),
    /** Stage the new version enters the registry in. */
    stage: z.enum(['candidate', 'shadow']).default('candidate'),
  })
  .strict();
export type TrainParams = z.output<typeof trainParamsSchema>;

export const modelSummarySchema = z.object({
  modelId: z.string(),
  modelName: z.string(),
  modelType: modelTypeSchema,
  version: z.number().int(),
  symbol: z.string(),
  timeframe: timeframeSchema,
  stage: modelStageSchema,
  isActive: z.boolean(),
  metrics: modelMetricsSchema,
  artifactPath: z.string(),
  trainingDate: epochMsSchema,
  backend: z.string(),
  horizon: z.number().int(),
  /** Set when its live rel_mae stayed above 1 for the configured window, or drift crossed a threshold. */
  flagged: z.string().nullable(),
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const stageChangeSchema = z.object({
  at: epochMsSchema,
  from: modelStageSchema.nullable(),
  to: modelStageSchema,
  reason: z.string(),
});
export type StageChange = z.infer<typeof stageChangeSchema>;

export const driftStateSchema = z.object({
  /** Rolling live rel_mae (model MAE ÷ naive MAE over the window); null before any scored prediction. */
  liveRelMae: z.number().nullable(),
  testRelMae: z.number().nullable(),
  scored: z.number().int(),
  pageHinkleyAlarm: z.boolean(),
  /** Population-stability index per feature, live window against training rows; ≥ 0.2 is significant. */
  psi: z.record(z.string(), z.number()),
  /** Live feature rows PSI was measured on; it is judged only from PSI_MIN_SAMPLES (100) on, and never on calendar columns. */
  psiSamples: z.number().int(),
  /** Share of live predictions flagged out of distribution. */
  oodShare: z.number().nullable(),
  /** A DM p-value of the model against naive on the live window; null with too few points. */
  liveDmPvalue: z.number().nullable(),
});
export type DriftState = z.infer<typeof driftStateSchema>;

export const modelDetailSchema = modelSummarySchema.extend({
  hyperparameters: z.record(z.string(), z.unknown()),
  featureSetVersion: z.string(),
  featureColumns: z.array(z.string()),
  artifactSha256: z.string(),
  lineage: z.object({
    trainingRunId: z.string().nullable(),
    dataFrom: epochMsSchema,
    dataTo: epochMsSchema,
    /** sha256 of the training bars (time, OHLCV), so two models on the same data say so. */
    dataFingerprint: z.string().nullable(),
    appVersion: z.string().nullable(),
  }),
  training: segmentSchema.nullable(),
  evaluation: segmentSchema.extend({ horizon: z.number().int(), level: z.number() }).nullable(),
  /** The baselines' scores on the same test targets. */
  baselines: z.record(z.string(), modelMetricsSchema),
  lossHistory: z.array(lossPointSchema),
  /** The test targets with the model's and naive's forecasts and the interval, for the version's forecast-versus-actual chart. */
  testForecasts: z.array(
    z.object({ targetTime: epochMsSchema, actual: z.number(), predicted: z.number(), naive: z.number(), lower: z.number(), upper: z.number() }),
  ),
  stageHistory: z.array(stageChangeSchema),
  drift: driftStateSchema.nullable(),
});
export type ModelDetail = z.infer<typeof modelDetailSchema>;

export const predictionPointSchema = z.object({
  /** Open time of the bar predicted. */
  targetTime: epochMsSchema,
  predicted: z.number(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
});
export type PredictionPoint = z.infer<typeof predictionPointSchema>;

export const storedPredictionSchema = predictionPointSchema.extend({
  modelId: z.string(),
  /** Open time of the last bar the prediction used. */
  madeAt: epochMsSchema,
  horizon: z.number().int(),
  level: z.number().nullable(),
  actual: z.number().nullable(),
  /** Naive's forecast for the same target: the close at madeAt. */
  naive: z.number().nullable(),
  /** Distance to the nearest training row over typical training distances; above the threshold = out of distribution. */
  oodScore: z.number().nullable(),
  outOfDistribution: z.boolean(),
});
export type StoredPrediction = z.infer<typeof storedPredictionSchema>;

export const trainResultSchema = z.object({
  modelId: z.string(),
  version: z.number().int(),
  modelType: modelTypeSchema,
  backend: z.string(),
  metrics: modelMetricsSchema,
  training: segmentSchema,
  evaluation: segmentSchema.extend({ horizon: z.number().int(), level: z.number() }),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

/** One `training_runs` row: every fit, however it ended, as the audit trail of what was tried. */
export const trainingRunSchema = z.object({
  runId: z.string(),
  /** The job run that carried it (`jobs.list`, `jobs.cancel`); the same id for runs started here. */
  jobRunId: z.string().nullable(),
  modelName: z.string(),
  modelType: modelTypeSchema,
  symbols: z.array(z.string()),
  timeframe: timeframeSchema,
  /** What was learned, e.g. `log_return(close, +1)`. */
  target: z.string(),
  horizon: z.number().int(),
  /** Open times of the first and last bar given to the fit. */
  dataFrom: epochMsSchema,
  dataTo: epochMsSchema,
  /** The whole spec the fit ran with. */
  params: z.record(z.string(), z.unknown()),
  featureSetVersion: z.string(),
  backend: z.string(),
  status: jobStatusSchema,
  error: z.string().nullable(),
  /** Samples the fit saw (train, validation and test); null until it succeeds. */
  samples: z.number().int().nullable(),
  epochs: z.number().int(),
  lossHistory: z.array(lossPointSchema),
  metrics: modelMetricsSchema.nullable(),
  startedAt: epochMsSchema,
  finishedAt: epochMsSchema.nullable(),
  /** The registry version it produced; null when it did not register one or that version was deleted. */
  modelId: z.string().nullable(),
});
export type TrainingRunSummary = z.infer<typeof trainingRunSchema>;
/**
 * A condition on making a shadow version active. `live_dm`: the one-sided Diebold–Mariano test
 * over the live window must say it forecasts better than the active version (than naive when
 * none is active) with p < SKILL_PVALUE; otherwise the change is refused, stating the p-value.
 */
export const promotionGateSchema = z.enum(['live_dm']);
export type PromotionGateName = z.infer<typeof promotionGateSchema>;

/** The RPC methods of models and predictions, merged into the contract's `methods`. */
export const modelMethods = {
  /**
   * Starts a training run in the training worker and answers at once with its run id;
   * `training.epoch` and `job.progress` report it, `job.finished` ends it, and
   * `models.get` of the new model then holds the result. With `wait`, answers when done.
   */
  'models.train': {
    input: trainParamsSchema.extend({ preset: presetNameSchema.optional(), wait: z.boolean().default(false) }),
    output: z.object({ runId: z.string(), result: trainResultSchema.nullable() }),
  },
  'models.list': {
    input: z
      .object({
        symbol: symbolSchema.optional(),
        timeframe: timeframeSchema.optional(),
        modelType: modelTypeSchema.optional(),
        stage: modelStageSchema.optional(),
        modelName: z.string().optional(),
      })
      .strict()
      .default({}),
    output: z.object({ models: z.array(modelSummarySchema) }),
  },
  /** The training runs, newest first. */
  'models.runs': {
    input: z
      .object({
        symbol: symbolSchema.optional(),
        modelName: z.string().optional(),
        status: jobStatusSchema.optional(),
        limit: z.number().int().min(1).max(1_000).default(50),
      })
      .strict()
      .default({ limit: 50 }),
    output: z.object({ runs: z.array(trainingRunSchema) }),
  },
  'models.get': {
    input: z.object({ modelId: z.string().min(1) }).strict(),
    output: modelDetailSchema,
  },
  /** Makes it the one active version of its name and symbol; the previous one becomes a candidate. Rolling back is activating an older version. */
  'models.activate': {
    input: z.object({ modelId: z.string().min(1), reason: z.string().max(500).optional(), gate: promotionGateSchema.optional() }).strict(),
    output: modelSummarySchema,
  },
  /** Retires a version: it stops predicting and is kept for its history. An active one is deactivated first. */
  'models.archive': {
    input: z.object({ modelId: z.string().min(1), reason: z.string().max(500).optional() }).strict(),
    output: modelSummarySchema,
  },
  'models.delete': {
    input: z.object({ modelId: z.string().min(1) }).strict(),
    output: z.object({ modelId: z.string(), deletedArtifact: z.boolean() }),
  },
  'models.compare': {
    input: z.object({ modelIds: z.array(z.string().min(1)).min(1).max(20) }).strict(),
    output: z.object({ models: z.array(modelDetailSchema) }),
  },
  /** One self-contained file: registry row, lineage and artifact, base64 in JSON. */
  'models.export': {
    input: z.object({ modelId: z.string().min(1), path: z.string().min(1).optional() }).strict(),
    output: z.object({ modelId: z.string(), path: z.string().nullable(), bytes: z.number().int(), content: z.string().nullable() }),
  },
  'models.import': {
    input: z
      .object({ path: z.string().min(1).optional(), content: z.string().min(1).optional() })
      .strict()
      .refine((r) => (r.path === undefined) !== (r.content === undefined), { message: 'Give `path` or `content`, one of them' }),
    output: modelSummarySchema,
  },
  /** Any stage change: `shadow` runs a challenger beside the active version on the same bars. */
  'models.setStage': {
    input: z.object({ modelId: z.string().min(1), stage: modelStageSchema, reason: z.string().max(500).optional(), gate: promotionGateSchema.optional() }).strict(),
    output: modelSummarySchema,
  },
  'predictions.make': {
    input: z.object({ modelId: z.string().min(1), asOf: timeInputSchema.optional(), store: z.boolean().default(false) }).strict(),
    output: z.object({ modelId: z.string(), asOf: epochMsSchema, predictions: z.array(predictionPointSchema) }),
  },
  'predictions.query': {
    input: z
      .object({
        modelId: z.string().min(1).optional(),
        symbol: symbolSchema.optional(),
        timeframe: timeframeSchema.optional(),
        from: epochMsSchema.optional(),
        to: epochMsSchema.optional(),
        limit: z.number().int().min(1).max(10_000).default(2_000),
      })
      .strict()
      .refine((r) => r.modelId !== undefined || r.symbol !== undefined, { message: 'Give `modelId` or `symbol`' }),
    output: z.object({
      predictions: z.array(storedPredictionSchema),
      /** Rolling live scores beside naive, newest last (model_performance). */
      performance: z.array(
        z.object({
          modelId: z.string(),
          evaluatedAt: epochMsSchema,
          samples: z.number().int(),
          mae: z.number().nullable(),
          naiveMae: z.number().nullable(),
          relMae: z.number().nullable(),
          directionalAccuracy: z.number().nullable(),
        }),
      ),
    }),
  },
} as const;

/**
 * The local file a `models.export` or `models.import` request names, if any, before the input
 * is validated: each transport checks it against what it allows (the CLI any, HTTP and the
 * window none: they send and receive `content`).
 */
export function requestedModelFilePath(method: string, input: unknown): string | null {
  if (method !== 'models.export' && method !== 'models.import') return null;
  if (typeof input !== 'object' || input === null) return null;
  const { path } = input as { path?: unknown };
  return typeof path === 'string' ? path : null;
}

export const modelEvents = {
  'training.epoch': z.object({
    runId: z.string(),
    modelType: modelTypeSchema,
    epoch: z.number().int(),
    epochs: z.number().int(),
    loss: z.number(),
    valLoss: z.number().nullable(),
    backend: z.string(),
    etaMs: z.number().nullable(),
  }),
  /** The registry changed (trained, activated, archived, deleted, imported, flagged); model lists re-read. */
  'models.changed': z.object({ modelId: z.string(), change: z.string() }),
} as const;
