/**
 * Postgres schema (any server; TimescaleDB when available). Table and column names are
 * identical to schema.sqlite.ts; drizzle has no cross-dialect schema, so the two files are
 * kept in step by hand and checked by tests/unit/storage/schema-twins.test.ts. Times are UTC epoch
 * milliseconds in `bigint` read as JS numbers; JSON is `jsonb` so it is validated and
 * can be queried (news tickers, model metrics).
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, doublePrecision, index, integer, jsonb, pgTable, pgView, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { RestoreDrill, RestoreOutcome } from '../../shared/backups';
import type { Instrument, JobRun } from '../../shared/domain';
import type { LiveTracking, RetryPolicy, ScheduledJobKind } from '../../shared/scheduler';
import type { Timeframe } from '../../shared/timeframes';

type Json = Record<string, unknown>;

export const instruments = pgTable('instruments', {
  symbol: text('symbol').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').$type<Instrument['kind']>().notNull(),
  unit: text('unit').notNull(),
  currency: text('currency').notNull(),
  providerSymbols: jsonb('provider_symbols').$type<Instrument['providerSymbols']>().notNull().default({}),
  /** IANA zone of its exchange, for charts in exchange time; null over the counter and for crypto. */
  exchangeTimeZone: text('exchange_time_zone'),
  /** When the user deleted it; the row stays so the built-in catalogue does not bring it back. */
  deletedAt: bigint('deleted_at', { mode: 'number' }),
});

