/** Restore on a real TimescaleDB: the one-transaction switch empties and refills the market_data hypertable. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorkspace } from '../../support/backup-checks';
import { describeRestoreSwitch } from '../../support/restore-switch-checks';
import { createTestCore, type TestCore } from '../../support/test-core';
import { timescaleRunnable, useTestTimescale } from '../../support/timescale';

describe.skipIf(!timescaleRunnable())('restore on TimescaleDB', () => {
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

  describeRestoreSwitch(() => ({ test: () => test, databaseUrl: () => databaseUrl }));
});
