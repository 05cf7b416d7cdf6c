/**
 * The storage ports. Shapes that also cross the contract are derived from its zod schemas
 * (src/shared), so a field is declared once; only what exists in storage alone is declared here.
 */
import type { z } from 'zod';
import type { BackfillCheckpoint, BackfillStatus } from '../../shared/backfill';
import type { ArchiveManifest, Backup, RestoreDrill, RestoreOutcome } from '../../shared/backups';
import type { methods } from '../../shared/contract';
import type { Bar, Coverage, DatabaseMode, Instrument, JobRun, ProviderId } from '../../shared/domain';
import type { LossPoint, ModelMetrics, ModelStage, ModelType, Segment, StageChange, StoredPrediction } from '../../shared/models';
import type { Drawing } from '../../shared/drawings';
import type { PriceAlert } from '../../shared/price-alerts';
import type { Alert, IngestJob } from '../../shared/scheduler';
import type { Timeframe } from '../../shared/timeframes';
import type { SqlExecutor } from './sql-executor';

export interface UpsertResult {
  inserted: number;
  updated: number;
  /** Rows already stored with identical values; re-importing a file only adds to this. */
  unchanged: number;
}

export interface BarsChunk {
  symbol: string;
  timeframe: Timeframe;
  source: string;
  bars: readonly Bar[];
}

/** A `bars.query` request: symbol, timeframe, an optional range and the most recent `limit` buckets of it. */
export type BarsQuery = z.infer<(typeof methods)['bars.query']['input']>;

/**
 * A `bars.query` reply. `sourceTimeframe` is the base the newest bar was built from (with no
 * bars, the finest base that could build one); `spans` say which base built which bars, oldest first.
 */
export type BarsQueryResult = z.infer<(typeof methods)['bars.query']['output']>;

export interface MarketDataRepository {
  /**
   * Idempotent upsert of one chunk of bars of one symbol and stored timeframe, in one
   * transaction together with the rollups that make coarse queries fast. Callers chunk
   * long series so no single write blocks the event loop for long.
   */
  upsertBars(input: BarsChunk): Promise<UpsertResult>;
  /**
   * `upsertBars` and the backfill checkpoint that covers the chunk in ONE transaction:
   * after a crash either both are stored or neither is, so a resume never skips bars.
   */
  upsertBarsWithCheckpoint(input: BarsChunk, checkpoint: BackfillCheckpoint): Promise<UpsertResult>;
  /**
   * Aggregates every stored base timeframe that can produce the requested one: per bucket
   * the finest base covering it whole, so no stored bar is hidden (see bar-plan.ts).
   */
  queryBars(query: BarsQuery): Promise<BarsQueryResult>;
  coverage(symbol?: string): Promise<Coverage[]>;
  countBars(): Promise<number>;
  /** Symbols holding minute bars, with the open time of their first one. */
  minuteSeries(): Promise<{ symbol: string; first: number }[]>;
  /** The symbol's minute bars with open time in [lo, hi) and the UTC hours they fall in; reads only. */
  countMinuteBars(symbol: string, range: { lo: number; hi: number }): Promise<MinuteRollUp>;
  /**
   * Data retention's step: the symbol's first minute bars from `from` on, up to one UTC day
   * of those in hours wholly before `before`, become stored 1h bars (see planMinuteRollUp) and
   * are deleted, in ONE transaction with the rollups and summaries, so a crash leaves both or
   * neither and running it again finds nothing to do. Says where the next step starts, or
   * null when no such minute bar is left.
   */
  rollUpMinuteBars(symbol: string, from: number, before: number): Promise<(MinuteRollUp & { next: number }) | null>;
  /** Bytes a stored bar and a rollup row take on average, measured from the engine's own storage. */
  rowBytes(): Promise<{ bar: number; rollup: number }>;
  /**
   * Deletes these bars of one stored series (open times; ones not stored are skipped) with
   * their share of the rollups and series summaries, in ONE transaction; returns how many were
   * deleted. The sync engine's way to make one database's series equal another's.
   */
  deleteBars(symbol: string, timeframe: Timeframe, times: readonly number[]): Promise<number>;
}

