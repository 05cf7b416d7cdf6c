/**
 * The restore engine on SQLite: an archive becomes a new database file whose every table
 * equals the backup (by an independent digest), with the model files, settings and secrets
 * beside it, and a trained model forecasts as before; every refusal leaves no file behind and
 * the live database as it was.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/core/backups/archive/archive-reader';
import { ArchiveWriter } from '../../../src/core/backups/archive/archive-writer';
import { SQLITE_PART } from '../../../src/core/backups/create-backup';
import { CATALOGUE_TABLES } from '../../../src/core/backups/restore/restore-archive';
import type { ArchiveManifest } from '../../../src/shared/backups';
import { backupSecrets, independentDigests, liveRows, seedWorkspace } from '../../support/backup-checks';
import {
  expectRestoredAsBackedUp,
  expectRestoredModelForecasts,
  FORECAST_AS_OF,
  OLDER_BARS,
  restoreForTest,
  trainSmallModel,
  writeOlderSqliteArchive,
} from '../../support/restore-checks';
import { silentLogger } from '../../support/silent-logger';
import { openSqliteStorage } from '../../../src/core/storage/sqlite-storage';
import { createTestCore, type TestCore } from '../../support/test-core';

const passphrase = 'correct horse battery staple';
let test: TestCore;
let scratch: string;
let sealed: string;
let modelId: string;
let forecast: unknown;

beforeAll(async () => {
  test = await createTestCore();
  await seedWorkspace(test);
  modelId = await trainSmallModel(test);
  forecast = await test.call('predictions.make', { modelId, asOf: FORECAST_AS_OF });
  sealed = (await test.call('backups.create', { wait: true, passphrase })).backup!.path;
  scratch = await mkdtemp(path.join(os.tmpdir(), 'metalytics-restore-'));
}, 120_000);
afterAll(async () => {
  await test?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('restoring a SQLite archive into a new SQLite file', () => {
  it('gives every table as backed up, the model files, settings and secrets, and the model forecasts the same', async () => {
    const file = path.join(scratch, 'restored', 'metalytics.db');
    const restored = await restoreForTest(sealed, { kind: 'sqlite', file }, { passphrase });
    try {
      // Nothing is left under the temporary name beside the file.
      expect(await readdir(path.dirname(file))).toEqual(['metalytics.db']);
      await expectRestoredAsBackedUp(sealed, { kind: 'sqlite', file });
      expect(restored.tables).toEqual(restored.manifest.tables.map((t) => ({ name: t.name, rows: t.rows })));
      expect(restored.secrets).toEqual(backupSecrets);
      expect(restored.settings).toMatchObject({ theme: 'dark' });
      expect(await readFile(path.join(restored.modelsDir!, 'demo-model', 'model.json'), 'utf8')).toContain('layers-model');
      expect(restored.fractions.at(-1)).toBe(1);
      expect(restored.fractions).toEqual([...restored.fractions].sort((a, b) => a - b));
      await expectRestoredModelForecasts(restored, file, modelId, forecast);
    } finally {
      await rm(restored.stagingDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('without the passphrase restores everything but the secrets', async () => {
    const file = path.join(scratch, 'no-passphrase.db');
    const restored = await restoreForTest(sealed, { kind: 'sqlite', file });
    await rm(restored.stagingDir, { recursive: true, force: true });
    expect(restored.secrets).toBeNull();
    await expectRestoredAsBackedUp(sealed, { kind: 'sqlite', file });
  }, 120_000);

  it('migrates an archive of an older schema after loading it', async () => {
    const older = await writeOlderSqliteArchive(scratch);
    const { manifest } = await openArchive(older);
    expect(manifest.tables.map((t) => t.name)).not.toContain('model_stage_history');
    const file = path.join(scratch, 'from-older.db');
    const restored = await restoreForTest(older, { kind: 'sqlite', file });
    await rm(restored.stagingDir, { recursive: true, force: true });
    expect(restored.settings).toEqual({ theme: 'light' });
    expect(restored.tables.find((t) => t.name === 'market_data')).toEqual({ name: 'market_data', rows: OLDER_BARS });
    const storage = await openSqliteStorage(file, silentLogger());
    try {
      expect(storage.schemaVersion).toBe(test.core.storage.schemaVersion);
      expect((await storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1d', limit: 1000 })).bars).toHaveLength(OLDER_BARS);
    } finally {
      await storage.close();
    }
  }, 120_000);

  it('lists backups as the catalogue the live database keeps', () => expect(CATALOGUE_TABLES).toContain('backups'));
});

/** An archive with the same parts as `source` and its manifest changed by `change`, minus the parts `drop` names. */
async function rewritten(source: string, name: string, change: (manifest: ArchiveManifest) => Partial<ArchiveManifest>, drop: string[] = []): Promise<string> {
  const original = await openArchive(source);
  const writer = await ArchiveWriter.create(path.join(scratch, name));
  for (const part of original.manifest.parts.filter((p) => !drop.includes(p.name))) await writer.addPart(part.name, part.kind, original.readPart(part));
  const { formatVersion: _version, parts: _parts, ...rest } = original.manifest;
  return (await writer.finish({ ...rest, ...change(original.manifest) })).path;
}

