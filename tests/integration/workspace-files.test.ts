import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes';
import { instrumentCatalogue } from '../../src/core/instruments/catalogue';
import { toSqliteStorageError } from '../../src/core/storage/sqlite-connection';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';
import { createHeadlessSettingsStore } from '../../src/server/headless-ports';
import type { AppError } from '../../src/shared/errors';
import { silentLogger } from '../support/silent-logger';

/** Issue 16: metalytics.db and settings.json were created 0644; a zero-length database was silently a new workspace. */
describe('workspace files', () => {
  let dataDir: string;
  let umask: number;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-files-'));
    // The usual desktop umask, under which files were created world-readable.
    umask = process.umask(0o022);
  });

  afterEach(async () => {
    process.umask(umask);
    await rm(dataDir, { recursive: true, force: true });
  });

  const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

  it.skipIf(process.platform === 'win32')('creates metalytics.db and its log 0600, and narrows an existing world-readable one', async () => {
    const file = path.join(dataDir, 'metalytics.db');
    const storage = await openSqliteStorage(file, silentLogger());
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(`${file}-wal`)).toBe(0o600);
    await storage.close();

    fs.chmodSync(file, 0o644);
    await (await openSqliteStorage(file, silentLogger())).close();
    expect(await modeOf(file)).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('writes settings.json 0600', async () => {
    const settings = createHeadlessSettingsStore({ dataDir, logger: silentLogger() });
    await settings.write({ theme: 'dark' });
    expect(await modeOf(path.join(dataDir, 'settings.json'))).toBe(0o600);
  });

  it('reports a zero-length database file instead of starting an empty workspace in it', async () => {
    const file = path.join(dataDir, 'metalytics.db');
    await writeFile(file, '');
    await expect(openSqliteStorage(file, silentLogger())).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/empty \(0 bytes\).*backup/) });
    expect((await stat(file)).size).toBe(0);
  });
});

describe('a damaged or full database (issue 16, defects 4 and 5)', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-damage-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A workspace with enough bars that the middle of the file holds table pages. */
  async function workspaceWithBars(): Promise<string> {
    const file = path.join(dataDir, 'metalytics.db');
    const storage = await openSqliteStorage(file, silentLogger());
    await storage.instruments.seed(instrumentCatalogue);
    const bars = Array.from({ length: 20_000 }, (_, i) => ({ time: Date.UTC(2000, 0, 1) + i * 3_600_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: i }));
    await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1h', source: 'test', bars });
    await storage.close();
    return file;
  }

  it('refuses to open a file with 16 KiB of garbage in the middle, writing nothing to it', async () => {
    const file = await workspaceWithBars();
    const size = fs.statSync(file).size;
    const handle = fs.openSync(file, 'r+');
    fs.writeSync(handle, randomBytes(16 * 1024), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(handle);
    const before = fs.readFileSync(file);

    await expect(openSqliteStorage(file, silentLogger())).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/damaged.*last backup/) });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('reads the whole file at open unless it is exactly as the last clean close left it', async () => {
    const file = await workspaceWithBars();
    const checks: unknown[] = [];
    const logger = { ...silentLogger(), info: (message: string, fields?: Record<string, unknown>) => void (message === 'opened SQLite database' && checks.push(fields?.checked)) };
    // Untouched since its clean close: the check (about a second per GB) is skipped.
    const first = await openSqliteStorage(file, logger);
    // A second opening while the first is open, as after a crash that skipped the close: no record, so checked.
    const second = await openSqliteStorage(file, logger);
    await second.close();
    await first.close();
    const third = await openSqliteStorage(file, logger);
    await third.close();
    expect(checks).toEqual([false, true, false]);

    // Damage with the modification time put back is still found: the change time cannot be put back.
    const { atime, mtime, size } = fs.statSync(file);
    const handle = fs.openSync(file, 'r+');
    fs.writeSync(handle, randomBytes(16 * 1024), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(handle);
    fs.utimesSync(file, atime, mtime);
    await expect(openSqliteStorage(file, logger)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('refuses every write once damage shows up while running, and says so in ping and problem', async () => {
    const file = await workspaceWithBars();
    const storage = await openSqliteStorage(file, silentLogger());
    try {
      // Another connection's commit makes this one re-read pages from the file, garbage included.
      const other = new Database(file);
      other.prepare("INSERT INTO audit_log (at, actor, action, details) VALUES (1, 'test', 'touch', '{}')").run();
      other.close();
      const size = fs.statSync(file).size;
      const handle = fs.openSync(file, 'r+');
      fs.writeSync(handle, randomBytes(16 * 1024), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
      fs.closeSync(handle);

      expect(storage.problem()).toBeNull();
      await expect(storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1h', limit: 100_000 })).rejects.toMatchObject({ code: 'CORRUPT' });
      expect(storage.problem()).toMatch(/damaged.*last backup/);
      expect(await storage.ping()).toBe(false);
      const bar = { time: Date.UTC(2030, 0, 1), open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 };
      await expect(storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1h', source: 'test', bars: [bar] })).rejects.toMatchObject({ code: 'CORRUPT' });
      await expect(storage.auditLog.record({ at: 2, actor: 'user', action: 'settings.update', details: {} })).rejects.toMatchObject({ code: 'CORRUPT' });
      await expect(storage.transaction((tx) => tx.auditLog.record({ at: 2, actor: 'user', action: 'settings.update' }))).rejects.toMatchObject({
        code: 'CORRUPT',
      });
    } finally {
      await storage.close();
    }
  });

  it('calls a file that is not a database CORRUPT, not INTERNAL', async () => {
    const file = path.join(dataDir, 'metalytics.db');
    await writeFile(file, randomBytes(64 * 1024));
    await expect(openSqliteStorage(file, silentLogger())).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('maps a full or failing disk to UNAVAILABLE, the CLI exit code 4, and damage to CORRUPT', () => {
    const sqliteError = (code: string) => Object.assign(new Error('database or disk is full'), { code });
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE']) {
      const mapped = toSqliteStorageError(sqliteError(code), '/data/metalytics.db') as AppError;
      expect(mapped).toMatchObject({ code: 'UNAVAILABLE', details: { code } });
      expect(exitCodeFor(mapped.code)).toBe(4);
    }
    expect(toSqliteStorageError(sqliteError('SQLITE_CORRUPT_INDEX'), '/data/metalytics.db')).toMatchObject({ code: 'CORRUPT' });
    const other = new Error('no such table');
    expect(toSqliteStorageError(other, '/data/metalytics.db')).toBe(other);
  });
});
