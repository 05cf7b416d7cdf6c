/**
 * Push: the cache's outbox into the primary, state-based (each changed key's row as the cache
 * holds it now, so many edits of one row push once), in outbox order by batches. Exactly once:
 * the primary records, in the same transaction as a batch's rows, the last outbox seq of this
 * cache it has taken (sync_state `pushed:<cache id>`), and the cache deletes its outbox rows only
 * after that commit; a crash between the two finds the marker next time and drops them unpushed.
 */
import type { Bar } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Timeframe } from '../../shared/timeframes';
import type { Logger } from '../ports';
import type { Row, SqlExecutor } from '../storage/sql-executor';
import { SqlAuditLog } from '../storage/audit-log-repository';
import type { Storage } from '../storage/types';
import { quote } from '../backups/archive/table-digest';
import { withoutCapture } from './capture';
import { insertRow, matching, outboxSize, readSyncState, rowWhere, sameRow, toBar, updateRow, upsertRow, without, writeSyncState } from './sql-rows';
import { LOCAL_ID_BASE, syncedTable, syncedTables, type SyncedTable } from './synced-tables';

/** Outbox rows per batch; bars are written in chunks of the same size. */
const BATCH = 5_000;

export interface PushContext {
  primary: Storage;
  cache: Storage;
  cacheId: string;
  desktop: string;
  now: () => number;
  /** When this cache last took in the primary (0: never): a primary row changed after it was changed by someone else meanwhile. */
  lastSyncAt: number;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface PushTally {
  pushedRows: number;
  conflicts: number;
}

interface Change {
  /** The key's values as the outbox's JSON array holds them. */
  key: unknown[];
  /** The latest change of the key in this batch. */
  changedAt: number;
  /** The cache inserted a row at this key in this batch: made offline, not taken from the primary. */
  inserted: boolean;
}

const pushedMarkerKey = (cacheId: string) => `pushed:${cacheId}`;

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'The synchronisation was cancelled; what was sent so far stays sent and the rest is sent next time.');
}

export async function pushOutbox(ctx: PushContext): Promise<PushTally> {
  const { primary, cache } = ctx;
  const tally: PushTally = { pushedRows: 0, conflicts: 0 };
  const markerKey = pushedMarkerKey(ctx.cacheId);
  const total = await outboxSize(cache.sql);
  let done = 0;
  for (;;) {
    throwIfCancelled(ctx.signal);
    const pushedUpTo = Number((await readSyncState(primary.sql, markerKey)) ?? 0);
    done += await cache.sql.execute('DELETE FROM sync_outbox WHERE seq <= {seq}', { seq: pushedUpTo });
    const entries = await cache.sql.query('SELECT seq, table_name, row_key, op, changed_at FROM sync_outbox ORDER BY seq LIMIT {limit}', { limit: BATCH });
    if (entries.length === 0) break;
    const lastSeq = Number(entries.at(-1)!.seq);
    const byTable = new Map<string, Map<string, Change>>();
    for (const entry of entries) {
      const table = String(entry.table_name);
      const keys = byTable.get(table) ?? byTable.set(table, new Map()).get(table)!;
      const rowKey = String(entry.row_key);
      const changedAt = Number(entry.changed_at);
      const seen = keys.get(rowKey);
      keys.set(rowKey, {
        key: JSON.parse(rowKey) as unknown[],
        changedAt: Math.max(changedAt, seen?.changedAt ?? 0),
        inserted: (seen?.inserted ?? false) || entry.op === 'insert',
      });
    }

    // Bars are idempotent by key on their own; the rest commit with the marker.
    const bars = byTable.get('market_data');
    if (bars) await pushBars(ctx, [...bars.values()], tally);
    const remaps: Remap[] = [];
    await primary.sql.transaction(async (tx) => {
      const order = syncedTables.filter((table) => table.name !== 'market_data' && byTable.has(table.name));
      for (const table of order) {
        for (const change of byTable.get(table.name)!.values()) await pushRow(ctx, tx, table, change, tally, remaps);
      }
      await writeSyncState(tx, markerKey, String(lastSeq));
    });
    await withoutCapture(() =>
      cache.sql.transaction(async (tx) => {
        for (const remap of remaps) await adoptPrimaryId(tx, remap);
        await tx.execute('DELETE FROM sync_outbox WHERE seq <= {seq}', { seq: lastSeq });
      }),
    );
    done += entries.length;
    ctx.onProgress?.(Math.min(done, total), total);
  }
  return tally;
}

/** A row the cache made offline (id ≥ LOCAL_ID_BASE) and the id the primary gave it. */
interface Remap {
  table: string;
  from: number;
  to: number;
}

