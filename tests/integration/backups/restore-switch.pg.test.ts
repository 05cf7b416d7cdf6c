/**
 * Restore on Postgres: the switch is one transaction on the live tables, and an archive
 * crosses modes through the RPC (a SQLite workspace restored into a Postgres-configured core, and back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorkspace } from '../../support/backup-checks';
import { useTestPostgres } from '../../support/postgres';
import { describeRestoreSwitch, workspaceDigests } from '../../support/restore-switch-checks';
import { createTestCore, type TestCore } from '../../support/test-core';

describe('restore on Postgres', () => {
  const postgres = useTestPostgres();
  let test: TestCore;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await postgres.createDatabaseUrl();
    test = await createTestCore({ databaseUrl });
    await seedWorkspace(test);
  }, 120_000);
  afterAll(() => test?.cleanup());

  describeRestoreSwitch(() => ({ test: () => test, databaseUrl: () => databaseUrl }));

  it('moves a workspace from SQLite to Postgres and back through backups.restore', async () => {
    const laptop = await createTestCore();
    const serverUrl = await postgres.createDatabaseUrl();
    const server = await createTestCore({ databaseUrl: serverUrl });
    try {
      await seedWorkspace(laptop);
      await laptop.importRealFile('btc-usd-1d-yahoo.csv', 'BTCUSD');
      const onLaptop = await workspaceDigests(laptop);
      const fromLaptop = (await laptop.call('backups.create', { wait: true })).backup!;
      await server.call('backups.restore', { path: fromLaptop.path, wait: true });
      expect(await workspaceDigests(server, serverUrl)).toEqual(onLaptop);

      const fromServer = (await server.call('backups.create', { wait: true })).backup!;
      const back = await createTestCore();
      try {
        await back.call('backups.restore', { path: fromServer.path, wait: true });
        expect(await workspaceDigests(back)).toEqual(onLaptop);
      } finally {
        await back.cleanup();
      }
    } finally {
      await laptop.cleanup();
      await server.cleanup();
    }
  }, 240_000);
});
