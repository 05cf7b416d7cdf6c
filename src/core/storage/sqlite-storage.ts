import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { and, desc, eq } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BackfillCheckpoint, BackfillStatus } from '../../shared/backfill';
import type { Instrument, JobRun } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Logger } from '../ports';
import { codeOf, mapErrors } from './map-errors';
import {
  checkpointNotFound,
  FIND_UNFINISHED_CHECKPOINT_SQL,
  GET_CHECKPOINT_SQL,
  LIST_CHECKPOINTS_SQL,
  SAVE_CHECKPOINT_SQL,
  toCheckpoint,
  UPDATE_CHECKPOINT_STATUS_SQL,
} from './backfill-checkpoint-sql';
import { toSqliteSql } from './bar-sql';
import { migrationsFolder, migrationTag } from './migrations';
import { startCheckpointer } from './sqlite-checkpointer';
import { sqlRepositories, type SqlExecutor } from './ingest-repositories';
import { INTERRUPTED_JOB_ERROR, staleRun, toInstrument, toJobRun } from './rows';
import * as schema from './schema.sqlite';
import { SqliteMarketData } from './sqlite-market-data';
import type { AuditLogRepository, BackfillCheckpointRepository, InstrumentRepository, JobRunDetails, JobRunRepository, Storage } from './types';

type Db = BetterSQLite3Database<typeof schema>;

class SqliteInstruments implements InstrumentRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<Instrument[]> {
    return this.db.select().from(schema.instruments).orderBy(schema.instruments.symbol).all().map(toInstrument);
  }

  async get(symbol: string): Promise<Instrument | undefined> {
    const row = this.db.select().from(schema.instruments).where(eq(schema.instruments.symbol, symbol)).get();
    return row && toInstrument(row);
  }

  async seed(instruments: readonly Instrument[]): Promise<void> {
    if (instruments.length === 0) return;
    this.db.insert(schema.instruments).values(instruments.map(toInstrument)).onConflictDoNothing().run();
  }
}

class SqliteJobRuns implements JobRunRepository {
  constructor(private readonly db: Db) {}

  async start(run: Parameters<JobRunRepository['start']>[0]): Promise<void> {
    this.db.insert(schema.jobRuns).values({ ...run, status: 'running', rows: 0, heartbeatAt: run.startedAt }).run();
  }

  async finish(id: string, end: Parameters<JobRunRepository['finish']>[1]): Promise<void> {
    const { changes } = this.db.update(schema.jobRuns).set(end).where(eq(schema.jobRuns.id, id)).run();
    if (changes === 0) throw new AppError('NOT_FOUND', `No job run ${id} to finish.`);
  }

  async get(id: string): Promise<(JobRun & { details: JobRunDetails | null }) | undefined> {
    const row = this.db.select().from(schema.jobRuns).where(eq(schema.jobRuns.id, id)).get();
    return row && { ...toJobRun(row), details: row.details };
  }

  async list(filter: Parameters<JobRunRepository['list']>[0]): Promise<JobRun[]> {
    return this.db
      .select()
      .from(schema.jobRuns)
      .where(and(filter.kind ? eq(schema.jobRuns.kind, filter.kind) : undefined, filter.ingestJobId ? eq(schema.jobRuns.ingestJobId, filter.ingestJobId) : undefined))
      .orderBy(desc(schema.jobRuns.startedAt), desc(schema.jobRuns.id))
      .limit(filter.limit)
      .all()
      .map(toJobRun);
  }

  async heartbeat(owner: string, at: number): Promise<number> {
    return this.db
      .update(schema.jobRuns)
      .set({ heartbeatAt: at })
      .where(and(eq(schema.jobRuns.owner, owner), eq(schema.jobRuns.status, 'running')))
      .run().changes;
  }

  async failInterrupted(sweep: Parameters<JobRunRepository['failInterrupted']>[0]): Promise<number> {
    return this.db
      .update(schema.jobRuns)
      .set({ status: 'failed', finishedAt: sweep.now, error: INTERRUPTED_JOB_ERROR })
      .where(staleRun(schema.jobRuns, sweep))
      .run().changes;
  }

  async runningOwners(): Promise<string[]> {
    const rows = this.db.selectDistinct({ owner: schema.jobRuns.owner }).from(schema.jobRuns).where(eq(schema.jobRuns.status, 'running')).all();
    return rows.flatMap((row) => (row.owner === null ? [] : [row.owner]));
  }
}

class SqliteBackfillCheckpoints implements BackfillCheckpointRepository {
  constructor(private readonly client: Database.Database) {}