/** Minute bars rolled up (or to roll up) and the hourly bars they make. */
export interface MinuteRollUp {
  minuteBars: number;
  hourBars: number;
}

/** What deleting an instrument did: with `keepIfBars`, an instrument holding bars is kept and `deleted` is false. */
export interface InstrumentDeletion {
  deleted: boolean;
  /** Its stored bars across timeframes and sources: the ones deleted, or the ones that kept it. */
  bars: number;
}

/**
 * The instruments a user has, the built-in ones included. A deleted instrument leaves a
 * marker row (deleted_at) that lists and gets skip and seeding cannot replace, so a
 * built-in the user deleted stays deleted on every desktop sharing the database.
 */
export interface InstrumentRepository {
  list(): Promise<Instrument[]>;
  get(symbol: string): Promise<Instrument | undefined>;
  /** Adds instruments that were never there; never overwrites what a user changed nor brings back what they deleted. */
  seed(instruments: readonly Instrument[]): Promise<void>;
  /** CONFLICT when the symbol exists; a symbol deleted before is created anew. */
  create(instrument: Instrument): Promise<void>;
  /** Replaces every field but the symbol; NOT_FOUND when there is none. */
  update(instrument: Instrument): Promise<void>;
  /**
   * Deletes the instrument with its bars, rollups, series summaries and backfill checkpoints,
   * keeping out writers of its series until the transaction ends: call it on the repository a
   * `Storage.transaction` gives, so its statements are one change. Undefined when there is no
   * such instrument.
   */
  delete(symbol: string, options: { deletedAt: number; keepIfBars: boolean }): Promise<InstrumentDeletion | undefined>;
}

export type JobRunDetails = Record<string, unknown>;

/** A run as it starts; `owner` names the process running it, which keeps its heartbeat fresh while it runs. */
export type JobRunStart = Pick<JobRun, 'id' | 'kind' | 'description' | 'startedAt'> & { owner: string; ingestJobId?: JobRun['ingestJobId'] };

/** How a run ended; without `details` the stored ones are kept. */
export type JobRunEnd = Pick<JobRun, 'rows' | 'error'> & {
  status: Exclude<JobRun['status'], 'running'>;
  finishedAt: NonNullable<JobRun['finishedAt']>;
  details?: JobRunDetails | null;
};

export interface JobRunRepository {
  start(run: JobRunStart): Promise<void>;
  finish(id: string, end: JobRunEnd): Promise<void>;
  get(id: string): Promise<(JobRun & { details: JobRunDetails | null }) | undefined>;
  /** Newest first. */
  list(filter: { kind?: JobRun['kind']; ingestJobId?: string; limit: number }): Promise<JobRun[]>;
  /** Stamps every running run of `owner` as alive at `at`; returns how many. */
  heartbeat(owner: string, at: number): Promise<number>;
  /**
   * Marks failed the running runs whose process stopped: their last heartbeat (or start,
   * before the first one) is older than `staleBefore`. Runs of `exceptOwner`, the calling
   * process, are never touched, and neither are live runs of another process sharing the
   * database (a CLI backfill beside the app, another desktop on the same Postgres). Runs of
   * `goneOwners`, processes known to have exited, are failed however fresh their heartbeat.
   */
  failInterrupted(sweep: { now: number; staleBefore: number; exceptOwner: string; goneOwners?: readonly string[] }): Promise<number>;
  /** The processes with runs marked running, so the caller can check which of them still exist. */
  runningOwners(): Promise<string[]>;
}

/** An ingest job as stored: the user's definition and when it was made and changed, without what the scheduler knows of it now. */
export type StoredIngestJob = Omit<IngestJob, 'nextRunAt' | 'lastRun' | 'runningRunId' | 'runningJobId'>;