/**
 * The cache's row takes the primary's id, so a later edit of it pushes to the right row. No
 * row of the cache can hold that id yet (it was just handed out, and the cache's own ids lie far
 * above); should one anyway, the local row goes and the pull brings the primary's.
 */
async function adoptPrimaryId(tx: SqlExecutor, { table, from, to }: Remap): Promise<void> {
  if (from === to) return;
  try {
    await tx.execute(`UPDATE ${quote(table)} SET id = {to} WHERE id = {from}`, { to, from });
  } catch {
    await tx.execute(`DELETE FROM ${quote(table)} WHERE id = {from}`, { from });
  }
}

const RULE_LWW = 'last writer wins by the row’s change time';
const RULE_PUSHED = 'no change time: the pushed change wins';
const RULE_DELETED = 'deleted on the team database: the offline edit is dropped';

/** A conflict the rules settled (`rows` of them): counted, and audited on the team database as this desktop's. */
async function recordConflict(sql: SqlExecutor, ctx: PushContext, tally: PushTally, details: Record<string, unknown>, rows = 1): Promise<void> {
  tally.conflicts += rows;
  await new SqlAuditLog(sql).record({ at: ctx.now(), actor: `sync:${ctx.desktop}`, action: 'sync.conflict', details: { desktop: ctx.desktop, ...details } });
}

/**
 * Which side wins where the primary holds a different row (`existing`) than the one pushed: last
 * writer wins by the table's change time; without one, the pushed change wins. It is a conflict
 * (audited) when someone else changed the primary's row since this cache last synced, or when the
 * table has no change time to tell. Answers whether the primary's row stays.
 */
async function keepsPrimary(ctx: PushContext, tx: SqlExecutor, table: SyncedTable, existing: Row, change: Change, tally: PushTally): Promise<boolean> {
  const theirs = Number(existing.sync_changed_at);
  const conflict = table.changedAt === null || theirs > ctx.lastSyncAt;
  const keepPrimary = table.changedAt !== null && theirs > change.changedAt;
  if (conflict) {
    const rule = table.changedAt === null ? RULE_PUSHED : RULE_LWW;
    await recordConflict(tx, ctx, tally, { table: table.name, key: change.key, rule, kept: keepPrimary ? 'team' : 'pushed' });
  }
  return keepPrimary;
}

/** The select term that reads the primary row's change time as sync_changed_at, for `keepsPrimary`; none when the table has no change time. */
const changedAtColumn = (table: SyncedTable) => (table.changedAt === null ? '' : `, ${table.changedAt} AS sync_changed_at`);

async function pushRow(ctx: PushContext, tx: SqlExecutor, table: SyncedTable, change: Change, tally: PushTally, remaps: Remap[]): Promise<void> {
  const key = table.orderBy;
  const cacheRow = await rowWhere(ctx.cache.sql, table.name, key, change.key);
  const changedAtTerm = changedAtColumn(table);

  if (table.counter) {
    const id = Number(change.key[0]);
    const local = id >= LOCAL_ID_BASE;
    if (!cacheRow) {
      // Made and deleted offline: the primary never saw it.
      if (!local) await deleteRow(ctx, tx, table, change, tally);
      return;
    }
    const values = without(cacheRow, ['id']);
    const natural = table.counter.naturalKey;
    const existing = natural
      ? await rowWhere(tx, table.name, natural, natural.map((column) => cacheRow[column]), changedAtTerm)
      : local
        ? undefined
        : await rowWhere(tx, table.name, ['id'], [id], changedAtTerm);
    if (!natural && !local && !existing) {
      await recordConflict(tx, ctx, tally, { table: table.name, key: change.key, rule: RULE_DELETED, kept: 'team' });
      return;
    }
    if (!(await parentsPresent(ctx, tx, table, values, change, tally))) return;
    if (existing && !sameRow(table, without(existing, ['id']), values) && (await keepsPrimary(ctx, tx, table, existing, change, tally))) {
      if (local) remaps.push({ table: table.name, from: id, to: Number(existing.id) });
      return;
    }
    const [written] = natural
      ? await upsertRow(tx, table.name, values, natural, 'id')
      : local
        ? await insertRow(tx, table.name, values, 'id')
        : await updateRow(tx, table.name, values, ['id'], [id], 'id');
    tally.pushedRows++;
    if (local && written) remaps.push({ table: table.name, from: id, to: Number(written.id) });
    return;
  }

  if (!cacheRow) return deleteRow(ctx, tx, table, change, tally);
  const existing = await rowWhere(tx, table.name, key, change.key, changedAtTerm);
  if (!existing && !change.inserted) {
    // Only edited offline, so the cache took the row from the primary, which has deleted it since: as above, the delete stands.
    await recordConflict(tx, ctx, tally, { table: table.name, key: change.key, rule: RULE_DELETED, kept: 'team' });
    return;
  }
  let row: Row = { ...cacheRow };
  if (!(await parentsPresent(ctx, tx, table, row, change, tally))) return;
  if (existing) {
    row = mergeRow(table, row, existing);
    if (sameRow(table, existing, row)) return;
    if (await keepsPrimary(ctx, tx, table, existing, change, tally)) {
      const kept = mergeRow(table, without(existing, ['sync_changed_at']), cacheRow);
      if (!sameRow(table, existing, kept)) await upsertRow(tx, table.name, kept, key);
      return;
    }
  }
  if (table.name === 'model_registry') row = await fitRegistryConstraints(ctx, tx, row, change, tally);
  await upsertRow(tx, table.name, row, key);
  tally.pushedRows++;
}

