/**
 * Backups on Postgres: a logical export in one snapshot, held to an independent digest of the
 * live tables; and the same rows give the same checksums as on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/core/backups/archive/archive-reader';
import { describeBackupRoundTrip, seedWorkspace } from '../../support/backup-checks';
import { useTestPostgres } from '../../support/postgres';
import { createTestCore, type TestCore } from '../../support/test-core';

describe('backups on Postgres', () => {
  const postgres = useTestPostgres();
  let test: TestCore;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await postgres.createDatabaseUrl();
    test = await createTestCore({ databaseUrl });
    await seedWorkspace(test);
  }, 120_000);
  afterAll(() => test?.cleanup());

  describeBackupRoundTrip(() => ({ test: () => test, databaseUrl: () => databaseUrl }));

  it('gives the same rows the same checksums on SQLite and on Postgres', async () => {
    const onPostgres = await createTestCore({ databaseUrl: await postgres.createDatabaseUrl() });
    const onSqlite = await createTestCore();
    try {
      const tables = async (side: TestCore) => {
        await side.importRealFile('btc-usd-1d-yahoo.csv', 'BTCUSD');
        const { manifest } = await openArchive((await side.call('backups.create', { wait: true })).backup!.path);
        // Tables whose rows carry no time of writing nor generated id, so both workspaces hold the very same rows.
        return manifest.tables.filter((t) => ['instruments', 'market_data_rollup', 'market_data_series'].includes(t.name));
      };
      const sqliteTables = await tables(onSqlite);
      expect(sqliteTables.find((t) => t.name === 'market_data_series')?.rows).toBeGreaterThan(0);
      expect(await tables(onPostgres)).toEqual(sqliteTables);
    } finally {
      await onPostgres.cleanup();
      await onSqlite.cleanup();
    }
  });
});
