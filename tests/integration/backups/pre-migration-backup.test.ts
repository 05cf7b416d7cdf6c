/** A database with pending migrations gets a safety backup before start-up migrates it, and that backup restores its state. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/core/create-core';
import { migrationsUpTo } from '../../../src/core/storage/migrations';
import { realDataPath } from '../../support/real-data';
import { workspaceDigests } from '../../support/restore-switch-checks';
import { invokeOk, testPorts, type TestCore } from '../../support/test-core';

const OLDER = '0007_live_jobs';

describe('a safety backup before start-up migrations', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'metalytics-premigration-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('backs up a non-empty database at its older schema before migrating it, and restoring that backup gives its data back', async () => {
    const older = migrationsUpTo(OLDER);
    try {
      const old = await createCore(testPorts(dataDir, { environment: { METALYTICS_MIGRATIONS_DIR: older.migrationsDir } }), { validateOutput: true });
      expect(old.storage.schemaVersion).toBe(OLDER);
      await invokeOk(old, 'import.csv', { source: { kind: 'path', path: realDataPath('xauusd-1d-mt4.csv') }, symbol: 'XAUUSD' });
      await old.close();
    } finally {
      older.cleanup();
    }

    let core: Core | undefined;
    try {
      core = await createCore(testPorts(dataDir), { validateOutput: true });
      expect(core.storage.schemaVersion).not.toBe(OLDER);
      const view = { dataDir } as TestCore;
      const asBefore = await workspaceDigests(view);
      const { backups } = await invokeOk(core, 'backups.list', {});
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatchObject({ kind: 'safety', status: 'verified', schemaVersion: OLDER });

      await invokeOk(core, 'import.csv', { source: { kind: 'path', path: realDataPath('btc-usd-1d-yahoo.csv') }, symbol: 'BTCUSD' });
      expect(await workspaceDigests(view)).not.toEqual(asBefore);
      await invokeOk(core, 'backups.restore', { id: backups[0]!.id, wait: true });
      expect(await workspaceDigests(view)).toEqual(asBefore);
    } finally {
      await core?.close();
    }
    // A database already up to date takes no such backup.
    const again = await createCore(testPorts(dataDir), { validateOutput: true });
    try {
      expect((await invokeOk(again, 'backups.list', {})).backups.filter((b) => b.schemaVersion === OLDER)).toHaveLength(1);
    } finally {
      await again.close();
    }
  }, 240_000);
});
