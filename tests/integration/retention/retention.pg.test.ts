/** Data retention on embedded Postgres, through the real core. */
import { afterAll, beforeAll, describe } from 'vitest';
import { useTestPostgres } from '../../support/postgres';
import { describeRetention, retentionClock, seedRetentionWorkspace } from '../../support/retention-checks';
import { createTestCore, type TestCore } from '../../support/test-core';

describe('data retention on Postgres', () => {
  const postgres = useTestPostgres();
  const workspace = retentionClock();
  let test: TestCore;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await postgres.createDatabaseUrl();
    test = await createTestCore({ databaseUrl, now: () => workspace.now });
    await seedRetentionWorkspace(test, workspace);
  }, 120_000);
  afterAll(() => test?.cleanup());

  describeRetention(() => ({ test: () => test, databaseUrl: () => databaseUrl, workspace }));
});
