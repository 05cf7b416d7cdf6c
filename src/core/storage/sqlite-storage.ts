import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { AppError } from '../../shared/errors';
import type { Logger } from '../ports';
import { mapErrors } from './map-errors';
import { migrationsFolder, migrationTag } from './migrations';
import { sqlRepositories } from './repositories';
import { startCheckpointer } from './sqlite-checkpointer';
import { claimDatabaseFile, recordCleanClose, requireIntactDatabase, SqliteConnectionLock, sqliteCode, takeCleanClose, toSqliteStorageError } from './sqlite-connection';
import { SqliteMarketData } from './sqlite-market-data';
import { sqliteExecutor } from './sql-executor';
import type { Storage } from './types';
import { registerCaptureFunction } from '../sync/capture';
import { workerScript } from '../worker-script';

const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface OnlineCopyRequest {
  file: string;
  destination: string;
  nativeBinding: string | undefined;
}

export type OnlineCopyMessage = { kind: 'progress'; copiedPages: number; totalPages: number } | { kind: 'done' } | { kind: 'failed'; message: string };

/**
 * Copies the database at `file` into `destination` with SQLite's online backup API, on a
 * thread of its own (sqlite-online-copy-thread.ts) with a connection of its own holding one
 * read transaction: the copy is the snapshot taken when it began, writes meanwhile on the
 * app's connection neither wait nor restart it, and the app's main thread is never held by
 * a copy step. The copy is one self-contained file (rollback journal, no WAL).
 */
function copyOnline(
  file: string,
  destination: string,
  nativeBinding: string | undefined,
  onProgress: (copiedPages: number, totalPages: number) => void,
): Promise<void> {
  const { script, eval: evaluate } = workerScript(import.meta.url, { source: 'sqlite-online-copy-thread', built: 'sqlite-online-copy' });
  const request: OnlineCopyRequest = { file, destination, nativeBinding };
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { eval: evaluate, execArgv: [], workerData: request });
    let answered = false;
    worker.on('message', (message: OnlineCopyMessage) => {
      if (message.kind === 'progress') return onProgress(message.copiedPages, message.totalPages);
      answered = true;
      if (message.kind === 'done') resolve();
      else reject(new Error(message.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the database copy thread exited with code ${code} before it finished`));
    });
  });
}

/**
 * Opens (creating if needed) the SQLite database at `file` and brings its schema up to date,
 * with the driver's native module at `nativeBinding` (an Electron-ABI build, for a desktop app
 * run from a checkout whose in-place build serves the Node tests) and the migrations in
 * `migrationsDir` when given. A clean close records the file it left, so the next open can skip
 * reading it all through (see takeCleanClose); `recordCleanClose: false` is for files built and
 * closed on the way to becoming another (a restore's), whose record would be left behind.
 */
export async function openSqliteStorage(
  file: string,
  logger: Logger,
  { nativeBinding, migrationsDir, recordCleanClose: remember = true }: { nativeBinding?: string; migrationsDir?: string; recordCleanClose?: boolean } = {},
): Promise<Storage> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  claimDatabaseFile(file);
  const untouchedSinceCleanClose = takeCleanClose(file);
  let client: Database.Database;
  try {
    client = new Database(file, nativeBinding === undefined ? {} : { nativeBinding });
  } catch (error) {
    throw new AppError('UNAVAILABLE', `The local database at ${file} cannot be opened. Check that the folder is writable.`, {
      cause: error instanceof Error ? error.message : String(error),
    });
  }
  try {
    if (!untouchedSinceCleanClose) requireIntactDatabase(client, file);
    client.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only power loss can lose the last commits.
    client.pragma('synchronous = NORMAL');
    client.pragma('busy_timeout = 5000');
    client.pragma('foreign_keys = ON');
    client.pragma('cache_size = -65536');
    // After a checkpoint lets the WAL start over, its file is cut back to this size rather than kept at its peak.
    client.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);

    const folder = migrationsFolder('sqlite', migrationsDir);
    migrate(drizzle({ client }), { migrationsFolder: folder });
    const last = client.prepare('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as
      | { created_at: number }
      | undefined;
    const schemaVersion = migrationTag(folder, last === undefined ? undefined : Number(last.created_at));
    logger.info('opened SQLite database', { file, schemaVersion, checked: !untouchedSinceCleanClose });
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
    const lock = new SqliteConnectionLock();
    const sql = sqliteExecutor(client, lock);
    registerCaptureFunction(client);

    return {
      mode: 'sqlite',
      location: file,
      schemaVersion,
      marketData: mapped(new SqliteMarketData(client, Date.now, lock)),
      ...sqlRepositories(sql, mapped),
      sql: mapped(sql),
      snapshot: { dialect: 'sqlite', copyTo: (destination, onProgress) => copyOnline(file, destination, nativeBinding, onProgress) },
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
      // In its turn, so an open transaction ends before the connection does.
      close: () =>
        lock.run(async () => {
          await checkpointer.stop();
          if (!client.open) return;
          let folded = false;
          try {
            // Leaves the data in the database file and an empty WAL, so a copy of the file alone is complete.
            client.pragma('wal_checkpoint(TRUNCATE)');
            folded = true;
          } catch (error) {
            // A full or failing disk: the committed data stays in the WAL, which SQLite replays on the next open.
            logger.warn('could not fold the SQLite log into the database file on close; it is kept for the next start', {
              error: error instanceof Error ? error.message : String(error),
            });
          } finally {
            client.close();
          }
          // A damaged file is checked again however it was closed.
          if (remember && folded && !damage) recordCleanClose(file);
        }),
    };
  } catch (error) {
    client.close();
    throw toSqliteStorageError(error, file);
  }
}
