import type { BackfillCheckpoint } from '../../shared/backfill';
import { AppError } from '../../shared/errors';

/**
 * The checkpoint SQL of both dialects, with `{name}` parameters compiled by each driver
 * the way the bar SQL is (toSqliteSql / toPgSql), so the statements exist once.
 */
const COLUMNS = 'id, provider, symbol, timeframe, range_from, range_to, resume_from, rows_written, status, job_run_id, updated_at';

const SELECT = `SELECT id, provider, symbol, timeframe, range_from AS "rangeFrom", range_to AS "rangeTo", resume_from AS "resumeFrom",
  rows_written AS "rowsWritten", status, job_run_id AS "jobRunId", updated_at AS "updatedAt" FROM backfill_checkpoints`;

export const SAVE_CHECKPOINT_SQL = `INSERT INTO backfill_checkpoints (${COLUMNS})
VALUES ({id}, {provider}, {symbol}, {timeframe}, {rangeFrom}, {rangeTo}, {resumeFrom}, {rowsWritten}, {status}, {jobRunId}, {updatedAt})
ON CONFLICT (id) DO UPDATE SET range_from = excluded.range_from, range_to = excluded.range_to,
  resume_from = excluded.resume_from, rows_written = excluded.rows_written,
  status = excluded.status, job_run_id = excluded.job_run_id, updated_at = excluded.updated_at`;

export const GET_CHECKPOINT_SQL = `${SELECT} WHERE id = {id}`;
export const LIST_CHECKPOINTS_SQL = `${SELECT} ORDER BY updated_at DESC, id`;
export const FIND_UNFINISHED_CHECKPOINT_SQL = `${SELECT}
WHERE provider = {provider} AND symbol = {symbol} AND timeframe = {timeframe} AND range_from = {rangeFrom}
  AND range_to = COALESCE({rangeTo}, range_to) AND status <> 'done'
ORDER BY updated_at DESC, id LIMIT 1`;
export const UPDATE_CHECKPOINT_STATUS_SQL = 'UPDATE backfill_checkpoints SET status = {status}, updated_at = {updatedAt} WHERE id = {id}';

/** Postgres returns bigint columns as strings; both dialects read through this. */
export function toCheckpoint(row: Record<string, unknown>): BackfillCheckpoint {
  return {
    id: String(row.id),
    provider: row.provider as BackfillCheckpoint['provider'],
    symbol: String(row.symbol),
    timeframe: row.timeframe as BackfillCheckpoint['timeframe'],
    rangeFrom: Number(row.rangeFrom),
    rangeTo: Number(row.rangeTo),
    resumeFrom: Number(row.resumeFrom),
    rowsWritten: Number(row.rowsWritten),
    status: row.status as BackfillCheckpoint['status'],
    jobRunId: row.jobRunId === null || row.jobRunId === undefined ? null : String(row.jobRunId),
    updatedAt: Number(row.updatedAt),
  };
}

export function checkpointNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No backfill checkpoint ${id}.`);
}
