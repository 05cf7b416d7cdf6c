/**
 * The restore round trips every Postgres engine passes (embedded Postgres and TimescaleDB):
 * its archive into a new schema beside the live tables and into a SQLite file, and a SQLite
 * archive into a schema, each digested against the manifest; a refusal leaves no schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openArchive } from '../../src/core/backups/archive/archive-reader';
import { ArchiveWriter } from '../../src/core/backups/archive/archive-writer';
import { canonicalRow, canonicalSelect, shapeWithColumns, TableDigest, backedUpTables } from '../../src/core/backups/archive/table-digest';
import { SETTINGS_PART, tablePartName } from '../../src/core/backups/create-backup';
import { migrationsUpTo } from '../../src/core/storage/migrations';
import { openPostgresStorage } from '../../src/core/storage/pg-storage';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';
import type { TableDigestSummary } from '../../src/shared/backups';
import { metaTraderDailyBars } from './shared-data';
import { independentDigests, liveRows, seedWorkspace } from './backup-checks';
import {
  expectRestoredAsBackedUp,
  expectRestoredModelForecasts,
  FORECAST_AS_OF,
  OLDER_BARS,
  OLDER_SCHEMA,
  restoreForTest,
  trainSmallModel,
  writeOlderSqliteArchive,
} from './restore-checks';
import { silentLogger } from './silent-logger';
import { createTestCore, type TestCore } from './test-core';

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).rows.length > 0;
  } finally {
    await client.end();
  }
}

/**
 * The archive an app at OLDER_SCHEMA wrote of a Postgres workspace: a schema built by the
 * migrations up to that version, exported as NDJSON over the columns that version had.
 */
