/**
 * Rows in and out of a restored database in the canonical form of table-digest.ts: read from an
 * archive's NDJSON table parts or from a SQLite copy, written into SQLite or into a Postgres
 * schema, and digested again there so the restore is proven against the manifest.
 */
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { TableDigestSummary } from '../../../shared/backups';
import { AppError } from '../../../shared/errors';
import { loadPg, retryOnDeadlock } from '../../storage/pg-connection';
import * as pgSchema from '../../storage/schema.pg';
import type { OpenedArchive } from '../archive/archive-reader';
import { canonicalRow, canonicalSelect, canonicalValues, postgresColumns, TableDigest, type TableShape } from '../archive/table-digest';
import { tablePartName } from '../create-backup';
import { digestSqliteCopy } from '../database-digest';

export type CanonicalRow = unknown[];

/** Rows per insert batch: big enough that per-statement costs vanish, small enough to yield to the event loop between batches. */
const BATCH_ROWS = 5_000;

/** Parents before children, so foreign keys hold while each table is loaded whole. */
const referencedBy = new Map(
  (Object.values(pgSchema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => {
      const config = getTableConfig(table);
      return [config.name, config.foreignKeys.map((key) => getTableConfig(key.reference().foreignTable).name)] as const;
    }),
);

export function loadOrder(shapes: readonly TableShape[]): TableShape[] {
  const ordered: TableShape[] = [];
  const placed = new Set<string>();
  const place = (shape: TableShape) => {
    if (placed.has(shape.name)) return;
    placed.add(shape.name);
    for (const parent of referencedBy.get(shape.name) ?? []) {
      const parentShape = shapes.find((s) => s.name === parent);
      if (parentShape) place(parentShape);
    }
    ordered.push(shape);
  };
  shapes.forEach(place);
  return ordered;
}

/** One table's canonical rows from its NDJSON part, in batches; a row of the wrong width is a damaged archive. */
export async function* ndjsonRows(archive: OpenedArchive, shape: TableShape): AsyncGenerator<CanonicalRow[]> {
  const part = archive.manifest.parts.find((p) => p.name === tablePartName(shape.name));
  if (!part) throw new AppError('CORRUPT', `The backup has no part for table ${shape.name}.`);
  let pending = '';
  let batch: CanonicalRow[] = [];
  let line = 0;
  const take = (text: string) => {
    line += 1;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw new AppError('CORRUPT', `Row ${line} of table ${shape.name} in the backup is not valid JSON.`);
    }
    if (!Array.isArray(row) || row.length !== shape.columns.length) {
      throw new AppError('CORRUPT', `Row ${line} of table ${shape.name} in the backup has ${Array.isArray(row) ? row.length : 'no'} values; the table has ${shape.columns.length} columns.`);
    }
    batch.push(row);
  };
  for await (const chunk of archive.readPart(part) as AsyncIterable<Buffer>) {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(take);
    if (batch.length >= BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (pending !== '') take(pending);
  if (batch.length > 0) yield batch;
}

/** One table's canonical rows read from a SQLite file in batches, on a read-only connection of its own. */
export async function* sqliteRows(db: Database.Database, shape: TableShape): AsyncGenerator<CanonicalRow[]> {
  let batch: CanonicalRow[] = [];
  for (const values of db.prepare(canonicalSelect(shape, 'sqlite')).raw(true).iterate() as IterableIterator<unknown[]>) {
    batch.push(canonicalValues(shape, values));
    if (batch.length >= BATCH_ROWS) {
      yield batch;
      batch = [];
      // Another statement may not run on this connection meanwhile; only the event loop gets its turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (batch.length > 0) yield batch;
}

/** Where restored rows go: a table at a time, then digested back in canonical form. */
export interface RowSink {
  /** Each table's columns as the target holds them. */
  columns(): Promise<Map<string, Set<string>>>;
  insert(shape: TableShape, rows: CanonicalRow[]): Promise<void>;
  /** After every table is loaded: what must follow bulk inserts (identity counters). */
  finish(): Promise<void>;
  digest(shapes: readonly TableShape[]): Promise<TableDigestSummary[]>;
  close(): Promise<void>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** SQLite keeps booleans as 0/1 and JSON as text; the canonical form has true/false and parsed values. */
function sqliteValue(value: unknown, kind: TableShape['columns'][number]['kind']): unknown {
  if (value === null) return null;
  if (kind === 'boolean') return value ? 1 : 0;
  if (kind === 'json') return JSON.stringify(value);
  return value;
}

export function sqliteSink(file: string, nativeBinding: string | undefined): RowSink {
  const db = new Database(file, { fileMustExist: true, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
  const statements = new Map<string, Database.Statement>();
  const insertAll = db.transaction((statement: Database.Statement, shape: TableShape, rows: CanonicalRow[]) => {
    for (const row of rows) statement.run(row.map((value, i) => sqliteValue(value, shape.columns[i]!.kind)));
  });
  return {
    columns: async () => {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      return new Map(tables.map((name) => [name, new Set(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[])]));
    },
    insert: async (shape, rows) => {
      let statement = statements.get(shape.name);
      if (!statement) {
        statement = db.prepare(`INSERT INTO ${quote(shape.name)} (${shape.columns.map((c) => quote(c.name)).join(', ')}) VALUES (${shape.columns.map(() => '?').join(', ')})`);
        statements.set(shape.name, statement);
      }
      insertAll(statement, shape, rows);
      await new Promise((resolve) => setImmediate(resolve));
    },
    finish: async () => undefined,
    digest: async (shapes) => {
      // The digest thread reads the file on a connection of its own: everything must be in it.
      db.pragma('wal_checkpoint(TRUNCATE)');
      const { digests } = await digestSqliteCopy({ file, nativeBinding, integrityCheck: false, tables: shapes.map((s) => s.name) });
      return digests;
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}

/** A connection whose search path is the restored schema, then `public` where the extensions live. */
export async function connectToSchema(url: string, schema: string): Promise<pg.Client> {
  const client = new (await loadPg()).Client({ connectionString: url, options: `-c search_path=${schema},public`, application_name: 'metalytics-restore' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export function postgresSink(client: pg.Client): RowSink {
  // One batch in flight while the next is read and encoded: the server inserts as the archive is read.
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    columns: () => postgresColumns(async (text) => (await client.query<Record<string, unknown>>(text)).rows),
    // One statement per batch: the rows as one JSON array that Postgres turns into the table's row type.
    // For json and jsonb columns it keeps each value as it is; every other type is read from its JSON text.
    insert: async (shape, rows) => {
      const objects = rows.map((row) => Object.fromEntries(shape.columns.map((column, i) => [column.name, row[i]])));
      const columns = shape.columns.map((c) => quote(c.name)).join(', ');
      const rowsJson = JSON.stringify(objects);
      await inFlight;
      const sent = client.query(`INSERT INTO ${quote(shape.name)} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${quote(shape.name)}, $1::json)`, [rowsJson]);
      // Awaited by the next insert or by finish; a restore that fails meanwhile must not leave it unhandled.
      sent.catch(() => undefined);
      inFlight = sent;
    },
    // Identity columns were given their values; their counters must go past them or the next insert collides.
    finish: async () => {
      await inFlight;
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
      );
      for (const { table_name: table, column_name: column } of rows) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE((SELECT max(${quote(column)}) FROM ${quote(table)}), 0), 1), (SELECT count(*) > 0 FROM ${quote(table)}))`,
          [quote(table), column],
        );
      }
      // Only the restored schema's tables: a bare ANALYZE would also scan every live table of the database.
      const { rows: tables } = await client.query<{ name: string }>(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      if (tables.length > 0) await client.query(`ANALYZE ${tables.map((t) => t.name).join(', ')}`);
    },
    digest: (shapes) =>
      retryOnDeadlock(async () => {
        const digests: TableDigestSummary[] = [];
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        try {
          for (const shape of shapes) {
            const digest = new TableDigest(shape.name);
            await client.query(`DECLARE restore_rows NO SCROLL CURSOR FOR ${canonicalSelect(shape, 'postgres')}`);
            for (;;) {
              const { rows } = await client.query<Record<string, unknown>>(`FETCH FORWARD ${BATCH_ROWS} FROM restore_rows`);
              if (rows.length === 0) break;
              for (const row of rows) digest.addLine(canonicalRow(shape, row));
            }
            await client.query('CLOSE restore_rows');
            digests.push(digest.result());
          }
        } finally {
          await client.query('COMMIT');
        }
        return digests;
      }),
    close: () => client.end(),
  };
}
