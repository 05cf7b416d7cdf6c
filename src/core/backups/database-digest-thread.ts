/**
 * The thread that reads a SQLite copy made for a backup: its integrity check and the table
 * checksums are synchronous work proportional to the database, which on the main thread
 * would hold the app for seconds. See database-digest.ts for the main-thread side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { backedUpTables, canonicalRowValues, canonicalSelect, shapeWithColumns, TableDigest } from './archive/table-digest';
import type { DigestRequest, DigestResult } from './database-digest';

function digest(request: DigestRequest): DigestResult {
  const db = new Database(request.file, {
    readonly: true,
    fileMustExist: true,
    ...(request.nativeBinding === undefined ? {} : { nativeBinding: request.nativeBinding }),
  });
  try {
    if (request.integrityCheck) {
      const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
      if (integrity.join() !== 'ok') return { integrity, digests: [], missing: [] };
    }
    const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const result: DigestResult = { integrity: ['ok'], digests: [], missing: [] };
    for (const known of backedUpTables.filter((s) => request.tables.includes(s.name))) {
      if (!present.has(known.name)) {
        result.missing.push(known.name);
        continue;
      }
      // A copy at an older schema (an older app's backup) has fewer columns, and was digested over those.
      const shape = shapeWithColumns(known, new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(known.name) as string[]));
      const table = new TableDigest(shape.name);
      for (const values of db.prepare(canonicalSelect(shape, 'sqlite')).raw(true).iterate() as IterableIterator<unknown[]>) {
        table.addLine(canonicalRowValues(shape, values));
      }
      result.digests.push(table.result());
    }
    return result;
  } finally {
    db.close();
  }
}

try {
  parentPort?.postMessage({ ok: true, result: digest(workerData as DigestRequest) });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