describe('refusals change nothing', () => {
  const damaged: Record<string, () => Promise<string>> = {
    'a flipped byte': async () => {
      const { manifest } = await openArchive(sealed);
      const database = manifest.parts.find((p) => p.name === SQLITE_PART)!;
      const bytes = await readFile(sealed);
      const at = database.offset + Math.floor(database.storedBytes / 2);
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
      await writeFile(path.join(scratch, 'flipped.mlbackup'), bytes);
      return path.join(scratch, 'flipped.mlbackup');
    },
    'a truncated archive': async () => {
      const file = path.join(scratch, 'truncated.mlbackup');
      await copyFile(sealed, file);
      await truncate(file, Math.floor((await openArchive(sealed)).bytes / 2));
      return file;
    },
    'a missing part': () => rewritten(sealed, 'missing.mlbackup', () => ({}), [SQLITE_PART]),
    'a table whose checksum differs': () =>
      rewritten(sealed, 'checksum.mlbackup', (m) => ({ tables: m.tables.map((t) => (t.name === 'market_data' ? { ...t, checksum: '0'.repeat(64) } : t)) })),
    'a newer format': async () => {
      const bytes = await readFile(sealed);
      bytes.writeUInt32BE(2, 8);
      await writeFile(path.join(scratch, 'newer-format.mlbackup'), bytes);
      return path.join(scratch, 'newer-format.mlbackup');
    },
    'a newer schema': () => rewritten(sealed, 'newer-schema.mlbackup', () => ({ schemaVersion: '0099_from_the_future' })),
  };
  const expected: Record<string, { code: string; message: RegExp }> = {
    'a flipped byte': { code: 'CORRUPT', message: /cannot be restored: Part database\/metalytics\.sqlite/ },
    'a truncated archive': { code: 'CORRUPT', message: /truncated or unfinished/ },
    'a missing part': { code: 'CORRUPT', message: /The database part database\/metalytics\.sqlite is missing/ },
    'a table whose checksum differs': { code: 'CORRUPT', message: /Table market_data holds different rows/ },
    'a newer format': { code: 'VALIDATION', message: /backup format 2, newer than format 1/ },
    'a newer schema': { code: 'VALIDATION', message: /schema 0099_from_the_future, newer than schema 0007_live_jobs/ },
  };

  it.each(Object.keys(damaged))('%s', async (name) => {
    const archive = await damaged[name]!();
    const before = independentDigests(await liveRows(test));
    const folder = await mkdtemp(path.join(scratch, 'target-'));
    const file = path.join(folder, 'metalytics.db');
    const refused = await restoreForTest(archive, { kind: 'sqlite', file }, { passphrase }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject(expected[name]!);
    expect(await readdir(folder)).toEqual([]);
    expect(independentDigests(await liveRows(test))).toEqual(before);
  });

  it('a wrong passphrase, said plainly', async () => {
    const folder = await mkdtemp(path.join(scratch, 'target-'));
    const refused = await restoreForTest(sealed, { kind: 'sqlite', file: path.join(folder, 'metalytics.db') }, { passphrase: 'not the passphrase' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'VALIDATION', message: 'The passphrase is wrong: it does not open the secrets of this backup. Nothing was restored.' });
    expect(await readdir(folder)).toEqual([]);
  }, 120_000);

  it('a target file that exists, which is never overwritten', async () => {
    const file = path.join(scratch, 'existing.db');
    await writeFile(file, 'mine');
    await expect(restoreForTest(sealed, { kind: 'sqlite', file })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(file, 'utf8')).toBe('mine');
  }, 120_000);

  it('rows that differ from the manifest even when the caller says the archive was verified: the file built is removed', async () => {
    const archive = await damaged['a table whose checksum differs']!();
    const folder = await mkdtemp(path.join(scratch, 'target-'));
    await expect(restoreForTest(archive, { kind: 'sqlite', file: path.join(folder, 'metalytics.db') }, { verified: true })).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringMatching(/does not hold the rows backed up: table market_data/),
    });
    expect(await readdir(folder)).toEqual([]);
  }, 120_000);
});