export interface IngestJobRepository {
  /** Oldest first, so the Data screen keeps its order as jobs are added. */
  list(): Promise<StoredIngestJob[]>;
  get(id: string): Promise<StoredIngestJob | undefined>;
  /** CONFLICT when the id exists. */
  create(job: StoredIngestJob): Promise<void>;
  /** Replaces the whole row; NOT_FOUND when there is none. */
  update(job: StoredIngestJob): Promise<void>;
  /** False when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
  /**
   * Claims the schedule's firing at `scheduledAt` for the caller: true for exactly one of the
   * processes sharing the database that ask, false for the others and for a time not after
   * the last one fired.
   */
  claimFiring(id: string, scheduledAt: number): Promise<boolean>;
}

export type AlertDetails = Record<string, unknown>;

export interface AlertRepository {
  raise(alert: Omit<Alert, 'id' | 'acknowledgedAt'> & { details?: AlertDetails }): Promise<Alert>;
  /** Newest first. */
  list(filter: { unacknowledgedOnly: boolean; limit: number }): Promise<Alert[]>;
  /** Acknowledges these alerts, or every unacknowledged one without `ids`; returns how many changed. */
  acknowledge(ids: readonly number[] | undefined, at: number): Promise<number>;
  countUnacknowledged(): Promise<number>;
  /** The newest alert of `source` nobody has acknowledged yet, with its details. */
  latestUnacknowledged(source: string): Promise<(Alert & { details: AlertDetails | null }) | undefined>;
}

/** One polled spot price, a row of `precious_metals_prices`. */
export interface SpotSnapshot {
  /** The instrument's canonical symbol, e.g. XAUUSD. */
  metal: string;
  price: number;
  /** When the provider says the price was current, UTC epoch ms. */
  timestamp: number;
  source: string;
}

export interface SpotPriceRepository {
  /** False when this metal, source and timestamp is already stored: polling twice within a quote adds nothing. */
  insert(snapshot: SpotSnapshot): Promise<boolean>;
  /** Newest first. */
  list(filter: { metal?: string; limit: number }): Promise<SpotSnapshot[]>;
  /** The view `latest_12_hour_prices` for one metal (the database clock decides "now"), oldest first. */
  lastTwelveHours(metal: string): Promise<SpotSnapshot[]>;
}

/** One article, a row of `news`. */
export interface NewsArticle {
  provider: ProviderId;
  /** The provider's id of the article; with `provider` it identifies the row. */
  providerId: string;
  publishedAt: number;
  title: string;
  url: string;
  tickers: string[];
  publisher: string | null;
  /** -1 (bearish) … 1 (bullish); null when the provider gave none. */
  sentiment: number | null;
}

export interface NewsRepository {
  /** Inserts new articles and refreshes known ones (a provider may revise a title or sentiment). */
  upsert(articles: readonly NewsArticle[]): Promise<{ inserted: number; updated: number }>;
  /** Newest first. */
  list(filter: { provider?: ProviderId; limit: number }): Promise<NewsArticle[]>;
  /** Publication time of the newest stored article of `provider`; null when there is none. */
  latestPublishedAt(provider: ProviderId): Promise<number | null>;
}

export interface BackfillCheckpointRepository {
  get(id: string): Promise<BackfillCheckpoint | undefined>;
  /** Most recently updated first. */
  list(): Promise<BackfillCheckpoint[]>;
  /**
   * The checkpoint of this range when it is not `done`: the one to resume. Without
   * `rangeTo` (a backfill "up to now" asked again later) the latest unfinished one from
   * `rangeFrom` matches, whatever its end.
   */
  findUnfinished(
    key: Pick<BackfillCheckpoint, 'provider' | 'symbol' | 'timeframe' | 'rangeFrom'> & { rangeTo: BackfillCheckpoint['rangeTo'] | null },
  ): Promise<BackfillCheckpoint | undefined>;
  /** Inserts or replaces the whole row (a new run, or a resumed one taking it over). */
  save(checkpoint: BackfillCheckpoint): Promise<void>;
  updateStatus(id: string, status: BackfillStatus, updatedAt: number): Promise<void>;
}

/** The earliest bar one key may read of one provider's timeframe, as its plan allows. */
export interface PlanDepth {
  provider: ProviderId;
  /** A sha256 prefix of the API key (see keyFingerprint), never the key. */
  keyFingerprint: string;
  timeframe: Timeframe;
  /** Open time of the earliest bar the key may read, UTC epoch ms. */
  historyStart: number;
  learnedAt: number;
}

