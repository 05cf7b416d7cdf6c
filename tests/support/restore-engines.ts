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
import { openPostgresStorage } from '../../src/core/storage/pg-storage';
import { independentDigests, liveRows, seedWorkspace } from './backup-checks';
import { expectRestoredAsBackedUp, expectRestoredModelForecasts, FORECAST_AS_OF, restoreForTest, trainSmallModel } from './restore-checks';
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
  });

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
  });

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
  });

  it('previews its archive from the market data part alone: the bars written since are lost', async () => {
    const [gold] = await test.core.storage.marketData.coverage('XAUUSD');
    const bars = [1, 2].map((n) => ({ time: gold!.last + n * 86_400_000, open: 2000, high: 2001, low: 1999, close: 2000, volume: 1 }));
    await test.core.storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'test', bars });
    const preview = await test.call('backups.preview', { path: archive });
    expect(preview.changes.map((c) => c.sentence)).toEqual(['you lose 2 days of XAUUSD 1d bars']);
    expect(preview.tables.find((t) => t.name === 'market_data')).toMatchObject({ current: gold!.count + 2, archive: gold!.count });
    expect(preview.alsoRestored).toEqual(['2 model files', 'settings', 'no secrets']);
  });
}