/** Base bars exactly as fetched or imported; coarser timeframes are aggregated on query. */
export const marketData = pgTable(
  'market_data',
  {
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    /** Bar open time. */
    time: bigint('time', { mode: 'number' }).notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    volume: doublePrecision('volume').notNull(),
    source: text('source').notNull(),
    ingestedAt: bigint('ingested_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.time] })],
);

/**
 * 1h and 1d aggregates of every stored base timeframe finer than them, maintained in the
 * same transaction as the base bars, so a weekly chart over years of minute bars reads
 * daily rows instead of millions of minutes.
 */
export const marketDataRollup = pgTable(
  'market_data_rollup',
  {
    symbol: text('symbol').notNull(),
    baseTimeframe: text('base_timeframe').$type<Timeframe>().notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    time: bigint('time', { mode: 'number' }).notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    volume: doublePrecision('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.baseTimeframe, t.timeframe, t.time] })],
);

/**
 * Per series and source: first and last bar and how many there are. Kept exact by every
 * upsert, in its transaction, so coverage and bar counts (status bar, Markets list) never
 * scan market_data. Anything else that writes market_data must keep it in step.
 */
export const marketDataSeries = pgTable(
  'market_data_series',
  {
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    source: text('source').notNull(),
    firstTime: bigint('first_time', { mode: 'number' }).notNull(),
    lastTime: bigint('last_time', { mode: 'number' }).notNull(),
    barCount: bigint('bar_count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.source] })],
);

/** Spot snapshots from polling, the short-horizon model's input. */
export const preciousMetalsPrices = pgTable(
  'precious_metals_prices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    metal: text('metal').notNull(),
    price: doublePrecision('price').notNull(),
    timestamp: bigint('timestamp', { mode: 'number' }).notNull(),
    source: text('source').notNull(),
  },
  (t) => [
    uniqueIndex('precious_metals_prices_metal_source_timestamp_idx').on(t.metal, t.source, t.timestamp),
    index('precious_metals_prices_timestamp_idx').on(t.timestamp),
  ],
);

export const latest12HourPrices = pgView('latest_12_hour_prices').as((qb) =>
  qb
    .select()
    .from(preciousMetalsPrices)
    .where(sql`${preciousMetalsPrices.timestamp} >= (extract(epoch from now()) * 1000)::bigint - 43200000`),
);

export const news = pgTable(
  'news',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    provider: text('provider').notNull(),
    providerId: text('provider_id').notNull(),
    publishedAt: bigint('published_at', { mode: 'number' }).notNull(),
    title: text('title').notNull(),
    url: text('url').notNull(),
    tickers: jsonb('tickers').$type<string[]>().notNull().default([]),
    publisher: text('publisher'),
    /** -1 (bearish) … 1 (bullish) when the provider scores it. */
    sentiment: doublePrecision('sentiment'),
  },
  (t) => [
    uniqueIndex('news_provider_provider_id_idx').on(t.provider, t.providerId),
    index('news_published_at_idx').on(t.publishedAt),
  ],
);

/** Scheduled jobs declared as data: what runs, when, against which provider. */
export const ingestJobs = pgTable('ingest_jobs', {
  id: text('id').primaryKey(),
  name: text('name').notNull().default(''),
  kind: text('kind').$type<ScheduledJobKind>().notNull(),
  provider: text('provider'),
  symbols: jsonb('symbols').$type<string[]>().notNull().default([]),
  timeframe: text('timeframe').$type<Timeframe>(),
  /** Cron expression; null means run on demand only. */
  schedule: text('schedule'),
  /** IANA zone the schedule is read in. */
  timezone: text('timezone').notNull().default('UTC'),
  /** How far back a first run reaches when nothing is stored yet. */
  lookbackDays: integer('lookback_days').notNull().default(30),
  enabled: boolean('enabled').notNull().default(true),
  retryPolicy: jsonb('retry_policy').$type<RetryPolicy>(),
  timeoutMs: integer('timeout_ms'),
  dependsOn: jsonb('depends_on').$type<string[]>().notNull().default([]),
  /** `train`: the registry name it retrains. */
  modelName: text('model_name'),
  /** `predict`: scoring window, drift response, retirement; null = the defaults. */
  tracking: jsonb('tracking').$type<LiveTracking>(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  /** The schedule time last fired, by any process: claimed atomically so processes sharing the database fire it once. */
  lastFiredAt: bigint('last_fired_at', { mode: 'number' }),
});

export const jobRuns = pgTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<JobRun['kind']>().notNull(),
    status: text('status').$type<JobRun['status']>().notNull(),
    description: text('description').notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    rows: integer('rows').notNull().default(0),
    error: text('error'),
    /** The scheduled job (ingest_jobs.id) this run belongs to; null for one-off runs. */
    ingestJobId: text('ingest_job_id'),
    /** The process running it; with heartbeat_at, tells a live run from one a dead process left behind. */
    owner: text('owner'),
    heartbeatAt: bigint('heartbeat_at', { mode: 'number' }),
    /** What the run reports about itself beyond rows and error, e.g. a backfill's summary. */
    details: jsonb('details').$type<Json>(),
  },
  (t) => [
    index('job_runs_ingest_job_started_at_idx').on(t.ingestJobId, t.startedAt),
    index('job_runs_started_at_idx').on(t.startedAt),
    index('job_runs_kind_started_at_idx').on(t.kind, t.startedAt),
    index('job_runs_status_idx').on(t.status),
  ],
);

/** Resume point of every backfill, committed with each chunk it covers. */
export const backfillCheckpoints = pgTable(
  'backfill_checkpoints',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    rangeFrom: bigint('range_from', { mode: 'number' }).notNull(),
    rangeTo: bigint('range_to', { mode: 'number' }).notNull(),
    /** Open time of the next bar to fetch. */
    resumeFrom: bigint('resume_from', { mode: 'number' }).notNull(),
    rowsWritten: bigint('rows_written', { mode: 'number' }).notNull().default(0),
    status: text('status').notNull(),
    jobRunId: text('job_run_id'),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('backfill_checkpoints_symbol_timeframe_idx').on(t.symbol, t.timeframe)],
);

/**
 * The earliest bar a provider serves to one key for one timeframe, learned from the
 * provider's refusals (plans differ in history depth). Keyed by a fingerprint of the key,
 * never the key itself, so another key (another plan) learns its own.
 */
export const providerPlanDepth = pgTable(
  'provider_plan_depth',
  {
    provider: text('provider').notNull(),
    /** sha256 prefix of the API key; 'keyless' for a provider without one. */
    keyFingerprint: text('key_fingerprint').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    /** Open time of the earliest bar the key may read. */
    historyStart: bigint('history_start', { mode: 'number' }).notNull(),
    learnedAt: bigint('learned_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.keyFingerprint, t.timeframe] })],
);

export const featureStore = pgTable(
  'feature_store',
  {
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    featureSetVersion: text('feature_set_version').notNull(),
    time: bigint('time', { mode: 'number' }).notNull(),
    features: jsonb('features').$type<Record<string, number | null>>().notNull(),
    computedAt: bigint('computed_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.featureSetVersion, t.time] })],
);

export const trainingRuns = pgTable(
  'training_runs',
  {
    id: text('id').primaryKey(),
    modelName: text('model_name').notNull(),
    modelType: text('model_type').notNull(),
    symbols: jsonb('symbols').$type<string[]>().notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    target: text('target').notNull(),
    horizon: integer('horizon').notNull(),
    dataFrom: bigint('data_from', { mode: 'number' }).notNull(),
    dataTo: bigint('data_to', { mode: 'number' }).notNull(),
    hyperparameters: jsonb('hyperparameters').$type<Json>().notNull(),
    featureSetVersion: text('feature_set_version').notNull(),
    backend: text('backend').notNull(),
    status: text('status').$type<JobRun['status']>().notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    epochs: integer('epochs').notNull().default(0),
    lossHistory: jsonb('loss_history').$type<Array<{ epoch: number; loss: number; valLoss: number | null }>>().notNull().default([]),
    metrics: jsonb('metrics').$type<Json>(),
    error: text('error'),
    jobRunId: text('job_run_id'),
    /** Samples the fit saw (train, validation and test together). */
    samples: integer('samples'),
  },
  (t) => [index('training_runs_started_at_idx').on(t.startedAt)],
);

export const modelRegistry = pgTable(
  'model_registry',
  {
    modelId: text('model_id').primaryKey(),
    modelName: text('model_name').notNull(),
    modelType: text('model_type').notNull(),
    version: integer('version').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    trainingDate: bigint('training_date', { mode: 'number' }).notNull(),
    metrics: jsonb('metrics').$type<Json>().notNull(),
    hyperparameters: jsonb('hyperparameters').$type<Json>().notNull(),
    featureColumns: jsonb('feature_columns').$type<string[]>().notNull(),
    featureSetVersion: text('feature_set_version').notNull(),
    dataFrom: bigint('data_from', { mode: 'number' }).notNull(),
    dataTo: bigint('data_to', { mode: 'number' }).notNull(),
    artifactPath: text('artifact_path').notNull(),
    artifactSha256: text('artifact_sha256').notNull(),
    backend: text('backend').notNull(),
    /** candidate | active | shadow | archived */
    stage: text('stage').notNull().default('candidate'),
    isActive: boolean('is_active').notNull().default(false),
    trainingRunId: text('training_run_id').references(() => trainingRuns.id, { onDelete: 'set null' }),
    /** sha256 of the training bars (time, OHLCV), so two versions on the same data say so. */
    dataFingerprint: text('data_fingerprint'),
    appVersion: text('app_version'),
    horizon: integer('horizon').notNull().default(1),
    intervalLevel: doublePrecision('interval_level'),
    /** First and last target and sample count of the training and test segments. */
    trainingSegment: jsonb('training_segment').$type<Json>(),
    evaluationSegment: jsonb('evaluation_segment').$type<Json>(),
    /** The baselines' metrics on exactly the same test targets, keyed by model type. */
    baselines: jsonb('baselines').$type<Json>().notNull().default({}),
    /** The test targets with the model's and naive's forecasts, for the version's chart. */
    testForecasts: jsonb('test_forecasts').$type<Array<Json>>().notNull().default([]),
    /** Why the version was flagged (live rel_mae above 1 for the window, drift), or null. */
    flagged: text('flagged'),
  },
  (t) => [
    uniqueIndex('model_registry_name_symbol_version_idx').on(t.modelName, t.symbol, t.version),
    // One active model per name and symbol, enforced by the database rather than by hope.
    uniqueIndex('model_registry_one_active_idx').on(t.modelName, t.symbol).where(sql`${t.isActive}`),
  ],
);

/** Every stage change of a version with its time and reason, so "which version was active on date D" has an answer. */
export const modelStageHistory = pgTable(
  'model_stage_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    modelId: text('model_id')
      .notNull()
      .references(() => modelRegistry.modelId, { onDelete: 'cascade' }),
    at: bigint('at', { mode: 'number' }).notNull(),
    /** Null when the version entered the registry. */
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [index('model_stage_history_model_at_idx').on(t.modelId, t.at), index('model_stage_history_at_idx').on(t.at)],
);

/** Live scores of a model on windows of actual bars, beside the naive baseline. */
export const modelPerformance = pgTable(
  'model_performance',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    modelId: text('model_id')
      .notNull()
      .references(() => modelRegistry.modelId, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    evaluatedAt: bigint('evaluated_at', { mode: 'number' }).notNull(),
    windowFrom: bigint('window_from', { mode: 'number' }).notNull(),
    windowTo: bigint('window_to', { mode: 'number' }).notNull(),
    samples: integer('samples').notNull(),
    mae: doublePrecision('mae'),
    rmse: doublePrecision('rmse'),
    mape: doublePrecision('mape'),
    directionalAccuracy: doublePrecision('directional_accuracy'),
    mase: doublePrecision('mase'),
    naiveMae: doublePrecision('naive_mae'),
  },
  (t) => [index('model_performance_model_evaluated_idx').on(t.modelId, t.evaluatedAt)],
);

export const predictions = pgTable(
  'predictions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    modelId: text('model_id')
      .notNull()
      .references(() => modelRegistry.modelId, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    madeAt: bigint('made_at', { mode: 'number' }).notNull(),
    /** Open time of the bar the prediction is about. */
    targetTime: bigint('target_time', { mode: 'number' }).notNull(),
    horizon: integer('horizon').notNull(),
    predicted: doublePrecision('predicted').notNull(),
    lower: doublePrecision('lower'),
    upper: doublePrecision('upper'),
    intervalLevel: doublePrecision('interval_level'),
    actual: doublePrecision('actual'),
    scoredAt: bigint('scored_at', { mode: 'number' }),    /** Naive's forecast for the same target: the close at made_at. */
    naive: doublePrecision('naive'),
    oodScore: doublePrecision('ood_score'),
    outOfDistribution: boolean('out_of_distribution').notNull().default(false),
    /** The feature row the forecast used, for the population-stability index. */
    features: jsonb('features').$type<Record<string, number>>(),
  },
  (t) => [
    uniqueIndex('predictions_model_target_idx').on(t.modelId, t.symbol, t.timeframe, t.madeAt, t.horizon),
    index('predictions_symbol_target_idx').on(t.symbol, t.timeframe, t.targetTime),
  ],
);

export const backups = pgTable(
  'backups',
  {
    id: text('id').primaryKey(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    /** manual | scheduled | safety */
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    path: text('path').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    sha256: text('sha256'),
    schemaVersion: text('schema_version').notNull(),
    appVersion: text('app_version').notNull(),
    encrypted: boolean('encrypted').notNull().default(false),
    manifest: jsonb('manifest').$type<Json>(),
    verifiedAt: bigint('verified_at', { mode: 'number' }),
    error: text('error'),
    /** A pinned backup is never pruned by the keep rules. */
    pinned: boolean('pinned').notNull().default(false),
  },
  (t) => [index('backups_created_at_idx').on(t.createdAt)],
);

/** Restore drills: a verified backup restored into a scratch database and queried. No foreign key: a drill's record outlives its pruned backup. */
export const backupDrills = pgTable(
  'backup_drills',
  {
    id: text('id').primaryKey(),
    backupId: text('backup_id').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    ok: boolean('ok').notNull(),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    checks: jsonb('checks').$type<RestoreDrill['checks']>().notNull(),
    error: text('error'),
  },
  (t) => [index('backup_drills_at_idx').on(t.at)],
);

/** Restores done in this workspace, newest last; the latest is "last restore" with its undo. */
export const restores = pgTable(
  'restores',
  {
    id: text('id').primaryKey(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }).notNull(),
    /** The backup id or archive path restored ("from" is a reserved word in SQL). */
    restoredFrom: text('restored_from').notNull(),
    safetyBackupId: text('safety_backup_id'),
    /** The database mode the archive was restored into. */
    database: text('database').notNull(),
    tables: jsonb('tables').$type<RestoreOutcome['tables']>().notNull(),
  },
  (t) => [index('restores_finished_at_idx').on(t.finishedAt)],
);

export const alerts = pgTable(
  'alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    /** info | warning | error */
    severity: text('severity').notNull(),
    source: text('source').notNull(),
    message: text('message').notNull(),
    details: jsonb('details').$type<Json>(),
    acknowledgedAt: bigint('acknowledged_at', { mode: 'number' }),
  },
  (t) => [index('alerts_created_at_idx').on(t.createdAt)],
);

/** Price alerts (src/shared/price-alerts.ts): the condition and rearm rule as the contract shapes them, and where evaluation stands. */
export const priceAlerts = pgTable(
  'price_alerts',
  {
    id: text('id').primaryKey(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    condition: jsonb('condition').$type<Json>().notNull(),
    rearm: jsonb('rearm').$type<Json>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    note: text('note'),
    /** waiting | armed | fired */
    state: text('state').notNull(),
    /** Whether the value was beyond the level at the last bar evaluated; null while waiting. */
    beyond: boolean('beyond'),
    lastBarTime: bigint('last_bar_time', { mode: 'number' }),
    lastFiredAt: bigint('last_fired_at', { mode: 'number' }),
    /** Bumped by every write, so two evaluations of the same bars (two processes) store and fire once. */
    version: integer('version').notNull().default(0),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('price_alerts_symbol_idx').on(t.symbol)],
);

/**
 * Chart drawings (src/shared/drawings.ts): points are (time, price) pairs in epoch ms, so one
 * drawing shows on every timeframe of its instrument.
 */
export const drawings = pgTable(
  'drawings',
  {
    id: text('id').primaryKey(),
    symbol: text('symbol').notNull(),
    /** horizontalLine | trendLine | ray | rectangle | fibRetracement | text */
    kind: text('kind').notNull(),
    points: jsonb('points').$type<Json>().notNull(),
    /** A text note's text; null for the other kinds. */
    text: text('text'),
    /** Bumped by every write, so an edit based on a stale copy (another window) is refused, not lost. */
    version: integer('version').notNull().default(0),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('drawings_symbol_idx').on(t.symbol)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: bigint('at', { mode: 'number' }).notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    details: jsonb('details').$type<Json>(),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
);

/** Raw bytes; drizzle's pg-core has no bytea column of its own. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The offline cache's outbox (src/core/sync). Only a SQLite cache fills it; the table exists here
 * so both dialects keep one schema. Machine-local: never backed up, never synced.
 */
export const syncOutbox = pgTable('sync_outbox', {
  seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  tableName: text('table_name').notNull(),
  /** The changed row's primary key values as a JSON array, in the key's column order. */
  rowKey: text('row_key').notNull(),
  /** insert | update | delete */
  op: text('op').notNull(),
  changedAt: bigint('changed_at', { mode: 'number' }).notNull(),
});

/** What the sync engine keeps about this database: the cache's id, the last sync, what a cache pushed into this primary. Machine-local. */
export const syncState = pgTable('sync_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Model artifacts as the team shares them in its database, so a model trained on one desktop can be loaded on every other. */
export const modelArtifacts = pgTable('model_artifacts', {
  modelId: text('model_id').primaryKey(),
  /** The artifact file's bytes (models/<id>/artifact.bin); sha256 is the registry's artifact_sha256 of them. */
  bytes: bytea('bytes').notNull(),
  sha256: text('sha256').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  storedAt: bigint('stored_at', { mode: 'number' }).notNull(),
});
