import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { TableDigestSummary } from '../../shared/backups';
import { canonicalRow, canonicalSelect, TableDigest, type TableShape } from './archive/table-digest';

/** Rows between two yields to the event loop while a table is read. */
const ROWS_PER_TURN = 5_000;

/** Opens a database copy made for a backup, with the driver build the app uses. */
export function openDatabaseCopy(file: string, nativeBinding: string | undefined, options: { readonly: boolean }): Database.Database {
  return new Database(file, { readonly: options.readonly, fileMustExist: true, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
}

/**
 * Row counts and checksums of `tables` in a SQLite database; a table the file lacks is
 * reported by `missing` rather than thrown, so verification can say which.
 */
export async function digestSqliteTables(
  db: Database.Database,
  tables: readonly TableShape[],
): Promise<{ digests: TableDigestSummary[]; missing: string[] }> {
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const digests: TableDigestSummary[] = [];
  const missing: string[] = [];
  for (const shape of tables) {
    if (!present.has(shape.name)) {
      missing.push(shape.name);
      continue;
    }
    const digest = new TableDigest(shape.name);
    // A copy nobody else writes: iterating across yields is safe, and yields keep the app responsive.
    for (const row of db.prepare(canonicalSelect(shape, 'sqlite')).iterate() as IterableIterator<Record<string, unknown>>) {
      digest.addLine(canonicalRow(shape, row));
      if (digest.rows % ROWS_PER_TURN === 0) await nextTurn();
    }
    digests.push(digest.result());
  }
  return { digests, missing };
}