export interface PlanDepthRepository {
  get(key: Pick<PlanDepth, 'provider' | 'keyFingerprint' | 'timeframe'>): Promise<PlanDepth | undefined>;
  /** Inserts or replaces what is known for the provider, key and timeframe. */
  save(depth: PlanDepth): Promise<void>;
}

/** A backup as it starts: the archive being written and what it is of. */
export type BackupStart = Pick<Backup, 'id' | 'createdAt' | 'kind' | 'path' | 'schemaVersion' | 'appVersion' | 'encrypted'>;

/** The rows of `backups`: every archive this workspace wrote, with how its verification went. */
export interface BackupRepository {
  start(backup: BackupStart): Promise<void>;
  /** Records the archive as written and what verifying it found. */
  finish(
    id: string,
    end: Pick<Backup, 'status' | 'finishedAt' | 'sizeBytes' | 'sha256' | 'verifiedAt' | 'error'> & { manifest: ArchiveManifest | null },
  ): Promise<void>;
  /** Records a later verification of a backup. */
  recordVerification(id: string, outcome: Pick<Backup, 'status' | 'verifiedAt' | 'error'>): Promise<void>;
  get(id: string): Promise<Backup | undefined>;
  /** Newest first. */
  list(limit: number): Promise<Backup[]>;
  /** Every backup, newest first: what the keep rules judge. */
  all(): Promise<Backup[]>;
  /** The newest verified backup. */
  lastGood(): Promise<Backup | undefined>;
  /** False when there is no such backup. */
  setPinned(id: string, pinned: boolean): Promise<boolean>;
  /** False when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
  /** Records every backup still `running` as failed with `error`: at start-up, those are of a process that died; returns how many. */
  failRunning(at: number, error: string): Promise<number>;
}

/** The rows of `backup_drills`: every restore drill and what its queries found. */
export interface BackupDrillRepository {
  record(drill: RestoreDrill): Promise<void>;
  latest(): Promise<RestoreDrill | undefined>;
}

/** A restore as recorded: its outcome, under the id of the run that did it, with when it started. */
export type RecordedRestore = RestoreOutcome & { id: string; startedAt: number };

/** The rows of `restores`: every restore done in this workspace. */
export interface RestoreRepository {
  record(restore: RecordedRestore): Promise<void>;
  /** The newest by finish time: "last restore", which its safety backup undoes. */
  latest(): Promise<RecordedRestore | undefined>;
}

export interface AuditLogRepository {
  record(entry: { at: number; actor: string; action: string; details?: Record<string, unknown> }): Promise<void>;
}

/** One fit as `training_runs` keeps it: the audit trail of every run, whatever its ending. */
export interface TrainingRun {
  id: string;
  modelName: string;
  modelType: ModelType;
  symbols: string[];
  timeframe: Timeframe;
  /** What is learned, e.g. `log_return(close, +h)`. */
  target: string;
  horizon: number;
  /** Open times of the first and last bar given to the fit. */
  dataFrom: number;
  dataTo: number;
  /** The whole TrainSpec the fit ran with. */
  hyperparameters: Record<string, unknown>;
  featureSetVersion: string;
  backend: string;
  status: JobRun['status'];
  startedAt: number;
  finishedAt: number | null;
  epochs: number;
  lossHistory: LossPoint[];
  metrics: ModelMetrics | null;
  error: string | null;
  jobRunId: string | null;
  samples: number | null;
}

export type TrainingRunEnd = Pick<TrainingRun, 'status' | 'finishedAt' | 'error' | 'lossHistory' | 'metrics' | 'samples' | 'backend' | 'featureSetVersion'>;

/** A run as listed: with the registry version it produced, if it registered one and that version is not deleted. */
export type ListedTrainingRun = TrainingRun & { modelId: string | null };

