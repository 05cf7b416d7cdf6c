/** Data retention on SQLite, through the real core. */
import { afterAll, beforeAll, describe } from 'vitest';
import { describeRetention, retentionClock, seedRetentionWorkspace } from '../../support/retention-checks';
import { createTestCore, type TestCore } from '../../support/test-core';

describe('data retention on SQLite', () => {
  const workspace = retentionClock();
  let test: TestCore;
  beforeAll(async () => {
    test = await createTestCore({ now: () => workspace.now });
    await seedRetentionWorkspace(test, workspace);
  }, 120_000);
  afterAll(() => test?.cleanup());

  describeRetention(() => ({ test: () => test, databaseUrl: () => undefined, workspace }));
});
