import type { JobRun } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { json, nullableNumber, nullableString, parseNullableJson, type Row, type SqlExecutor } from './sql-executor';
import type { JobRunDetails, JobRunEnd, JobRunRepository, JobRunStart } from './types';

export const INTERRUPTED_JOB_ERROR = 'Interrupted: the process that ran it stopped before it finished.';

const COLUMNS = `id, kind, status, description, started_at AS "startedAt", finished_at AS "finishedAt", rows, error,
  ingest_job_id AS "ingestJobId"`;

function toJobRun(row: Row): JobRun {
  return {
    id: String(row.id),
    kind: row.kind as JobRun['kind'],
    status: row.status as JobRun['status'],
    description: String(row.description),
    startedAt: Number(row.startedAt),
    finishedAt: nullableNumber(row.finishedAt),
    rows: Number(row.rows),
    error: nullableString(row.error),
    ingestJobId: nullableString(row.ingestJobId),
  };
}

export class SqlJobRuns implements JobRunRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async start(run: JobRunStart): Promise<void> {
    await this.sql.execute(
      `INSERT INTO job_runs (id, kind, status, description, started_at, rows, ingest_job_id, owner, heartbeat_at)
       VALUES ({id}, {kind}, 'running', {description}, {startedAt}, 0, {ingestJobId}, {owner}, {startedAt})`,
      { ...run, ingestJobId: run.ingestJobId ?? null },
    );
  }

  async finish(id: string, end: JobRunEnd): Promise<void> {
    // Without `details` the ones stored stay; null clears them.
    const details = end.details === undefined ? '' : ', details = {details}';
    const changed = await this.sql.execute(
      `UPDATE job_runs SET status = {status}, finished_at = {finishedAt}, rows = {rows}, error = {error}${details} WHERE id = {id}`,
      { ...end, id, details: end.details ? json(end.details) : null },
    );
    if (changed === 0) throw new AppError('NOT_FOUND', `No job run ${id} to finish.`);
  }

  async get(id: string): Promise<(JobRun & { details: JobRunDetails | null }) | undefined> {
    const [row] = await this.sql.query(`SELECT ${COLUMNS}, details FROM job_runs WHERE id = {id}`, { id });
    return row && { ...toJobRun(row), details: parseNullableJson<JobRunDetails>(row.details) };
  }

  async list(filter: Parameters<JobRunRepository['list']>[0]): Promise<JobRun[]> {
    const where = [filter.kind ? 'kind = {kind}' : null, filter.ingestJobId ? 'ingest_job_id = {ingestJobId}' : null].filter((c) => c !== null);
    const rows = await this.sql.query(
      `SELECT ${COLUMNS} FROM job_runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC, id DESC LIMIT {limit}`,
      { kind: filter.kind ?? null, ingestJobId: filter.ingestJobId ?? null, limit: filter.limit },
    );
    return rows.map(toJobRun);
  }

  async heartbeat(owner: string, at: number): Promise<number> {
    return this.sql.execute(`UPDATE job_runs SET heartbeat_at = {at} WHERE owner = {owner} AND status = 'running'`, { owner, at });
  }

  async failInterrupted(sweep: Parameters<JobRunRepository['failInterrupted']>[0]): Promise<number> {
    const gone = (sweep.goneOwners ?? []).filter((owner) => owner !== sweep.exceptOwner);
    const goneParams = Object.fromEntries(gone.map((owner, i) => [`gone${i}`, owner]));
    const goneOwner = gone.length > 0 ? ` OR owner IN (${gone.map((_, i) => `{gone${i}}`).join(', ')})` : '';
    // Running runs of other processes that are known gone or whose last sign of life is older than `staleBefore`.
    return this.sql.execute(
      `UPDATE job_runs SET status = 'failed', finished_at = {now}, error = {error}
       WHERE status = 'running' AND (owner IS NULL OR owner <> {exceptOwner})
         AND (coalesce(heartbeat_at, started_at) < {staleBefore}${goneOwner})`,
      { now: sweep.now, error: INTERRUPTED_JOB_ERROR, exceptOwner: sweep.exceptOwner, staleBefore: sweep.staleBefore, ...goneParams },
    );
  }

  async runningOwners(): Promise<string[]> {
    const rows = await this.sql.query(`SELECT DISTINCT owner FROM job_runs WHERE status = 'running' AND owner IS NOT NULL`);
    return rows.map((row) => String(row.owner));
  }
}
