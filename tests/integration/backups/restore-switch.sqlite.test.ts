/** Restore on SQLite: exact round trip, undo, requests held during the switch, refusals that change nothing. */
import { afterAll, beforeAll, describe } from 'vitest';
import { seedWorkspace } from '../../support/backup-checks';
import { describeRestoreSwitch } from '../../support/restore-switch-checks';
import { createTestCore, type TestCore } from '../../support/test-core';

let test: TestCore;
beforeAll(async () => {
  test = await createTestCore();
  await seedWorkspace(test);
}, 60_000);
afterAll(() => test?.cleanup());

describe('restore on SQLite', () => {
  describeRestoreSwitch(() => ({ test: () => test, databaseUrl: () => undefined }));
});
