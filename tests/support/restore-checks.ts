/**
 * What the restore tests hold a restored database to: its tables read straight from the file
 * or schema, digested independently (backup-checks.ts), against the archive's manifest; and
 * a trained model that must forecast the same from the restored workspace.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { openArchive } from '../../src/core/backups/archive/archive-reader';
import { backedUpTables } from '../../src/core/backups/archive/table-digest';
import { restoreArchive, type RestoredWorkspace, type RestoreTarget } from '../../src/core/backups/restore/restore-archive';
import { createCore } from '../../src/core/create-core';
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
