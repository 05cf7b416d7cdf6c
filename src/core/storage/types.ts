import type { BackfillCheckpoint, BackfillStatus } from '../../shared/backfill';
import type { Bar, Coverage, DatabaseMode, Instrument, JobRun, ProviderId } from '../../shared/domain';
import type { Timeframe } from '../../shared/timeframes';

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

export interface BarsQuery {
  symbol: string;
  timeframe: Timeframe;
  from?: number;
  to?: number;
  /** The most recent N buckets of the range. */
  limit?: number;
}

export interface BarsQueryResult {
  bars: Bar[];
  sourceTimeframe: Timeframe | null;
}

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
  /** Aggregates from the finest stored timeframe that can produce the requested one. */
  queryBars(query: BarsQuery): Promise<BarsQueryResult>;
  coverage(symbol?: string): Promise<Coverage[]>;
  countBars(): Promise<number>;
}

export interface InstrumentRepository {
  list(): Promise<Instrument[]>;
  get(symbol: string): Promise<Instrument | undefined>;
  /** Adds instruments that are missing; never overwrites what a user changed. */
  seed(instruments: readonly Instrument[]): Promise<void>;
}

export interface JobRunRepository {
  start(run: { id: string; kind: JobRun['kind']; description: string; startedAt: number }): Promise<void>;
  finish(id: string, end: { status: Exclude<JobRun['status'], 'running'>; finishedAt: number; rows: number; error: string | null }): Promise<void>;
  list(filter: { kind?: JobRun['kind']; limit: number }): Promise<JobRun[]>;
  /** Runs a crashed process left 'running' are marked failed at start-up, so history tells the truth. */
  failInterrupted(now: number): Promise<number>;
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
  findUnfinished(key: { provider: ProviderId; symbol: string; timeframe: Timeframe; rangeFrom: number; rangeTo: number | null }): Promise<BackfillCheckpoint | undefined>;
  /** Inserts or replaces the whole row (a new run, or a resumed one taking it over). */
  save(checkpoint: BackfillCheckpoint): Promise<void>;
  updateStatus(id: string, status: BackfillStatus, updatedAt: number): Promise<void>;
}

export interface AuditLogRepository {
  record(entry: { at: number; actor: string; action: string; details?: Record<string, unknown> }): Promise<void>;
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
  /** True when the database answers now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
