/**
 * A scheduled backup and its restore drill on Postgres: the drill restores the Postgres archive
 * across modes into a scratch SQLite file and finds the same series as the live database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRun } from '../../../src/shared/domain';
import { useTestPostgres } from '../../support/postgres';
import { createTestCore, type TestCore } from '../../support/test-core';

describe('scheduled backup and drill on Postgres', () => {
  const postgres = useTestPostgres();
  let test: TestCore;
  beforeAll(async () => {
    test = await createTestCore({ databaseUrl: await postgres.createDatabaseUrl() });
    await test.importRealFile('btc-usd-1d-yahoo.csv', 'BTCUSD');
  }, 120_000);
  afterAll(() => test?.cleanup());

  async function runJob(kind: 'backup' | 'drill'): Promise<JobRun> {
    const job = await test.call('jobs.create', { name: `${kind} job`, kind, symbols: [], schedule: null } as Parameters<typeof test.call<'jobs.create'>>[1]);
    const { runId } = await test.call('jobs.runNow', { id: job.id });
    for (let waited = 0; waited < 90_000; waited += 50) {
      const run = (await test.core.storage.jobRuns.list({ ingestJobId: job.id, limit: 5 })).find((r) => r.id === runId && r.status !== 'running');
      if (run) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the ${kind} run did not end`);
  }

  it('backs up on schedule and drills the Postgres archive in a scratch SQLite file', async () => {
    expect(await runJob('backup')).toMatchObject({ status: 'succeeded' });
    expect(await runJob('drill')).toMatchObject({ status: 'succeeded' });
    const { lastDrill, lastGood } = await test.call('backups.status', {});
    expect(lastGood).toMatchObject({ kind: 'scheduled', status: 'verified' });
    const [series] = (await test.call('bars.coverage', { symbol: 'BTCUSD' })).coverage;
    const lastBar = (await test.call('bars.query', { symbol: 'BTCUSD', timeframe: '1d', limit: 1 })).bars.at(-1)!;
    expect(lastDrill).toMatchObject({ ok: true, backupId: lastGood!.id, checks: [{ symbol: 'BTCUSD', timeframe: '1d', bars: series!.count, lastClose: lastBar.close }] });
  }, 180_000);
});
