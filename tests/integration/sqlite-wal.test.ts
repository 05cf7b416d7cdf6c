/**
 * The embedded database's write-ahead log is copied back into the database file by a worker
 * thread, not inside the app's commits (which would hold the main thread), and the driver
 * build named by METALYTICS_SQLITE_NATIVE_BINDING is the one loaded.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/core/storage/open-storage';
import { configFromEnvironment } from '../../src/core/config/runtime-config';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';

const SQLITE_NATIVE_BINDING_ENV = 'METALYTICS_SQLITE_NATIVE_BINDING';
const sqliteNativeBinding = (env: Record<string, string>) => configFromEnvironment(env).sqliteNativeBinding;
import type { Storage } from '../../src/core/storage/types';
import type { Bar } from '../../src/shared/domain';
import { silentLogger } from '../support/silent-logger';

const MINUTE = 60_000;
const bars = (count: number, from = Date.UTC(2025, 0, 6)): Bar[] =>
  Array.from({ length: count }, (_, i) => ({ time: from + i * MINUTE, open: 100, high: 101, low: 99, close: 100.5, volume: 10 }));
const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

let dir: string;
let file: string;
let storage: Storage | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'metalytics-wal-'));
  file = path.join(dir, 'metalytics.db');
});

afterEach(async () => {
  await storage?.close();
  storage = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('SQLite checkpoints off the main thread', () => {
  it('copies committed bars into the database file in the background, well below the size that would checkpoint on commit', async () => {
    storage = await openSqliteStorage(file, silentLogger());
    const before = size(file);
    // A few hundred pages: SQLite's own automatic checkpoint would wait for a thousand.
    await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'test', bars: bars(5_000) });
    expect(size(`${file}-wal`)).toBeGreaterThan(0);
    await expect.poll(() => size(file), { timeout: 5_000, interval: 100 }).toBeGreaterThan(before);
  });

  it('leaves an empty log and a complete database file on close', async () => {
    storage = await openSqliteStorage(file, silentLogger());
    await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'test', bars: bars(2_000) });
    await storage.close();
    storage = undefined;
    expect(size(`${file}-wal`)).toBe(0);
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    storage = await openSqliteStorage(file, silentLogger());
    expect(await storage.marketData.countBars()).toBe(2_000);
  });
});

describe('the SQLite driver build', () => {
  it('loads the build METALYTICS_SQLITE_NATIVE_BINDING names', async () => {
    const driver = path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const environment = { [SQLITE_NATIVE_BINDING_ENV]: path.join(driver, 'build', 'Release', 'better_sqlite3.node') };
    storage = await openStorage({ dataDir: dir, logger: silentLogger(), sqliteNativeBinding: sqliteNativeBinding(environment) });
    expect(await storage.ping()).toBe(true);

    await storage.close();
    storage = undefined;
    const missing = { [SQLITE_NATIVE_BINDING_ENV]: path.join(dir, 'no-such-build', 'better_sqlite3.node') };
    await expect(openStorage({ dataDir: dir, logger: silentLogger(), sqliteNativeBinding: sqliteNativeBinding(missing) })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('reads the variable, ignoring a blank one', () => {
    expect(sqliteNativeBinding({ [SQLITE_NATIVE_BINDING_ENV]: ' /opt/electron/better_sqlite3.node ' })).toBe('/opt/electron/better_sqlite3.node');
    expect(sqliteNativeBinding({ [SQLITE_NATIVE_BINDING_ENV]: '  ' })).toBeUndefined();
    expect(sqliteNativeBinding({})).toBeUndefined();
  });
});
