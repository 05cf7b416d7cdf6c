/**
 * Issue 13: two desktops (two real cores, each with its own data folder and so its own
 * cache.db) share one team database. Desktop A reaches it through a TCP path the test cuts;
 * B directly. A works offline on its cache while B goes on online; A's path comes back. Then
 * the team database and both caches hold the same synced rows, each once, and the scheduled job
 * both edited followed last-writer-wins with an audit entry.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/core/storage/types';
import type { MethodInput } from '../../src/shared/contract';
import { cliEnv, runCliIn } from '../support/cli-process';
import { useTestPostgres, type RestartablePostgres } from '../support/postgres';
import { openPrimary, readCacheFile, syncedContent } from '../support/sync-desktops';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/team-offline';
import { createTestCore, type TestCore } from '../support/test-core';
import { timescaleRunnable, useTestTimescale } from '../support/timescale';

const XAU_BARS = 5_383;
const BTC_BARS = 2_723;

/** Both desktops keep every daily bar of the two instruments the test imports. */
const cacheSettings: MethodInput<'settings.update'> = {
  cache: {
    scope: {
      watchlist: false,
      defaultTimeframes: ['1d'],
      defaultDays: null,
      instruments: { XAUUSD: { timeframes: ['1d'], days: null }, BTCUSD: { timeframes: ['1d'], days: null } },
    },
  },
};

