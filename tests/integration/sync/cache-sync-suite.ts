/**
 * The sync engine against a real team server (embedded Postgres, or TimescaleDB), with SQLite
 * caches as desktops: outbox capture, exactly-once push after a crash, the bar and
 * last-writer-wins conflict rules with their audit entries, range checksums, artifacts, and two
 * desktops converging.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/models/service/artifact-store';
import type { SqlExecutor } from '../../../src/core/storage/sql-executor';
import type { RegisteredModel, Storage } from '../../../src/core/storage/types';
import type { PriceAlert } from '../../../src/shared/price-alerts';
import { pendingChanges, synchronise } from '../../../src/core/sync/cache-sync';
import type { TestPostgres } from '../../support/postgres';
import { silentLogger } from '../../support/silent-logger';
import { minuteBars } from '../../support/random-walk-bars';
import { DAY, MINUTE, openDesktop, openPrimary, syncedContent, type Desktop } from '../../support/sync-desktops';

const start = Date.UTC(2024, 0, 2);
const scope = [{ symbol: 'XAUUSD', timeframes: ['1m' as const], days: null }];

const model = (modelId: string, extra: Partial<RegisteredModel> = {}): RegisteredModel => ({
  modelId,
  modelName: 'ridge-1d',
  modelType: 'ridge',
  version: 1,
  symbol: 'XAUUSD',
  timeframe: '1d',
  trainingDate: start,
  metrics: { mae: 1, rmse: 1, mape: 1, directional_accuracy: 0.5, rel_mae: 1, mase: 1, dm_pvalue: null, interval_coverage: null },
  hyperparameters: {},
  featureColumns: ['ret_1'],
  featureSetVersion: 'fs-1',
  dataFrom: start,
  dataTo: start + DAY,
  artifactPath: `models/${modelId}/artifact.bin`,
  artifactSha256: 'ab'.repeat(32),
  backend: 'js',
  stage: 'candidate',
  isActive: false,
  trainingRunId: null,
  dataFingerprint: null,
  appVersion: '0.1.0',
  horizon: 1,
  intervalLevel: null,
  trainingSegment: null,
  evaluationSegment: null,
  baselines: {},
  testForecasts: [],
  flagged: null,
  ...extra,
});

const syncAudits = async (primary: Storage) =>
  (await primary.sql.query("SELECT details FROM audit_log WHERE action = 'sync.conflict' ORDER BY id")).map((row) => row.details as Record<string, unknown>);

export function describeCacheSync(label: string, server: () => TestPostgres): void {
  describe(`cache sync on ${label}`, () => {
    let primary: Storage;
    let alpha: Desktop;
    let beta: Desktop;

    beforeAll(async () => {
      primary = await openPrimary(await server().createDatabaseUrl());
    });
    afterAll(() => primary?.close());
    beforeEach(async () => {
      // Each test starts from an empty team database: the engine's tables and the workspace's.
      const tables = (await primary.sql.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((row) => `"${String(row.tablename)}"`);
      await primary.sql.execute(`TRUNCATE ${tables.join(', ')}`);
      alpha = await openDesktop('alpha');
      beta = await openDesktop('beta');
    });
    afterEach(async () => {
      await alpha.close();
      await beta.close();
    });

    it('records inserts, updates and deletes in the outbox, but not what the pull writes', async () => {
      await primary.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: minuteBars(start, 100, 1) });
      await primary.instruments.create({ symbol: 'XAUEUR', name: 'Gold in euro', kind: 'spot', unit: 'EUR/oz', currency: 'EUR', providerSymbols: {} });
      await alpha.sync(primary, scope);
      expect(await pendingChanges(alpha.cache)).toBe(0);
      expect(await alpha.cache.marketData.countBars()).toBe(100);

      await alpha.cache.instruments.create({ symbol: 'XPTUSD', name: 'Platinum', kind: 'spot', unit: 'USD/oz', currency: 'USD', providerSymbols: {} });
      await alpha.cache.instruments.update({ symbol: 'XAUEUR', name: 'Gold (EUR)', kind: 'spot', unit: 'EUR/oz', currency: 'EUR', providerSymbols: {} });
      await alpha.cache.marketData.deleteBars('XAUUSD', '1m', [start]);
      const outbox = await alpha.cache.sql.query('SELECT table_name, row_key, op FROM sync_outbox ORDER BY seq');
      expect(outbox).toEqual([
        { table_name: 'instruments', row_key: '["XPTUSD"]', op: 'insert' },
        { table_name: 'instruments', row_key: '["XAUEUR"]', op: 'update' },
        { table_name: 'market_data', row_key: `["XAUUSD","1m",${start}]`, op: 'delete' },
      ]);

      const outcome = await alpha.sync(primary, scope);
      expect(outcome.pushedRows).toBe(3);
      expect((await primary.instruments.get('XAUEUR'))?.name).toBe('Gold (EUR)');
      expect(await primary.instruments.get('XPTUSD')).toBeDefined();
      expect(await primary.marketData.countBars()).toBe(99);
      expect(await syncedContent(alpha.cache)).toEqual(await syncedContent(primary));
    });

    it('pushes exactly once when the desktop dies between the team commit and clearing its outbox', async () => {
      await alpha.sync(primary, scope);
      await alpha.cache.alerts.raise({ createdAt: start, severity: 'warning', source: 'offline', message: 'made offline' });
      await alpha.cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'import', bars: minuteBars(start, 50, 3) });
      const [local] = await alpha.cache.sql.query('SELECT id FROM alerts');
      expect(Number(local!.id)).toBeGreaterThanOrEqual(2 ** 50);

      // The cache's first transaction of the sync, the one clearing the pushed outbox, fails as a crash would stop it.
      const failing: Storage = {
        ...alpha.cache,
        sql: {
          ...alpha.cache.sql,
          transaction: () => Promise.reject(new Error('the desktop died here')),
        } as SqlExecutor,
      };
      await expect(synchronise({ primary, cache: failing, scope, dataDir: alpha.dataDir, desktop: 'alpha', now: Date.now, logger: silentLogger() })).rejects.toThrow('died');
      expect(await pendingChanges(alpha.cache)).toBe(51);

      const again = await alpha.sync(primary, scope);
      expect(again.pushedRows).toBe(0);
      expect(await pendingChanges(alpha.cache)).toBe(0);
      expect(await primary.sql.query("SELECT message FROM alerts WHERE source = 'offline'")).toHaveLength(1);
      expect(await primary.marketData.countBars()).toBe(50);
      expect(await syncedContent(alpha.cache)).toEqual(await syncedContent(primary));
      const [pulled] = await alpha.cache.sql.query('SELECT id FROM alerts');
      expect(Number(pulled!.id)).toBeLessThan(2 ** 50);
    });

    it('keeps the main source’s bar over a repair from another, lets the same source’s offline bar win, and audits once per series', async () => {
      const stored = minuteBars(start, 1000, 5);
      await primary.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: stored });
      await alpha.sync(primary, scope);

      const repair = stored.slice(10, 20).map((bar) => ({ ...bar, close: bar.close + 1, high: bar.high + 1 }));
      await alpha.cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'polygon', bars: repair });
      const refetched = stored.slice(500, 505).map((bar) => ({ ...bar, volume: bar.volume + 1000 }));
      await alpha.cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: refetched });
      // Meanwhile another desktop stored those same bars again on the team database.
      await primary.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: refetched.map((bar) => ({ ...bar, volume: bar.volume + 1 })) });

      const outcome = await alpha.sync(primary, scope);
      expect(outcome.conflicts).toBe(15);
      const bars = (await primary.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1m', from: start, to: start + 1000 * MINUTE })).bars;
      expect(bars.slice(10, 20)).toEqual(stored.slice(10, 20));
      expect(bars.slice(500, 505)).toEqual(refetched);
      const audits = (await syncAudits(primary)).filter((d) => d.table === 'market_data');
      expect(audits).toMatchObject([
        { symbol: 'XAUUSD', timeframe: '1m', bars: 5, kept: 'pushed', desktop: 'alpha' },
        { symbol: 'XAUUSD', timeframe: '1m', bars: 10, kept: 'team', mainSource: 'yahoo', from: stored[10]!.time, to: stored[19]!.time },
      ]);
      // The cache gives up its repair: it holds the team's bars again.
      expect(await syncedContent(alpha.cache)).toEqual(await syncedContent(primary));
    });

    it('lets the last writer win for jobs and runs, a live run never failed by an offline sweep, each conflict audited', async () => {
      const job = (id: string, updatedAt: number, name: string) => ({
        id,
        name,
        kind: 'poll' as const,
        provider: 'yahoo' as const,
        symbols: ['XAUUSD'],
        timeframe: '1m' as const,
        schedule: '*/5 * * * *',
        timezone: 'UTC',
        lookbackDays: 30,
        enabled: true,
        retryPolicy: { maxAttempts: 3, backoffMs: 30_000 },
        timeoutMs: 600_000,
        dependsOn: [],
        modelName: null,
        tracking: { window: 20, onDrift: 'alert' as const, retireAfter: 3 },
        createdAt: 1,
        updatedAt,
      });
      await primary.ingestJobs.create(job('older-offline', 1, 'a'));
      await primary.ingestJobs.create(job('newer-offline', 1, 'b'));
      await primary.jobRuns.start({ id: 'live', kind: 'poll', description: 'live on beta', startedAt: Date.now(), owner: 'beta:1:x' });
      await alpha.sync(primary, scope);

      // The team database changes after alpha synced: one job much later than alpha's offline edit, one just before it.
      await primary.ingestJobs.update(job('older-offline', Date.now() + 3_600_000, 'a (team)'));
      await primary.ingestJobs.update(job('newer-offline', Date.now(), 'b (team)'));
      await primary.jobRuns.heartbeat('beta:1:x', Date.now() + 3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await alpha.cache.ingestJobs.update(job('older-offline', Date.now(), 'a (alpha)'));
      await alpha.cache.ingestJobs.update(job('newer-offline', Date.now(), 'b (alpha)'));
      expect(await alpha.cache.ingestJobs.claimFiring('newer-offline', start)).toBe(true);
      await alpha.cache.jobRuns.failInterrupted({ now: Date.now(), staleBefore: Date.now() + 1, exceptOwner: 'alpha:1:y' });

      const outcome = await alpha.sync(primary, scope);
      expect(outcome.conflicts).toBe(3);
      expect((await primary.ingestJobs.get('older-offline'))?.name).toBe('a (team)');
      const newer = await primary.ingestJobs.get('newer-offline');
      expect(newer?.name).toBe('b (alpha)');
      expect((await primary.sql.query("SELECT last_fired_at FROM ingest_jobs WHERE id = 'newer-offline'"))[0]!.last_fired_at).toBe(start);
      expect((await primary.jobRuns.get('live'))?.status).toBe('running');
      expect(await syncAudits(primary)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ table: 'ingest_jobs', key: ['older-offline'], kept: 'team', desktop: 'alpha' }),
          expect.objectContaining({ table: 'ingest_jobs', key: ['newer-offline'], kept: 'pushed' }),
          expect.objectContaining({ table: 'job_runs', key: ['live'], kept: 'team' }),
        ]),
      );
      expect(await syncedContent(alpha.cache)).toEqual(await syncedContent(primary));
    });

    it('keeps a delete on the team database over an offline edit of the row, and adds rows made offline', async () => {
      const alert = (id: string, note: string): PriceAlert => ({
        id,
        symbol: 'XAUUSD',
        timeframe: '1m',
        condition: { kind: 'crossAbove', price: 3_000 },
        rearm: { kind: 'recross', hysteresis: 0 },
        enabled: true,
        note,
        state: 'waiting',
        beyond: null,
        lastBarTime: null,
        lastFiredAt: null,
        createdAt: start,
        updatedAt: Date.now(),
      });
      await primary.priceAlerts.create(alert('team', 'from the team'));
      await alpha.sync(primary, scope);
      await primary.priceAlerts.delete('team');

      // Offline: an edit of the alert the team deleted meanwhile, and one made (then edited) here.
      const edited = (await alpha.cache.priceAlerts.get('team'))!;
      expect(await alpha.cache.priceAlerts.save({ ...edited, note: 'edited offline', updatedAt: Date.now() + 1_000 })).toBe(true);
      const made = await alpha.cache.priceAlerts.create(alert('offline', 'made offline'));
      expect(await alpha.cache.priceAlerts.save({ ...made, note: 'made offline, then edited' })).toBe(true);

      const outcome = await alpha.sync(primary, scope);
      expect(outcome.conflicts).toBe(1);
      expect(await primary.priceAlerts.get('team')).toBeUndefined();
      expect((await primary.priceAlerts.get('offline'))?.note).toBe('made offline, then edited');
      expect(await syncAudits(primary)).toEqual([expect.objectContaining({ table: 'price_alerts', key: ['team'], kept: 'team', rule: expect.stringContaining('deleted on the team database') })]);
      expect(await alpha.cache.priceAlerts.get('team')).toBeUndefined();
      expect(await syncedContent(alpha.cache)).toEqual(await syncedContent(primary));
    });

    it('moves only the ranges whose checksums differ', async () => {
      const bars = minuteBars(start, 10 * 1440, 11);
      await primary.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars });
      const first = await alpha.sync(primary, scope);
      expect(first).toMatchObject({ rangesCompared: 10, rangesMoved: 10 });
      expect(await alpha.sync(primary, scope)).toMatchObject({ rangesCompared: 10, rangesMoved: 0, pulledRows: 0 });

      // Two days change on the team database: a swap of two closes (same sums) and a deleted bar.
      const day3 = bars.slice(3 * 1440, 3 * 1440 + 2);
      await primary.marketData.upsertBars({
        symbol: 'XAUUSD',
        timeframe: '1m',
        source: 'yahoo',
        bars: [
          { ...day3[0]!, close: day3[1]!.close, high: Math.max(day3[0]!.high, day3[1]!.close), low: Math.min(day3[0]!.low, day3[1]!.close) },
          { ...day3[1]!, close: day3[0]!.close, high: Math.max(day3[1]!.high, day3[0]!.close), low: Math.min(day3[1]!.low, day3[0]!.close) },
        ],
      });
      await primary.marketData.deleteBars('XAUUSD', '1m', [bars[7 * 1440 + 5]!.time]);
      const outcome = await alpha.sync(primary, scope);
      expect(outcome).toMatchObject({ rangesCompared: 10, rangesMoved: 2 });
      expect(await syncedContent(alpha.cache)).toEqual(await syncedContent(primary));
    });

    it('carries a model trained offline, with its artifact, to the other desktops', async () => {
      await alpha.sync(primary, scope);
      const bytes = Buffer.from('weights of a model trained on a plane');
      const trained = model('m-offline', { artifactSha256: sha256Hex(bytes) });
      fs.mkdirSync(path.join(alpha.dataDir, 'models', 'm-offline'), { recursive: true });
      fs.writeFileSync(path.join(alpha.dataDir, trained.artifactPath), bytes);
      await alpha.cache.modelRegistry.insert(trained);
      await alpha.cache.modelStageHistory.record('m-offline', { at: Date.now(), from: null, to: 'candidate', reason: 'trained offline' });

      await alpha.sync(primary, scope);
      expect(await primary.modelRegistry.get('m-offline')).toEqual(trained);
      await beta.sync(primary, scope);
      expect(fs.readFileSync(path.join(beta.dataDir, trained.artifactPath))).toEqual(bytes);
      expect(await beta.cache.modelRegistry.get('m-offline')).toEqual(trained);
      expect(await syncedContent(beta.cache)).toEqual(await syncedContent(primary));
    });

    it('makes two desktops that edited offline at the same time converge with the team database', async () => {
      await primary.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: minuteBars(start, 2000, 21) });
      await primary.modelRegistry.insert(model('m-team'));
      await alpha.sync(primary, scope);
      await beta.sync(primary, scope);

      // Both offline: bars, alerts, models of the same name (the same version number), activations.
      await alpha.cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: minuteBars(start + 2000 * MINUTE, 300, 22) });
      await beta.cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'yahoo', bars: minuteBars(start + 2200 * MINUTE, 300, 23) });
      await alpha.cache.alerts.raise({ createdAt: start, severity: 'info', source: 'alpha', message: 'from alpha' });
      await beta.cache.alerts.raise({ createdAt: start, severity: 'info', source: 'beta', message: 'from beta' });
      await alpha.cache.modelRegistry.insert(model('m-alpha', { version: 2 }));
      await beta.cache.modelRegistry.insert(model('m-beta', { version: 2 }));
      await alpha.cache.modelRegistry.setStage('m-alpha', 'active');
      await alpha.cache.modelStageHistory.record('m-alpha', { at: Date.now(), from: 'candidate', to: 'active', reason: 'alpha' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await beta.cache.modelRegistry.setStage('m-beta', 'active');
      await beta.cache.modelStageHistory.record('m-beta', { at: Date.now(), from: 'candidate', to: 'active', reason: 'beta' });
      // And the team database moves on too (a third desktop, online).
      await primary.instruments.create({ symbol: 'XAGEUR', name: 'Silver in euro', kind: 'spot', unit: 'EUR/oz', currency: 'EUR', providerSymbols: {} });

      await alpha.sync(primary, scope);
      await beta.sync(primary, scope);
      await alpha.sync(primary, scope);

      const team = await syncedContent(primary);
      expect(await syncedContent(alpha.cache)).toEqual(team);
      expect(await syncedContent(beta.cache)).toEqual(team);
      expect(await primary.marketData.countBars()).toBe(2000 + 300 + 300 - 100);
      expect((await primary.alerts.list({ unacknowledgedOnly: false, limit: 10 })).map((a) => a.message).sort()).toEqual(['from alpha', 'from beta']);
      const versions = (await primary.modelRegistry.list({ modelName: 'ridge-1d' })).map((m) => [m.modelId, m.version, m.isActive]);
      expect(versions).toEqual(expect.arrayContaining([['m-team', 1, false], ['m-alpha', 2, false], ['m-beta', 3, true]]));
      expect(await pendingChanges(alpha.cache)).toBe(0);
      expect(await pendingChanges(beta.cache)).toBe(0);
    });
  });
}