export interface TrainingRunRepository {
  /** Records a run as it starts (status `running`). */
  start(run: Omit<TrainingRun, 'status' | 'finishedAt' | 'epochs' | 'lossHistory' | 'metrics' | 'error' | 'samples'>): Promise<void>;
  /** Stores how it ended; `epochs` is the loss history's length. NOT_FOUND for a run never started. */
  finish(id: string, end: TrainingRunEnd): Promise<void>;
  get(id: string): Promise<TrainingRun | undefined>;
  /** Newest first; `symbol` keeps the runs trained on it. */
  list(filter: { modelName?: string; status?: JobRun['status']; symbol?: string; limit: number }): Promise<ListedTrainingRun[]>;
  /** Stores a whole run as it was elsewhere (an imported model's); false when the id is already here. */
  insertIfAbsent(run: TrainingRun): Promise<boolean>;
  /**
   * Ends the runs still marked running whose job run has ended (a process that stopped or
   * closed mid-fit), as their job run ended; returns how many.
   */
  settleInterrupted(): Promise<number>;
}

/** A test segment: its targets' range and count, with the horizon and interval level it was scored at. */
export type EvaluationSegment = Segment & { horizon: number; level: number };

export interface TestForecast {
  targetTime: number;
  actual: number;
  predicted: number;
  naive: number;
  lower: number;
  upper: number;
}

/** One version in `model_registry`, with its lineage. */
export interface RegisteredModel {
  modelId: string;
  modelName: string;
  modelType: ModelType;
  version: number;
  symbol: string;
  timeframe: Timeframe;
  trainingDate: number;
  metrics: ModelMetrics;
  hyperparameters: Record<string, unknown>;
  featureColumns: string[];
  featureSetVersion: string;
  dataFrom: number;
  dataTo: number;
  /** Relative to the data folder, so a workspace moved or restored elsewhere still finds it. */
  artifactPath: string;
  artifactSha256: string;
  backend: string;
  stage: ModelStage;
  isActive: boolean;
  trainingRunId: string | null;
  dataFingerprint: string | null;
  appVersion: string | null;
  horizon: number;
  intervalLevel: number | null;
  trainingSegment: Segment | null;
  evaluationSegment: EvaluationSegment | null;
  baselines: Partial<Record<ModelType, ModelMetrics>>;
  testForecasts: TestForecast[];
  flagged: string | null;
}

export interface ModelRegistryFilter {
  symbol?: string;
  timeframe?: Timeframe;
  modelType?: ModelType;
  stage?: ModelStage;
  modelName?: string;
}

export interface ModelRegistryRepository {
  /** CONFLICT when the id, or the name, symbol and version, exists. */
  insert(model: RegisteredModel): Promise<void>;
  get(modelId: string): Promise<RegisteredModel | undefined>;
  /** By name, symbol, then newest version first. */
  list(filter: ModelRegistryFilter): Promise<RegisteredModel[]>;
  /** One more than the highest version of this name and symbol; 1 for the first. */
  nextVersion(modelName: string, symbol: string): Promise<number>;
  /** The active version of this name and symbol. */
  active(modelName: string, symbol: string): Promise<RegisteredModel | undefined>;
  /**
   * Moves a version to `stage`; `active` also sets is_active, which the database allows for one
   * version per name and symbol (demote the previous one first, in the same transaction).
   * NOT_FOUND when there is no such version.
   */
  setStage(modelId: string, stage: ModelStage): Promise<void>;
  /** Sets or clears (null) why a version is flagged; NOT_FOUND when there is none. */
  setFlagged(modelId: string, reason: string | null): Promise<void>;
  /** Deletes the version with its stage history, predictions and scores; false when there was none. */
  delete(modelId: string): Promise<boolean>;
}

export interface ModelStageHistoryRepository {
  record(modelId: string, change: StageChange): Promise<void>;
  /** Oldest first. */
  list(modelId: string): Promise<StageChange[]>;
  /** The version of this name and symbol that was active at `at`, by its recorded stage changes. */
  activeAt(modelName: string, symbol: string, at: number): Promise<string | undefined>;
}

/** A forecast as stored in `predictions`, with what scoring and drift need later. */
export type PredictionRecord = Omit<StoredPrediction, 'outOfDistribution'> & {
  symbol: string;
  timeframe: Timeframe;
  outOfDistribution: boolean;
  /** The feature row the forecast used, for the population-stability index. */
  features: Record<string, number> | null;
  scoredAt: number | null;
};

