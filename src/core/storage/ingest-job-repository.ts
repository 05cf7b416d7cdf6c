import type { ProviderId } from '../../shared/domain';
import { defaultLiveTracking, type LiveTracking } from '../../shared/scheduler';
import { AppError } from '../../shared/errors';
import { json, nullableString, parseBoolean, parseJson, sqlBoolean, type Row, type SqlExecutor } from './sql-executor';
import type { IngestJobRepository, StoredIngestJob } from './types';

const INGEST_JOB_COLUMNS = `id, name, kind, provider, symbols, timeframe, model_name AS "modelName", tracking, schedule, timezone, lookback_days AS "lookbackDays",
  retry_policy AS "retryPolicy", timeout_ms AS "timeoutMs", depends_on AS "dependsOn", enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

function toIngestJob(row: Row): StoredIngestJob {
  return {
    id: String(row.id),
    name: String(row.name),
    kind: row.kind as StoredIngestJob['kind'],
    provider: (row.provider ?? null) as ProviderId | null,
    symbols: parseJson<string[]>(row.symbols),
    timeframe: (row.timeframe ?? null) as StoredIngestJob['timeframe'],
    modelName: nullableString(row.modelName),
    // Jobs stored before live tracking existed have none: they take the defaults.
    tracking: row.tracking === null || row.tracking === undefined ? defaultLiveTracking : parseJson<LiveTracking>(row.tracking),
    schedule: nullableString(row.schedule),
    timezone: String(row.timezone),
    lookbackDays: Number(row.lookbackDays),
    retryPolicy: parseJson<StoredIngestJob['retryPolicy']>(row.retryPolicy),
    timeoutMs: Number(row.timeoutMs),
    dependsOn: parseJson<string[]>(row.dependsOn),
    enabled: parseBoolean(row.enabled),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

function ingestJobParams(job: StoredIngestJob): Row {
  return {
    ...job,
    symbols: json(job.symbols),
    tracking: json(job.tracking),
    retryPolicy: json(job.retryPolicy),
    dependsOn: json(job.dependsOn),
    enabled: sqlBoolean(job.enabled),
  };
}

export class SqlIngestJobs implements IngestJobRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(): Promise<StoredIngestJob[]> {
    return (await this.sql.query(`SELECT ${INGEST_JOB_COLUMNS} FROM ingest_jobs ORDER BY created_at, id`)).map(toIngestJob);
  }

  async get(id: string): Promise<StoredIngestJob | undefined> {
    const [row] = await this.sql.query(`SELECT ${INGEST_JOB_COLUMNS} FROM ingest_jobs WHERE id = {id}`, { id });
    return row && toIngestJob(row);
  }

  async create(job: StoredIngestJob): Promise<void> {
    const added = await this.sql.execute(
      `INSERT INTO ingest_jobs (id, name, kind, provider, symbols, timeframe, model_name, tracking, schedule, timezone, lookback_days, retry_policy,
         timeout_ms, depends_on, enabled, created_at, updated_at)
       VALUES ({id}, {name}, {kind}, {provider}, {symbols}, {timeframe}, {modelName}, {tracking}, {schedule}, {timezone}, {lookbackDays}, {retryPolicy},
         {timeoutMs}, {dependsOn}, {enabled}, {createdAt}, {updatedAt})
       ON CONFLICT (id) DO NOTHING`,
      ingestJobParams(job),
    );
    if (added === 0) throw new AppError('CONFLICT', `A scheduled job with id ${job.id} exists already.`);
  }

  async update(job: StoredIngestJob): Promise<void> {
    const changed = await this.sql.execute(
      `UPDATE ingest_jobs SET name = {name}, kind = {kind}, provider = {provider}, symbols = {symbols}, timeframe = {timeframe},
         model_name = {modelName}, tracking = {tracking},
         schedule = {schedule}, timezone = {timezone}, lookback_days = {lookbackDays}, retry_policy = {retryPolicy},
         timeout_ms = {timeoutMs}, depends_on = {dependsOn}, enabled = {enabled}, updated_at = {updatedAt}
       WHERE id = {id}`,
      ingestJobParams(job),
    );
    if (changed === 0) throw new AppError('NOT_FOUND', `There is no scheduled job ${job.id}.`);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute('DELETE FROM ingest_jobs WHERE id = {id}', { id })) > 0;
  }

  async claimFiring(id: string, scheduledAt: number): Promise<boolean> {
    // One conditional UPDATE: the database serialises it, so of two processes waking for the same time one changes the row.
    const claimed = await this.sql.execute(
      `UPDATE ingest_jobs SET last_fired_at = {scheduledAt}
       WHERE id = {id} AND (last_fired_at IS NULL OR last_fired_at < {scheduledAt})`,
      { id, scheduledAt },
    );
    return claimed > 0;
  }
}