/** The team database's URL with another port: the same server, reached through the proxy. */
function throughPort(url: string, port: number): string {
  const via = new URL(url);
  via.port = String(port);
  return via.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeTwoDesktops(engine: string, useServer: () => RestartablePostgres): void {
  describe(`two team desktops on ${engine}, one of them offline for a while`, () => {
    const server = useServer();
    let url: string;
    let proxy: TcpProxy;
    let a: TestCore;
    let b: TestCore;
    let primary: Storage;

    beforeAll(async () => {
      url = await server.createDatabaseUrl();
      proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(url).port) });
      // B first: it brings the team database's schema up; A then finds it current.
      b = await createTestCore({ databaseUrl: url });
      a = await createTestCore({ databaseUrl: throughPort(url, proxy.port) });
      for (const desktop of [a, b]) {
        await desktop.call('settings.update', cacheSettings);
        // The long-running host's part: connectivity checks and cache syncs.
        desktop.core.scheduler.start();
      }
      primary = await openPrimary(url);
    }, 120_000);

    afterAll(async () => {
      await a?.cleanup();
      await b?.cleanup();
      await primary?.close();
      await proxy?.close();
    });

    it('edit on both sides while A is offline, and converge', async () => {
      // Yearly schedules: they never fire during the test, so only the edits below change the jobs.
      const job = await b.call('jobs.create', { name: 'Gold poll', kind: 'poll', provider: 'polygon', symbols: ['XAUUSD'], schedule: '0 0 1 1 *' });
      const other = await b.call('jobs.create', { name: 'Silver poll', kind: 'poll', provider: 'polygon', symbols: ['XAGUSD'], schedule: '0 0 1 1 *' });
      const doomed = await b.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossBelow', price: 1 }, note: 'deleted on B' });
      for (const desktop of [a, b]) await desktop.call('sync.now');
      expect((await a.call('jobs.list')).jobs.map((j) => j.name).sort()).toEqual(['Gold poll', 'Silver poll']);
      expect((await a.call('priceAlerts.list', {})).priceAlerts.map((alert) => alert.id)).toEqual([doomed.id]);

      const cutAt = Date.now();
      proxy.cut();
      await waitFor('A to go offline', async () => (await a.call('system.status')).sync.state === 'offline', 30_000);
      console.info(`${engine}: A offline ${Date.now() - cutAt} ms after its path was cut`);
      expect((await b.call('system.status')).sync.state).toBe('online');
      await expect(a.call('sync.now')).rejects.toThrow(/UNAVAILABLE The team database cannot be reached/);
      // B edits the other job before A does.
      const otherOnline = await b.call('jobs.update', { id: other.id, name: 'Silver poll (B)' });
      await sleep(20);

      // A, offline, on its cache.
      expect((await a.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD')).inserted).toBe(XAU_BARS);
      await a.call('instruments.create', { symbol: 'XPTEUR', name: 'Platinum in euro', kind: 'spot', unit: 'EUR per troy ounce', currency: 'EUR', providerSymbols: {} });
      const alertA = await a.call('priceAlerts.create', { symbol: 'XAUUSD', condition: { kind: 'crossAbove', price: 100_000 }, note: 'from A, offline' });
      const drawing = await a.call('drawings.create', {
        symbol: 'XAUUSD',
        kind: 'trendLine',
        points: [
          { time: Date.UTC(2024, 0, 2), price: 2_060 },
          { time: Date.UTC(2025, 8, 30), price: 3_850 },
        ],
      });
      const editedOffline = await a.call('jobs.update', { id: job.id, name: 'Gold poll (A, offline)', lookbackDays: 10 });
      const otherOffline = await a.call('jobs.update', { id: other.id, name: 'Silver poll (A, offline)' });
      expect(otherOffline.updatedAt).toBeGreaterThan(otherOnline.updatedAt);
      await a.call('priceAlerts.update', { id: doomed.id, note: 'edited on A, offline' });
      const offline = await a.call('system.status');
      expect(offline.sync).toMatchObject({ state: 'offline' });
      expect(offline.sync.pendingChanges).toBeGreaterThan(0);

      // B, online, on the team database: the first job later than A, an alert A edited deleted, its own bars and alert.
      await sleep(20);
      const editedOnline = await b.call('jobs.update', { id: job.id, name: 'Gold poll (B)', lookbackDays: 20 });
      expect(editedOnline.updatedAt).toBeGreaterThan(editedOffline.updatedAt);
      expect(await b.call('priceAlerts.delete', { id: doomed.id })).toEqual({ id: doomed.id, deleted: true });
      expect((await b.importRealFile('btc-usd-1d-yahoo.csv', 'BTCUSD')).inserted).toBe(BTC_BARS);
      const alertB = await b.call('priceAlerts.create', { symbol: 'BTCUSD', condition: { kind: 'crossBelow', price: 1 }, note: 'from B' });

      proxy.restore();
      await waitFor('A to be back online with nothing left to send', async () => {
        const { sync } = await a.call('system.status');
        return sync.state === 'online' && sync.pendingChanges === 0;
      }, 60_000);
      const back = (await a.call('system.status')).sync;
      expect(back.lastSync?.pushedRows).toBeGreaterThanOrEqual(XAU_BARS);
      expect(back.lastSync?.conflicts).toBeGreaterThanOrEqual(1);
      const bSynced = await b.call('sync.now');
      expect(bSynced.pulledRows).toBeGreaterThanOrEqual(XAU_BARS);

      // A third data folder filled from the team database by the CLI, as before a trip.
      const cliDir = await mkdtemp(path.join(tmpdir(), 'metalytics-two-desktops-cli-'));
      try {
        await writeFile(path.join(cliDir, 'settings.json'), JSON.stringify(cacheSettings));
        const cli = await runCliIn(cliDir, ['sync', '--json'], cliEnv(cliDir, { METALYTICS_DATABASE_URL: url }));
        expect(cli.code, cli.stderr).toBe(0);
        expect(JSON.parse(cli.stdout)).toMatchObject({ pushedRows: 0, pulledRows: expect.any(Number), rangesMoved: expect.any(Number) });

        // The same synced rows everywhere: the team database, A's cache, B's cache, the CLI's.
        const team = await syncedContent(primary);
        for (const [desktop, dataDir] of [['A', a.dataDir], ['B', b.dataDir], ['the CLI', cliDir]] as const) {
          const cache = readCacheFile(path.join(dataDir, 'cache.db'));
          try {
            expect(await syncedContent(cache), `${desktop}'s cache`).toEqual(team);
          } finally {
            cache.close();
          }
        }
        for (const [table, rows] of Object.entries(team)) expect(new Set(rows).size, `${table}: no row twice`).toBe(rows.length);
      } finally {
        await rm(cliDir, { recursive: true, force: true });
      }

      // Nothing twice, nothing lost, on the team database.
      const coverage = (await b.call('bars.coverage', {})).coverage.filter((c) => c.timeframe === '1d');
      expect(coverage.map((c) => [c.symbol, c.count]).sort()).toEqual([['BTCUSD', BTC_BARS], ['XAUUSD', XAU_BARS]]);
      // The alert B deleted after A's offline edit stays deleted.
      for (const desktop of [a, b]) expect((await desktop.call('priceAlerts.list', {})).priceAlerts.map((alert) => alert.id).sort()).toEqual([alertA.id, alertB.id].sort());
      expect((await b.call('drawings.list', { symbol: 'XAUUSD' })).drawings.map((d) => d.id)).toEqual([drawing.id]);
      expect((await b.call('instruments.list')).instruments.filter((i) => i.symbol === 'XPTEUR')).toHaveLength(1);
      const imports = (await b.call('jobs.runs', { limit: 100 })).runs.filter((run) => run.kind === 'import');
      expect(imports.map((run) => run.description).sort()).toEqual([
        expect.stringContaining('btc-usd-1d-yahoo.csv'),
        expect.stringMatching(/xauusd-1d-mt4\.csv.*offline, into this desktop's cache/),
      ]);

      // The jobs: the later edit won on every side (B's of the first, A's of the other), B's later delete too, and the team database says why.
      for (const desktop of [a, b]) {
        expect((await desktop.call('jobs.list')).jobs.map((j) => [j.name, j.lookbackDays]).sort()).toEqual([['Gold poll (B)', 20], ['Silver poll (A, offline)', 30]]);
      }
      const conflicts = (await primary.sql.query("SELECT actor, details FROM audit_log WHERE action = 'sync.conflict' ORDER BY id")).map((row) => ({
        actor: row.actor,
        details: typeof row.details === 'string' ? (JSON.parse(row.details) as unknown) : row.details,
      }));
      const conflict = (table: string, key: string, kept: 'team' | 'pushed', rule: string) => ({
        actor: `sync:${hostname()}`,
        details: expect.objectContaining({ table, key: [key], kept, desktop: hostname(), rule: expect.stringContaining(rule) }),
      });
      expect(conflicts).toHaveLength(3);
      expect(conflicts).toEqual(
        expect.arrayContaining([
          conflict('ingest_jobs', job.id, 'team', 'last writer wins'),
          conflict('ingest_jobs', other.id, 'pushed', 'last writer wins'),
          conflict('price_alerts', doomed.id, 'team', 'deleted on the team database'),
        ]),
      );
    }, 150_000);
  });
}

describeTwoDesktops('embedded Postgres', useTestPostgres);
describe.skipIf(!timescaleRunnable())('TimescaleDB', () => {
  describeTwoDesktops('TimescaleDB', useTestTimescale);
});
