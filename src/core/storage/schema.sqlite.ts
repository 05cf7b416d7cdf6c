/**
 * SQLite schema (the embedded default). Table and column names are identical to
 * schema.pg.ts; drizzle has no cross-dialect schema, so the two files are kept in step
 * by hand and checked by tests/unit/storage/schema-twins.test.ts. Times are UTC epoch milliseconds.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, sqliteView, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { RestoreDrill, RestoreOutcome } from '../../shared/backups';
import type { Instrument, JobRun } from '../../shared/domain';
import type { LiveTracking, RetryPolicy, ScheduledJobKind } from '../../shared/scheduler';
import type { Timeframe } from '../../shared/timeframes';

type Json = Record<string, unknown>;

export const instruments = sqliteTable('instruments', {
  symbol: text('symbol').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').$type<Instrument['kind']>().notNull(),
  unit: text('unit').notNull(),
  currency: text('currency').notNull(),
  providerSymbols: text('provider_symbols', { mode: 'json' }).$type<Instrument['providerSymbols']>().notNull().default({}),
  /** IANA zone of its exchange, for charts in exchange time; null over the counter and for crypto. */
  exchangeTimeZone: text('exchange_time_zone'),
  /** When the user deleted it; the row stays so the built-in catalogue does not bring it back. */
  deletedAt: integer('deleted_at'),
});

/**
 * Base bars exactly as fetched or imported; coarser timeframes are aggregated on query.
 * The migration creates this table and market_data_rollup WITHOUT ROWID, edited in by
 * hand because drizzle has no option for it: rows are then stored in primary-key order
 * and a range of bars is one B-tree scan, which halves chart query times. A future
 * migration that rebuilds either table must keep WITHOUT ROWID.
 */