/**
 * What survives of both rows whoever wins: a schedule's firing claim (ingest_jobs.last_fired_at)
 * only moves forward, or a firing claimed on one side could fire again on the other.
 */
function mergeRow(table: SyncedTable, winner: Row, loser: Row): Row {
  if (table.name !== 'ingest_jobs') return winner;
  const fired = [winner.last_fired_at, loser.last_fired_at].filter((v) => v !== null && v !== undefined).map(Number);
  return { ...winner, last_fired_at: fired.length === 0 ? null : Math.max(...fired) };
}

/** A pushed delete: refused when the primary's row changed after the cache deleted it. */
async function deleteRow(ctx: PushContext, tx: SqlExecutor, table: SyncedTable, change: Change, tally: PushTally): Promise<void> {
  const existing = await rowWhere(tx, table.name, table.orderBy, change.key, changedAtColumn(table));
  if (!existing) return;
  if (table.changedAt !== null && Number(existing.sync_changed_at) > change.changedAt) {
    await recordConflict(tx, ctx, tally, { table: table.name, key: change.key, rule: `${RULE_LWW}: changed on the team database after the offline delete`, kept: 'team' });
    return;
  }
  const { where, params } = matching(table.orderBy, change.key);
  await tx.execute(`DELETE FROM ${quote(table.name)} WHERE ${where}`, params);
  tally.pushedRows++;
}

/** Rows that point at a model or a run: a model deleted on the team database takes its rows with it; a missing run is forgotten. */
async function parentsPresent(ctx: PushContext, tx: SqlExecutor, table: SyncedTable, row: Row, change: Change, tally: PushTally): Promise<boolean> {
  if (table.name === 'model_registry' && row.training_run_id !== null) {
    const [run] = await tx.query('SELECT 1 AS present FROM training_runs WHERE id = {id}', { id: row.training_run_id });
    if (!run) row.training_run_id = null;
    return true;
  }
  if (!['model_stage_history', 'model_performance', 'predictions'].includes(table.name)) return true;
  const [model] = await tx.query('SELECT 1 AS present FROM model_registry WHERE model_id = {id}', { id: row.model_id });
  if (model) return true;
  await recordConflict(tx, ctx, tally, { table: table.name, key: change.key, rule: 'its model was deleted on the team database: the offline row is dropped', kept: 'team' });
  return false;
}

/**
 * A version pushed into the registry keeps its constraints: a version number another desktop
 * used meanwhile for the same name and symbol moves to the next free one, and of two versions
 * made active the one activated last stays active (the other becomes a candidate, as an
 * activation leaves its predecessor).
 */
async function fitRegistryConstraints(ctx: PushContext, tx: SqlExecutor, row: Row, change: Change, tally: PushTally): Promise<Row> {
  const fitted = { ...row };
  const [clash] = await tx.query('SELECT model_id FROM model_registry WHERE model_name = {name} AND symbol = {symbol} AND version = {version} AND model_id <> {id}', {
    name: row.model_name,
    symbol: row.symbol,
    version: row.version,
    id: row.model_id,
  });
  if (clash) {
    const [next] = await tx.query('SELECT max(version) + 1 AS version FROM model_registry WHERE model_name = {name} AND symbol = {symbol}', { name: row.model_name, symbol: row.symbol });
    fitted.version = Number(next!.version);
    await recordConflict(tx, ctx, tally, { table: 'model_registry', key: change.key, rule: `version ${String(row.version)} was taken on the team database: renumbered`, version: fitted.version });
  }
  if (Number(row.is_active) === 1 || row.is_active === true) {
    const registry = syncedTable('model_registry');
    const [other] = await tx.query(
      `SELECT model_id, ${registry.changedAt} AS sync_changed_at FROM model_registry WHERE model_name = {name} AND symbol = {symbol} AND is_active AND model_id <> {id}`,
      { name: row.model_name, symbol: row.symbol, id: row.model_id },
    );
    if (other) {
      const pushedWins = change.changedAt >= Number(other.sync_changed_at);
      if (pushedWins) await tx.execute("UPDATE model_registry SET is_active = false, stage = 'candidate' WHERE model_id = {id}", { id: other.model_id });
      else Object.assign(fitted, { is_active: 0, stage: 'candidate' });
      await recordConflict(tx, ctx, tally, {
        table: 'model_registry',
        key: change.key,
        rule: `${RULE_LWW}: one active version per name and symbol`,
        kept: pushedWins ? 'pushed' : 'team',
        other: other.model_id,
      });
    }
  }
  return fitted;
}