/** Predictions or scores of a model or a series; `from` and `to` (inclusive) bound target times of predictions, evaluation times of scores. */
export interface ModelSeriesFilter {
  modelId?: string;
  symbol?: string;
  timeframe?: Timeframe;
  from?: number;
  to?: number;
  limit: number;
}

export interface PredictionFilter extends ModelSeriesFilter {
  /** Only predictions whose actual bar has been recorded. */
  scoredOnly?: boolean;
}

/** What names one stored prediction: its model, series, the bar it was made at and its horizon. */
export type PredictionKey = Pick<PredictionRecord, 'modelId' | 'symbol' | 'timeframe' | 'madeAt' | 'horizon'>;

export interface PredictionRepository {
  /**
   * Stores forecasts; one made again for the same model, bar and horizon replaces the first,
   * unless that one is scored already: a settled prediction stays as it was scored. Returns how many were stored.
   */
  upsert(predictions: readonly PredictionRecord[]): Promise<number>;
  /** The latest `limit` by target time, oldest first. */
  query(filter: PredictionFilter): Promise<PredictionRecord[]>;
  /** The model's predictions not scored yet that were made before `before` (a later bar exists), oldest first. */
  pending(modelId: string, before: number): Promise<PredictionRecord[]>;
  /**
   * Records the actual close of a prediction's target when its bar arrives, with naive's forecast
   * (the close at madeAt) and that bar's open time, which replaces the estimated target time.
   */
  recordActual(prediction: PredictionKey, scored: { targetTime: number; actual: number; naive: number; scoredAt: number }): Promise<void>;
}

/** A live score of a model over a window of actual bars, beside naive on the same targets. */
export interface ModelPerformanceRecord {
  modelId: string;
  symbol: string;
  timeframe: Timeframe;
  evaluatedAt: number;
  windowFrom: number;
  windowTo: number;
  samples: number;
  mae: number | null;
  rmse: number | null;
  mape: number | null;
  directionalAccuracy: number | null;
  mase: number | null;
  naiveMae: number | null;
}

export interface ModelPerformanceRepository {
  insert(record: ModelPerformanceRecord): Promise<void>;
  /** The latest `limit` by evaluation time (`from`/`to` bound it), oldest first. */
  query(filter: ModelSeriesFilter): Promise<ModelPerformanceRecord[]>;
}

/** One materialised feature row of a versioned feature set. */
export interface FeatureRow {
  symbol: string;
  timeframe: Timeframe;
  featureSetVersion: string;
  time: number;
  features: Record<string, number | null>;
  computedAt: number;
}

export interface FeatureStoreRepository {
  /** Stores rows, replacing those of the same symbol, timeframe, set version and time; returns how many. */
  upsert(rows: readonly FeatureRow[]): Promise<number>;
  /** Ascending by time; `from` and `to` inclusive; the latest `limit` rows when more match. */
  query(filter: { symbol: string; timeframe: Timeframe; featureSetVersion: string; from?: number; to?: number; limit?: number }): Promise<FeatureRow[]>;
  /**
   * Deletes what a materialisation over [from, to] stamped `computedAt` did not write: the set's
   * rows of that symbol and timeframe outside the range, and older ones inside it (a bar since
   * deleted); returns how many.
   */
  removeStale(filter: { symbol: string; timeframe: Timeframe; featureSetVersion: string; from: number; to: number; computedAt: number }): Promise<number>;
}

/** The repositories a transaction's work uses: every statement of theirs runs inside it. */
export type StorageTransaction = Pick<
  Storage,
  | 'instruments'
  | 'jobRuns'
  | 'backfillCheckpoints'
  | 'auditLog'
  | 'ingestJobs'
  | 'alerts'
  | 'spotPrices'
  | 'news'
  | 'planDepths'
  | 'trainingRuns'
  | 'modelRegistry'
  | 'modelStageHistory'
  | 'predictions'
  | 'modelPerformance'
  | 'featureStore'
  | 'backups'
  | 'backupDrills'
  | 'restores'
  | 'priceAlerts'
  | 'drawings'
