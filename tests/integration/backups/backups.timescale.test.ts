/** Backups on a real TimescaleDB: the export reads the market_data hypertable like any table, in one snapshot. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackupRoundTrip, seedWorkspace } from '../../support/backup-checks';
import { createTestCore, type TestCore } from '../../support/test-core';
import { timescaleRunnable, useTestTimescale } from '../../support/timescale';

describe.skipIf(!timescaleRunnable())('backups on TimescaleDB', () => {
  const timescale = useTestTimescale();
  let test: TestCore;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await timescale.createDatabaseUrl();
    test = await createTestCore({ databaseUrl });
    await seedWorkspace(test);
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('runs on TimescaleDB', () => expect(test.core.storage.mode).toBe('timescaledb'));

  describeBackupRoundTrip(() => ({ test: () => test, databaseUrl: () => databaseUrl }));
});