const BAR_COLUMNS = 'time, open, high, low, close, volume, source';

const sameBar = (a: Row, b: Row) =>
  Number(a.open) === Number(b.open) &&
  Number(a.high) === Number(b.high) &&
  Number(a.low) === Number(b.low) &&
  Number(a.close) === Number(b.close) &&
  Number(a.volume) === Number(b.volume) &&
  a.source === b.source;

/**
 * Bars go through the primary's market data repository, so its rollups and summaries stay
 * right. Where the primary holds a different bar at the same key, the bar from the source that
 * stored most of the series on the primary wins over one from another source (a repair); with
 * the same source, or neither the main one, the pushed bar wins. Conflicts are audited once per
 * series and verdict, with their count and range.
 */
async function pushBars(ctx: PushContext, changes: readonly Change[], tally: PushTally): Promise<void> {
  const series = new Map<string, { symbol: string; timeframe: Timeframe; times: number[] }>();
  for (const { key } of changes) {
    const [symbol, timeframe, time] = key as [string, Timeframe, number];
    const id = `${symbol}\u0000${timeframe}`;
    (series.get(id) ?? series.set(id, { symbol, timeframe, times: [] }).get(id)!).times.push(Number(time));
  }
  for (const { symbol, timeframe, times } of series.values()) {
    times.sort((a, b) => a - b);
    const [main] = await ctx.primary.sql.query('SELECT source FROM market_data_series WHERE symbol = {symbol} AND timeframe = {timeframe} ORDER BY bar_count DESC, source LIMIT 1', {
      symbol,
      timeframe,
    });
    const mainSource = main === undefined ? null : String(main.source);
    const overwritten: number[] = [];
    const kept: number[] = [];
    for (let start = 0; start < times.length; start += BATCH) {
      const chunk = times.slice(start, start + BATCH);
      const range = { symbol, timeframe, lo: chunk[0]!, hi: chunk.at(-1)! };
      const read = async (sql: SqlExecutor, columns: string) =>
        new Map(
          (await sql.query(`SELECT ${columns} FROM market_data WHERE symbol = {symbol} AND timeframe = {timeframe} AND time >= {lo} AND time <= {hi}`, range)).map(
            (row) => [Number(row.time), row] as const,
          ),
        );
      const ours = await read(ctx.cache.sql, BAR_COLUMNS);
      const theirs = await read(ctx.primary.sql, `${BAR_COLUMNS}, ingested_at`);
      const writes = new Map<string, Bar[]>();
      const deletes: number[] = [];
      for (const time of chunk) {
        const bar = ours.get(time);
        const stored = theirs.get(time);
        const changedThere = stored !== undefined && Number(stored.ingested_at) > ctx.lastSyncAt;
        if (!bar) {
          // Stored there again since this cache synced: someone still wants it.
          if (stored && !changedThere) deletes.push(time);
          continue;
        }
        if (stored && sameBar(bar, stored)) continue;
        if (stored && (stored.source !== bar.source || changedThere)) {
          if (stored.source === mainSource && bar.source !== mainSource) {
            kept.push(time);
            continue;
          }
          overwritten.push(time);
        }
        const source = String(bar.source);
        (writes.get(source) ?? writes.set(source, []).get(source)!).push(toBar(bar));
      }
      for (const [source, bars] of writes) {
        await ctx.primary.marketData.upsertBars({ symbol, timeframe, source, bars });
        tally.pushedRows += bars.length;
      }
      if (deletes.length > 0) tally.pushedRows += await ctx.primary.marketData.deleteBars(symbol, timeframe, deletes);
    }
    const record = (times: number[], kept: 'team' | 'pushed', rule: string) =>
      recordConflict(ctx.primary.sql, ctx, tally, { table: 'market_data', symbol, timeframe, bars: times.length, from: times[0], to: times.at(-1), rule, kept, mainSource }, times.length);
    if (overwritten.length > 0) await record(overwritten, 'pushed', 'same source, or not a repair of the main source’s bar: the pushed bar wins');
    if (kept.length > 0) await record(kept, 'team', 'the bar of the source that stored most of the series wins over a repair from another');
  }
}
