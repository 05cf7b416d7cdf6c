/** Statements over a synced table by column name, the same text on both engines ({name} parameters, see sql-executor.ts). */
import type { Bar } from '../../shared/domain';
import { canonicalRow, quote, type TableShape } from '../backups/archive/table-digest';
import type { Row, SqlExecutor } from '../storage/sql-executor';

/** `"a" = {k0} AND "b" = {k1}` over `columns`, with its parameters taken from `values` in the same order. */
export function matching(columns: readonly string[], values: readonly unknown[], prefix = 'k'): { where: string; params: Row } {
  return {
    where: columns.map((column, i) => `${quote(column)} = {${prefix}${i}}`).join(' AND '),
    params: Object.fromEntries(columns.map((_, i) => [`${prefix}${i}`, values[i]])),
  };
}

/** `row`'s columns, and its values as the parameters {v0}, {v1}… in the same order. */
function valuesOf(row: Row): { columns: string[]; params: Row } {
  const columns = Object.keys(row);
  return { columns, params: Object.fromEntries(columns.map((column, i) => [`v${i}`, row[column]])) };
}

/**
 * Inserts `row` (the columns named in it), or on a clash of `conflictKey` replaces its other
 * columns; returns the RETURNING rows (`returning` may be empty).
 */
export async function upsertRow(sql: SqlExecutor, table: string, row: Row, conflictKey: readonly string[], returning = ''): Promise<Row[]> {
  const { columns, params } = valuesOf(row);
  const others = columns.filter((column) => !conflictKey.includes(column));
  const onConflict = others.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${others.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
  const text = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map((_, i) => `{v${i}}`).join(', ')})
     ON CONFLICT (${conflictKey.map(quote).join(', ')}) ${onConflict}`;
  if (returning) return sql.query(`${text} RETURNING ${returning}`, params);
  await sql.execute(text, params);
  return [];
}

/** Inserts `row` (the columns named in it); returns the `returning` columns of the new row. */
export async function insertRow(sql: SqlExecutor, table: string, row: Row, returning: string): Promise<Row[]> {
  const { columns, params } = valuesOf(row);
  return sql.query(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map((_, i) => `{v${i}}`).join(', ')}) RETURNING ${returning}`, params);
}

/** Sets `row`'s columns on the row whose `key` columns hold `keyValues`; returns its `returning` columns (none when no row matched). */
export async function updateRow(sql: SqlExecutor, table: string, row: Row, key: readonly string[], keyValues: readonly unknown[], returning: string): Promise<Row[]> {
  const { columns, params } = valuesOf(row);
  const { where, params: keyParams } = matching(key, keyValues);
  return sql.query(`UPDATE ${quote(table)} SET ${columns.map((c, i) => `${quote(c)} = {v${i}}`).join(', ')} WHERE ${where} RETURNING ${returning}`, { ...params, ...keyParams });
}

/** The row of `table` whose `columns` hold `values`, with `extra` select terms, or undefined. */
export async function rowWhere(sql: SqlExecutor, table: string, columns: readonly string[], values: readonly unknown[], extra = ''): Promise<Row | undefined> {
  const { where, params } = matching(columns, values);
  return (await sql.query(`SELECT *${extra} FROM ${quote(table)} WHERE ${where}`, params))[0];
}

/** Whether two rows of `shape` hold the same values, however each engine returns them (0/1 or booleans, JSON text or parsed). */
export const sameRow = (shape: TableShape, a: Row, b: Row) => canonicalRow(shape, a) === canonicalRow(shape, b);

/** The row with `omit` left out. */
export const without = (row: Row, omit: readonly string[]): Row => Object.fromEntries(Object.entries(row).filter(([column]) => !omit.includes(column)));

/** A market_data row (time, open, high, low, close, volume) as a Bar, whichever engine read it. */
export const toBar = (row: Row): Bar => ({
  time: Number(row.time),
  open: Number(row.open),
  high: Number(row.high),
  low: Number(row.low),
  close: Number(row.close),
  volume: Number(row.volume),
});

/** A value the sync engine keeps in a database's sync_state (the cache's id, its last sync, a cache's push marker on the primary), or undefined. */
export async function readSyncState(sql: SqlExecutor, key: string): Promise<string | undefined> {
  const [row] = await sql.query('SELECT value FROM sync_state WHERE key = {key}', { key });
  return row === undefined ? undefined : String(row.value);
}

export async function writeSyncState(sql: SqlExecutor, key: string, value: string): Promise<void> {
  await upsertRow(sql, 'sync_state', { key, value }, ['key']);
}

/** Outbox rows of a cache not yet pushed. */
export async function outboxSize(sql: SqlExecutor): Promise<number> {
  return Number((await sql.query('SELECT count(*) AS n FROM sync_outbox'))[0]!.n);
}
