/**
 * Desktops for sync tests: a team Postgres (or TimescaleDB) primary and, per desktop, its own
 * data folder with a prepared SQLite cache, plus digests that say whether two databases hold the
 * same synced rows.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalRow, canonicalSelect } from '../../src/core/backups/archive/table-digest';
import { openPostgresStorage } from '../../src/core/storage/pg-storage';
import type { SqlExecutor } from '../../src/core/storage/sql-executor';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';
import type { Storage } from '../../src/core/storage/types';
import { prepareCache, synchronise } from '../../src/core/sync/cache-sync';
import { syncedTables } from '../../src/core/sync/synced-tables';
import type { CacheScopeEntry } from '../../src/shared/cache-settings';
import { silentLogger } from './silent-logger';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface Desktop {
  name: string;
  dataDir: string;
  cache: Storage;
  sync(primary: Storage, scope: readonly CacheScopeEntry[], now?: () => number): ReturnType<typeof synchronise>;
  close(): Promise<void>;
}

export async function openPrimary(url: string): Promise<Storage> {
  return openPostgresStorage(url, silentLogger());
}

export async function openDesktop(name: string): Promise<Desktop> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `metalytics-sync-${name}-`));
  const cache = await openSqliteStorage(path.join(dataDir, 'cache.db'), silentLogger());
  await prepareCache(cache);
  return {
    name,
    dataDir,
    cache,
    sync: (primary, scope, now = Date.now) => synchronise({ primary, cache, scope, dataDir, desktop: name, now, logger: silentLogger() }),
    close: async () => {
      await cache.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a digest reads a database through: SELECTs only. */
export interface DatabaseReader {
  sql: Pick<SqlExecutor, 'dialect' | 'query'>;
}

/** A desktop's cache file read beside the core that holds it open (SQLite's WAL lets a reader in), without writing to it. */
export function readCacheFile(file: string): DatabaseReader & { close(): void } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  return {
    sql: { dialect: 'sqlite', query: async (text) => db.prepare(text).all() as Record<string, unknown>[] },
    close: () => db.close(),
  };
}

/**
 * Every synced table as canonical lines (plus the series summaries, which must follow the bars),
 * by table. A bar's ingested_at is when that database stored it, so it is left out.
 */
export async function syncedContent(storage: DatabaseReader, options: { skip?: readonly string[] } = {}): Promise<Record<string, string[]>> {
  const content: Record<string, string[]> = {};
  for (const table of syncedTables) {
    if (options.skip?.includes(table.name)) continue;
    const shape = table.name === 'market_data' ? { ...table, columns: table.columns.filter((c) => c.name !== 'ingested_at') } : table;
    const rows = await storage.sql.query(canonicalSelect(shape, storage.sql.dialect));
    content[table.name] = rows.map((row) => canonicalRow(shape, row));
  }
  content.market_data_series = (
    await storage.sql.query('SELECT symbol, timeframe, source, first_time, last_time, bar_count FROM market_data_series ORDER BY symbol, timeframe, source')
  ).map((row) => JSON.stringify([row.symbol, row.timeframe, row.source, Number(row.first_time), Number(row.last_time), Number(row.bar_count)]));
  return content;
}