>;

/**
 * The database as a backup reads it, consistent while the app keeps writing: on SQLite a copy
 * of the file through the online backup API, one self-contained file (rollback journal, no
 * WAL), made off the main thread; on Postgres statements inside one read-only
 * REPEATABLE READ transaction (one snapshot).
 */
export type DatabaseSnapshot =
  | { readonly dialect: 'sqlite'; copyTo(file: string, onProgress: (copiedPages: number, totalPages: number) => void): Promise<void> }
  | { readonly dialect: 'postgres'; read<T>(work: (query: (text: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> };

/** A price alert as stored: `version` counts its writes, so a write based on a stale read is refused rather than lost. */
export type StoredPriceAlert = PriceAlert & { version: number };

export interface PriceAlertRepository {
  /** Oldest first; with `symbol`, that instrument's only. */
  list(symbol?: string): Promise<StoredPriceAlert[]>;
  get(id: string): Promise<StoredPriceAlert | undefined>;
  /** Stores a new alert at version 0. */
  create(alert: PriceAlert): Promise<StoredPriceAlert>;
  /**
   * Replaces every field of the alert when it is still at `alert.version`, and counts the write;
   * false when someone wrote it since (then nothing changed) or it is gone.
   */
  save(alert: StoredPriceAlert): Promise<boolean>;
  /** False when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
}

export interface DrawingRepository {
  /** One instrument's drawings, oldest first. */
  list(symbol: string): Promise<Drawing[]>;
  get(id: string): Promise<Drawing | undefined>;
  /** How many drawings `symbol` has. */
  count(symbol: string): Promise<number>;
  /** Stores a new drawing; its `version` is stored as given (0 for a new one). */
  create(drawing: Drawing): Promise<Drawing>;
  /**
   * Replaces the drawing's points, text and updatedAt when it is still at `drawing.version`, and
   * counts the write; false when someone wrote it since (then nothing changed) or it is gone.
   */
  save(drawing: Drawing): Promise<boolean>;
  /** False when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
}

export interface Storage {
  readonly mode: DatabaseMode;
  /** Where the data lives, without any password. */
  readonly location: string;
  /** Name of the last applied migration. */
  readonly schemaVersion: string;
  readonly instruments: InstrumentRepository;
  readonly marketData: MarketDataRepository;
  readonly jobRuns: JobRunRepository;
  readonly backfillCheckpoints: BackfillCheckpointRepository;
  readonly auditLog: AuditLogRepository;
  readonly ingestJobs: IngestJobRepository;
  readonly alerts: AlertRepository;
  readonly spotPrices: SpotPriceRepository;
  readonly news: NewsRepository;
  readonly planDepths: PlanDepthRepository;
  readonly trainingRuns: TrainingRunRepository;
  readonly modelRegistry: ModelRegistryRepository;
  readonly modelStageHistory: ModelStageHistoryRepository;
  readonly predictions: PredictionRepository;
  readonly modelPerformance: ModelPerformanceRepository;
  readonly featureStore: FeatureStoreRepository;
  readonly backups: BackupRepository;
  readonly backupDrills: BackupDrillRepository;
  readonly restores: RestoreRepository;
  readonly priceAlerts: PriceAlertRepository;
  readonly drawings: DrawingRepository;
  readonly snapshot: DatabaseSnapshot;
  /**
   * The executor the repositories run on, errors mapped as theirs are, for the few callers that
   * work across tables by name (the sync engine, src/core/sync). Its writes to market data bypass
   * the rollups and series summaries: bars go through `marketData`.
   */
  readonly sql: SqlExecutor;
  /**
   * `work` in one transaction: all its writes are stored, or none when it throws (the error
   * is rethrown). `work` must use only `tx`; market data and the repositories of the storage
   * itself stay outside it (on SQLite they wait for it to end, so calling them from `work` is refused).
   */
  transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T>;
  /** True when the database answers now (and is not known to be damaged). */
  ping(): Promise<boolean>;
  /** Why the database must not be written to now, with the way out (a damaged file), or null. */
  problem(): string | null;
  close(): Promise<void>;
}
