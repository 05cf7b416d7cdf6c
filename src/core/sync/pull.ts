/**
 * Pull: makes the cache equal to the primary for the scope's bars and for every other synced
 * table. Bars are compared per range by fingerprints computed in SQL on both sides; only ranges
 * that differ move. The other tables are merge-compared in primary-key order, page by page. Keys
 * still waiting in the outbox (written to the cache while the sync ran) are left as they are, to be
 * pushed next time. Every write runs under withoutCapture, so none of it enters the outbox.
 */
import type { CacheScopeEntry } from '../../shared/cache-settings';
import type { Bar } from '../../shared/domain';
import type { Timeframe } from '../../shared/timeframes';
import { canonicalOrder, canonicalRow, canonicalSelect, canonicalValues, quote } from '../backups/archive/table-digest';
import type { Row, SqlExecutor } from '../storage/sql-executor';
import type { Storage } from '../storage/types';
import { rangeFingerprints, rangeWidth } from './bar-ranges';
import { withoutCapture } from './capture';
import { throwIfCancelled } from './push';
import { matching, toBar, upsertRow } from './sql-rows';
import { syncedTables, type SyncedTable } from './synced-tables';

const DAY_MS = 86_400_000;
/** Rows per page of a table's merge, and bars per write. */
const PAGE = 5_000;

