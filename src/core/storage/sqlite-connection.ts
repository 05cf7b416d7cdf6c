import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { codeOf } from './map-errors';

/** The SQLite result code of a failure (better-sqlite3 puts it in `code`; extended ones start with the primary one). */
export function sqliteCode(error: unknown): string | undefined {
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

/** Where a clean close records the file it left (see recordCleanClose). */
const cleanCloseRecord = (file: string) => `${file}.clean-close`;

/** What identifies the bytes of a file without reading them: any write, copy over or replacement changes one of these. */
function fileIdentity(file: string): string | null {
  try {
    const info = fs.statSync(file, { bigint: true });
    return JSON.stringify({ dev: String(info.dev), ino: String(info.ino), size: String(info.size), mtimeNs: String(info.mtimeNs), ctimeNs: String(info.ctimeNs) });
  } catch {
    return null;
  }
}

/** Whether a write-ahead log with frames lies beside the file (a read-only opening leaves an empty one). */
function logHoldsFrames(file: string): boolean {
  try {
    return fs.statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * After a clean close (the log folded into the file and removed), notes the file's identity,
 * so the next open can tell that nothing has touched the file since (see takeCleanClose).
 */
export function recordCleanClose(file: string): void {
  const identity = fileIdentity(file);
  if (identity === null || logHoldsFrames(file)) return;
  const temporary = `${cleanCloseRecord(file)}.${process.pid}`;
  try {
    fs.writeFileSync(temporary, identity, { mode: 0o600 });
    fs.renameSync(temporary, cleanCloseRecord(file));
  } catch {
    // A full disk: without a record the next open checks the whole file, which is only slower.
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Whether the file is exactly as this app's last clean close left it: same file, size and
 * modification and change times, and no log with frames beside it. The record is used up here, so a
 * session that then crashes leaves none and the next open checks the file again.
 */
export function takeCleanClose(file: string): boolean {
  let recorded: string;
  try {
    recorded = fs.readFileSync(cleanCloseRecord(file), 'utf8');
  } catch {
    return false;
  }
  fs.rmSync(cleanCloseRecord(file), { force: true });
  return !logHoldsFrames(file) && recorded === fileIdentity(file);
}

/**
 * Refuses a file SQLite reports damaged before anything is written to it, so the damage does
 * not spread and the app does not look healthy on top of it. quick_check reads every page
 * once (about a second per GB) without the slow index-to-table cross-check of integrity_check.
 * The caller skips it for a file its last clean close left untouched (takeCleanClose): a crash,
 * a copy, a restore or another tool's write changes the file or leaves no record, and damage
 * found while running still makes the database read-only.
 */
export function requireIntactDatabase(client: Database.Database, file: string): void {
  const result = client.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>;
  const problems = result.map((row) => row.quick_check).filter((line) => line !== 'ok');
  if (problems.length > 0) {
    // quick_check's report spans lines; the message is one sentence.
    const problem = problems[0]!.replace(/\s+/g, ' ').slice(0, 120);
    throw new AppError('CORRUPT', `The database file ${file} is damaged (SQLite quick_check: ${problem}). ${RESTORE_HINT}`, {
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
export function claimDatabaseFile(file: string): void {
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
 * Turns on the one better-sqlite3 connection. Its statements are synchronous, but a
 * transaction spans awaits; anything else that used the connection in between would land
 * inside that transaction and vanish with its rollback. Every user of the connection (the
 * executor, market data, close) runs its work here, one after another in call order.
 */
export class SqliteConnectionLock {
  private tail: Promise<unknown> = Promise.resolve();
  /** Set inside the work holding the lock, to refuse what would wait for itself. */
  private readonly holder = new AsyncLocalStorage<true>();

  run<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.holder.getStore()) {
      // Waiting here would wait for the work that is waiting: a silent hang instead of an error.
      return Promise.reject(new Error('The database connection is held by this transaction: use the executor or repositories it was given.'));
    }
    const turn = this.tail.then(() => this.holder.run(true, work));
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
