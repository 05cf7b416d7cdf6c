/**
 * What the restore tests hold a restored database to: its tables read straight from the file
 * or schema, digested independently (backup-checks.ts), against the archive's manifest; and
 * a trained model that must forecast the same from the restored workspace.
 */
import { createReadStream } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { openArchive } from '../../src/core/backups/archive/archive-reader';
import { backedUpTables } from '../../src/core/backups/archive/table-digest';
import { restoreArchive, type RestoredWorkspace, type RestoreTarget } from '../../src/core/backups/restore/restore-archive';
import { ArchiveWriter } from '../../src/core/backups/archive/archive-writer';
import { SETTINGS_PART, SQLITE_PART } from '../../src/core/backups/create-backup';
import { digestSqliteCopy } from '../../src/core/backups/database-digest';
import { createCore } from '../../src/core/create-core';
import { migrationsUpTo } from '../../src/core/storage/migrations';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';
import { metaTraderDailyBars } from './shared-data';
import { independentDigests } from './backup-checks';
import { silentLogger } from './silent-logger';
import { invokeOk, testPorts, type TestCore } from './test-core';

type Row = Record<string, unknown>;

/** Every backed-up table's rows in the restored database, read without the product's code. */
export async function restoredRows(target: RestoreTarget): Promise<Map<string, Row[]>> {
  const rows = new Map<string, Row[]>();
  if (target.kind === 'postgres') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      for (const shape of backedUpTables) rows.set(shape.name, (await client.query<Row>(`SELECT * FROM "${target.schema}"."${shape.name}"`)).rows);
    } finally {
      await client.end();
    }
    return rows;
  }
  const db = new Database(target.file, { readonly: true });
  try {
    for (const shape of backedUpTables) rows.set(shape.name, db.prepare(`SELECT * FROM "${shape.name}"`).all() as Row[]);
  } finally {
    db.close();
  }
  return rows;
}

/** The restored tables equal the manifest's, by an independent digest of what the target holds. */
export async function expectRestoredAsBackedUp(archivePath: string, target: RestoreTarget): Promise<void> {
  const { manifest } = await openArchive(archivePath);
  const digests = independentDigests(await restoredRows(target));
  expect(Object.fromEntries(manifest.tables.map((t) => [t.name, { rows: t.rows, checksum: t.checksum }]))).toEqual(
    Object.fromEntries(manifest.tables.map((t) => [t.name, digests.get(t.name)])),
  );
  expect(manifest.tables.find((t) => t.name === 'market_data')!.rows).toBeGreaterThan(1000);
}

/** Restores with progress recorded, into a fresh staging folder the test removes. */
export async function restoreForTest(
  archivePath: string,
  target: RestoreTarget,
  options: { passphrase?: string; verified?: boolean } = {},
): Promise<RestoredWorkspace & { fractions: number[] }> {
  const stagingDir = await mkdtemp(path.join(os.tmpdir(), 'metalytics-restore-staging-'));
  const fractions: number[] = [];
  const restored = await restoreArchive(archivePath, target, {
    ...options,
    logger: silentLogger(),
    stagingDir,
    progress: (fraction) => fractions.push(fraction),
    throwIfCancelled: () => undefined,
  }).catch(async (error: unknown) => {
    await rm(stagingDir, { recursive: true, force: true });
    throw error;
  });
  return { ...restored, fractions };
}

/** Trains a small MLP through the real training service; the model the restore tests forecast with. */
export async function trainSmallModel(test: TestCore): Promise<string> {
  const { result } = await test.call('models.train', {
    symbol: 'XAUUSD',
    timeframe: '1d',
    modelType: 'mlp',
    from: Date.UTC(2018, 0, 1),
    to: Date.UTC(2020, 0, 1),
    epochs: 3,
    hiddenUnits: 8,
    wait: true,
  });
  return result!.modelId;
}

export const FORECAST_AS_OF = Date.UTC(2020, 5, 1);

/**
 * A core opened on a SQLite file restored into a fresh data folder with the extracted model
 * files beside it forecasts exactly as the original did.
 */
export async function expectRestoredModelForecasts(restored: RestoredWorkspace, restoredFile: string, modelId: string, expected: unknown): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'metalytics-restored-'));
  try {
    await cp(restoredFile, path.join(dataDir, 'metalytics.db'));
    expect(restored.modelsDir).not.toBeNull();
    await mkdir(path.join(dataDir, 'models'));
    await cp(restored.modelsDir!, path.join(dataDir, 'models'), { recursive: true });
    const core = await createCore(testPorts(dataDir), { validateOutput: true });
    try {
      expect(await invokeOk(core, 'predictions.make', { modelId, asOf: FORECAST_AS_OF })).toEqual(expected);
    } finally {
      await core.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A schema this build migrates from: before model lineage (0006) added a table and columns. */
export const OLDER_SCHEMA = '0005_instrument_deleted_at';
export const OLDER_BARS = 500;

/**
 * The archive an app at OLDER_SCHEMA wrote of a SQLite workspace with real daily bars: its
 * database built by the migrations up to that version, its manifest digests over the columns
 * that version had.
 */
export async function writeOlderSqliteArchive(folder: string): Promise<string> {
  const file = path.join(folder, 'older.db');
  const older = migrationsUpTo(OLDER_SCHEMA);
  try {
    const storage = await openSqliteStorage(file, silentLogger(), { migrationsDir: older.migrationsDir });
    expect(storage.schemaVersion).toBe(OLDER_SCHEMA);
    await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'mt4', bars: metaTraderDailyBars().slice(-OLDER_BARS) });
    await storage.close();
  } finally {
    older.cleanup();
  }
  const sealing = new Database(file);
  sealing.pragma('journal_mode = DELETE');
  sealing.close();
  const { digests } = await digestSqliteCopy({ file, nativeBinding: undefined, integrityCheck: true, tables: backedUpTables.map((t) => t.name) });
  const writer = await ArchiveWriter.create(path.join(folder, 'older.mlbackup'));
  await writer.addPart(SQLITE_PART, 'database', createReadStream(file));
  await writer.addPart(SETTINGS_PART, 'settings', [Buffer.from('{"theme":"light"}')]);
  const written = await writer.finish({ appVersion: '0.9.0', schemaVersion: OLDER_SCHEMA, createdAt: Date.UTC(2026, 5, 1), database: 'sqlite', tables: digests, secrets: null });
  return written.path;
}
