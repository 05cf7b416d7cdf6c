import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src/shared/contract';
import { FakeProviderServer } from '../support/fake-provider-server';
import { useTestPostgres, type RestartablePostgres } from '../support/postgres';
import { openPrimary, readCacheFile, syncedContent } from '../support/sync-desktops';
import { dailyBarsCsv, waitFor } from '../support/team-offline';
import { createTestCore, type TestCore } from '../support/test-core';
import { timescaleRunnable, useTestTimescale } from '../support/timescale';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Within the fake Polygon's two years of depth, measured from its own "now" (2025-02-20). */
const BACKFILL_FROM = Date.UTC(2025, 0, 10);
const BACKFILL_DAYS = 5;
/** Daily bars imported offline: enough for a model to train on. */
const SILVER_DAYS = 250;
/** Tables whose rows this test writes on both sides of the outage. */
const COMPARED_TABLES = ['market_data', 'model_registry', 'training_runs'];

/** Every synced row, by table, of the team database and of the cache file (bars without when each database stored them). */
async function rowsOnBothSides(url: string, cacheFile: string): Promise<{ primary: Record<string, string[]>; cache: Record<string, string[]> }> {
  const team = await openPrimary(url);
  const cache = readCacheFile(cacheFile);
  try {
    return { primary: await syncedContent(team), cache: await syncedContent(cache) };
  } finally {
    cache.close();
    await team.close();
  }
}

/**
 * Issue 13: the team database's server stops in the middle of a backfill; the desktop goes on
 * importing, backfilling and training on its cache; the server starts again. Afterwards the
 * team database and the cache hold the same rows, each once.
 */
function describeOutage(engine: string, useServer: () => RestartablePostgres): void {
  describe(`a team desktop on ${engine} whose server stops mid-backfill`, () => {
    const server = useServer();
    let fake: FakeProviderServer;
    let test: TestCore;
    let url: string;

    beforeAll(async () => {
      url = await server.createDatabaseUrl();
      fake = await FakeProviderServer.start({ polygonPageSize: 1_000 });
      test = await createTestCore({ databaseUrl: url, environment: fake.environment('polygon') });
      await test.call('settings.update', {
        cache: {
          scope: {
            watchlist: false,
            defaultTimeframes: ['1d'],
            defaultDays: null,
            instruments: { BTCUSD: { timeframes: ['1m'], days: null }, XAGUSD: { timeframes: ['1d'], days: null } },
          },
        },
      });
      // The long-running host's part: schedules, connectivity checks and cache syncs.
      test.core.scheduler.start();
    }, 120_000);

    afterAll(async () => {
      await test?.cleanup();
      await fake?.close();
    });

    it('keeps working offline and converges with nothing lost and nothing twice', async () => {
      const { call, core } = test;
      const to = BACKFILL_FROM + BACKFILL_DAYS * DAY;
      // Five pages make the first committed batch; the seventh page never answers, so the backfill is mid-way when the server stops.
      fake.script('polygon', { when: () => fake.requestsTo('polygon').length === 7, fault: 'hang' });
      const first = await call('backfill.start', { provider: 'polygon', symbol: 'BTCUSD', timeframe: '1m', from: BACKFILL_FROM, to });
      const firstEnded = new Promise<EventPayload<'job.finished'>>((resolve) => {
        const unsubscribe = core.events.subscribe((message) => {
          if (message.name === 'job.finished' && message.payload.runId === first.runId) {
            unsubscribe();
            resolve(message.payload);
          }
        });
      });
      await waitFor('the backfill to reach its seventh page', async () => fake.requestsTo('polygon').length >= 7, 60_000);

      const stoppedAt = Date.now();
      await server.pause();
      await waitFor('the desktop to go offline', async () => (await call('system.status')).sync.state === 'offline', 30_000);
      console.info(`${engine}: outage detected after ${Date.now() - stoppedAt} ms`);
      // The switch to the cache stops the backfill that was writing to the team database.
      expect((await firstEnded).status).not.toBe('succeeded');

      // Offline: an import, the whole backfill again (into the cache), and a model trained on the imported bars.
      const silver = await call('import.csv', { source: { kind: 'text', fileName: 'silver.csv', text: dailyBarsCsv(Date.UTC(2021, 0, 4), SILVER_DAYS, 25) }, symbol: 'XAGUSD', timeframe: '1d' });
      expect(silver.inserted).toBe(SILVER_DAYS);
      const again = await call('backfill.start', { provider: 'polygon', symbol: 'BTCUSD', timeframe: '1m', from: BACKFILL_FROM, to });
      await waitFor('the offline backfill to end', async () => !core.jobs.isRunning(again.runId), 120_000);
      const trained = await call('models.train', { symbol: 'XAGUSD', timeframe: '1d', modelType: 'naive', wait: true });
      expect(trained.result).not.toBeNull();
      const offline = await call('system.status');
      expect(offline.sync).toMatchObject({ state: 'offline' });
      expect(offline.sync.pendingChanges).toBeGreaterThan(0);
      expect((await call('bars.query', { symbol: 'BTCUSD', timeframe: '1m', limit: 100_000 })).bars).toHaveLength(BACKFILL_DAYS * 24 * 60);

      await server.resume();
      await waitFor('the desktop to be back online with nothing left to send', async () => {
        const { sync } = await call('system.status');
        return sync.state === 'online' && sync.pendingChanges === 0;
      }, 120_000);

      const cacheFile = path.join(test.dataDir, 'cache.db');
      const rows = await rowsOnBothSides(url, cacheFile);
      for (const table of COMPARED_TABLES) {
        const primary = rows.primary[table]!;
        expect(rows.cache[table], `${table}: cache and team database`).toEqual(primary);
        expect(new Set(primary).size, `${table}: no row twice`).toBe(primary.length);
      }
      expect(rows.primary.market_data).toHaveLength(BACKFILL_DAYS * 24 * 60 + SILVER_DAYS);
      const models = await call('models.list', { symbol: 'XAGUSD' });
      expect(models.models.map((model) => model.modelId)).toContain(trained.result!.modelId);
    }, 400_000);
  });
}

describeOutage('embedded Postgres', useTestPostgres);
describe.skipIf(!timescaleRunnable())('TimescaleDB', () => {
  describeOutage('TimescaleDB', useTestTimescale);
});