export const marketData = sqliteTable(
  'market_data',
  {
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    /** Bar open time. */
    time: integer('time').notNull(),
    open: real('open').notNull(),
    high: real('high').notNull(),
    low: real('low').notNull(),
    close: real('close').notNull(),
    volume: real('volume').notNull(),
    source: text('source').notNull(),
    ingestedAt: integer('ingested_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.time] })],
);

/**
 * 1h and 1d aggregates of every stored base timeframe finer than them, maintained in the
 * same transaction as the base bars, so a weekly chart over years of minute bars reads
 * daily rows instead of millions of minutes.
 */
export const marketDataRollup = sqliteTable(
  'market_data_rollup',
  {
    symbol: text('symbol').notNull(),
    baseTimeframe: text('base_timeframe').$type<Timeframe>().notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    time: integer('time').notNull(),
    open: real('open').notNull(),
    high: real('high').notNull(),
    low: real('low').notNull(),
    close: real('close').notNull(),
    volume: real('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.baseTimeframe, t.timeframe, t.time] })],
);

/**
 * Per series and source: first and last bar and how many there are. Kept exact by every
 * upsert, in its transaction, so coverage and bar counts (status bar, Markets list) never
 * scan market_data. Anything else that writes market_data must keep it in step.
 */
export const marketDataSeries = sqliteTable(
  'market_data_series',
  {
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    source: text('source').notNull(),
    firstTime: integer('first_time').notNull(),
    lastTime: integer('last_time').notNull(),
    barCount: integer('bar_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.source] })],
);

/** Spot snapshots from polling, the short-horizon model's input. */
export const preciousMetalsPrices = sqliteTable(
  'precious_metals_prices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    metal: text('metal').notNull(),
    price: real('price').notNull(),
    timestamp: integer('timestamp').notNull(),
    source: text('source').notNull(),
  },
  (t) => [
    uniqueIndex('precious_metals_prices_metal_source_timestamp_idx').on(t.metal, t.source, t.timestamp),
    index('precious_metals_prices_timestamp_idx').on(t.timestamp),
  ],
);

export const latest12HourPrices = sqliteView('latest_12_hour_prices').as((qb) =>
  qb
    .select()
    .from(preciousMetalsPrices)
    .where(sql`${preciousMetalsPrices.timestamp} >= unixepoch('subsec') * 1000 - 43200000`),
);

export const news = sqliteTable(
  'news',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    providerId: text('provider_id').notNull(),
    publishedAt: integer('published_at').notNull(),
    title: text('title').notNull(),
    url: text('url').notNull(),
    tickers: text('tickers', { mode: 'json' }).$type<string[]>().notNull().default([]),
    publisher: text('publisher'),
    /** -1 (bearish) … 1 (bullish) when the provider scores it. */
    sentiment: real('sentiment'),
  },
  (t) => [
    uniqueIndex('news_provider_provider_id_idx').on(t.provider, t.providerId),
    index('news_published_at_idx').on(t.publishedAt),
  ],
);

/** Scheduled jobs declared as data: what runs, when, against which provider. */
export const ingestJobs = sqliteTable('ingest_jobs', {
  id: text('id').primaryKey(),
  name: text('name').notNull().default(''),
  kind: text('kind').$type<ScheduledJobKind>().notNull(),
  provider: text('provider'),
  symbols: text('symbols', { mode: 'json' }).$type<string[]>().notNull().default([]),
  timeframe: text('timeframe').$type<Timeframe>(),
  /** Cron expression; null means run on demand only. */
  schedule: text('schedule'),
  /** IANA zone the schedule is read in. */
  timezone: text('timezone').notNull().default('UTC'),
  /** How far back a first run reaches when nothing is stored yet. */
  lookbackDays: integer('lookback_days').notNull().default(30),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  retryPolicy: text('retry_policy', { mode: 'json' }).$type<RetryPolicy>(),
  timeoutMs: integer('timeout_ms'),
  dependsOn: text('depends_on', { mode: 'json' }).$type<string[]>().notNull().default([]),
  /** `train`: the registry name it retrains. */
  modelName: text('model_name'),
  /** `predict`: scoring window, drift response, retirement; null = the defaults. */
  tracking: text('tracking', { mode: 'json' }).$type<LiveTracking>(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** The schedule time last fired, by any process: claimed atomically so processes sharing the database fire it once. */
  lastFiredAt: integer('last_fired_at'),
});

export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<JobRun['kind']>().notNull(),
    status: text('status').$type<JobRun['status']>().notNull(),
    description: text('description').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    rows: integer('rows').notNull().default(0),
    error: text('error'),
    /** The scheduled job (ingest_jobs.id) this run belongs to; null for one-off runs. */
    ingestJobId: text('ingest_job_id'),
    /** The process running it; with heartbeat_at, tells a live run from one a dead process left behind. */
    owner: text('owner'),
    heartbeatAt: integer('heartbeat_at'),
    /** What the run reports about itself beyond rows and error, e.g. a backfill's summary. */
    details: text('details', { mode: 'json' }).$type<Json>(),
  },
  (t) => [
    index('job_runs_ingest_job_started_at_idx').on(t.ingestJobId, t.startedAt),
    index('job_runs_started_at_idx').on(t.startedAt),
    index('job_runs_kind_started_at_idx').on(t.kind, t.startedAt),
    index('job_runs_status_idx').on(t.status),
  ],
);

/** Resume point of every backfill, committed with each chunk it covers. */
export const backfillCheckpoints = sqliteTable(
  'backfill_checkpoints',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    rangeFrom: integer('range_from').notNull(),
    rangeTo: integer('range_to').notNull(),
    /** Open time of the next bar to fetch. */
    resumeFrom: integer('resume_from').notNull(),
    rowsWritten: integer('rows_written').notNull().default(0),
    status: text('status').notNull(),
    jobRunId: text('job_run_id'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('backfill_checkpoints_symbol_timeframe_idx').on(t.symbol, t.timeframe)],
);

/**
 * The earliest bar a provider serves to one key for one timeframe, learned from the
 * provider's refusals (plans differ in history depth). Keyed by a fingerprint of the key,
 * never the key itself, so another key (another plan) learns its own.
 */
export const providerPlanDepth = sqliteTable(
  'provider_plan_depth',
  {
    provider: text('provider').notNull(),
    /** sha256 prefix of the API key; 'keyless' for a provider without one. */
    keyFingerprint: text('key_fingerprint').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    /** Open time of the earliest bar the key may read. */
    historyStart: integer('history_start').notNull(),
    learnedAt: integer('learned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.keyFingerprint, t.timeframe] })],
);

export const featureStore = sqliteTable(
  'feature_store',
  {
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    featureSetVersion: text('feature_set_version').notNull(),
    time: integer('time').notNull(),
    features: text('features', { mode: 'json' }).$type<Record<string, number | null>>().notNull(),
    computedAt: integer('computed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.featureSetVersion, t.time] })],
);

export const trainingRuns = sqliteTable(
  'training_runs',
  {
    id: text('id').primaryKey(),
    modelName: text('model_name').notNull(),
    modelType: text('model_type').notNull(),
    symbols: text('symbols', { mode: 'json' }).$type<string[]>().notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    target: text('target').notNull(),
    horizon: integer('horizon').notNull(),
    dataFrom: integer('data_from').notNull(),
    dataTo: integer('data_to').notNull(),
    hyperparameters: text('hyperparameters', { mode: 'json' }).$type<Json>().notNull(),
    featureSetVersion: text('feature_set_version').notNull(),
    backend: text('backend').notNull(),
    status: text('status').$type<JobRun['status']>().notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    epochs: integer('epochs').notNull().default(0),
    lossHistory: text('loss_history', { mode: 'json' }).$type<Array<{ epoch: number; loss: number; valLoss: number | null }>>().notNull().default([]),
    metrics: text('metrics', { mode: 'json' }).$type<Json>(),
    error: text('error'),
    jobRunId: text('job_run_id'),
    /** Samples the fit saw (train, validation and test together). */
    samples: integer('samples'),
  },
  (t) => [index('training_runs_started_at_idx').on(t.startedAt)],
);

export const modelRegistry = sqliteTable(
  'model_registry',
  {
    modelId: text('model_id').primaryKey(),
    modelName: text('model_name').notNull(),
    modelType: text('model_type').notNull(),
    version: integer('version').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    trainingDate: integer('training_date').notNull(),
    metrics: text('metrics', { mode: 'json' }).$type<Json>().notNull(),
    hyperparameters: text('hyperparameters', { mode: 'json' }).$type<Json>().notNull(),
    featureColumns: text('feature_columns', { mode: 'json' }).$type<string[]>().notNull(),
    featureSetVersion: text('feature_set_version').notNull(),
    dataFrom: integer('data_from').notNull(),
    dataTo: integer('data_to').notNull(),
    artifactPath: text('artifact_path').notNull(),
    artifactSha256: text('artifact_sha256').notNull(),
    backend: text('backend').notNull(),
    /** candidate | active | shadow | archived */
    stage: text('stage').notNull().default('candidate'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(false),
    trainingRunId: text('training_run_id').references(() => trainingRuns.id, { onDelete: 'set null' }),
    /** sha256 of the training bars (time, OHLCV), so two versions on the same data say so. */
    dataFingerprint: text('data_fingerprint'),
    appVersion: text('app_version'),
    horizon: integer('horizon').notNull().default(1),
    intervalLevel: real('interval_level'),
    /** First and last target and sample count of the training and test segments. */
    trainingSegment: text('training_segment', { mode: 'json' }).$type<Json>(),
    evaluationSegment: text('evaluation_segment', { mode: 'json' }).$type<Json>(),
    /** The baselines' metrics on exactly the same test targets, keyed by model type. */
    baselines: text('baselines', { mode: 'json' }).$type<Json>().notNull().default({}),
    /** The test targets with the model's and naive's forecasts, for the version's chart. */
    testForecasts: text('test_forecasts', { mode: 'json' }).$type<Array<Json>>().notNull().default([]),
    /** Why the version was flagged (live rel_mae above 1 for the window, drift), or null. */
    flagged: text('flagged'),
  },
  (t) => [
    uniqueIndex('model_registry_name_symbol_version_idx').on(t.modelName, t.symbol, t.version),
    // One active model per name and symbol, enforced by the database rather than by hope.
    uniqueIndex('model_registry_one_active_idx').on(t.modelName, t.symbol).where(sql`${t.isActive} = 1`),
  ],
);

/** Every stage change of a version with its time and reason, so "which version was active on date D" has an answer. */
export const modelStageHistory = sqliteTable(
  'model_stage_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: text('model_id')
      .notNull()
      .references(() => modelRegistry.modelId, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    /** Null when the version entered the registry. */
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [index('model_stage_history_model_at_idx').on(t.modelId, t.at), index('model_stage_history_at_idx').on(t.at)],
);

/** Live scores of a model on windows of actual bars, beside the naive baseline. */
export const modelPerformance = sqliteTable(
  'model_performance',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: text('model_id')
      .notNull()
      .references(() => modelRegistry.modelId, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    evaluatedAt: integer('evaluated_at').notNull(),
    windowFrom: integer('window_from').notNull(),
    windowTo: integer('window_to').notNull(),
    samples: integer('samples').notNull(),
    mae: real('mae'),
    rmse: real('rmse'),
    mape: real('mape'),
    directionalAccuracy: real('directional_accuracy'),
    mase: real('mase'),
    naiveMae: real('naive_mae'),
  },
  (t) => [index('model_performance_model_evaluated_idx').on(t.modelId, t.evaluatedAt)],
);

export const predictions = sqliteTable(
  'predictions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: text('model_id')
      .notNull()
      .references(() => modelRegistry.modelId, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    madeAt: integer('made_at').notNull(),
    /** Open time of the bar the prediction is about. */
    targetTime: integer('target_time').notNull(),
    horizon: integer('horizon').notNull(),
    predicted: real('predicted').notNull(),
    lower: real('lower'),
    upper: real('upper'),
    intervalLevel: real('interval_level'),
    actual: real('actual'),
    scoredAt: integer('scored_at'),    /** Naive's forecast for the same target: the close at made_at. */
    naive: real('naive'),
    oodScore: real('ood_score'),
    outOfDistribution: integer('out_of_distribution', { mode: 'boolean' }).notNull().default(false),
    /** The feature row the forecast used, for the population-stability index. */
    features: text('features', { mode: 'json' }).$type<Record<string, number>>(),
  },
  (t) => [
    uniqueIndex('predictions_model_target_idx').on(t.modelId, t.symbol, t.timeframe, t.madeAt, t.horizon),
    index('predictions_symbol_target_idx').on(t.symbol, t.timeframe, t.targetTime),
  ],
);

export const backups = sqliteTable(
  'backups',
  {
    id: text('id').primaryKey(),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
    /** manual | scheduled | safety */
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    path: text('path').notNull(),
    sizeBytes: integer('size_bytes'),
    sha256: text('sha256'),
    schemaVersion: text('schema_version').notNull(),
    appVersion: text('app_version').notNull(),
    encrypted: integer('encrypted', { mode: 'boolean' }).notNull().default(false),
    manifest: text('manifest', { mode: 'json' }).$type<Json>(),
    verifiedAt: integer('verified_at'),
    error: text('error'),
    /** A pinned backup is never pruned by the keep rules. */
    pinned: integer('pinned', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('backups_created_at_idx').on(t.createdAt)],
);

/** Restore drills: a verified backup restored into a scratch database and queried. No foreign key: a drill's record outlives its pruned backup. */
export const backupDrills = sqliteTable(
  'backup_drills',
  {
    id: text('id').primaryKey(),
    backupId: text('backup_id').notNull(),
    at: integer('at').notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    checks: text('checks', { mode: 'json' }).$type<RestoreDrill['checks']>().notNull(),
    error: text('error'),
  },
  (t) => [index('backup_drills_at_idx').on(t.at)],
);

/** Restores done in this workspace, newest last; the latest is "last restore" with its undo. */
export const restores = sqliteTable(
  'restores',
  {
    id: text('id').primaryKey(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    /** The backup id or archive path restored ("from" is a reserved word in SQL). */
    restoredFrom: text('restored_from').notNull(),
    safetyBackupId: text('safety_backup_id'),
    /** The database mode the archive was restored into. */
    database: text('database').notNull(),
    tables: text('tables', { mode: 'json' }).$type<RestoreOutcome['tables']>().notNull(),
  },
  (t) => [index('restores_finished_at_idx').on(t.finishedAt)],
);

export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    createdAt: integer('created_at').notNull(),
    /** info | warning | error */
    severity: text('severity').notNull(),
    source: text('source').notNull(),
    message: text('message').notNull(),
    details: text('details', { mode: 'json' }).$type<Json>(),
    acknowledgedAt: integer('acknowledged_at'),
  },
  (t) => [index('alerts_created_at_idx').on(t.createdAt)],
);

/** Price alerts (src/shared/price-alerts.ts): the condition and rearm rule as the contract shapes them, and where evaluation stands. */
export const priceAlerts = sqliteTable(
  'price_alerts',
  {
    id: text('id').primaryKey(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').$type<Timeframe>().notNull(),
    condition: text('condition', { mode: 'json' }).$type<Json>().notNull(),
    rearm: text('rearm', { mode: 'json' }).$type<Json>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    note: text('note'),
    /** waiting | armed | fired */
    state: text('state').notNull(),
    /** Whether the value was beyond the level at the last bar evaluated; null while waiting. */
    beyond: integer('beyond', { mode: 'boolean' }),
    lastBarTime: integer('last_bar_time'),
    lastFiredAt: integer('last_fired_at'),
    /** Bumped by every write, so two evaluations of the same bars (two processes) store and fire once. */
    version: integer('version').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('price_alerts_symbol_idx').on(t.symbol)],
);

/**
 * Chart drawings (src/shared/drawings.ts): points are (time, price) pairs in epoch ms, so one
 * drawing shows on every timeframe of its instrument.
 */
export const drawings = sqliteTable(
  'drawings',
  {
    id: text('id').primaryKey(),
    symbol: text('symbol').notNull(),
    /** horizontalLine | trendLine | ray | rectangle | fibRetracement | text */
    kind: text('kind').notNull(),
    points: text('points', { mode: 'json' }).$type<Json>().notNull(),
    /** A text note's text; null for the other kinds. */
    text: text('text'),
    /** Bumped by every write, so an edit based on a stale copy (another window) is refused, not lost. */
    version: integer('version').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('drawings_symbol_idx').on(t.symbol)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    details: text('details', { mode: 'json' }).$type<Json>(),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
);

/**
 * The offline cache's outbox (src/core/sync): one row per write the app made to a synced table
 * while working from the cache, recorded by triggers in the write's own transaction. Machine-local:
 * never backed up, never synced.
 */
export const syncOutbox = sqliteTable('sync_outbox', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  tableName: text('table_name').notNull(),
  /** The changed row's primary key values as a JSON array, in the key's column order. */
  rowKey: text('row_key').notNull(),
  /** insert | update | delete */
  op: text('op').notNull(),
  changedAt: integer('changed_at').notNull(),
});

/** What the sync engine keeps about this database: the cache's id, the last sync, what a cache pushed into this primary. Machine-local. */
export const syncState = sqliteTable('sync_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Model artifacts as the team shares them in its database, so a model trained on one desktop can be loaded on every other. */
export const modelArtifacts = sqliteTable('model_artifacts', {
  modelId: text('model_id').primaryKey(),
  /** The artifact file's bytes (models/<id>/artifact.bin); sha256 is the registry's artifact_sha256 of them. */
  bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  sha256: text('sha256').notNull(),
  size: integer('size').notNull(),
  storedAt: integer('stored_at').notNull(),
});