  async get(id: string): Promise<BackfillCheckpoint | undefined> {
    const row = this.prepare(GET_CHECKPOINT_SQL).get({ id }) as Record<string, unknown> | undefined;
    return row && toCheckpoint(row);
  }

  async list(): Promise<BackfillCheckpoint[]> {
    return (this.prepare(LIST_CHECKPOINTS_SQL).all() as Record<string, unknown>[]).map(toCheckpoint);
  }

  async findUnfinished(key: Parameters<BackfillCheckpointRepository['findUnfinished']>[0]): Promise<BackfillCheckpoint | undefined> {
    const row = this.prepare(FIND_UNFINISHED_CHECKPOINT_SQL).get(key) as Record<string, unknown> | undefined;
    return row && toCheckpoint(row);
  }

  async save(checkpoint: BackfillCheckpoint): Promise<void> {
    this.prepare(SAVE_CHECKPOINT_SQL).run(checkpoint);
  }

  async updateStatus(id: string, status: BackfillStatus, updatedAt: number): Promise<void> {
    if (this.prepare(UPDATE_CHECKPOINT_STATUS_SQL).run({ id, status, updatedAt }).changes === 0) throw checkpointNotFound(id);
  }

  private prepare(text: string): Database.Statement {
    return this.client.prepare(toSqliteSql(text));
  }
}

class SqliteAuditLog implements AuditLogRepository {
  constructor(private readonly db: Db) {}

  async record(entry: { at: number; actor: string; action: string; details?: Record<string, unknown> }): Promise<void> {
    this.db
      .insert(schema.auditLog)
      .values({ at: entry.at, actor: entry.actor, action: entry.action, details: entry.details ?? null })
      .run();
  }
}

function sqliteExecutor(client: Database.Database): SqlExecutor {
  return {
    query: async (text, params = {}) => client.prepare(toSqliteSql(text)).all(params) as Record<string, unknown>[],
    execute: async (text, params = {}) => client.prepare(toSqliteSql(text)).run(params).changes,
  };
}

/** Where an Electron-ABI build of better-sqlite3 is, for a desktop app run from a source checkout. */
export const SQLITE_NATIVE_BINDING_ENV = 'METALYTICS_SQLITE_NATIVE_BINDING';
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The driver's native module: the one named by METALYTICS_SQLITE_NATIVE_BINDING (the
 * Electron main process sets it when run from a checkout, whose in-place build serves the
 * Node tests), else the package's own.
 */
export function sqliteNativeBinding(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env[SQLITE_NATIVE_BINDING_ENV]?.trim() || undefined;
}

/** SQLite's result codes (better-sqlite3 puts them in `code`); extended ones start with the primary one. */
/** The SQLite result code of a failure, also when drizzle wraps the driver's error. */
function sqliteCode(error: unknown): string | undefined {
  return codeOf(error, (code) => code.startsWith('SQLITE_'));
}

const RESTORE_HINT = 'Restore metalytics.db from your last backup (quit Metalytics, replace the file, start again).';

/**
 * The contract error for a SQLite failure a user can act on: a damaged file is CORRUPT, a full
 * disk or a failing one UNAVAILABLE (CLI exit 4), as a lost Postgres connection is.
 */
export function toSqliteStorageError(error: unknown, file: string): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new AppError('CORRUPT', `The database file ${file} is damaged, so Metalytics cannot use it. ${RESTORE_HINT}`, { code });
  }
  if (code === 'SQLITE_FULL') {
    return new AppError('UNAVAILABLE', `The disk holding ${file} is full, so nothing more can be saved. Free some space and try again; what was saved before is kept.`, { code });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new AppError('UNAVAILABLE', `The disk holding ${file} failed to read or write (${code}). Check the disk and free space, then try again.`, { code });
  }
  return error;
}

/**
 * Refuses a file SQLite reports damaged before anything is written to it, so the damage does
 * not spread and the app does not look healthy on top of it. quick_check reads every page
 * once (about a second per GB) without the slow index-to-table cross-check of integrity_check.
 */
function requireIntactDatabase(client: Database.Database, file: string): void {
  const result = client.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>;
  const problems = result.map((row) => row.quick_check).filter((line) => line !== 'ok');
  if (problems.length > 0) {
    throw new AppError('CORRUPT', `The database file ${file} is damaged (SQLite quick_check: ${problems[0]!.slice(0, 120)}). ${RESTORE_HINT}`, {
      code: 'SQLITE_CORRUPT',
    });
  }
}

