import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodOutput } from '../../src/shared/contract';
import { useTestPostgres } from '../support/postgres';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { dailyBarsCsv, waitFor } from '../support/team-offline';

/**
 * Issue 13: the real `metalytics serve` on a team Postgres whose server is stopped (not a
 * cut connection: the server process ends) and started again.
 */
describe('serve on a team Postgres that stops', () => {
  const postgres = useTestPostgres();
  let serve: ServeProcess;
  let url: string;
  // Kept across the restart of `serve` in the last test.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'metalytics-team-'));
  let syncStatus: () => Promise<MethodOutput<'system.status'>['sync']>;

  beforeAll(async () => {
    url = await postgres.createDatabaseUrl();
    serve = await startServeProcess(dataDir, { METALYTICS_DATABASE_URL: url });
    syncStatus = async () => (await serve.call('system.status')).sync;
    // The shared files are decades old: the cache keeps every day of the daily bars.
    await serve.call('settings.update', { cache: { scope: { watchlist: true, defaultTimeframes: ['1d'], defaultDays: null, instruments: {} } } });
  }, 120_000);

  afterAll(async () => {
    await serve?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes offline within 30 s, answers from the cache, and sends an offline import to Postgres once when it is back', async () => {
    expect(await syncStatus()).toMatchObject({ mode: 'team', state: 'online' });
    const gold = await serve.call('import.csv', { source: { kind: 'text', fileName: 'gold.csv', text: dailyBarsCsv(Date.UTC(2021, 0, 4), 120, 1800) }, symbol: 'XAUUSD', timeframe: '1d' });
    expect(gold.inserted).toBe(120);
    const imported = Date.now();
    // The import's job ending asks for a sync a few seconds later: then the cache holds the bars.
    await waitFor('a sync after the import', async () => ((await syncStatus()).lastSync?.at ?? 0) > imported, 60_000);
    const online = await serve.call('bars.query', { symbol: 'XAUUSD', timeframe: '1d' });

    const stoppedAt = Date.now();
    await postgres.pause();
    await waitFor('system.status to say offline', async () => (await syncStatus()).state === 'offline', 30_000);
    const detectedMs = Date.now() - stoppedAt;
    console.info(`team database outage detected by serve after ${detectedMs} ms`);
    expect(detectedMs).toBeLessThan(30_000);

    // Requests may meet the switch to the cache: they wait at the gate and run on it.
    const offline = await serve.call('bars.query', { symbol: 'XAUUSD', timeframe: '1d' });
    expect(offline.bars).toEqual(online.bars);
    const status = await serve.call('system.status');
    expect(status.database.mode).toBe('sqlite');
    expect(status.sync.offlineSince).toBeGreaterThanOrEqual(stoppedAt);

    const silver = await serve.call('import.csv', { source: { kind: 'text', fileName: 'silver.csv', text: dailyBarsCsv(Date.UTC(2021, 0, 4), 90, 25) }, symbol: 'XAGUSD', timeframe: '1d' });
    expect(silver.inserted).toBe(90);
    expect((await syncStatus()).pendingChanges).toBeGreaterThan(0);

    await postgres.resume();
    await waitFor('the desktop to be back online with nothing left to send', async () => {
      const sync = await syncStatus();
      return sync.state === 'online' && sync.pendingChanges === 0;
    }, 60_000);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows: bars } = await client.query<{ count: string; times: string }>(
        "SELECT count(*) AS count, count(DISTINCT time) AS times FROM market_data WHERE symbol = 'XAGUSD' AND timeframe = '1d'",
      );
      expect(bars[0]).toEqual({ count: '90', times: '90' });
      const { rows: runs } = await client.query<{ description: string }>('SELECT description FROM job_runs WHERE id = $1', [silver.runId]);
      expect(runs).toHaveLength(1);
      expect(runs[0]?.description).toContain("offline, into this desktop's cache");
    } finally {
      await client.end();
    }
    expect((await serve.call('system.status')).database.mode).toBe('postgres');
    expect((await serve.call('bars.query', { symbol: 'XAGUSD', timeframe: '1d' })).bars).toHaveLength(90);
  }, 240_000);

  it('starts offline on the cache while the team database is down, rather than failing', async () => {
    await serve.stop();
    await postgres.pause();
    try {
      serve = await startServeProcess(dataDir, { METALYTICS_DATABASE_URL: url });
      const { sync, database } = await serve.call('system.status');
      expect(sync).toMatchObject({ mode: 'team', state: 'offline', pendingChanges: 0 });
      expect(database.mode).toBe('sqlite');
      expect((await serve.call('bars.query', { symbol: 'XAGUSD', timeframe: '1d' })).bars).toHaveLength(90);
    } finally {
      await postgres.resume();
    }
    await waitFor('the restarted desktop to reach the team database', async () => (await syncStatus()).state === 'online', 60_000);
  }, 120_000);
});