export interface PullContext {
  primary: Storage;
  cache: Storage;
  scope: readonly CacheScopeEntry[];
  now: () => number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface PullTally {
  pulledRows: number;
  rangesCompared: number;
  rangesMoved: number;
}

/** The outbox's keys of `table`, as JSON arrays: rows the pull must not touch. */
async function pendingKeys(sql: SqlExecutor, table: string): Promise<Set<string>> {
  const rows = await sql.query('SELECT DISTINCT row_key FROM sync_outbox WHERE table_name = {table}', { table });
  return new Set(rows.map((row) => JSON.stringify(JSON.parse(String(row.row_key)))));
}

export async function pullPrimary(ctx: PullContext): Promise<PullTally> {
  const tally: PullTally = { pulledRows: 0, rangesCompared: 0, rangesMoved: 0 };
  const series = ctx.scope.flatMap((entry) => entry.timeframes.map((timeframe) => ({ symbol: entry.symbol, timeframe, days: entry.days })));
  const total = series.length + syncedTables.length - 1;
  let done = 0;
  // Tables first: instruments and models the bars and rows below belong to.
  for (const table of syncedTables) {
    if (table.name === 'market_data') continue;
    throwIfCancelled(ctx.signal);
    tally.pulledRows += await pullTable(ctx, table);
    ctx.onProgress?.(++done, total);
  }
  const pendingBars = await pendingKeys(ctx.cache.sql, 'market_data');
  for (const { symbol, timeframe, days } of series) {
    throwIfCancelled(ctx.signal);
    const width = rangeWidth(timeframe);
    const from = days === null ? 0 : Math.floor((ctx.now() - days * DAY_MS) / width) * width;
    const [theirs, ours] = await Promise.all([
      rangeFingerprints(ctx.primary.sql, symbol, timeframe, from),
      rangeFingerprints(ctx.cache.sql, symbol, timeframe, from),
    ]);
    const ourPrints = new Map(ours.map((range) => [range.lo, range.fingerprint]));
    const theirPrints = new Map(theirs.map((range) => [range.lo, range.fingerprint]));
    const ranges = [...new Set([...ourPrints.keys(), ...theirPrints.keys()])].sort((a, b) => a - b);
    tally.rangesCompared += ranges.length;
    for (const lo of ranges) {
      if (ourPrints.get(lo) === theirPrints.get(lo)) continue;
      tally.rangesMoved++;
      tally.pulledRows += await moveRange(ctx, symbol, timeframe, { lo, hi: lo + width }, pendingBars);
    }
    ctx.onProgress?.(++done, total);
  }
  return tally;
}

const barsIn = (sql: SqlExecutor, symbol: string, timeframe: Timeframe, range: { lo: number; hi: number }) =>
  sql.query('SELECT time, open, high, low, close, volume, source FROM market_data WHERE symbol = {symbol} AND timeframe = {timeframe} AND time >= {lo} AND time < {hi} ORDER BY time', {
    symbol,
    timeframe,
    ...range,
  });

/** The cache's bars of the range become the primary's, by the cache's market data repository (rollups and summaries kept). */
async function moveRange(ctx: PullContext, symbol: string, timeframe: Timeframe, range: { lo: number; hi: number }, pending: Set<string>): Promise<number> {
  const isPending = (time: number) => pending.has(JSON.stringify([symbol, timeframe, time]));
  const theirs = await barsIn(ctx.primary.sql, symbol, timeframe, range);
  const ours = await barsIn(ctx.cache.sql, symbol, timeframe, range);
  const kept = new Set(theirs.map((row) => Number(row.time)));
  const bySource = new Map<string, Bar[]>();
  for (const row of theirs) {
    const bar = toBar(row);
    if (isPending(bar.time)) continue;
    const source = String(row.source);
    (bySource.get(source) ?? bySource.set(source, []).get(source)!).push(bar);
  }
  const gone = ours.map((row) => Number(row.time)).filter((time) => !kept.has(time) && !isPending(time));
  let moved = 0;
  await withoutCapture(async () => {
    for (const [source, bars] of bySource) {
      for (let start = 0; start < bars.length; start += PAGE) {
        const result = await ctx.cache.marketData.upsertBars({ symbol, timeframe, source, bars: bars.slice(start, start + PAGE) });
        moved += result.inserted + result.updated;
      }
    }
    if (gone.length > 0) moved += await ctx.cache.marketData.deleteBars(symbol, timeframe, gone);
  });
  return moved;
}

type Canonical = unknown[];

/** Key order as the databases sort it: numbers by value, text bytewise (SQLite's BINARY, Postgres's COLLATE "C"). */
function compareKeys(a: Canonical, b: Canonical): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : Buffer.compare(Buffer.from(String(x)), Buffer.from(String(y)));
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * A table's rows in canonical order and form, a page at a time. Each page starts after the last
 * key of the one before (keyset paging), so a page costs the same wherever it lies, where an
 * OFFSET would read and sort every earlier row again; the sync reads each table this way every
 * minute. The condition compares the key as canonicalOrder sorts it (COLLATE "C" on Postgres),
 * and every synced table has a primary key, so no key is null.
 */
async function* canonicalPages(sql: SqlExecutor, table: SyncedTable): AsyncGenerator<{ key: Canonical; line: string; row: Row }[]> {
  const select = canonicalSelect(table, sql.dialect);
  const after = canonicalSelect(table, sql.dialect, `(${canonicalOrder(table, sql.dialect)}) > (${table.orderBy.map((_, i) => `{k${i}}`).join(', ')})`);
  const keyIndexes = table.orderBy.map((name) => table.columns.findIndex((column) => column.name === name));
  let text = select;
  let params: Row = { limit: PAGE };
  for (;;) {
    const rows = await sql.query(`${text} LIMIT {limit}`, params);
    if (rows.length === 0) return;
    yield rows.map((row) => {
      const values = canonicalValues(
        table,
        table.columns.map((column) => row[column.name]),
      );
      return { key: keyIndexes.map((i) => values[i]), line: canonicalRow(table, row), row };
    });
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    text = after;
    params = { limit: PAGE, ...Object.fromEntries(table.orderBy.map((column, i) => [`k${i}`, last[column]])) };
  }
}

/** Rows of a page in one stream, one at a time. */
async function* rowsOf(pages: AsyncGenerator<{ key: Canonical; line: string; row: Row }[]>) {
  for await (const page of pages) yield* page;
}

/** A primary row as SQLite stores it: booleans as 1/0, JSON as text. */
function forSqlite(table: SyncedTable, row: Row): Row {
  return Object.fromEntries(
    table.columns.map(({ name, kind }) => {
      const value = row[name];
      if (value === null || value === undefined) return [name, null];
      if (kind === 'boolean') return [name, value === true || Number(value) === 1 ? 1 : 0];
      if (kind === 'json') return [name, typeof value === 'string' ? value : JSON.stringify(value)];
      return [name, value];
    }),
  );
}

/** Makes the cache's table equal to the primary's, but for keys still in the outbox; returns the rows written or deleted. */
async function pullTable(ctx: PullContext, table: SyncedTable): Promise<number> {
  const pending = await pendingKeys(ctx.cache.sql, table.name);
  const theirs = rowsOf(canonicalPages(ctx.primary.sql, table));
  const ours = rowsOf(canonicalPages(ctx.cache.sql, table));
  const writes: { key: string; row: Row }[] = [];
  const deletes: Canonical[] = [];
  const next = async (rows: typeof theirs) => {
    const step = await rows.next();
    return step.done ? undefined : step.value;
  };
  let a = await next(theirs);
  let b = await next(ours);
  while (a || b) {
    const order = !a ? 1 : !b ? -1 : compareKeys(a.key, b.key);
    if (order < 0 && a) {
      const key = JSON.stringify(a.key);
      if (!pending.has(key)) writes.push({ key, row: forSqlite(table, a.row) });
      a = await next(theirs);
    } else if (order > 0 && b) {
      if (!pending.has(JSON.stringify(b.key))) deletes.push(b.key);
      b = await next(ours);
    } else if (a && b) {
      const key = JSON.stringify(a.key);
      if (a.line !== b.line && !pending.has(key)) writes.push({ key, row: forSqlite(table, a.row) });
      a = await next(theirs);
      b = await next(ours);
    }
  }
  if (writes.length === 0 && deletes.length === 0) return 0;
  return withoutCapture(() =>
    ctx.cache.sql.transaction(async (tx) => {
      // Keys the app wrote while the tables were compared: the transaction holds the connection, so none can slip in after this read.
      const since = await pendingKeys(tx, table.name);
      const toDelete = deletes.filter((key) => !since.has(JSON.stringify(key)));
      const toWrite = writes.filter((write) => !since.has(write.key)).map((write) => write.row);
      for (const key of toDelete) {
        const { where, params } = matching(table.orderBy, key);
        await tx.execute(`DELETE FROM ${quote(table.name)} WHERE ${where}`, params);
      }
      await writeAll(tx, table, toWrite);
      return toWrite.length + toDelete.length;
    }),
  );
}

/**
 * Upserts the rows; one refused by a unique index another row of the batch still holds (a
 * version number or the active flag moving between rows) waits for the others and is tried again.
 */
async function writeAll(tx: SqlExecutor, table: SyncedTable, rows: Row[]): Promise<void> {
  let waiting = rows;
  for (;;) {
    const refused: { row: Row; error: unknown }[] = [];
    for (const row of waiting) {
      try {
        await upsertRow(tx, table.name, row, table.orderBy);
      } catch (error) {
        refused.push({ row, error });
      }
    }
    if (refused.length === 0) return;
    if (refused.length === waiting.length) throw refused[0]!.error;
    waiting = refused.map((r) => r.row);
  }
}
