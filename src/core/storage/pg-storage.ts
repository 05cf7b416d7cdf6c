import { and, desc, eq } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import type { BackfillCheckpoint, BackfillStatus } from '../../shared/backfill';
import type { Instrument, JobRun } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Logger } from '../ports';
import {
  checkpointNotFound,
  FIND_UNFINISHED_CHECKPOINT_SQL,
  GET_CHECKPOINT_SQL,
  LIST_CHECKPOINTS_SQL,
  SAVE_CHECKPOINT_SQL,
  toCheckpoint,
  UPDATE_CHECKPOINT_STATUS_SQL,
} from './backfill-checkpoint-sql';
import { toPgSql } from './bar-sql';
import { migrationsFolder, migrationTag } from './migrations';
import { createPool, mappingErrors, redactDatabaseUrl, toStorageError, withClient } from './pg-connection';
import { PgMarketData } from './pg-market-data';
import { sqlRepositories, type SqlExecutor } from './ingest-repositories';
import { INTERRUPTED_JOB_ERROR, staleRun, toInstrument, toJobRun } from './rows';
import * as schema from './schema.pg';
import { setUpTimescale } from './timescale';
import type { AuditLogRepository, BackfillCheckpointRepository, InstrumentRepository, JobRunDetails, JobRunRepository, Storage } from './types';

type Db = NodePgDatabase<typeof schema>;

/** Serialises start-up schema work when several desktops share one server. */
const MIGRATION_LOCK_KEY = 7_262_017_001;

class PgInstruments implements InstrumentRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<Instrument[]> {
    return (await this.db.select().from(schema.instruments).orderBy(schema.instruments.symbol)).map(toInstrument);
  }

  async get(symbol: string): Promise<Instrument | undefined> {
    const [row] = await this.db.select().from(schema.instruments).where(eq(schema.instruments.symbol, symbol));
    return row && toInstrument(row);
  }

  async seed(instruments: readonly Instrument[]): Promise<void> {
    if (instruments.length === 0) return;
    await this.db.insert(schema.instruments).values(instruments.map(toInstrument)).onConflictDoNothing();
  }
}

class PgBackfillCheckpoints implements BackfillCheckpointRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(id: string): Promise<BackfillCheckpoint | undefined> {
    const [row] = await this.query(GET_CHECKPOINT_SQL, { id });
    return row && toCheckpoint(row);
  }

  async list(): Promise<BackfillCheckpoint[]> {
    return (await this.query(LIST_CHECKPOINTS_SQL, {})).map(toCheckpoint);
  }

  async findUnfinished(key: Parameters<BackfillCheckpointRepository['findUnfinished']>[0]): Promise<BackfillCheckpoint | undefined> {
    const [row] = await this.query(FIND_UNFINISHED_CHECKPOINT_SQL, key);
    return row && toCheckpoint(row);
  }

  async save(checkpoint: BackfillCheckpoint): Promise<void> {
    await this.query(SAVE_CHECKPOINT_SQL, checkpoint);
  }

  async updateStatus(id: string, status: BackfillStatus, updatedAt: number): Promise<void> {
    const compiled = toPgSql(UPDATE_CHECKPOINT_STATUS_SQL);
    const values: Record<string, unknown> = { id, status, updatedAt };
    const { rowCount } = await this.pool.query(compiled.text, compiled.names.map((name) => values[name]));
    if (rowCount === 0) throw checkpointNotFound(id);
  }

  private async query(text: string, params: object): Promise<Record<string, unknown>[]> {
    const compiled = toPgSql(text);
    const values = params as Record<string, unknown>;
    return (await this.pool.query<Record<string, unknown>>(compiled.text, compiled.names.map((name) => values[name]))).rows;
  }
}

class PgJobRuns implements JobRunRepository {
  constructor(private readonly db: Db) {}

  async start(run: Parameters<JobRunRepository['start']>[0]): Promise<void> {
    await this.db.insert(schema.jobRuns).values({ ...run, status: 'running', rows: 0, heartbeatAt: run.startedAt });
  }

  async finish(id: string, end: Parameters<JobRunRepository['finish']>[1]): Promise<void> {
    const updated = await this.db
      .update(schema.jobRuns)
      .set(end)
      .where(eq(schema.jobRuns.id, id))
      .returning({ id: schema.jobRuns.id });
    if (updated.length === 0) throw new AppError('NOT_FOUND', `No job run ${id} to finish.`);
  }

