import type { BackfillCheckpoint, BackfillStatus } from '../../shared/backfill';
import { AppError } from '../../shared/errors';
import { nullableString, type Row, type SqlExecutor } from './sql-executor';
import type { BackfillCheckpointRepository } from './types';

const COLUMNS = 'id, provider, symbol, timeframe, range_from, range_to, resume_from, rows_written, status, job_run_id, updated_at';

const SELECT = `SELECT id, provider, symbol, timeframe, range_from AS "rangeFrom", range_to AS "rangeTo", resume_from AS "resumeFrom",
  rows_written AS "rowsWritten", status, job_run_id AS "jobRunId", updated_at AS "updatedAt" FROM backfill_checkpoints`;

/** Also run by each dialect's market data, in the transaction of the chunk the checkpoint covers. */
export const SAVE_CHECKPOINT_SQL = `INSERT INTO backfill_checkpoints (${COLUMNS})
VALUES ({id}, {provider}, {symbol}, {timeframe}, {rangeFrom}, {rangeTo}, {resumeFrom}, {rowsWritten}, {status}, {jobRunId}, {updatedAt})
ON CONFLICT (id) DO UPDATE SET range_from = excluded.range_from, range_to = excluded.range_to,
  resume_from = excluded.resume_from, rows_written = excluded.rows_written,
  status = excluded.status, job_run_id = excluded.job_run_id, updated_at = excluded.updated_at`;

const FIND_UNFINISHED_SQL = `${SELECT}
WHERE provider = {provider} AND symbol = {symbol} AND timeframe = {timeframe} AND range_from = {rangeFrom}
  AND range_to = COALESCE({rangeTo}, range_to) AND status <> 'done'
ORDER BY updated_at DESC, id LIMIT 1`;

function toCheckpoint(row: Row): BackfillCheckpoint {
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
    jobRunId: nullableString(row.jobRunId),
    updatedAt: Number(row.updatedAt),
  };
}

export class SqlBackfillCheckpoints implements BackfillCheckpointRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async get(id: string): Promise<BackfillCheckpoint | undefined> {
    const [row] = await this.sql.query(`${SELECT} WHERE id = {id}`, { id });
    return row && toCheckpoint(row);
  }

  async list(): Promise<BackfillCheckpoint[]> {
    return (await this.sql.query(`${SELECT} ORDER BY updated_at DESC, id`)).map(toCheckpoint);
  }

  async findUnfinished(key: Parameters<BackfillCheckpointRepository['findUnfinished']>[0]): Promise<BackfillCheckpoint | undefined> {
    const [row] = await this.sql.query(FIND_UNFINISHED_SQL, { ...key });
    return row && toCheckpoint(row);
  }

  async save(checkpoint: BackfillCheckpoint): Promise<void> {
    await this.sql.execute(SAVE_CHECKPOINT_SQL, checkpoint);
  }

  async updateStatus(id: string, status: BackfillStatus, updatedAt: number): Promise<void> {
    const changed = await this.sql.execute('UPDATE backfill_checkpoints SET status = {status}, updated_at = {updatedAt} WHERE id = {id}', {
      id,
      status,
      updatedAt,
    });
    if (changed === 0) throw new AppError('NOT_FOUND', `No backfill checkpoint ${id}.`);
  }
}
