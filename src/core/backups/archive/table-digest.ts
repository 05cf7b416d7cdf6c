/**
 * Row counts and content checksums of the backed-up tables, computed identically on SQLite and
 * Postgres: each row becomes one canonical JSON line (values by column kind: booleans as
 * true/false whatever 0/1 SQLite stores, JSON with sorted keys whatever order jsonb keeps,
 * numbers as JavaScript prints them), rows in primary-key order compared bytewise (SQLite's
 * BINARY collation, COLLATE "C" on Postgres), and the checksum is the sha256 of those lines.
 */
import { createHash } from 'node:crypto';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../storage/schema.pg';

type ColumnKind = 'number' | 'string' | 'boolean' | 'json';

export interface TableShape {
  name: string;
  columns: { name: string; kind: ColumnKind }[];
  /** The columns rows are ordered by: the primary key. */
  orderBy: string[];
}

/**
 * Tables that are not backed up, and whose live rows a restore keeps:
 * - the backup catalogue, which describes this machine's archives (the backups, their drills,
 *   the restores done) rather than the workspace: a backup's own row would be caught half-done,
 *   and a drill or restore names archives of this machine;
 * - the sync engine's bookkeeping (src/core/sync), the outbox and state of this database;
 * - model_artifacts, the team database's copy of the model files, which a backup already holds
 *   in its models folder (and the next sync uploads again from there).
 */
export const CATALOGUE_TABLES: readonly string[] = ['backups', 'backup_drills', 'restores', 'sync_outbox', 'sync_state', 'model_artifacts'];

function shapeOf(table: PgTable): TableShape {
  const config = getTableConfig(table);
  const columns = config.columns.map((column) => ({
    name: column.name,
    kind: (['number', 'boolean', 'json'].includes(column.dataType) ? column.dataType : 'string') as ColumnKind,
  }));
  const primary = config.primaryKeys[0]?.columns.map((column) => column.name) ?? config.columns.filter((c) => c.primary).map((c) => c.name);
  return { name: config.name, columns, orderBy: primary.length > 0 ? primary : columns.map((c) => c.name) };
}

/** Every table of the schema but the catalogue's, by name; the Postgres schema is the reference for column kinds (schema-twins holds SQLite to it). */
export const backedUpTables: readonly TableShape[] = (Object.values(pgSchema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map(shapeOf)
  .filter((shape) => !CATALOGUE_TABLES.includes(shape.name))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

/** A name as a quoted SQL identifier. */
export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The key terms a table is sorted by in canonical order on `dialect` (byte-wise text on Postgres, as SQLite sorts it). */
export function canonicalOrder(shape: TableShape, dialect: 'sqlite' | 'postgres'): string {
  const kinds = new Map(shape.columns.map((c) => [c.name, c.kind]));
  return shape.orderBy.map((name) => (dialect === 'postgres' && kinds.get(name) === 'string' ? `${quote(name)} COLLATE "C"` : quote(name))).join(', ');
}

/** The statement reading a table in canonical order on `dialect`, only the rows matching `where` when given. */
export function canonicalSelect(shape: TableShape, dialect: 'sqlite' | 'postgres', where?: string): string {
  const filter = where === undefined ? '' : ` WHERE ${where}`;
  return `SELECT ${shape.columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(shape.name)}${filter} ORDER BY ${canonicalOrder(shape, dialect)}`;
}

function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedJson((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function canonicalValue(value: unknown, kind: ColumnKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'boolean':
      return value === true || Number(value) === 1;
    case 'number':
      return Number(value);
    case 'json':
      return sortedJson(typeof value === 'string' ? JSON.parse(value) : value);
    case 'string':
      return String(value);
  }
}

/** One row as its canonical line, without the newline. */
export function canonicalRow(shape: TableShape, row: Record<string, unknown>): string {
  return JSON.stringify(shape.columns.map((column) => canonicalValue(row[column.name], column.kind)));
}

/** A row read as an array in the shape's column order (better-sqlite3's raw mode, which is faster), as canonical values. */
export function canonicalValues(shape: TableShape, values: readonly unknown[]): unknown[] {
  return shape.columns.map((column, i) => canonicalValue(values[i], column.kind));
}

/** `canonicalRow` of a row read as an array in the shape's column order. */
export function canonicalRowValues(shape: TableShape, values: readonly unknown[]): string {
  return JSON.stringify(canonicalValues(shape, values));
}

/**
 * The shape restricted to the columns a database at an older schema has (`present`), in the
 * shape's order: what a backup made by the version at that schema wrote, as columns are only
 * ever added.
 */
export function shapeWithColumns(shape: TableShape, present: ReadonlySet<string>): TableShape {
  return { ...shape, columns: shape.columns.filter((column) => present.has(column.name)), orderBy: shape.orderBy.filter((name) => present.has(name)) };
}

/** Each table's columns in a Postgres database's current schema (the restored one on a restore connection), as shapesPresent takes them. */
export async function postgresColumns(query: (text: string) => Promise<readonly Record<string, unknown>[]>): Promise<Map<string, Set<string>>> {
  const columns = new Map<string, Set<string>>();
  for (const row of await query('SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()')) {
    const table = String(row.table_name);
    columns.set(table, (columns.get(table) ?? new Set()).add(String(row.column_name)));
  }
  return columns;
}

/** `shapes` as a database at an older or a newer schema version holds them: only its tables, only its columns. */
export function shapesPresent(shapes: readonly TableShape[], columns: Map<string, Set<string>>): TableShape[] {
  return shapes.filter((shape) => columns.has(shape.name)).map((shape) => shapeWithColumns(shape, columns.get(shape.name)!));
}

/** Hashing ~1 MiB at a time: one hash update per row would cost more than the row itself. */
const FLUSH_CHARS = 1 << 20;

/** Counts and hashes a table's canonical lines in order. */
export class TableDigest {
  private readonly hash = createHash('sha256');
  private pending = '';
  rows = 0;

  constructor(readonly table: string) {}

  addLine(line: string): void {
    this.pending += `${line}\n`;
    this.rows += 1;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  result(): { name: string; rows: number; checksum: string } {
    this.flush();
    return { name: this.table, rows: this.rows, checksum: this.hash.digest('hex') };
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
  }
}