/** The database holds the user's data and audit log: readable by its owner only, like the secrets. */
const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the database file private to its owner (SQLite gives its -wal and -shm files the same
 * mode), or narrows an existing one. An existing file of zero bytes is refused: SQLite would
 * silently start an empty workspace in it, hiding that the data was lost (a failed copy, a full disk).
 */
function claimDatabaseFile(file: string): void {
  let info: fs.Stats;
  try {
    info = fs.statSync(file);
  } catch {
    try {
      fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE_MODE));
    } catch (error) {
      // Another process may have created it in between; SQLite opens it either way.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return;
  }
  if (info.isFile() && info.size === 0) {
    throw new AppError(
      'UNAVAILABLE',
      `The database file ${file} is empty (0 bytes), so the data it held is gone. Restore metalytics.db from your last backup; ` +
        'to start an empty workspace instead, delete the empty file first.',
      { file },
    );
  }
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) fs.chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Opens (creating if needed) the SQLite database at `file` and brings its schema up to date,
 * with the driver's native module at `nativeBinding` when given.
 */
export async function openSqliteStorage(file: string, logger: Logger, nativeBinding?: string): Promise<Storage> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  claimDatabaseFile(file);
  let client: Database.Database;
  try {
    client = new Database(file, nativeBinding === undefined ? {} : { nativeBinding });
  } catch (error) {
    throw new AppError('UNAVAILABLE', `The local database at ${file} cannot be opened. Check that the folder is writable.`, {
      cause: error instanceof Error ? error.message : String(error),
    });
  }
  try {
    requireIntactDatabase(client, file);
    client.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only power loss can lose the last commits.
    client.pragma('synchronous = NORMAL');
    client.pragma('busy_timeout = 5000');
    client.pragma('foreign_keys = ON');
    client.pragma('cache_size = -65536');
    // After a checkpoint lets the WAL start over, its file is cut back to this size rather than kept at its peak.
    client.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);

    const db = drizzle({ client, schema });
    const executor = sqliteExecutor(client);
    const folder = migrationsFolder('sqlite');
    migrate(db, { migrationsFolder: folder });
    const last = client.prepare('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as
      | { created_at: number }
      | undefined;
    const schemaVersion = migrationTag(folder, last === undefined ? undefined : Number(last.created_at));
    logger.info('opened SQLite database', { file, schemaVersion });
    const checkpointer = startCheckpointer(client, file, nativeBinding, logger);
    // Damage found while running (a page read back as garbage) switches the connection to
    // query_only: every later write fails, so nothing more is written into a damaged file.
    let damage: AppError | null = null;
    const translate = (error: unknown): unknown => {
      if (damage && sqliteCode(error) === 'SQLITE_READONLY') return damage;
      const mapped = toSqliteStorageError(error, file);
      if (!damage && mapped instanceof AppError && mapped.code === 'CORRUPT') {
        damage = mapped;
        logger.error('the SQLite database is damaged; refusing writes until it is restored from a backup', { file, code: sqliteCode(error) });
        client.pragma('query_only = ON');
      }
      return mapped;
    };
    const mapped = <T extends object>(repository: T): T => mapErrors(repository, translate);

    return {
      mode: 'sqlite',
      location: file,
      schemaVersion,
      instruments: mapped(new SqliteInstruments(db)),
      marketData: mapped(new SqliteMarketData(client, Date.now)),
      jobRuns: mapped(new SqliteJobRuns(db)),
      backfillCheckpoints: mapped(new SqliteBackfillCheckpoints(client)),
      auditLog: mapped(new SqliteAuditLog(db)),
      ...sqlRepositories(executor, mapped),
      problem: () => damage?.message ?? null,
      ping: async () => {
        if (damage) return false;
        try {
          client.prepare('SELECT 1').get();
          return true;
        } catch {
          return false;
        }
      },
      close: async () => {
        await checkpointer.stop();
        if (!client.open) return;
        try {
          // Leaves the data in the database file and an empty WAL, so a copy of the file alone is complete.
          client.pragma('wal_checkpoint(TRUNCATE)');
        } catch (error) {
          // A full or failing disk: the committed data stays in the WAL, which SQLite replays on the next open.
          logger.warn('could not fold the SQLite log into the database file on close; it is kept for the next start', {
            error: error instanceof Error ? error.message : String(error),
          });
        } finally {
          client.close();
        }
      },
    };
  } catch (error) {
    client.close();
    throw toSqliteStorageError(error, file);
  }
}