  async get(id: string): Promise<(JobRun & { details: JobRunDetails | null }) | undefined> {
    const [row] = await this.db.select().from(schema.jobRuns).where(eq(schema.jobRuns.id, id));
    return row && { ...toJobRun(row), details: row.details };
  }

  async list(filter: Parameters<JobRunRepository['list']>[0]): Promise<JobRun[]> {
    const rows = await this.db
      .select()
      .from(schema.jobRuns)
      .where(and(filter.kind ? eq(schema.jobRuns.kind, filter.kind) : undefined, filter.ingestJobId ? eq(schema.jobRuns.ingestJobId, filter.ingestJobId) : undefined))
      .orderBy(desc(schema.jobRuns.startedAt), desc(schema.jobRuns.id))
      .limit(filter.limit);
    return rows.map(toJobRun);
  }

  async heartbeat(owner: string, at: number): Promise<number> {
    const stamped = await this.db
      .update(schema.jobRuns)
      .set({ heartbeatAt: at })
      .where(and(eq(schema.jobRuns.owner, owner), eq(schema.jobRuns.status, 'running')))
      .returning({ id: schema.jobRuns.id });
    return stamped.length;
  }

  async failInterrupted(sweep: Parameters<JobRunRepository['failInterrupted']>[0]): Promise<number> {
    const failed = await this.db
      .update(schema.jobRuns)
      .set({ status: 'failed', finishedAt: sweep.now, error: INTERRUPTED_JOB_ERROR })
      .where(staleRun(schema.jobRuns, sweep))
      .returning({ id: schema.jobRuns.id });
    return failed.length;
  }

  async runningOwners(): Promise<string[]> {
    const rows = await this.db.selectDistinct({ owner: schema.jobRuns.owner }).from(schema.jobRuns).where(eq(schema.jobRuns.status, 'running'));
    return rows.flatMap((row) => (row.owner === null ? [] : [row.owner]));
  }
}

class PgAuditLog implements AuditLogRepository {
  constructor(private readonly db: Db) {}

  async record(entry: { at: number; actor: string; action: string; details?: Record<string, unknown> }): Promise<void> {
    await this.db
      .insert(schema.auditLog)
      .values({ at: entry.at, actor: entry.actor, action: entry.action, details: entry.details ?? null });
  }
}

function pgExecutor(pool: pg.Pool): SqlExecutor {
  const run = (text: string, params: Record<string, unknown> = {}) => {
    const compiled = toPgSql(text);
    return pool.query<Record<string, unknown>>(compiled.text, compiled.names.map((name) => params[name]));
  };
  return {
    query: async (text, params) => (await run(text, params)).rows,
    execute: async (text, params) => (await run(text, params)).rowCount ?? 0,
  };
}

/** Migrations, then TimescaleDB, on one connection holding the migration lock. */
async function prepareSchema(pool: pg.Pool, logger: Logger): Promise<{ schemaVersion: string; mode: Storage['mode'] }> {
  const folder = migrationsFolder('pg');
  return withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: folder });
      const { rows } = await client.query<{ created_at: number }>(
        'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
      );
      const mode = await setUpTimescale(async (text) => (await client.query(text)).rows, logger);
      return { schemaVersion: migrationTag(folder, rows[0] === undefined ? undefined : Number(rows[0].created_at)), mode };
    } finally {
      // The lock also ends with the session, so a failed unlock on a dead connection is harmless.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  });
}

/** Connects to Postgres at `url`, brings its schema up to date and reports plain Postgres or TimescaleDB. */
export async function openPostgresStorage(url: string, logger: Logger): Promise<Storage> {
  const location = redactDatabaseUrl(url);
  const pool = createPool(url, logger, location);
  let prepared: { schemaVersion: string; mode: Storage['mode'] };
  try {
    prepared = await prepareSchema(pool, logger);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStorageError(error);
  }
  logger.info('opened Postgres database', { location, ...prepared });

  const db = drizzle({ client: pool, schema });
  const executor = pgExecutor(pool);
  let closed = false;
  return {
    mode: prepared.mode,
    location,
    schemaVersion: prepared.schemaVersion,
    instruments: mappingErrors(new PgInstruments(db)),
    marketData: mappingErrors(new PgMarketData(pool, Date.now)),
    jobRuns: mappingErrors(new PgJobRuns(db)),
    backfillCheckpoints: mappingErrors(new PgBackfillCheckpoints(pool)),
    auditLog: mappingErrors(new PgAuditLog(db)),
    ...sqlRepositories(executor, mappingErrors),
    // The server guards its own files; a damaged table reaches callers as a query error.
    problem: () => null,
    ping: async () => {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