async function writeOlderPostgresArchive(url: string, folder: string): Promise<string> {
  const schema = 'older_app';
  const older = migrationsUpTo(OLDER_SCHEMA);
  try {
    const storage = await openPostgresStorage(url, silentLogger(), { schema, migrationsDir: older.migrationsDir });
    expect(storage.schemaVersion).toBe(OLDER_SCHEMA);
    await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'mt4', bars: metaTraderDailyBars().slice(-OLDER_BARS) });
    await storage.close();
  } finally {
    older.cleanup();
  }
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema},public` });
  await client.connect();
  const writer = await ArchiveWriter.create(path.join(folder, 'older-postgres.mlbackup'));
  const tables: TableDigestSummary[] = [];
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
      [schema],
    );
    for (const known of backedUpTables) {
      const columns = new Set(rows.filter((r) => r.table_name === known.name).map((r) => r.column_name));
      if (columns.size === 0) continue;
      const shape = shapeWithColumns(known, columns);
      const digest = new TableDigest(shape.name);
      const lines = (await client.query<Record<string, unknown>>(canonicalSelect(shape, 'postgres'))).rows.map((row) => canonicalRow(shape, row));
      lines.forEach((line) => digest.addLine(line));
      await writer.addPart(tablePartName(shape.name), 'table', [Buffer.from(lines.map((line) => `${line}\n`).join(''))]);
      tables.push(digest.result());
    }
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
  } finally {
    await client.end();
  }
  await writer.addPart(SETTINGS_PART, 'settings', [Buffer.from('{}')]);
  return (await writer.finish({ appVersion: '0.9.0', schemaVersion: OLDER_SCHEMA, createdAt: Date.UTC(2026, 5, 1), database: 'postgres', tables, secrets: null })).path;
}

export function describeRestoreOnPostgres(createDatabaseUrl: () => Promise<string>, expectedMode: 'postgres' | 'timescaledb') {
  let test: TestCore;
  let url: string;
  let archive: string;
  let scratch: string;
  let modelId: string;
  let forecast: unknown;

  beforeAll(async () => {
    url = await createDatabaseUrl();
    test = await createTestCore({ databaseUrl: url });
    await seedWorkspace(test);
    modelId = await trainSmallModel(test);
    forecast = await test.call('predictions.make', { modelId, asOf: FORECAST_AS_OF });
    archive = (await test.call('backups.create', { wait: true })).backup!.path;
    scratch = await mkdtemp(path.join(os.tmpdir(), 'metalytics-restore-'));
  }, 180_000);
  afterAll(async () => {
    await test?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it(`restores its archive into a new schema beside the live tables, which then works as a ${expectedMode} workspace`, async () => {
    expect(test.core.storage.mode).toBe(expectedMode);
    const before = independentDigests(await liveRows(test, url));
    const target = { kind: 'postgres', url, schema: 'restored_same' } as const;
    const restored = await restoreForTest(archive, target);
    await rm(restored.stagingDir, { recursive: true, force: true });
    await expectRestoredAsBackedUp(archive, target);
    expect(independentDigests(await liveRows(test, url))).toEqual(before);

    if (expectedMode === 'timescaledb') {
      // The schema's own hypertable, and the extension still the database's one copy in public.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const hypertables = await client.query("SELECT hypertable_schema FROM timescaledb_information.hypertables WHERE hypertable_name = 'market_data' ORDER BY 1");
        expect(hypertables.rows.map((r: { hypertable_schema: string }) => r.hypertable_schema)).toEqual(['public', 'restored_same']);
        const extension = await client.query("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'");
        expect(extension.rows).toEqual([{ nspname: 'public' }]);
      } finally {
        await client.end();
      }
    }
    const storage = await openPostgresStorage(url, silentLogger(), { schema: 'restored_same' });
    try {
      expect(storage.mode).toBe(expectedMode);
      expect(storage.schemaVersion).toBe(test.core.storage.schemaVersion);
      const bars = await storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1d', limit: 5 });
      expect(bars.bars).toEqual((await test.core.storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1d', limit: 5 })).bars);
      // Identity counters were moved past the restored ids: a new alert does not collide with one restored.
      const raised = await storage.alerts.raise({ createdAt: Date.UTC(2026, 1, 1), severity: 'info', source: 'test', message: 'after restore', details: {} });
      expect(raised).toBeTruthy();
    } finally {
      await storage.close();
    }
  });

  it('restores its archive into a SQLite file, where the trained model forecasts the same', async () => {
    const file = path.join(scratch, 'from-postgres.db');
    const restored = await restoreForTest(archive, { kind: 'sqlite', file });
    try {
      await expectRestoredAsBackedUp(archive, { kind: 'sqlite', file });
      await expectRestoredModelForecasts(restored, file, modelId, forecast);
    } finally {
      await rm(restored.stagingDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('restores a SQLite archive into a new schema', async () => {
    const onSqlite = await createTestCore();
    try {
      await seedWorkspace(onSqlite);
      const sqliteArchive = (await onSqlite.call('backups.create', { wait: true })).backup!.path;
      const target = { kind: 'postgres', url, schema: 'restored_from_sqlite' } as const;
      const restored = await restoreForTest(sqliteArchive, target);
      await rm(restored.stagingDir, { recursive: true, force: true });
      await expectRestoredAsBackedUp(sqliteArchive, target);
    } finally {
      await onSqlite.cleanup();
    }
  }, 120_000);

  it('removes the schema it built when the rows differ from the manifest, and never writes into a schema that exists', async () => {
    const original = await openArchive(archive);
    const writer = await ArchiveWriter.create(path.join(scratch, 'wrong-rows.mlbackup'));
    for (const part of original.manifest.parts) await writer.addPart(part.name, part.kind, original.readPart(part));
    const { formatVersion: _version, parts: _parts, tables, ...rest } = original.manifest;
    const damaged = (await writer.finish({ ...rest, tables: tables.map((t) => (t.name === 'instruments' ? { ...t, checksum: 'f'.repeat(64) } : t)) })).path;
    const before = independentDigests(await liveRows(test, url));
    await expect(restoreForTest(damaged, { kind: 'postgres', url, schema: 'restored_damaged' }, { verified: true })).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringMatching(/does not hold the rows backed up: table instruments/),
    });
    expect(await schemaExists(url, 'restored_damaged')).toBe(false);
    expect(independentDigests(await liveRows(test, url))).toEqual(before);

    await expect(restoreForTest(archive, { kind: 'postgres', url, schema: 'public' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(independentDigests(await liveRows(test, url))).toEqual(before);
  }, 120_000);

  it('migrates archives of an older schema after loading them: from Postgres into a schema and SQLite, from SQLite into a schema', async () => {
    const fromPostgres = await writeOlderPostgresArchive(url, scratch);
    expect((await openArchive(fromPostgres)).manifest.tables.map((t) => t.name)).not.toContain('model_stage_history');
    const fromSqlite = await writeOlderSqliteArchive(scratch);
    const targets = [
      [fromPostgres, { kind: 'postgres', url, schema: 'restored_older' }],
      [fromPostgres, { kind: 'sqlite', file: path.join(scratch, 'older-from-postgres.db') }],
      [fromSqlite, { kind: 'postgres', url, schema: 'restored_older_sqlite' }],
    ] as const;
    for (const [archivePath, target] of targets) {
      const restored = await restoreForTest(archivePath, target);
      await rm(restored.stagingDir, { recursive: true, force: true });
      expect(restored.tables.find((t) => t.name === 'market_data')).toEqual({ name: 'market_data', rows: OLDER_BARS });
      const storage =
        target.kind === 'postgres'
          ? await openPostgresStorage(url, silentLogger(), { schema: target.schema })
          : await openSqliteStorage(target.file, silentLogger());
      try {
        expect(storage.schemaVersion).toBe(test.core.storage.schemaVersion);
        expect((await storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1d', limit: 1000 })).bars).toHaveLength(OLDER_BARS);
      } finally {
        await storage.close();
      }
    }
  }, 120_000);

  it('previews its archive from the market data part alone: the bars written since are lost', async () => {
    const [gold] = await test.core.storage.marketData.coverage('XAUUSD');
    const bars = [1, 2].map((n) => ({ time: gold!.last + n * 86_400_000, open: 2000, high: 2001, low: 1999, close: 2000, volume: 1 }));
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars });
    const preview = await test.call('backups.preview', { path: archive });
    expect(preview.changes.map((c) => c.sentence)).toEqual(['you lose 2 days of XAUUSD 1d bars']);
    expect(preview.tables.find((t) => t.name === 'market_data')).toMatchObject({ current: gold!.count + 2, archive: gold!.count });
    expect(preview.alsoRestored).toEqual(['2 model files', 'settings', 'no secrets']);
  }, 120_000);
}
