import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { loadPg, retryOnDeadlock } from '../storage/pg-connection';
import { syncFolder } from './archive/archive-writer';
import { backedUpTables } from './archive/table-digest';
import { CATALOGUE_TABLES } from './restore/restore-archive';
import { loadOrder } from './restore/table-loading';

/** What a restored database must say about the runs that were going on when its backup was taken. */
export const INTERRUPTED_BY_BACKUP =
  'This run was still going when the restored backup was taken; it did not finish in that backup and was not resumed after the restore.';

/** The one name the embedded database has in the data folder (see open-storage.ts). */
export const SQLITE_FILE_NAME = 'metalytics.db';
/** Where a restore builds the next database file, beside the live one: a dot name, so nothing lists it. */
export const RESTORED_FILE_PREFIX = `.${SQLITE_FILE_NAME}.restored-`;
/** Where a restore builds the next Postgres schema; one left behind by a process that died is dropped at start. */
export const RESTORE_SCHEMA_PREFIX = 'restore_';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The tables a restore replaces: every backed-up table but the catalogue, parents before children. */
const replacedTables = () => loadOrder(backedUpTables.filter((shape) => !CATALOGUE_TABLES.includes(shape.name)));

async function sizeOf(file: string): Promise<number | null> {
  return stat(file).then(
    (info) => info.size,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    },
  );
}

const columnsOf = (db: Database.Database, schema: string, table: string) =>
  (db.prepare(`SELECT name FROM ${schema}.pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => quote(c.name));

/**
 * Makes the restored SQLite file at `restored` ready to be the live one, while the live
 * database is still open and quiet: the catalogue tables take the live rows (so backups made
 * since, the safety backup among them, stay listed), runs that were going on in the backup are
 * settled with a clear reason, and the restore's own run is carried over to be finished there.
 */
export function prepareRestoredSqlite(restored: string, live: string, options: { runId: string; now: number; nativeBinding?: string }): void {
  const db = new Database(restored, { fileMustExist: true, ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }) });
  try {
    db.prepare('ATTACH DATABASE ? AS live').run(live);
    db.transaction(() => {
      for (const table of CATALOGUE_TABLES) {
        const columns = columnsOf(db, 'main', table).join(', ');
        db.exec(`DELETE FROM main.${quote(table)}`);
        db.exec(`INSERT INTO main.${quote(table)} (${columns}) SELECT ${columns} FROM live.${quote(table)}`);
      }
      db.prepare(`UPDATE main.job_runs SET status = 'failed', finished_at = ?, error = ? WHERE status = 'running'`).run(options.now, INTERRUPTED_BY_BACKUP);
      const columns = columnsOf(db, 'main', 'job_runs').join(', ');
      db.prepare(`INSERT INTO main.job_runs (${columns}) SELECT ${columns} FROM live.job_runs WHERE id = ?`).run(options.runId);
    })();
    db.exec('DETACH DATABASE live');
    // Its own file only, no log beside it, so the rename below moves the whole database.
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * Puts the restored file in the live one's place, with no database open. The live log files
 * go first: a log left beside the new file would be replayed into it. A closed database whose
 * log still holds commits (its last checkpoint failed, a full disk) is refused rather than lose them.
 */
export async function swapSqliteFile(restored: string, live: string): Promise<void> {
  const wal = await sizeOf(`${live}-wal`);
  if (wal !== null && wal > 0) {
    throw new AppError('UNAVAILABLE', `The database log ${live}-wal still holds changes that could not be folded into the database; nothing was restored. Free some disk space and try again.`);
  }
  await rm(`${live}-wal`, { force: true });
  await rm(`${live}-shm`, { force: true });
  await rm(`${live}-journal`, { force: true });
  await syncFolder(path.dirname(live));
  await rename(restored, live);
  await syncFolder(path.dirname(live));
}

/**
 * Makes the rows of the restored schema the live ones, in one transaction on the live
 * database: the live tables (catalogue tables aside) are emptied and filled from the
 * restored schema, which works on TimescaleDB hypertables as on plain tables. Runs that were
 * going on in the backup are settled first, and the restore's own run is carried over.
 * Then the restored schema is dropped.
 */
export async function switchPostgresSchema(url: string, schema: string, options: { runId: string; now: number }): Promise<void> {
  const client = new (await loadPg()).Client({ connectionString: url });
  await client.connect();
  try {
    const staging = quote(schema);
    await retryOnDeadlock(async () => {
      await client.query('BEGIN');
      try {
        await client.query(`UPDATE ${staging}.job_runs SET status = 'failed', finished_at = $1, error = $2 WHERE status = 'running'`, [options.now, INTERRUPTED_BY_BACKUP]);
        await client.query(`INSERT INTO ${staging}.job_runs SELECT * FROM public.job_runs WHERE id = $1`, [options.runId]);
        const tables = replacedTables();
        await client.query(`TRUNCATE ${tables.map((t) => `public.${quote(t.name)}`).join(', ')}`);
        for (const table of tables) {
          const { rows } = await client.query<{ column_name: string }>(
            `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
            [table.name],
          );
          const columns = rows.map((r) => quote(r.column_name)).join(', ');
          await client.query(`INSERT INTO public.${quote(table.name)} (${columns}) SELECT ${columns} FROM ${staging}.${quote(table.name)}`);
        }
        // Identity columns continue after the restored ids, not after the ids the live rows had.
        const { rows: identities } = await client.query<{ table_name: string; column_name: string }>(
          `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'`,
        );
        for (const { table_name: table, column_name: column } of identities) {
          await client.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(column)}) FROM public.${quote(table)}), 0) + 1, false)`,
            [`public.${quote(table)}`, column],
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    await retryOnDeadlock(() => client.query(`DROP SCHEMA IF EXISTS ${staging} CASCADE`));
  } finally {
    await client.end();
  }
}

/** Drops restore schemas a process that died left behind; a restore that is running holds its run's lock. */
export async function dropLeftoverSchemas(url: string, keep: (schema: string) => boolean): Promise<string[]> {
  const client = new (await loadPg()).Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema_name: string }>(`SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE $1`, [`${RESTORE_SCHEMA_PREFIX}%`]);
    const dropped: string[] = [];
    for (const { schema_name: schema } of rows) {
      if (keep(schema)) continue;
      await client.query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
      dropped.push(schema);
    }
    return dropped;
  } finally {
    await client.end();
  }
}
