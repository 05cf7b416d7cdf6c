/**
 * The storage contract: one suite every dialect must pass (the drizzle-orm test-suite
 * habit). storage.sqlite.test.ts and storage.pg.test.ts run it; what may legitimately
 * differ between dialects is listed in `DialectExpectations` and nowhere else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewsArticle, RegisteredModel, Storage, StoredIngestJob, TrainingRun } from '../../src/core/storage/types';
import type { ModelMetrics } from '../../src/shared/models';
import type { Drawing } from '../../src/shared/drawings';
import type { PriceAlert } from '../../src/shared/price-alerts';
import type { BackfillCheckpoint } from '../../src/shared/backfill';
import { defaultLiveTracking } from '../../src/shared/scheduler';
import type { Bar, BarSpan, DatabaseMode, Instrument } from '../../src/shared/domain';
import type { Timeframe } from '../../src/shared/timeframes';
import { binanceHourlyBars, metaTraderDailyBars, monthlyGoldBars, yahooDailyBars } from '../support/shared-data';

/** A database the suite may fill, with raw SQL for tables no repository reads yet. */
export interface StorageTarget {
  /** Opens the storage on this target's database, migrated from `migrationsDir` when given; a second call opens it again. */
  open(options?: { migrationsDir?: string }): Promise<Storage>;
  /** Raw SQL on the same database; `?` placeholders on every dialect. */
  sql(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

/**
 * Known dialect differences:
 * - `mode` and the form of `location` (a file path, a URL without its password);
 * - raw JSON columns read through `sql`: text on SQLite, parsed jsonb on Postgres;
 * - summed volume may differ in the last bits (float sums in a different order), so
 *   volume is compared with a relative tolerance; open/high/low/close must be identical.
 */
export interface DialectExpectations {
  mode: DatabaseMode;
  migrationsDialect: 'sqlite' | 'pg';
  location: RegExp;
  /** A secret in the connection settings that must never show in `location`. */
  password?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const VOLUME_TOLERANCE = 1e-9;

// ---------------------------------------------------------------------------------------
// Independent reference: bucketing written from calendar rules with Date, not with the
// product's bucketStart, and a plain reduce over the raw rows.

function referenceBucket(time: number, timeframe: Timeframe): number {
  const d = new Date(time);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (timeframe) {
    case '1M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case '1w':
      return midnight - ((d.getUTCDay() + 6) % 7) * DAY; // back to Monday
    case '1d':
      return midnight;
    default: {
      const minutes = { '1m': 1, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '4h': 240 }[timeframe];
      const width = minutes * MINUTE;
      return Math.floor(time / width) * width;
    }
  }
}

export function referenceBars(rows: readonly Bar[], timeframe: Timeframe): Bar[] {
  const sorted = [...rows].sort((a, b) => a.time - b.time);
  const out: Bar[] = [];
  for (const row of sorted) {
    const time = referenceBucket(row.time, timeframe);
    const last = out[out.length - 1];
    if (last && last.time === time) {
      last.high = Math.max(last.high, row.high);
      last.low = Math.min(last.low, row.low);
      last.close = row.close;
      last.volume += row.volume;
    } else {
      out.push({ time, open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume });
    }
  }
  return out;
}

/** Later rows replace earlier ones at the same time, as an upsert does. */
function merged(...chunks: readonly (readonly Bar[])[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const chunk of chunks) for (const bar of chunk) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** OHLC identical, volume within VOLUME_TOLERANCE, plain numbers; reports the first difference. */
export function expectSameBars(actual: readonly Bar[], expected: readonly Bar[]): void {
  const difference = (): string | undefined => {
    if (actual.length !== expected.length) return `${actual.length} bars instead of ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const got = actual[i]!;
      const want = expected[i]!;
      const keys = Object.keys(got).sort().join();
      if (keys !== 'close,high,low,open,time,volume') return `bar ${i} has fields ${keys}`;
      if (Object.values(got).some((value) => typeof value !== 'number')) return `bar ${i} has a non-number: ${JSON.stringify(got)}`;
      const volumeOff = Math.abs(got.volume - want.volume) > VOLUME_TOLERANCE * Math.max(1, Math.abs(want.volume));
      if (got.time !== want.time || got.open !== want.open || got.high !== want.high || got.low !== want.low || got.close !== want.close || volumeOff) {
        return `bar ${i} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
      }
    }
    return undefined;
  };
  expect(difference()).toBeUndefined();
}

/** A deterministic random walk with fractional volumes, `count` bars `step` ms apart. */
function walk(start: number, step: number, count: number, seed = 1, skip?: (time: number) => boolean): Bar[] {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let price = 1000 + seed;
  const bars: Bar[] = [];
  for (let i = 0; i < count; i++) {
    const time = start + i * step;
    const open = price;
    price = Math.round(price * (1 + (random() - 0.5) * 0.01) * 100) / 100;
    const high = Math.round(Math.max(open, price) * (1 + random() * 0.002) * 100) / 100;
    const low = Math.round(Math.min(open, price) * (1 - random() * 0.002) * 100) / 100;
    if (skip?.(time)) continue;
    bars.push({ time, open, high, low, close: price, volume: Math.round(random() * 1e6) / 1e3 });
  }
  return bars;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function migrationTags(dialect: 'sqlite' | 'pg'): string[] {
  const journal = JSON.parse(
    fs.readFileSync(fileURLToPath(new URL(`../../db/migrations/${dialect}/meta/_journal.json`, import.meta.url)), 'utf8'),
  ) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

const isWeekend = (time: number) => {
  const day = new Date(time).getUTCDay();
  return day === 0 || day === 6;
};

// ---------------------------------------------------------------------------------------

export function describeStorageContract(name: string, makeTarget: () => Promise<StorageTarget>, expected: DialectExpectations) {
  /** A fresh database and an open storage on it for one describe block. */
  function useStorage() {
    const context = {} as { target: StorageTarget; storage: Storage };
    beforeAll(async () => {
      context.target = await makeTarget();
      context.storage = await context.target.open();
    });
    afterAll(async () => {
      await context.storage?.close();
      await context.target?.dispose();
    });
    return context;
  }

  async function upsertAll(storage: Storage, symbol: string, timeframe: Timeframe, bars: readonly Bar[], source = 'test') {
    const total = { inserted: 0, updated: 0, unchanged: 0 };
    for (const chunk of chunks(bars, 5000)) {
      const result = await storage.marketData.upsertBars({ symbol, timeframe, source, bars: chunk });
      total.inserted += result.inserted;
      total.updated += result.updated;
      total.unchanged += result.unchanged;
    }
    return total;
  }

  describe(`storage contract: ${name}`, () => {
    describe('opening and migrations', () => {
      const ctx = useStorage();

      it('reports its mode, the latest migration and where it lives, without the password', async () => {
        const { storage } = ctx;
        expect(storage.mode).toBe(expected.mode);
        expect(storage.schemaVersion).toBe(migrationTags(expected.migrationsDialect).at(-1));
        expect(storage.location).toMatch(expected.location);
        if (expected.password) expect(storage.location).not.toContain(expected.password);
        expect(await storage.ping()).toBe(true);
      });

      it('opens the same database again without re-running migrations or losing data', async () => {
        await ctx.storage.instruments.seed([{ symbol: 'AGAIN', name: 'Again', kind: 'spot', unit: 'u', currency: 'USD', providerSymbols: {} }]);
        const second = await ctx.target.open();
        try {
          expect(second.schemaVersion).toBe(ctx.storage.schemaVersion);
          expect(await second.instruments.get('AGAIN')).toBeDefined();
          const applied = await ctx.target.sql(
            expected.migrationsDialect === 'pg'
              ? 'SELECT count(*) AS n FROM drizzle.__drizzle_migrations'
              : 'SELECT count(*) AS n FROM __drizzle_migrations',
          );
          expect(Number(applied[0]!.n)).toBe(migrationTags(expected.migrationsDialect).length);
        } finally {
          await second.close();
        }
      });

      it('upgrades a database created by the first migration, keeping and summarising its bars', async () => {
        const dialect = expected.migrationsDialect;
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-first-migration-'));
        const target = await makeTarget();
        try {
          const source = fileURLToPath(new URL(`../../db/migrations/${dialect}/`, import.meta.url));
          const journal = JSON.parse(fs.readFileSync(path.join(source, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
          const first = journal.entries[0]!;
          fs.mkdirSync(path.join(folder, dialect, 'meta'), { recursive: true });
          fs.copyFileSync(path.join(source, `${first.tag}.sql`), path.join(folder, dialect, `${first.tag}.sql`));
          fs.writeFileSync(path.join(folder, dialect, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: [first] }));

          const old = await target.open({ migrationsDir: folder });
          expect(old.schemaVersion).toBe(first.tag);
          await old.close();
          for (const [time, src] of [[0, 'csv'], [DAY, 'csv'], [2 * DAY, 'yahoo']] as const) {
            await target.sql(
              'INSERT INTO market_data (symbol, timeframe, time, open, high, low, close, volume, source, ingested_at) VALUES (?, ?, ?, 1, 2, 0.5, 1.5, 10, ?, 0)',
              ['OLD', '1d', time, src],
            );
          }

          const upgraded = await target.open();
          try {
            expect(upgraded.schemaVersion).toBe(migrationTags(dialect).at(-1));
            expect(await upgraded.marketData.coverage()).toEqual([
              { symbol: 'OLD', timeframe: '1d', source: 'csv', first: 0, last: DAY, count: 2 },
              { symbol: 'OLD', timeframe: '1d', source: 'yahoo', first: 2 * DAY, last: 2 * DAY, count: 1 },
            ]);
            expect(await upgraded.marketData.countBars()).toBe(3);
          } finally {
            await upgraded.close();
          }
        } finally {
          await target.dispose();
          fs.rmSync(folder, { recursive: true, force: true });
        }
      });

      it('creates every table of the design and the 12-hour view', async () => {
        const tables = [
          'instruments', 'market_data', 'market_data_rollup', 'precious_metals_prices', 'news', 'ingest_jobs', 'job_runs',
          'backfill_checkpoints', 'feature_store', 'training_runs', 'model_registry', 'model_performance', 'predictions',
          'backups', 'alerts', 'price_alerts', 'drawings', 'audit_log', 'provider_plan_depth', 'model_stage_history', 'latest_12_hour_prices',
          'backup_drills', 'restores',
        ];
        for (const table of tables) {
          await expect(ctx.target.sql(`SELECT count(*) AS n FROM ${table}`), table).resolves.toBeDefined();
        }
      });

      it('closes idempotently', async () => {
        const extra = await ctx.target.open();
        await extra.close();
        await expect(extra.close()).resolves.toBeUndefined();
        expect(await extra.ping()).toBe(false);
      });
    });

    describe('instruments', () => {
      const ctx = useStorage();
      const gold: Instrument = {
        symbol: 'XAUUSD',
        name: 'Gold spot',
        kind: 'spot',
        unit: 'USD per troy ounce',
        currency: 'USD',
        providerSymbols: { polygon: 'C:XAUUSD', twelvedata: 'XAU/USD' },
      };
      const futures: Instrument = { ...gold, symbol: 'GC=F', name: 'Gold futures', kind: 'future', providerSymbols: { yahoo: 'GC=F' } };

      it('seeds missing instruments and lists them by symbol', async () => {
        await ctx.storage.instruments.seed([gold, futures]);
        expect(await ctx.storage.instruments.list()).toEqual([futures, gold]);
        expect(await ctx.storage.instruments.get('XAUUSD')).toEqual(gold);
        expect(await ctx.storage.instruments.get('NOPE')).toBeUndefined();
      });

      it('never overwrites an instrument that exists', async () => {
        const silver: Instrument = { ...gold, symbol: 'XAGUSD', name: 'Silver spot', providerSymbols: {} };
        await ctx.storage.instruments.seed([{ ...gold, name: 'Renamed by a later catalogue' }, silver]);
        await ctx.storage.instruments.seed([]);
        expect(await ctx.storage.instruments.get('XAUUSD')).toEqual(gold);
        expect((await ctx.storage.instruments.list()).map((i) => i.symbol)).toEqual(['GC=F', 'XAGUSD', 'XAUUSD']);
      });

      it('creates and updates instruments, refusing a duplicate and an unknown symbol', async () => {
        const { instruments } = ctx.storage;
        const platinum: Instrument = { ...gold, symbol: 'XPTUSD', name: 'Platinum spot', providerSymbols: { twelvedata: 'XPT/USD' } };
        await instruments.create(platinum);
        expect(await instruments.get('XPTUSD')).toEqual(platinum);
        await expect(instruments.create({ ...platinum, name: 'Again' })).rejects.toMatchObject({ code: 'CONFLICT' });
        expect(await instruments.get('XPTUSD')).toEqual(platinum);

        const edited = { ...platinum, name: 'Platinum', unit: 'USD per gram', providerSymbols: { polygon: 'C:XPTUSD' } };
        await instruments.update(edited);
        expect(await instruments.get('XPTUSD')).toEqual(edited);
        await expect(instruments.update({ ...edited, symbol: 'NOPE' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('deletes an instrument for good: seeding does not bring it back, creating it again does', async () => {
        const deleted = await ctx.storage.transaction((tx) => tx.instruments.delete('GC=F', { deletedAt: 5, keepIfBars: true }));
        expect(deleted).toEqual({ deleted: true, bars: 0 });
        expect(await ctx.storage.instruments.get('GC=F')).toBeUndefined();
        expect((await ctx.storage.instruments.list()).map((i) => i.symbol)).not.toContain('GC=F');
        expect(await ctx.storage.transaction((tx) => tx.instruments.delete('GC=F', { deletedAt: 6, keepIfBars: false }))).toBeUndefined();
        await expect(ctx.storage.instruments.update(futures)).rejects.toMatchObject({ code: 'NOT_FOUND' });

        await ctx.storage.instruments.seed([futures]);
        expect(await ctx.storage.instruments.get('GC=F')).toBeUndefined();

        const again = { ...futures, name: 'Gold futures, again' };
        await ctx.storage.instruments.create(again);
        expect(await ctx.storage.instruments.get('GC=F')).toEqual(again);
      });

      it('keeps an instrument holding bars unless told, then deletes its bars, rollups, coverage and checkpoints with it', async () => {
        const { storage } = ctx;
        await storage.instruments.create({ ...gold, symbol: 'DEL' });
        await storage.marketData.upsertBars({ symbol: 'DEL', timeframe: '1m', source: 'csv', bars: walk(Date.UTC(2024, 0, 2), MINUTE, 90) });
        await storage.marketData.upsertBars({ symbol: 'DEL', timeframe: '1d', source: 'yahoo', bars: walk(Date.UTC(2023, 0, 2), DAY, 10) });
        await storage.marketData.upsertBars({ symbol: 'KEEP', timeframe: '1m', source: 'csv', bars: walk(Date.UTC(2024, 0, 2), MINUTE, 5) });
        await storage.backfillCheckpoints.save({
          id: 'polygon/DEL/1m/r', provider: 'polygon', symbol: 'DEL', timeframe: '1m', rangeFrom: 0, rangeTo: DAY, resumeFrom: 0,
          rowsWritten: 0, status: 'running', jobRunId: 'job-del', updatedAt: 1,
        });

        const kept = await storage.transaction((tx) => tx.instruments.delete('DEL', { deletedAt: 7, keepIfBars: true }));
        expect(kept).toEqual({ deleted: false, bars: 100 });
        expect(await storage.instruments.get('DEL')).toBeDefined();
        expect(await storage.marketData.countBars()).toBe(105);

        expect(await storage.transaction((tx) => tx.instruments.delete('DEL', { deletedAt: 8, keepIfBars: false }))).toEqual({ deleted: true, bars: 100 });
        expect(await storage.instruments.get('DEL')).toBeUndefined();
        expect(await storage.marketData.coverage('DEL')).toEqual([]);
        expect(await storage.marketData.countBars()).toBe(5);
        expect((await storage.marketData.queryBars({ symbol: 'DEL', timeframe: '1d' })).bars).toEqual([]);
        for (const table of ['market_data', 'market_data_rollup', 'market_data_series', 'backfill_checkpoints']) {
          const [row] = await ctx.target.sql(`SELECT count(*) AS n FROM ${table} WHERE symbol = ?`, ['DEL']);
          expect(Number(row!.n), table).toBe(0);
        }
        expect(await storage.backfillCheckpoints.get('polygon/DEL/1m/r')).toBeUndefined();
        expect(await storage.marketData.coverage('KEEP')).toMatchObject([{ count: 5 }]);
      });
    });

    describe('transactions', () => {
      const ctx = useStorage();
      const entry = (action: string) => ({ at: 1, actor: 'test', action });
      const actions = async () => (await ctx.target.sql('SELECT action FROM audit_log ORDER BY id')).map((row) => row.action);
      const silver: Instrument = { symbol: 'TXAG', name: 'Silver', kind: 'spot', unit: 'USD per troy ounce', currency: 'USD', providerSymbols: {} };

      it('stores every write of the work when it resolves, and answers its result', async () => {
        const result = await ctx.storage.transaction(async (tx) => {
          await tx.instruments.create(silver);
          await tx.auditLog.record(entry('committed'));
          return 'done';
        });
        expect(result).toBe('done');
        expect(await ctx.storage.instruments.get('TXAG')).toEqual(silver);
        expect(await actions()).toEqual(['committed']);
      });

      it('rolls every statement back when the work throws, and rethrows its error', async () => {
        const failure = new Error('changed my mind');
        const work = ctx.storage.transaction(async (tx) => {
          await tx.instruments.create({ ...silver, symbol: 'TXPT' });
          await tx.instruments.update({ ...silver, name: 'Renamed' });
          await tx.auditLog.record(entry('rolled back'));
          throw failure;
        });
        await expect(work).rejects.toBe(failure);
        expect(await ctx.storage.instruments.get('TXPT')).toBeUndefined();
        expect(await ctx.storage.instruments.get('TXAG')).toEqual(silver);
        expect(await actions()).toEqual(['committed']);
      });

      it('neither loses nor rolls back writes made from outside while it is open', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let opened!: () => void;
        const open = new Promise<void>((resolve) => (opened = resolve));
        const work = ctx.storage.transaction(async (tx) => {
          await tx.auditLog.record(entry('inside'));
          opened();
          await gate;
          throw new Error('rolled back');
        });
        await open;
        // SQLite runs these after the transaction, Postgres beside it: either way they stay.
        const outside = Promise.all([
          ctx.storage.auditLog.record(entry('outside')),
          ctx.storage.instruments.seed([{ ...silver, symbol: 'TXOUT' }]),
          ctx.storage.marketData.upsertBars({ symbol: 'TXOUT', timeframe: '1h', source: 'test', bars: walk(Date.UTC(2024, 0, 1), HOUR, 3) }),
        ]);
        release();
        await expect(work).rejects.toThrow('rolled back');
        await outside;
        expect(await actions()).toEqual(['committed', 'outside']);
        expect(await ctx.storage.instruments.get('TXOUT')).toBeDefined();
        expect(await ctx.storage.marketData.coverage('TXOUT')).toMatchObject([{ count: 3 }]);
      });

      it('answers failures inside with the same contract errors as outside', async () => {
        await expect(ctx.storage.transaction((tx) => tx.instruments.create(silver))).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(ctx.storage.transaction((tx) => tx.instruments.update({ ...silver, symbol: 'NOPE' }))).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        // A failing statement leaves nothing of the work before it.
        const work = ctx.storage.transaction(async (tx) => {
          await tx.auditLog.record(entry('before the conflict'));
          await tx.instruments.create(silver);
        });
        await expect(work).rejects.toMatchObject({ code: 'CONFLICT' });
        expect(await actions()).toEqual(['committed', 'outside']);
      });
    });

    describe('job runs and audit log', () => {
      const ctx = useStorage();

      it('records runs, lists them newest first, filters by kind and scheduled job, and limits', async () => {
        const runs = ctx.storage.jobRuns;
        await runs.start({ id: 'a', kind: 'import', description: 'Import gold.csv', startedAt: 1_000, owner: 'app' });
        await runs.start({ id: 'b', kind: 'backfill', description: 'Backfill XAUUSD', startedAt: 2_000, owner: 'cli', ingestJobId: 'job-1' });
        await runs.start({ id: 'c', kind: 'import', description: 'Import btc.csv', startedAt: 3_000, owner: 'app' });
        await runs.finish('a', { status: 'succeeded', finishedAt: 1_500, rows: 42, error: null });

        expect((await runs.list({ limit: 10 })).map((r) => r.id)).toEqual(['c', 'b', 'a']);
        expect((await runs.list({ limit: 2 })).map((r) => r.id)).toEqual(['c', 'b']);
        expect(await runs.list({ kind: 'import', limit: 10 })).toEqual([
          { id: 'c', kind: 'import', status: 'running', description: 'Import btc.csv', startedAt: 3_000, finishedAt: null, rows: 0, error: null, ingestJobId: null },
          { id: 'a', kind: 'import', status: 'succeeded', description: 'Import gold.csv', startedAt: 1_000, finishedAt: 1_500, rows: 42, error: null, ingestJobId: null },
        ]);
        expect((await runs.list({ ingestJobId: 'job-1', limit: 10 })).map((r) => r.id)).toEqual(['b']);
        expect(await runs.list({ ingestJobId: 'job-2', limit: 10 })).toEqual([]);
      });

      it('keeps the details a run reports with its ending, and reads one run back', async () => {
        const runs = ctx.storage.jobRuns;
        await runs.start({ id: 'd', kind: 'backfill', description: 'Backfill XAGUSD', startedAt: 4_000, owner: 'app', ingestJobId: 'job-1' });
        expect(await runs.get('d')).toMatchObject({ id: 'd', status: 'running', ingestJobId: 'job-1', details: null });
        await runs.finish('d', { status: 'failed', finishedAt: 4_500, rows: 0, error: 'refused', details: { backfills: { x: { inserted: 5 } } } });
        expect(await runs.get('d')).toEqual({
          id: 'd', kind: 'backfill', status: 'failed', description: 'Backfill XAGUSD', startedAt: 4_000, finishedAt: 4_500, rows: 0,
          error: 'refused', ingestJobId: 'job-1', details: { backfills: { x: { inserted: 5 } } },
        });
        expect(await runs.get('missing')).toBeUndefined();
      });

      it('fails only the runs of stopped processes: stale heartbeats of other owners, never its own', async () => {
        const runs = ctx.storage.jobRuns;
        // 'b' (cli) and 'c' (app) are running since 2_000 and 3_000; the app beats at 8_000.
        expect(await runs.heartbeat('app', 8_000)).toBe(1);
        expect(await runs.heartbeat('nobody', 8_000)).toBe(0);
        // A third process sweeping at 9_000 with a 5_000 ms limit: the CLI's run is stale, the app's is not.
        expect(await runs.failInterrupted({ now: 9_000, staleBefore: 4_000, exceptOwner: 'other' })).toBe(1);
        expect(await runs.failInterrupted({ now: 9_500, staleBefore: 4_500, exceptOwner: 'other' })).toBe(0);
        // The app never fails its own runs, however old their heartbeat.
        expect(await runs.failInterrupted({ now: 20_000, staleBefore: 15_000, exceptOwner: 'app' })).toBe(0);
        const byId = new Map((await runs.list({ limit: 10 })).map((r) => [r.id, r]));
        expect(byId.get('b')).toMatchObject({ status: 'failed', finishedAt: 9_000 });
        expect(byId.get('b')!.error).toMatch(/process that ran it stopped/);
        expect(byId.get('c')).toMatchObject({ status: 'running', finishedAt: null });
        expect(byId.get('a')).toMatchObject({ status: 'succeeded', finishedAt: 1_500, error: null });
        // Once the app is gone too, its quiet run is swept like any other.
        expect(await runs.failInterrupted({ now: 20_000, staleBefore: 15_000, exceptOwner: 'next-app' })).toBe(1);
        expect(await runs.heartbeat('app', 21_000)).toBe(0);
      });

      it('fails at once the runs of processes known to be gone, and lists the owners of running runs', async () => {
        const runs = ctx.storage.jobRuns;
        await runs.start({ id: 'gone-1', kind: 'backfill', description: 'killed CLI backfill', startedAt: 50_000, owner: 'host:41:dead' });
        await runs.start({ id: 'live-1', kind: 'backfill', description: 'live CLI backfill', startedAt: 50_000, owner: 'host:42:live' });
        await runs.heartbeat('host:41:dead', 59_000);
        expect((await runs.runningOwners()).filter((o) => o.startsWith('host:')).sort()).toEqual(['host:41:dead', 'host:42:live']);
        // Fresh heartbeats both, but one process is known to have exited; the caller itself is never failed.
        const sweep = { now: 60_000, staleBefore: 10_000, exceptOwner: 'host:42:live', goneOwners: ['host:41:dead', 'host:42:live'] };
        expect(await runs.failInterrupted(sweep)).toBe(1);
        expect((await runs.get('gone-1'))?.status).toBe('failed');
        expect((await runs.get('live-1'))?.status).toBe('running');
        expect(await runs.runningOwners()).not.toContain('host:41:dead');
        await runs.finish('live-1', { status: 'succeeded', finishedAt: 61_000, rows: 0, error: null });
      });

      it('refuses to finish a run it never started', async () => {
        await expect(
          ctx.storage.jobRuns.finish('missing', { status: 'failed', finishedAt: 1, rows: 0, error: 'x' }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('appends audit entries with their details', async () => {
        await ctx.storage.auditLog.record({ at: 10, actor: 'user', action: 'models.activate', details: { modelId: 'm1' } });
        await ctx.storage.auditLog.record({ at: 11, actor: 'system', action: 'backup.restore' });
        const rows = await ctx.target.sql('SELECT at, actor, action, details FROM audit_log ORDER BY at');
        expect(rows.map((r) => ({ ...r, at: Number(r.at), details: json(r.details) }))).toEqual([
          { at: 10, actor: 'user', action: 'models.activate', details: { modelId: 'm1' } },
          { at: 11, actor: 'system', action: 'backup.restore', details: null },
        ]);
      });

      it('shows only the last 12 hours of metal prices in latest_12_hour_prices', async () => {
        const now = Date.now();
        const insert = 'INSERT INTO precious_metals_prices (metal, price, timestamp, source) VALUES (?, ?, ?, ?)';
        await ctx.target.sql(insert, ['XAU', 2400.5, now - HOUR, 'metalsapi']);
        await ctx.target.sql(insert, ['XAG', 30.25, now - 11 * HOUR, 'metalsapi']);
        await ctx.target.sql(insert, ['XAU', 2300, now - 13 * HOUR, 'metalsapi']);
        await ctx.target.sql(insert, ['XPT', 990, now - 30 * DAY, 'metalsapi']);
        const rows = await ctx.target.sql('SELECT metal, price FROM latest_12_hour_prices ORDER BY timestamp');
        expect(rows.map((r) => ({ metal: r.metal, price: Number(r.price) }))).toEqual([
          { metal: 'XAG', price: 30.25 },
          { metal: 'XAU', price: 2400.5 },
        ]);
        expect(await ctx.storage.spotPrices.lastTwelveHours('XAU')).toEqual([{ metal: 'XAU', price: 2400.5, timestamp: now - HOUR, source: 'metalsapi' }]);
      });
    });

    describe('models: training runs, registry, stage history, predictions, performance, feature store', () => {
      const ctx = useStorage();
      const metrics: ModelMetrics = { mae: 1.5, rmse: 2, mape: 0.01, directional_accuracy: 0.5, rel_mae: 0.98, mase: 0.97, dm_pvalue: 0.3, interval_coverage: 0.9 };
      const run: TrainingRun = {
        id: 'run-1',
        modelName: 'ridge-1d',
        modelType: 'ridge',
        symbols: ['XAUUSD'],
        timeframe: '1d',
        target: 'log_return(close, +1)',
        horizon: 1,
        dataFrom: 1_000,
        dataTo: 9_000,
        hyperparameters: { ridgeLambda: 1 },
        featureSetVersion: 'fs-1',
        backend: 'js',
        status: 'running',
        startedAt: 100,
        finishedAt: null,
        epochs: 0,
        lossHistory: [],
        metrics: null,
        error: null,
        jobRunId: 'job-run-1',
        samples: null,
      };
      const model = (version: number, extra: Partial<RegisteredModel> = {}): RegisteredModel => ({
        modelId: `m${version}`,
        modelName: 'ridge-1d',
        modelType: 'ridge',
        version,
        symbol: 'XAUUSD',
        timeframe: '1d',
        trainingDate: 200 + version,
        metrics,
        hyperparameters: { ridgeLambda: 1 },
        featureColumns: ['ret_1', 'rsi_14'],
        featureSetVersion: 'fs-1',
        dataFrom: 1_000,
        dataTo: 9_000,
        artifactPath: `models/m${version}/model.json`,
        artifactSha256: 'ab'.repeat(32),
        backend: 'js',
        stage: 'candidate',
        isActive: false,
        trainingRunId: 'run-1',
        dataFingerprint: 'cd'.repeat(32),
        appVersion: '0.1.0',
        horizon: 1,
        intervalLevel: 0.9,
        trainingSegment: { from: 1_000, to: 5_000, samples: 40 },
        evaluationSegment: { from: 6_000, to: 9_000, samples: 10, horizon: 1, level: 0.9 },
        baselines: { naive: { ...metrics, rel_mae: 1, dm_pvalue: null } },
        testForecasts: [{ targetTime: 6_000, actual: 10, predicted: 11, naive: 9, lower: 8, upper: 12 }],
        flagged: null,
        ...extra,
      });

      it('records a training run as it starts and how it ends, and stores an imported run once', async () => {
        await ctx.storage.trainingRuns.start(run);
        expect(await ctx.storage.trainingRuns.get('run-1')).toEqual(run);
        const lossHistory = [
          { epoch: 1, loss: 0.5, valLoss: 0.6 },
          { epoch: 2, loss: 0.4, valLoss: null },
        ];
        await ctx.storage.trainingRuns.finish('run-1', { status: 'succeeded', finishedAt: 300, error: null, lossHistory, metrics, samples: 60, backend: 'wasm', featureSetVersion: 'fs-2' });
        const finished = { ...run, status: 'succeeded' as const, finishedAt: 300, lossHistory, epochs: 2, metrics, samples: 60, backend: 'wasm', featureSetVersion: 'fs-2' };
        expect(await ctx.storage.trainingRuns.get('run-1')).toEqual(finished);
        await expect(
          ctx.storage.trainingRuns.finish('nope', { status: 'failed', finishedAt: 1, error: 'x', lossHistory: [], metrics: null, samples: null, backend: 'js', featureSetVersion: 'fs' }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await ctx.storage.trainingRuns.insertIfAbsent({ ...finished, error: 'other' })).toBe(false);
        expect(await ctx.storage.trainingRuns.insertIfAbsent({ ...finished, id: 'run-0', startedAt: 50 })).toBe(true);
        expect((await ctx.storage.trainingRuns.list({ limit: 10 })).map((r) => r.id)).toEqual(['run-1', 'run-0']);
        expect((await ctx.storage.trainingRuns.list({ status: 'running', limit: 10 }))).toEqual([]);
        expect((await ctx.storage.trainingRuns.list({ symbol: run.symbols[0], limit: 1 }))).toEqual([{ ...finished, modelId: null }]);
        expect((await ctx.storage.trainingRuns.list({ symbol: 'XAU', limit: 10 }))).toEqual([]);
      });

      it('ends a run left running as its job run ended, and leaves the runs of live jobs alone', async () => {
        await ctx.storage.jobRuns.start({ id: 'job-gone', kind: 'train', description: 'fit', startedAt: 400, owner: 'gone' });
        await ctx.storage.jobRuns.finish('job-gone', { status: 'failed', finishedAt: 450, rows: 0, error: 'Interrupted' });
        await ctx.storage.jobRuns.start({ id: 'job-live', kind: 'train', description: 'fit', startedAt: 400, owner: 'live' });
        await ctx.storage.trainingRuns.start({ ...run, id: 'run-gone', jobRunId: 'job-gone', startedAt: 400 });
        await ctx.storage.trainingRuns.start({ ...run, id: 'run-live', jobRunId: 'job-live', startedAt: 400 });
        expect(await ctx.storage.trainingRuns.settleInterrupted()).toBe(1);
        expect(await ctx.storage.trainingRuns.get('run-gone')).toMatchObject({ status: 'failed', finishedAt: 450, error: 'Interrupted' });
        expect(await ctx.storage.trainingRuns.get('run-live')).toMatchObject({ status: 'running', finishedAt: null });
        expect(await ctx.storage.trainingRuns.settleInterrupted()).toBe(0);
      });

      it('registers versions with their lineage, numbers them per name and symbol, and refuses a duplicate', async () => {
        const registry = ctx.storage.modelRegistry;
        expect(await registry.nextVersion('ridge-1d', 'XAUUSD')).toBe(1);
        await registry.insert(model(1));
        await registry.insert(model(2));
        await registry.insert(model(1, { modelId: 'silver1', symbol: 'XAGUSD' }));
        expect(await registry.nextVersion('ridge-1d', 'XAUUSD')).toBe(3);
        expect(await registry.nextVersion('ridge-1d', 'XAGUSD')).toBe(2);
        expect(await registry.get('m1')).toEqual(model(1));
        await expect(registry.insert(model(2, { modelId: 'other' }))).rejects.toMatchObject({ code: 'CONFLICT' });
        expect((await registry.list({})).map((m) => m.modelId)).toEqual(['silver1', 'm2', 'm1']);
        expect((await registry.list({ symbol: 'XAUUSD', stage: 'candidate' })).map((m) => m.modelId)).toEqual(['m2', 'm1']);
        expect(await registry.list({ modelType: 'lstm' })).toEqual([]);
      });

      it('lets the database hold one active version per name and symbol, and flags one', async () => {
        const registry = ctx.storage.modelRegistry;
        await registry.setStage('m1', 'active');
        expect((await registry.active('ridge-1d', 'XAUUSD'))?.modelId).toBe('m1');
        await expect(registry.setStage('m2', 'active')).rejects.toMatchObject({ code: 'CONFLICT' });
        await ctx.storage.transaction(async (tx) => {
          await tx.modelRegistry.setStage('m1', 'candidate');
          await tx.modelRegistry.setStage('m2', 'active');
        });
        expect(await registry.get('m1')).toMatchObject({ stage: 'candidate', isActive: false });
        expect(await registry.get('m2')).toMatchObject({ stage: 'active', isActive: true });
        await registry.setStage('silver1', 'active');
        await expect(registry.setStage('nope', 'archived')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await registry.setFlagged('m2', 'live rel_mae above 1 for 30 bars');
        expect((await registry.get('m2'))?.flagged).toBe('live rel_mae above 1 for 30 bars');
      });

      it('answers which version was active at a time from the stage history', async () => {
        const history = ctx.storage.modelStageHistory;
        await history.record('m1', { at: 1_000, from: null, to: 'candidate', reason: 'trained' });
        await history.record('m2', { at: 1_500, from: null, to: 'candidate', reason: 'trained' });
        await history.record('m1', { at: 2_000, from: 'candidate', to: 'active', reason: 'first' });
        await history.record('m1', { at: 3_000, from: 'active', to: 'candidate', reason: 'replaced by v2' });
        await history.record('m2', { at: 3_000, from: 'candidate', to: 'active', reason: 'better' });
        await history.record('m2', { at: 4_000, from: 'active', to: 'archived', reason: 'retired' });
        expect(await history.list('m1')).toEqual([
          { at: 1_000, from: null, to: 'candidate', reason: 'trained' },
          { at: 2_000, from: 'candidate', to: 'active', reason: 'first' },
          { at: 3_000, from: 'active', to: 'candidate', reason: 'replaced by v2' },
        ]);
        const activeAt = (at: number) => history.activeAt('ridge-1d', 'XAUUSD', at);
        expect(await activeAt(1_999)).toBeUndefined();
        expect(await activeAt(2_000)).toBe('m1');
        expect(await activeAt(2_999)).toBe('m1');
        expect(await activeAt(3_000)).toBe('m2');
        expect(await activeAt(4_000)).toBeUndefined();
        expect(await history.activeAt('ridge-1d', 'XAGUSD', 3_000)).toBeUndefined();
      });

      it('stores predictions with interval, naive and OOD score, replacing one made again, and queries the latest', async () => {
        const prediction = (madeAt: number, predicted: number) => ({
          modelId: 'm2',
          symbol: 'XAUUSD',
          timeframe: '1d' as const,
          madeAt,
          targetTime: madeAt + 1_000,
          horizon: 1,
          predicted,
          lower: predicted - 5,
          upper: predicted + 5,
          level: 0.9,
          actual: null,
          naive: 2_000,
          oodScore: 0.7,
          outOfDistribution: false,
          features: { ret_1: 0.01 },
          scoredAt: null,
        });
        expect(await ctx.storage.predictions.upsert([prediction(1_000, 2_010), prediction(2_000, 2_020), prediction(3_000, 2_030)])).toBe(3);
        await ctx.storage.predictions.upsert([{ ...prediction(3_000, 2_031), outOfDistribution: true }]);
        const all = await ctx.storage.predictions.query({ modelId: 'm2', limit: 10 });
        expect(all.map((p) => [p.madeAt, p.predicted, p.outOfDistribution])).toEqual([
          [1_000, 2_010, false],
          [2_000, 2_020, false],
          [3_000, 2_031, true],
        ]);
        expect(all[0]).toEqual(prediction(1_000, 2_010));
        expect((await ctx.storage.predictions.query({ symbol: 'XAUUSD', limit: 2 })).map((p) => p.madeAt)).toEqual([2_000, 3_000]);
        expect((await ctx.storage.predictions.query({ symbol: 'XAUUSD', from: 3_000, to: 3_000, limit: 10 })).map((p) => p.madeAt)).toEqual([2_000]);

        // Scoring: the ones made before the latest bar wait for their actual; recording it moves the target to the bar that came.
        expect((await ctx.storage.predictions.pending('m2', 3_000)).map((p) => p.madeAt)).toEqual([1_000, 2_000]);
        await ctx.storage.predictions.recordActual(prediction(1_000, 2_010), { targetTime: 2_500, actual: 2_012, naive: 2_001, scoredAt: 9_000 });
        expect((await ctx.storage.predictions.pending('m2', 3_000)).map((p) => p.madeAt)).toEqual([2_000]);
        const scored = { ...prediction(1_000, 2_010), targetTime: 2_500, actual: 2_012, naive: 2_001, scoredAt: 9_000 };
        expect(await ctx.storage.predictions.query({ modelId: 'm2', scoredOnly: true, limit: 10 })).toEqual([scored]);
        // Forecasting again from a bar whose prediction is scored leaves the settled one as it was.
        expect(await ctx.storage.predictions.upsert([prediction(1_000, 2_099)])).toBe(0);
        expect(await ctx.storage.predictions.query({ modelId: 'm2', scoredOnly: true, limit: 10 })).toEqual([scored]);
      });

      it('keeps live scores beside naive, oldest first, and deletes a version with everything that hangs on it', async () => {
        const score = (evaluatedAt: number) => ({
          modelId: 'm2',
          symbol: 'XAUUSD',
          timeframe: '1d' as const,
          evaluatedAt,
          windowFrom: 0,
          windowTo: evaluatedAt,
          samples: 20,
          mae: 3,
          rmse: 4,
          mape: 0.01,
          directionalAccuracy: 0.55,
          mase: 1.1,
          naiveMae: 2.5,
        });
        await ctx.storage.modelPerformance.insert(score(5_000));
        await ctx.storage.modelPerformance.insert(score(6_000));
        expect(await ctx.storage.modelPerformance.query({ modelId: 'm2', limit: 10 })).toEqual([score(5_000), score(6_000)]);
        expect(await ctx.storage.modelPerformance.query({ symbol: 'XAUUSD', limit: 1 })).toEqual([score(6_000)]);

        expect(await ctx.storage.modelRegistry.delete('m2')).toBe(true);
        expect(await ctx.storage.modelRegistry.delete('m2')).toBe(false);
        expect(await ctx.storage.modelStageHistory.list('m2')).toEqual([]);
        expect(await ctx.storage.predictions.query({ modelId: 'm2', limit: 10 })).toEqual([]);
        expect(await ctx.storage.modelPerformance.query({ modelId: 'm2', limit: 10 })).toEqual([]);
        expect(await ctx.storage.modelStageHistory.list('m1')).toHaveLength(3);
      });

      it('materialises feature rows per set version, replacing a row computed again', async () => {
        const row = (time: number, rsi: number | null, computedAt = 1) => ({
          symbol: 'XAUUSD',
          timeframe: '1d' as const,
          featureSetVersion: 'fs-1',
          time,
          features: { ret_1: 0.01, rsi_14: rsi },
          computedAt,
        });
        expect(await ctx.storage.featureStore.upsert([row(1_000, null), row(2_000, 55)])).toBe(2);
        await ctx.storage.featureStore.upsert([row(2_000, 56, 2)]);
        await ctx.storage.featureStore.upsert([{ ...row(2_000, 1), featureSetVersion: 'fs-2' }]);
        const query = { symbol: 'XAUUSD', timeframe: '1d' as const, featureSetVersion: 'fs-1' };
        expect(await ctx.storage.featureStore.query(query)).toEqual([row(1_000, null), row(2_000, 56, 2)]);
        expect(await ctx.storage.featureStore.query({ ...query, from: 1_500 })).toEqual([row(2_000, 56, 2)]);
        expect(await ctx.storage.featureStore.query({ ...query, limit: 1 })).toEqual([row(2_000, 56, 2)]);

        // A materialisation over 2,000…3,000 stamped 2 keeps what it wrote and the other version's row.
        await ctx.storage.featureStore.upsert([row(3_000, 57, 2), row(2_500, 50, 1)]);
        expect(await ctx.storage.featureStore.removeStale({ ...query, from: 2_000, to: 3_000, computedAt: 2 })).toBe(2);
        expect(await ctx.storage.featureStore.query(query)).toEqual([row(2_000, 56, 2), row(3_000, 57, 2)]);
        expect(await ctx.storage.featureStore.query({ ...query, featureSetVersion: 'fs-2' })).toHaveLength(1);
      });
    });

    describe('ingest jobs, alerts, spot prices, news and plan depths', () => {
      const ctx = useStorage();
      const job: StoredIngestJob = {
        id: 'job-1',
        name: 'Gold minutes',
        kind: 'backfill',
        provider: 'polygon',
        symbols: ['XAUUSD', 'XAGUSD'],
        timeframe: '1m',
        modelName: null,
        tracking: defaultLiveTracking,
        schedule: '*/5 * * * *',
        timezone: 'America/New_York',
        lookbackDays: 7,
        retryPolicy: { maxAttempts: 4, backoffMs: 10_000 },
        timeoutMs: 120_000,
        dependsOn: [],
        enabled: true,
        createdAt: 1_000,
        updatedAt: 1_000,
      };
      const news = (id: string, publishedAt: number, extra: Partial<NewsArticle> = {}): NewsArticle => ({
        provider: 'polygon',
        providerId: id,
        publishedAt,
        title: `Gold ${id}`,
        url: `https://example.com/${id}`,
        tickers: ['GLD'],
        publisher: 'Example Wire',
        sentiment: 1,
        ...extra,
      });

      it('creates, lists oldest first, reads, updates and deletes ingest jobs', async () => {
        const jobs = ctx.storage.ingestJobs;
        const poll: StoredIngestJob = { ...job, id: 'job-2', name: 'Spot', kind: 'poll', timeframe: null, schedule: null, dependsOn: ['job-1'], createdAt: 2_000, updatedAt: 2_000 };
        await jobs.create(poll);
        await jobs.create(job);
        expect(await jobs.list()).toEqual([job, poll]);
        expect(await jobs.get('job-2')).toEqual(poll);
        expect(await jobs.get('nope')).toBeUndefined();
        await expect(jobs.create(job)).rejects.toMatchObject({ code: 'CONFLICT' });

        const paused = { ...job, enabled: false, symbols: ['XPTUSD'], retryPolicy: { maxAttempts: 1, backoffMs: 1_000 }, updatedAt: 3_000 };
        await jobs.update(paused);
        expect(await jobs.get('job-1')).toEqual(paused);
        await expect(jobs.update({ ...job, id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

        expect(await jobs.delete('job-2')).toBe(true);
        expect(await jobs.delete('job-2')).toBe(false);
        expect(await jobs.list()).toEqual([paused]);
      });

      it('keeps a model job without a provider, with its model name and tracking', async () => {
        const jobs = ctx.storage.ingestJobs;
        const predict: StoredIngestJob = { ...job, id: 'model-job-1', kind: 'predict', provider: null, timeframe: '1h', tracking: { window: 30, onDrift: 'retrain', retireAfter: 5 } };
        const train: StoredIngestJob = { ...job, id: 'model-job-2', kind: 'train', provider: null, timeframe: null, modelName: 'ridge-1h', createdAt: 2_000 };
        await jobs.create(predict);
        await jobs.create(train);
        expect((await jobs.list()).filter((stored) => stored.id.startsWith('model-job'))).toEqual([predict, train]);
        await jobs.delete(predict.id);
        await jobs.delete(train.id);
      });

      it('lets exactly one caller claim each scheduled firing, and none an earlier time', async () => {
        const jobs = ctx.storage.ingestJobs;
        await jobs.create({ ...job, id: 'job-claim' });
        const claims = await Promise.all([jobs.claimFiring('job-claim', 60_000), jobs.claimFiring('job-claim', 60_000)]);
        expect(claims.sort()).toEqual([false, true]);
        expect(await jobs.claimFiring('job-claim', 30_000)).toBe(false);
        expect(await jobs.claimFiring('job-claim', 120_000)).toBe(true);
        expect(await jobs.claimFiring('no-such-job', 180_000)).toBe(false);
        await jobs.delete('job-claim');
      });

      it('raises alerts, lists them newest first, counts and acknowledges some or all', async () => {
        const alerts = ctx.storage.alerts;
        const first = await alerts.raise({ createdAt: 10, severity: 'error', source: 'job:job-1', message: 'Backfill failed', details: { code: 'AUTH' } });
        const second = await alerts.raise({ createdAt: 20, severity: 'warning', source: 'job:job-2', message: 'Slow provider' });
        const third = await alerts.raise({ createdAt: 30, severity: 'info', source: 'system', message: 'Back online' });
        expect(first).toEqual({ id: expect.any(Number), createdAt: 10, severity: 'error', source: 'job:job-1', message: 'Backfill failed', acknowledgedAt: null });
        expect((await alerts.list({ unacknowledgedOnly: false, limit: 10 })).map((a) => a.id)).toEqual([third.id, second.id, first.id]);
        expect((await alerts.list({ unacknowledgedOnly: false, limit: 2 })).map((a) => a.id)).toEqual([third.id, second.id]);
        expect(await alerts.countUnacknowledged()).toBe(3);

        expect(await alerts.acknowledge([second.id, second.id, 999_999], 40)).toBe(1);
        expect(await alerts.acknowledge([second.id], 50)).toBe(0);
        expect(await alerts.countUnacknowledged()).toBe(2);
        expect((await alerts.list({ unacknowledgedOnly: true, limit: 10 })).map((a) => a.id)).toEqual([third.id, first.id]);
        expect(await alerts.acknowledge(undefined, 60)).toBe(2);
        expect(await alerts.countUnacknowledged()).toBe(0);
        expect((await alerts.list({ unacknowledgedOnly: false, limit: 10 })).map((a) => a.acknowledgedAt)).toEqual([60, 40, 60]);
      });

      it('finds the newest unacknowledged alert of a source, with its details', async () => {
        const alerts = ctx.storage.alerts;
        await alerts.acknowledge(undefined, 1);
        expect(await alerts.latestUnacknowledged('job:dedupe')).toBeUndefined();
        await alerts.raise({ createdAt: 100, severity: 'error', source: 'job:dedupe', message: 'first', details: { code: 'UNAVAILABLE' } });
        const second = await alerts.raise({ createdAt: 200, severity: 'error', source: 'job:dedupe', message: 'second', details: { code: 'AUTH' } });
        await alerts.raise({ createdAt: 300, severity: 'error', source: 'job:other', message: 'elsewhere' });
        expect(await alerts.latestUnacknowledged('job:dedupe')).toEqual({ ...second, details: { code: 'AUTH' } });
        await alerts.acknowledge([second.id], 400);
        expect((await alerts.latestUnacknowledged('job:dedupe'))?.message).toBe('first');
        expect((await alerts.latestUnacknowledged('job:other'))?.details).toBeNull();
        await alerts.acknowledge(undefined, 500);
      });

      it('keeps price alerts with their condition and progress, and refuses a write based on a stale read', async () => {
        const repository = ctx.storage.priceAlerts;
        const alert: PriceAlert = {
          id: 'pa-1',
          symbol: 'XAUUSD',
          timeframe: '1h',
          condition: { kind: 'indicatorCross', fast: { kind: 'sma', params: { period: 50 } }, slow: { kind: 'sma', params: { period: 200 } }, direction: 'above' },
          rearm: { kind: 'recross', hysteresis: 2.5 },
          enabled: true,
          note: 'golden cross',
          state: 'waiting',
          beyond: null,
          lastBarTime: null,
          lastFiredAt: null,
          createdAt: 1_000,
          updatedAt: 1_000,
        };
        const created = await repository.create(alert);
        await repository.create({ ...alert, id: 'pa-2', symbol: 'BTCUSD', condition: { kind: 'crossBelow', price: 0.000123 }, rearm: { kind: 'once' }, note: null, createdAt: 2_000 });
        expect(created).toEqual({ ...alert, version: 0 });
        expect(await repository.get('pa-1')).toEqual(created);
        expect((await repository.list()).map((a) => a.id)).toEqual(['pa-1', 'pa-2']);
        expect(await repository.list('BTCUSD')).toEqual([expect.objectContaining({ id: 'pa-2', condition: { kind: 'crossBelow', price: 0.000123 }, rearm: { kind: 'once' } })]);

        const fired = { ...created, state: 'fired' as const, beyond: true, lastBarTime: 3_600_000, lastFiredAt: 5_000, enabled: false, updatedAt: 5_000 };
        expect(await repository.save(fired)).toBe(true);
        expect(await repository.get('pa-1')).toEqual({ ...fired, version: 1 });
        // A second writer that read version 0 is refused and changes nothing.
        expect(await repository.save({ ...created, beyond: false })).toBe(false);
        expect(await repository.get('pa-1')).toEqual({ ...fired, version: 1 });
        expect(await repository.save({ ...fired, id: 'no-such-alert' })).toBe(false);

        expect(await repository.delete('pa-1')).toBe(true);
        expect(await repository.delete('pa-1')).toBe(false);
        expect(await repository.get('pa-1')).toBeUndefined();
        await repository.delete('pa-2');
      });

      it('keeps drawings per instrument with their points and text, and refuses a write based on a stale read', async () => {
        const repository = ctx.storage.drawings;
        const trend: Drawing = {
          id: 'd-1',
          symbol: 'XAUUSD',
          kind: 'trendLine',
          // Epoch ms beyond 32 bits and prices with many decimals, as charts give them.
          points: [{ time: 1_735_689_600_000, price: 2623.456789 }, { time: 1_738_368_000_000, price: 2801.5 }],
          text: null,
          version: 0,
          createdAt: 1_000,
          updatedAt: 1_000,
        };
        const note: Drawing = { ...trend, id: 'd-2', kind: 'text', points: [{ time: 1_736_000_000_000, price: 2700 }], text: 'Fed: "hold" ✓', createdAt: 2_000, updatedAt: 2_000 };
        expect(await repository.create(trend)).toEqual(trend);
        await repository.create(note);
        await repository.create({ ...trend, id: 'd-3', symbol: 'BTCUSD', kind: 'horizontalLine', points: [{ time: 0, price: 0.000123 }] });
        expect(await repository.get('d-2')).toEqual(note);
        expect(await repository.list('XAUUSD')).toEqual([trend, note]);
        expect(await repository.count('XAUUSD')).toBe(2);
        expect(await repository.list('BTCUSD')).toEqual([expect.objectContaining({ id: 'd-3', points: [{ time: 0, price: 0.000123 }] })]);
        expect(await repository.list('NONE')).toEqual([]);

        const moved = { ...trend, points: [{ time: 1_735_776_000_000, price: 2630 }, { time: 1_738_454_400_000, price: 2810.25 }], updatedAt: 5_000 };
        expect(await repository.save(moved)).toBe(true);
        expect(await repository.get('d-1')).toEqual({ ...moved, version: 1 });
        // A second window that read version 0 is refused and changes nothing.
        expect(await repository.save({ ...trend, updatedAt: 6_000 })).toBe(false);
        expect(await repository.get('d-1')).toEqual({ ...moved, version: 1 });
        expect(await repository.save({ ...moved, id: 'no-such-drawing' })).toBe(false);
        expect(await repository.save({ ...note, text: 'edited' })).toBe(true);
        expect(await repository.get('d-2')).toMatchObject({ text: 'edited', version: 1 });

        expect(await repository.delete('d-1')).toBe(true);
        expect(await repository.delete('d-1')).toBe(false);
        expect(await repository.get('d-1')).toBeUndefined();
        await repository.delete('d-2');
        await repository.delete('d-3');
      });

      it('stores a spot snapshot once per metal, source and time', async () => {
        const prices = ctx.storage.spotPrices;
        expect(await prices.insert({ metal: 'XAUUSD', price: 2650.25, timestamp: 1_000, source: 'metalsapi' })).toBe(true);
        expect(await prices.insert({ metal: 'XAUUSD', price: 2650.25, timestamp: 1_000, source: 'metalsapi' })).toBe(false);
        expect(await prices.insert({ metal: 'XAUUSD', price: 2651, timestamp: 1_000, source: 'twelvedata' })).toBe(true);
        expect(await prices.insert({ metal: 'XAGUSD', price: 30.5, timestamp: 2_000, source: 'metalsapi' })).toBe(true);
        await expect(prices.insert({ metal: 'XAGUSD', price: Number.NaN, timestamp: 3_000, source: 'metalsapi' })).rejects.toMatchObject({ code: 'VALIDATION' });
        expect(await prices.list({ limit: 10 })).toEqual([
          { metal: 'XAGUSD', price: 30.5, timestamp: 2_000, source: 'metalsapi' },
          { metal: 'XAUUSD', price: 2651, timestamp: 1_000, source: 'twelvedata' },
          { metal: 'XAUUSD', price: 2650.25, timestamp: 1_000, source: 'metalsapi' },
        ]);
        expect(await prices.list({ metal: 'XAGUSD', limit: 10 })).toHaveLength(1);
        const rows = await ctx.target.sql('SELECT count(*) AS n FROM precious_metals_prices');
        expect(Number(rows[0]!.n)).toBe(3);
      });

      it('upserts news on provider and id, counting new and changed articles, and finds the newest per provider', async () => {
        const store = ctx.storage.news;
        expect(await store.latestPublishedAt('polygon')).toBeNull();
        expect(await store.upsert([news('a', 1_000), news('b', 2_000, { sentiment: null, publisher: null, tickers: [] })])).toEqual({ inserted: 2, updated: 0 });
        expect(await store.upsert([news('a', 1_000), news('b', 2_000, { sentiment: -1, publisher: null, tickers: [] }), news('c', 1_500)])).toEqual({
          inserted: 1,
          updated: 1,
        });
        expect(await store.upsert([])).toEqual({ inserted: 0, updated: 0 });
        expect(await store.latestPublishedAt('polygon')).toBe(2_000);
        expect(await store.latestPublishedAt('twelvedata')).toBeNull();
        expect(await store.list({ limit: 10 })).toEqual([news('b', 2_000, { sentiment: -1, publisher: null, tickers: [] }), news('c', 1_500), news('a', 1_000)]);
        expect(await store.list({ provider: 'yahoo', limit: 10 })).toEqual([]);
        const rows = await ctx.target.sql('SELECT count(*) AS n FROM news');
        expect(Number(rows[0]!.n)).toBe(3);
      });

      it('remembers where a plan\'s history starts per provider, key fingerprint and timeframe, replacing what it learns again', async () => {
        const store = ctx.storage.planDepths;
        const key = { provider: 'polygon' as const, keyFingerprint: 'a1b2c3d4e5f60718', timeframe: '1d' as const };
        expect(await store.get(key)).toBeUndefined();
        // 2005-01-03, beyond 32-bit integers as every epoch-ms time is.
        await store.save({ ...key, historyStart: 1_104_710_400_000, learnedAt: 1_733_300_000_000 });
        await store.save({ ...key, timeframe: '1m', historyStart: 1_600_000_000_000, learnedAt: 1_733_300_000_000 });
        await store.save({ ...key, keyFingerprint: 'ffffffffffffffff', historyStart: 1_670_000_000_000, learnedAt: 1_733_300_000_000 });
        expect(await store.get(key)).toEqual({ ...key, historyStart: 1_104_710_400_000, learnedAt: 1_733_300_000_000 });
        await store.save({ ...key, historyStart: 1_110_000_000_000, learnedAt: 1_733_400_000_000 });
        expect(await store.get(key)).toEqual({ ...key, historyStart: 1_110_000_000_000, learnedAt: 1_733_400_000_000 });
        expect(await store.get({ ...key, timeframe: '1m' })).toMatchObject({ historyStart: 1_600_000_000_000 });
        expect(await store.get({ ...key, provider: 'twelvedata' })).toBeUndefined();
        const rows = await ctx.target.sql('SELECT count(*) AS n FROM provider_plan_depth');
        expect(Number(rows[0]!.n)).toBe(3);
      });
    });

    describe('backup catalogue: backups, pins, drills and restores', () => {
      const ctx = useStorage();
      const backup = (id: string, createdAt: number) => ({
        id, createdAt, kind: 'manual' as const, path: `/backups/${id}.mlbackup`, schemaVersion: '0008_backup_catalogue', appVersion: '0.1.0', encrypted: false,
      });
      const finish = (id: string, status: 'verified' | 'failed', at: number) =>
        ctx.storage.backups.finish(id, { status, finishedAt: at, sizeBytes: 10, sha256: null, verifiedAt: status === 'verified' ? at : null, error: null, manifest: null });

      it('starts unpinned, pins and unpins, and answers the newest verified backup as the last good one', async () => {
        const { backups } = ctx.storage;
        expect(await backups.lastGood()).toBeUndefined();
        await backups.start(backup('old', 1_733_000_000_000));
        await finish('old', 'verified', 1_733_000_001_000);
        await backups.start(backup('new', 1_733_100_000_000));
        await finish('new', 'failed', 1_733_100_001_000);
        await backups.start(backup('running', 1_733_200_000_000));
        expect((await backups.get('old'))?.pinned).toBe(false);
        expect(await backups.setPinned('old', true)).toBe(true);
        expect(await backups.get('old')).toMatchObject({ id: 'old', pinned: true, status: 'verified' });
        expect(await backups.setPinned('missing', true)).toBe(false);
        expect((await backups.lastGood())?.id).toBe('old');
        expect((await backups.all()).map((b) => [b.id, b.pinned])).toEqual([['running', false], ['new', false], ['old', true]]);
        expect(await backups.setPinned('old', false)).toBe(true);
        expect((await backups.get('old'))?.pinned).toBe(false);
      });

      it('records drills and answers the latest with its checks', async () => {
        const drills = ctx.storage.backupDrills;
        expect(await drills.latest()).toBeUndefined();
        const checks = [{ symbol: 'XAUUSD', timeframe: '1d', bars: 5_000, lastClose: 2_650.25 }, { symbol: 'BTCUSDT', timeframe: '1h', bars: 0, lastClose: null }];
        await drills.record({ id: 'd1', backupId: 'old', at: 1_733_000_000_000, ok: true, durationMs: 1_234, checks, error: null });
        await drills.record({ id: 'd2', backupId: 'old', at: 1_733_500_000_000, ok: false, durationMs: 9, checks: [], error: 'The archive is truncated.' });
        expect(await drills.latest()).toEqual({ id: 'd2', backupId: 'old', at: 1_733_500_000_000, ok: false, durationMs: 9, checks: [], error: 'The archive is truncated.' });
        const rows = await ctx.target.sql("SELECT checks FROM backup_drills WHERE id = 'd1'");
        expect(typeof rows[0]!.checks === 'string' ? JSON.parse(rows[0]!.checks) : rows[0]!.checks).toEqual(checks);
      });

      it('records restores and answers the latest by finish time', async () => {
        const restores = ctx.storage.restores;
        expect(await restores.latest()).toBeUndefined();
        const tables = [{ name: 'market_data', rows: 12_345 }, { name: 'instruments', rows: 7 }];
        await restores.record({ id: 'r2', startedAt: 1_733_400_000_000, finishedAt: 1_733_400_060_000, from: '/elsewhere/a.mlbackup', safetyBackupId: null, database: 'postgres', tables });
        await restores.record({ id: 'r1', startedAt: 1_733_300_000_000, finishedAt: 1_733_300_060_000, from: 'old', safetyBackupId: 'safety-1', database: 'sqlite', tables: [] });
        expect(await restores.latest()).toEqual({ id: 'r2', startedAt: 1_733_400_000_000, finishedAt: 1_733_400_060_000, from: '/elsewhere/a.mlbackup', safetyBackupId: null, database: 'postgres', tables });
      });
    });

    describe('market data: upserts', () => {
      const ctx = useStorage();
      const start = Date.UTC(2024, 0, 2);
      const bars = walk(start, MINUTE, 5);

      it('counts inserted, updated and unchanged bars accurately', async () => {
        const md = ctx.storage.marketData;
        expect(await md.upsertBars({ symbol: 'UPS', timeframe: '1m', source: 'csv', bars })).toEqual({ inserted: 5, updated: 0, unchanged: 0 });
        expect(await md.upsertBars({ symbol: 'UPS', timeframe: '1m', source: 'csv', bars })).toEqual({ inserted: 0, updated: 0, unchanged: 5 });

        const changed = bars.map((b, i) => (i === 1 ? { ...b, close: b.close + 1 } : i === 3 ? { ...b, volume: b.volume + 0.5 } : b));
        const extra = walk(start + 5 * MINUTE, MINUTE, 2, 7);
        expect(await md.upsertBars({ symbol: 'UPS', timeframe: '1m', source: 'csv', bars: [...changed, ...extra] })).toEqual({
          inserted: 2,
          updated: 2,
          unchanged: 3,
        });
        expect(await md.countBars()).toBe(7);
      });

      it('treats a different source as a change, and keeps symbols and timeframes apart', async () => {
        const md = ctx.storage.marketData;
        expect(await md.upsertBars({ symbol: 'UPS', timeframe: '1m', source: 'yahoo', bars: bars.slice(0, 1) })).toEqual({
          inserted: 0,
          updated: 1,
          unchanged: 0,
        });
        expect(await md.upsertBars({ symbol: 'UPS2', timeframe: '1m', source: 'csv', bars })).toMatchObject({ inserted: 5 });
        expect(await md.upsertBars({ symbol: 'UPS', timeframe: '1h', source: 'csv', bars: walk(start, HOUR, 3) })).toMatchObject({ inserted: 3 });
      });

      it('keeps the last of several bars given for one time, and accepts any order', async () => {
        const md = ctx.storage.marketData;
        const t = Date.UTC(2024, 5, 3);
        const first = { time: t, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };
        const second = { ...first, close: 1.75 };
        const earlier = { ...first, time: t - MINUTE };
        expect(await md.upsertBars({ symbol: 'DUP', timeframe: '1m', source: 'csv', bars: [first, earlier, second] })).toEqual({
          inserted: 2,
          updated: 0,
          unchanged: 0,
        });
        const { bars: stored } = await md.queryBars({ symbol: 'DUP', timeframe: '1m' });
        expect(stored).toEqual([earlier, second]);
      });

      it('rejects prices and volumes that are not finite numbers, writing nothing', async () => {
        const md = ctx.storage.marketData;
        const t = Date.UTC(2024, 6, 1);
        const good = { time: t, open: 1, high: 1, low: 1, close: 1, volume: 1 };
        for (const bad of [{ close: Number.NaN }, { volume: Number.POSITIVE_INFINITY }, { time: t + 0.5 }]) {
          await expect(
            md.upsertBars({ symbol: 'BAD', timeframe: '1m', source: 'csv', bars: [good, { ...good, time: t + MINUTE, ...bad }] }),
          ).rejects.toMatchObject({ code: 'VALIDATION' });
        }
        expect((await md.coverage('BAD')).length).toBe(0);
        expect(await md.upsertBars({ symbol: 'BAD', timeframe: '1m', source: 'csv', bars: [] })).toEqual({ inserted: 0, updated: 0, unchanged: 0 });
      });
    });

    describe('backfill checkpoints', () => {
      const ctx = useStorage();
      const start = Date.UTC(2024, 2, 4);
      const checkpoint = (overrides: Partial<BackfillCheckpoint> = {}): BackfillCheckpoint => ({
        id: 'polygon/BFL/1m/range',
        provider: 'polygon',
        symbol: 'BFL',
        timeframe: '1m',
        rangeFrom: start,
        rangeTo: start + DAY,
        resumeFrom: start,
        rowsWritten: 0,
        status: 'running',
        jobRunId: 'job-1',
        updatedAt: start,
        ...overrides,
      });
      const key = { provider: 'polygon', symbol: 'BFL', timeframe: '1m', rangeFrom: start, rangeTo: start + DAY } as const;

      it('commits a chunk and its checkpoint together, and finds the unfinished range again', async () => {
        const { marketData, backfillCheckpoints } = ctx.storage;
        await backfillCheckpoints.save(checkpoint());
        const bars = walk(start, MINUTE, 10);
        const saved = checkpoint({ resumeFrom: start + 10 * MINUTE, rowsWritten: 10, updatedAt: start + 1 });
        expect(await marketData.upsertBarsWithCheckpoint({ symbol: 'BFL', timeframe: '1m', source: 'polygon', bars }, saved)).toEqual({
          inserted: 10,
          updated: 0,
          unchanged: 0,
        });
        expect(await backfillCheckpoints.get(saved.id)).toEqual(saved);
        expect(await backfillCheckpoints.findUnfinished(key)).toEqual(saved);
        expect(await backfillCheckpoints.findUnfinished({ ...key, rangeTo: start + 2 * DAY })).toBeUndefined();
        expect(await backfillCheckpoints.findUnfinished({ ...key, rangeTo: null })).toEqual(saved);
        expect((await marketData.queryBars({ symbol: 'BFL', timeframe: '1m' })).bars).toEqual(bars);

        // Re-running the chunk adds nothing; a chunk with no bars still moves the checkpoint.
        const again = await marketData.upsertBarsWithCheckpoint({ symbol: 'BFL', timeframe: '1m', source: 'polygon', bars }, saved);
        expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 10 });
        const empty = checkpoint({ resumeFrom: start + 20 * MINUTE, rowsWritten: 10, updatedAt: start + 2 });
        await marketData.upsertBarsWithCheckpoint({ symbol: 'BFL', timeframe: '1m', source: 'polygon', bars: [] }, empty);
        expect(await backfillCheckpoints.get(empty.id)).toEqual(empty);
      });

      it('leaves neither the bars nor the checkpoint when the write fails', async () => {
        const { marketData, backfillCheckpoints } = ctx.storage;
        const before = await backfillCheckpoints.get('polygon/BFL/1m/range');
        const later = walk(start + 30 * MINUTE, MINUTE, 5, 3);
        // status NOT NULL fails after the bars were written in the same transaction.
        const broken = checkpoint({ resumeFrom: start + 35 * MINUTE, status: null as unknown as BackfillCheckpoint['status'] });
        await expect(marketData.upsertBarsWithCheckpoint({ symbol: 'BFL', timeframe: '1m', source: 'polygon', bars: later }, broken)).rejects.toThrow();
        expect(await backfillCheckpoints.get('polygon/BFL/1m/range')).toEqual(before);
        expect((await marketData.queryBars({ symbol: 'BFL', timeframe: '1m', from: start + 30 * MINUTE })).bars).toEqual([]);
        expect((await marketData.coverage('BFL'))[0]).toMatchObject({ count: 10 });
      });

      it('lists checkpoints newest first and marks their status', async () => {
        const { backfillCheckpoints } = ctx.storage;
        const other = checkpoint({ id: 'polygon/BFL/1h/range', timeframe: '1h', updatedAt: start + 10 });
        await backfillCheckpoints.save(other);
        expect((await backfillCheckpoints.list()).map((c) => c.id)).toEqual(['polygon/BFL/1h/range', 'polygon/BFL/1m/range']);
        await backfillCheckpoints.updateStatus('polygon/BFL/1m/range', 'done', start + 20);
        expect(await backfillCheckpoints.get('polygon/BFL/1m/range')).toMatchObject({ status: 'done', updatedAt: start + 20 });
        expect(await backfillCheckpoints.findUnfinished(key)).toBeUndefined();
        await expect(backfillCheckpoints.updateStatus('missing', 'failed', start)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('replaces the whole row on save, range included (a scheduled job reuses one checkpoint per series)', async () => {
        const { backfillCheckpoints } = ctx.storage;
        const first = checkpoint({ id: 'scheduled:job:BFL:1m', status: 'done', resumeFrom: start + DAY });
        await backfillCheckpoints.save(first);
        const next = checkpoint({ id: first.id, rangeFrom: start + DAY, rangeTo: start + DAY + HOUR, resumeFrom: start + DAY, jobRunId: 'job-2', updatedAt: start + 30 });
        await backfillCheckpoints.save(next);
        expect(await backfillCheckpoints.get(first.id)).toEqual(next);
      });
    });

    describe('market data: aggregation to every timeframe', () => {
      const ctx = useStorage();
      // Minutes from Mon 2024-02-26 to Mon 2024-03-04 evening, over a leap-year month end and a week start; weekends missing like metals.
      const minutes = walk(Date.UTC(2024, 1, 24, 21, 17), MINUTE, 9 * 1440, 3, isWeekend);
      const hours = walk(Date.UTC(2023, 11, 20, 5), HOUR, 2000, 4);
      const days = walk(Date.UTC(2021, 11, 28), DAY, 1100, 5, isWeekend);
      const months = Array.from({ length: 1200 }, (_, i) => {
        const time = Date.UTC(1900, i, 1);
        const p = 20 + i / 10;
        return { time, open: p, high: p + 1, low: p - 1, close: p + 0.5, volume: i };
      });
      const weeks = walk(Date.UTC(2024, 0, 1), 7 * DAY, 30, 6);

      beforeAll(async () => {
        await upsertAll(ctx.storage, 'M1', '1m', minutes);
        await upsertAll(ctx.storage, 'H1', '1h', hours);
        await upsertAll(ctx.storage, 'D1', '1d', days);
        await upsertAll(ctx.storage, 'MN', '1M', months);
        await upsertAll(ctx.storage, 'WK', '1w', weeks);
      });

      const cases: [string, Bar[], Timeframe, Timeframe[]][] = [
        ['M1', minutes, '1m', ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M']],
        ['H1', hours, '1h', ['1h', '4h', '1d', '1w', '1M']],
        ['D1', days, '1d', ['1d', '1w', '1M']],
        ['MN', months, '1M', ['1M']],
        ['WK', weeks, '1w', ['1w']],
      ];
      for (const [symbol, rows, base, targets] of cases) {
        for (const target of targets) {
          it(`${base} → ${target} matches an independent aggregation`, async () => {
            const result = await ctx.storage.marketData.queryBars({ symbol, timeframe: target });
            expect(result.sourceTimeframe).toBe(base);
            expectSameBars(result.bars, referenceBars(rows, target));
          });
        }
      }

      it('refuses timeframes that cannot be built from what is stored', async () => {
        const md = ctx.storage.marketData;
        for (const [symbol, target] of [['WK', '1M'], ['WK', '1d'], ['D1', '1h'], ['D1', '4h'], ['MN', '1w'], ['MN', '1d'], ['H1', '30m'], ['NONE', '1d']] as const) {
          expect(await md.queryBars({ symbol, timeframe: target }), `${symbol} ${target}`).toEqual({ bars: [], sourceTimeframe: null, spans: [] });
        }
      });

      it('builds from the finest stored timeframe that can produce the target', async () => {
        await upsertAll(ctx.storage, 'BOTH', '1d', days.slice(0, 30));
        await upsertAll(ctx.storage, 'BOTH', '1h', hours);
        expect((await ctx.storage.marketData.queryBars({ symbol: 'BOTH', timeframe: '1d' })).sourceTimeframe).toBe('1h');
        expect((await ctx.storage.marketData.queryBars({ symbol: 'BOTH', timeframe: '1h' })).sourceTimeframe).toBe('1h');
      });

      it('starts weeks on Monday 00:00 UTC and months on the 1st', async () => {
        const md = ctx.storage.marketData;
        const weeksOut = (await md.queryBars({ symbol: 'M1', timeframe: '1w' })).bars;
        expect(weeksOut.map((b) => new Date(b.time).toISOString())).toEqual(['2024-02-26T00:00:00.000Z', '2024-03-04T00:00:00.000Z']);
        const monthsOut = (await md.queryBars({ symbol: 'M1', timeframe: '1M' })).bars;
        expect(monthsOut.map((b) => new Date(b.time).toISOString())).toEqual(['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
        // 2024-02-29 23:59 closes February; 2024-03-01 00:00 opens March.
        const feb = minutes.filter((b) => b.time < Date.UTC(2024, 2, 1));
        const mar = minutes.filter((b) => b.time >= Date.UTC(2024, 2, 1));
        expect(monthsOut[0]!.close).toBe(feb[feb.length - 1]!.close);
        expect(monthsOut[1]!.open).toBe(mar[0]!.open);
      });

      it('aggregates bars before 1970 and across the epoch', async () => {
        const md = ctx.storage.marketData;
        // Minutes from 1969-12-31 22:00 to 1970-01-01 02:00, some off their grid, one a millisecond before the epoch.
        const around = walk(-2 * HOUR, MINUTE, 240, 8).map((b, i) => (i % 37 === 5 ? { ...b, time: b.time + 30_000 } : b));
        const edge = { time: -1, open: 5, high: 6, low: 4, close: 5.5, volume: 1 };
        const rows = merged(around, [edge]);
        await upsertAll(ctx.storage, 'EPOCH', '1m', rows);
        for (const target of ['1m', '5m', '15m', '1h', '4h', '1d', '1w', '1M'] as const) {
          expectSameBars((await md.queryBars({ symbol: 'EPOCH', timeframe: target })).bars, referenceBars(rows, target));
        }
        const months1969 = (await md.queryBars({ symbol: 'EPOCH', timeframe: '1M' })).bars;
        expect(months1969.map((b) => b.time)).toEqual([Date.UTC(1969, 11, 1), 0]);
        expect(months1969[0]!.close).toBe(5.5);
        // The week holding 1970-01-01 (a Thursday) opened on Monday 1969-12-29.
        expect((await md.queryBars({ symbol: 'EPOCH', timeframe: '1w' })).bars.map((b) => b.time)).toEqual([Date.UTC(1969, 11, 29)]);

        const old = walk(Date.UTC(1900, 0, 1), DAY, 400, 9);
        await upsertAll(ctx.storage, 'OLD', '1d', old);
        for (const target of ['1d', '1w', '1M'] as const) {
          expectSameBars((await md.queryBars({ symbol: 'OLD', timeframe: target })).bars, referenceBars(old, target));
        }
      });
    });

    describe('market data: ranges and limits', () => {
      const ctx = useStorage();
      const minutes = walk(Date.UTC(2024, 3, 1), MINUTE, 6 * 1440, 11);

      beforeAll(async () => {
        await upsertAll(ctx.storage, 'RNG', '1m', minutes);
      });

      it('returns the most recent N buckets, oldest first', async () => {
        const md = ctx.storage.marketData;
        for (const target of ['1m', '5m', '1h', '4h', '1d', '1w', '1M'] as const) {
          const all = referenceBars(minutes, target);
          for (const limit of [1, 3, 50]) {
            const { bars } = await md.queryBars({ symbol: 'RNG', timeframe: target, limit });
            expectSameBars(bars, all.slice(-limit));
          }
        }
        expect((await md.queryBars({ symbol: 'RNG', timeframe: '1d', limit: 0 })).bars).toEqual([]);
        await expect(md.queryBars({ symbol: 'RNG', timeframe: '1d', limit: -1 })).rejects.toMatchObject({ code: 'VALIDATION' });
      });

      it('filters on bucket open time and never returns a partial bucket', async () => {
        const md = ctx.storage.marketData;
        const day = (d: number, h = 0) => Date.UTC(2024, 3, d, h);
        const daily = referenceBars(minutes, '1d');
        // `from` inside the 2nd: that day opened before `from`, so it is left out whole.
        expectSameBars((await md.queryBars({ symbol: 'RNG', timeframe: '1d', from: day(2, 12), to: day(4) })).bars, daily.filter((b) => b.time >= day(3) && b.time <= day(4)));
        // `from` on a bucket start includes it; `to` inside the 5th keeps the whole 5th.
        const kept = (await md.queryBars({ symbol: 'RNG', timeframe: '1d', from: day(2), to: day(5, 6) })).bars;
        expectSameBars(kept, daily.filter((b) => b.time >= day(2) && b.time <= day(5)));
        expect(kept[kept.length - 1]!.close).toBe(minutes.filter((b) => b.time < day(6)).at(-1)!.close);
        // With a limit: the latest buckets of the range.
        expectSameBars((await md.queryBars({ symbol: 'RNG', timeframe: '4h', from: day(2), to: day(3), limit: 2 })).bars, referenceBars(minutes, '4h').filter((b) => b.time >= day(2) && b.time <= day(3)).slice(-2));
        expect((await md.queryBars({ symbol: 'RNG', timeframe: '1h', from: day(4), to: day(3) })).bars).toEqual([]);
        expect((await md.queryBars({ symbol: 'RNG', timeframe: '1h', from: day(20), to: day(21) }))).toEqual({ bars: [], sourceTimeframe: '1m', spans: [] });
      });

      it('finds the latest buckets when rows sit off their grid', async () => {
        // A 1h series whose bars move from :00 to :05, as in the Binance file: one hour bucket can hold two rows.
        const shifted = [...walk(Date.UTC(2024, 5, 1), HOUR, 30, 12), ...walk(Date.UTC(2024, 5, 2, 5, 5), HOUR, 30, 13)];
        await upsertAll(ctx.storage, 'SHIFT', '1h', shifted);
        const all = referenceBars(shifted, '1h');
        expect(all.length).toBeLessThan(shifted.length);
        for (const limit of [5, 40, 100]) {
          expectSameBars((await ctx.storage.marketData.queryBars({ symbol: 'SHIFT', timeframe: '1h', limit })).bars, all.slice(-limit));
        }
      });
    });

    describe('market data: rollups after overlapping re-upserts', () => {
      const ctx = useStorage();
      const first = walk(Date.UTC(2024, 1, 27, 13), MINUTE, 4 * 1440, 21);

      it('keeps hourly and daily rollups equal to the base bars as values change', async () => {
        const md = ctx.storage.marketData;
        await upsertAll(ctx.storage, 'ROLL', '1m', first);
        // Overlaps the end of day 2 and the start of day 3, moves prices and adds a spike; extends a day further.
        const overlap = walk(Date.UTC(2024, 1, 28, 18), MINUTE, 2 * 1440, 22).map((b, i) =>
          i === 100 ? { ...b, high: b.high * 2 } : i === 200 ? { ...b, low: b.low / 2 } : b,
        );
        const result = await upsertAll(ctx.storage, 'ROLL', '1m', overlap);
        const overlapping = overlap.filter((b) => b.time <= first[first.length - 1]!.time).length;
        expect(result.inserted).toBe(overlap.length - overlapping);
        expect(result.updated + result.unchanged).toBe(overlapping);
        // An older chunk written after newer ones, as a backward backfill does.
        const before = walk(Date.UTC(2024, 1, 25, 22), MINUTE, 900, 23);
        await upsertAll(ctx.storage, 'ROLL', '1m', before);
        // Only a volume changes in the middle.
        const tweak = [{ ...first[500]!, volume: first[500]!.volume + 1000 }];
        expect(await md.upsertBars({ symbol: 'ROLL', timeframe: '1m', source: 'test', bars: tweak })).toEqual({ inserted: 0, updated: 1, unchanged: 0 });

        const all = merged(before, first, overlap, tweak);
        for (const target of ['1h', '4h', '1d', '1w', '1M'] as const) {
          expectSameBars((await md.queryBars({ symbol: 'ROLL', timeframe: target })).bars, referenceBars(all, target));
          expectSameBars((await md.queryBars({ symbol: 'ROLL', timeframe: target, limit: 3 })).bars, referenceBars(all, target).slice(-3));
        }
        const rollups = await ctx.target.sql(
          "SELECT timeframe, count(*) AS n FROM market_data_rollup WHERE symbol = 'ROLL' GROUP BY timeframe ORDER BY timeframe",
        );
        expect(rollups.map((r) => [r.timeframe, Number(r.n)])).toEqual([
          ['1d', referenceBars(all, '1d').length],
          ['1h', referenceBars(all, '1h').length],
        ]);
      });
    });

    describe('market data: deleting bars', () => {
      const ctx = useStorage();
      const bars = walk(Date.UTC(2024, 2, 4), MINUTE, 3 * 1440, 31);

      it('deletes the named bars with their share of the rollups and summaries, skipping ones not stored', async () => {
        const md = ctx.storage.marketData;
        await upsertAll(ctx.storage, 'GONE', '1m', bars);
        const doomed = [bars[0]!.time, bars[700]!.time, bars[1500]!.time, bars.at(-1)!.time + MINUTE];
        expect(await md.deleteBars('GONE', '1m', doomed)).toBe(3);
        expect(await md.deleteBars('GONE', '1m', doomed)).toBe(0);
        const left = bars.filter((bar) => !doomed.includes(bar.time));
        for (const target of ['1h', '1d'] as const) expectSameBars((await md.queryBars({ symbol: 'GONE', timeframe: target })).bars, referenceBars(left, target));
        expect(await md.coverage('GONE')).toMatchObject([{ symbol: 'GONE', timeframe: '1m', first: left[0]!.time, last: left.at(-1)!.time, count: left.length }]);
      });
    });

    describe('market data: concurrent writers', () => {
      const ctx = useStorage();

      it('keeps rollups whole when chunks sharing buckets are written at the same time', async () => {
        const minutes = walk(Date.UTC(2024, 4, 6), MINUTE, 3 * 1440, 31);
        // Every chunk holds every fourth minute, so all of them touch every hour and day.
        const interleaved = [0, 1, 2, 3].map((k) => minutes.filter((_, i) => i % 4 === k));
        const results = await Promise.all(
          interleaved.map((bars) => ctx.storage.marketData.upsertBars({ symbol: 'PAR', timeframe: '1m', source: 'test', bars })),
        );
        expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(minutes.length);
        for (const target of ['15m', '1h', '4h', '1d', '1w'] as const) {
          expectSameBars((await ctx.storage.marketData.queryBars({ symbol: 'PAR', timeframe: target })).bars, referenceBars(minutes, target));
        }
      });
    });

    describe('market data: coverage and counts', () => {
      const ctx = useStorage();

      it('reports first, last and count per symbol, timeframe and source', async () => {
        const md = ctx.storage.marketData;
        expect(await md.coverage()).toEqual([]);
        expect(await md.countBars()).toBe(0);
        const t = Date.UTC(2024, 0, 1);
        await md.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'yahoo', bars: walk(t, DAY, 10) });
        await md.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'csv', bars: walk(t + 10 * DAY, DAY, 5) });
        await md.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'polygon', bars: walk(t, MINUTE, 30) });
        await md.upsertBars({ symbol: 'BTCUSD', timeframe: '1h', source: 'yahoo', bars: walk(t, HOUR, 7) });

        expect(await md.coverage()).toEqual([
          { symbol: 'BTCUSD', timeframe: '1h', source: 'yahoo', first: t, last: t + 6 * HOUR, count: 7 },
          { symbol: 'XAUUSD', timeframe: '1m', source: 'polygon', first: t, last: t + 29 * MINUTE, count: 30 },
          { symbol: 'XAUUSD', timeframe: '1d', source: 'csv', first: t + 10 * DAY, last: t + 14 * DAY, count: 5 },
          { symbol: 'XAUUSD', timeframe: '1d', source: 'yahoo', first: t, last: t + 9 * DAY, count: 10 },
        ]);
        expect((await md.coverage('BTCUSD')).map((c) => c.symbol)).toEqual(['BTCUSD']);
        expect(await md.countBars()).toBe(52);
      });

      it('follows bars from one source to another, including the first and last bar of a source', async () => {
        const md = ctx.storage.marketData;
        const t = Date.UTC(2023, 0, 2);
        const days = walk(t, DAY, 10, 41);
        const series = async () => (await md.coverage('SRC')).map(({ source, first, last, count }) => ({ source, first, last, count }));
        await md.upsertBars({ symbol: 'SRC', timeframe: '1d', source: 'yahoo', bars: days });
        // A repair re-fetches the first three days and the last day from another provider.
        await md.upsertBars({ symbol: 'SRC', timeframe: '1d', source: 'polygon', bars: days.slice(0, 3) });
        await md.upsertBars({ symbol: 'SRC', timeframe: '1d', source: 'polygon', bars: days.slice(9) });
        expect(await series()).toEqual([
          { source: 'polygon', first: t, last: t + 9 * DAY, count: 4 },
          { source: 'yahoo', first: t + 3 * DAY, last: t + 8 * DAY, count: 6 },
        ]);
        // One chunk mixing new bars, untouched ones and bars taken from yahoo's middle.
        const mixed = [...days.slice(0, 2), days[5]!, ...walk(t + 10 * DAY, DAY, 2, 42)];
        expect(await md.upsertBars({ symbol: 'SRC', timeframe: '1d', source: 'polygon', bars: mixed })).toEqual({ inserted: 2, updated: 1, unchanged: 2 });
        expect(await series()).toEqual([
          { source: 'polygon', first: t, last: t + 11 * DAY, count: 7 },
          { source: 'yahoo', first: t + 3 * DAY, last: t + 8 * DAY, count: 5 },
        ]);
        // Everything yahoo still had moves to the CSV import: yahoo leaves the list.
        await md.upsertBars({ symbol: 'SRC', timeframe: '1d', source: 'csv', bars: days.slice(3, 9) });
        expect((await series()).map((c) => [c.source, c.count])).toEqual([
          ['csv', 6],
          ['polygon', 6],
        ]);
        expect((await md.queryBars({ symbol: 'SRC', timeframe: '1d' })).bars).toHaveLength(12);
        expect(await md.countBars()).toBe(52 + 12);
      });
    });

    describe('market data: several stored bases of one symbol', () => {
      const ctx = useStorage();
      const hourly = binanceHourlyBars();
      const yahoo = yahooDailyBars();
      const gold = metaTraderDailyBars();
      const monthly = monthlyGoldBars();
      const hourlyStart = hourly[0]!.time;

      /**
       * The expected reply, written from the rule rather than the product's planner: a
       * bucket is built from the finer series when that series has rows in it and reaches
       * back to the bucket's open (it is the newer series, so its end is open); otherwise
       * from the coarser one.
       */
      function expectedMix(fine: readonly Bar[], coarse: readonly Bar[], target: Timeframe, fineTf: Timeframe, coarseTf: Timeframe) {
        const fineByTime = new Map(referenceBars(fine, target).map((bar) => [bar.time, bar]));
        const coarseByTime = new Map(referenceBars(coarse, target).map((bar) => [bar.time, bar]));
        const times = [...new Set([...fineByTime.keys(), ...coarseByTime.keys()])].sort((a, b) => a - b);
        const bars: Bar[] = [];
        const bases: Timeframe[] = [];
        for (const time of times) {
          const useFine = fineByTime.has(time) && (fine[0]!.time <= time || !coarseByTime.has(time));
          bars.push(useFine ? fineByTime.get(time)! : coarseByTime.get(time)!);
          bases.push(useFine ? fineTf : coarseTf);
        }
        return { bars, bases };
      }

      function spansOf(bars: readonly Bar[], bases: readonly Timeframe[]): BarSpan[] {
        const spans: BarSpan[] = [];
        bars.forEach((bar, i) => {
          const last = spans.at(-1);
          if (last && last.timeframe === bases[i]) last.to = bar.time;
          else spans.push({ from: bar.time, to: bar.time, timeframe: bases[i]! });
        });
        return spans;
      }

      beforeAll(async () => {
        await upsertAll(ctx.storage, 'BTCUSD', '1d', yahoo);
        await upsertAll(ctx.storage, 'BTCUSD', '1h', hourly);
        await upsertAll(ctx.storage, 'XAUUSD', '1d', gold);
        await upsertAll(ctx.storage, 'XAUUSD', '1M', monthly);
      });

      it('shows the daily history stored before the hourly one began (the BTCUSD reproduction)', async () => {
        const { bars, sourceTimeframe, spans } = await ctx.storage.marketData.queryBars({ symbol: 'BTCUSD', timeframe: '1d', limit: 100_000 });
        const before = yahoo.filter((bar) => bar.time < hourlyStart);
        expect(before).toHaveLength(1201);
        expect(bars[0]!.time).toBe(yahoo[0]!.time);
        const expected = expectedMix(hourly, yahoo, '1d', '1h', '1d');
        expectSameBars(bars, expected.bars);
        expect(spans).toEqual(spansOf(expected.bars, expected.bases));
        expect(spans[0]).toEqual({ from: yahoo[0]!.time, to: hourlyStart - DAY, timeframe: '1d' });
        expect(sourceTimeframe).toBe('1h');
      });

      for (const target of ['1w', '1M'] as const) {
        it(`builds a ${target} bucket the hourly series covers only partly from the daily bars`, async () => {
          const { bars, spans } = await ctx.storage.marketData.queryBars({ symbol: 'BTCUSD', timeframe: target });
          const expected = expectedMix(hourly, yahoo, target, '1h', '1d');
          expectSameBars(bars, expected.bars);
          expect(spans).toEqual(spansOf(expected.bars, expected.bases));
          // 2017-12-31 is a Sunday: its week and month open before the first hourly bar.
          const partly = referenceBucket(hourlyStart, target);
          expect(expected.bases[expected.bars.findIndex((bar) => bar.time === partly)]).toBe('1d');
        });
      }

      it('pages back through the seam with limit and to, the same as the whole reply', async () => {
        const md = ctx.storage.marketData;
        const whole = (await md.queryBars({ symbol: 'BTCUSD', timeframe: '1d' })).bars;
        const pages: Bar[] = [];
        let to: number | undefined;
        for (;;) {
          const { bars } = await md.queryBars({ symbol: 'BTCUSD', timeframe: '1d', limit: 700, ...(to === undefined ? {} : { to }) });
          pages.unshift(...bars);
          if (bars.length < 700) break;
          to = bars[0]!.time - 1;
        }
        expectSameBars(pages, whole);
        const window = await md.queryBars({ symbol: 'BTCUSD', timeframe: '1d', from: hourlyStart - 10 * DAY, to: hourlyStart + 9 * DAY });
        expect(window.spans.map((span) => span.timeframe)).toEqual(['1d', '1h']);
        expectSameBars(window.bars, whole.filter((bar) => bar.time >= hourlyStart - 10 * DAY && bar.time <= hourlyStart + 9 * DAY));
      });

      it('fills a hole in the finer series from the coarser bars stored for it', async () => {
        const days = walk(Date.UTC(2024, 0, 1), DAY, 60, 21);
        const hours = walk(Date.UTC(2024, 0, 1), HOUR, 60 * 24, 22, (time) => time >= Date.UTC(2024, 0, 20) && time < Date.UTC(2024, 0, 25));
        await upsertAll(ctx.storage, 'HOLE', '1d', days);
        await upsertAll(ctx.storage, 'HOLE', '1h', hours);
        const { bars, spans } = await ctx.storage.marketData.queryBars({ symbol: 'HOLE', timeframe: '1d' });
        expect(bars).toHaveLength(60);
        expect(spans).toEqual([
          { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 19), timeframe: '1h' },
          { from: Date.UTC(2024, 0, 20), to: Date.UTC(2024, 0, 24), timeframe: '1d' },
          { from: Date.UTC(2024, 0, 25), to: Date.UTC(2024, 1, 29), timeframe: '1h' },
        ]);
        expectSameBars(bars.slice(19, 24), days.slice(19, 24));
      });

      it('leaves a bucket to the coarser bar where the finer series stopped before the bucket closed', async () => {
        // Hourly bars end at 10:00 on the 10th while daily bars carry on: that day is the daily bar.
        const days = walk(Date.UTC(2024, 2, 1), DAY, 20, 23);
        const hours = walk(Date.UTC(2024, 2, 1), HOUR, 9 * 24 + 11, 24);
        await upsertAll(ctx.storage, 'STOP', '1d', days);
        await upsertAll(ctx.storage, 'STOP', '1h', hours);
        const { bars, spans, sourceTimeframe } = await ctx.storage.marketData.queryBars({ symbol: 'STOP', timeframe: '1d' });
        expect(spans).toEqual([
          { from: Date.UTC(2024, 2, 1), to: Date.UTC(2024, 2, 9), timeframe: '1h' },
          { from: Date.UTC(2024, 2, 10), to: Date.UTC(2024, 2, 20), timeframe: '1d' },
        ]);
        expect(bars[9]).toEqual(days[9]);
        expect(sourceTimeframe).toBe('1d');
      });

      it('builds a week or month from both series where they meet without overlapping (minutes rolled up to hours before a cut-off)', async () => {
        // Hourly bars until Thursday 2024-04-11 00:00, minute bars from then on: neither covers
        // that week or month alone, and no bar of one lies in the other's stretch.
        const seam = Date.UTC(2024, 3, 11);
        const hours = walk(Date.UTC(2024, 2, 20), HOUR, (seam - Date.UTC(2024, 2, 20)) / HOUR, 25);
        const minutes = walk(seam, MINUTE, 3 * 1_440, 26);
        await upsertAll(ctx.storage, 'SEAM', '1h', hours);
        await upsertAll(ctx.storage, 'SEAM', '1m', minutes);
        for (const target of ['1d', '1w', '1M'] as const) {
          const { bars } = await ctx.storage.marketData.queryBars({ symbol: 'SEAM', timeframe: target });
          expectSameBars(bars, referenceBars([...hours, ...minutes], target));
        }
      });

      it('shows 193 years of monthly gold beside the daily series (1M chart of XAUUSD)', async () => {
        const md = ctx.storage.marketData;
        const { bars, spans } = await md.queryBars({ symbol: 'XAUUSD', timeframe: '1M' });
        const dailyMonths = referenceBars(gold, '1M');
        // June 2004 opens before the first daily bar (the 11th): it stays monthly. The daily
        // file has no bar in August 2025, so that month is the monthly one too.
        const firstWhole = dailyMonths[1]!.time;
        const august = Date.UTC(2025, 7, 1);
        const lastDaily = dailyMonths.at(-1)!.time;
        expect(dailyMonths.some((bar) => bar.time === august)).toBe(false);
        expect(spans).toEqual([
          { from: monthly[0]!.time, to: dailyMonths[0]!.time, timeframe: '1M' },
          { from: firstWhole, to: Date.UTC(2025, 6, 1), timeframe: '1d' },
          { from: august, to: august, timeframe: '1M' },
          { from: lastDaily, to: lastDaily, timeframe: '1d' },
          { from: Date.UTC(2025, 9, 1), to: monthly.at(-1)!.time, timeframe: '1M' },
        ]);
        expect(bars).toHaveLength(monthly.length);
        const fromDaily = new Set(dailyMonths.slice(1).map((bar) => bar.time));
        expectSameBars(bars.filter((bar) => fromDaily.has(bar.time)), dailyMonths.slice(1));
        expectSameBars((await md.queryBars({ symbol: 'XAUUSD', timeframe: '1M', limit: 24 })).bars, bars.slice(-24));
        // The daily chart itself is unchanged: months cannot build days.
        expectSameBars((await md.queryBars({ symbol: 'XAUUSD', timeframe: '1d' })).bars, gold);
      });
    });

    describe('market data: real price files against an independent computation', () => {
      const ctx = useStorage();
      const hourly = binanceHourlyBars();
      const daily = metaTraderDailyBars();
      const monthly = monthlyGoldBars();

      beforeAll(async () => {
        expect((await upsertAll(ctx.storage, 'BTCUSDT', '1h', hourly)).inserted).toBe(hourly.length);
        expect((await upsertAll(ctx.storage, 'XAUUSD', '1d', daily)).inserted).toBe(daily.length);
        expect((await upsertAll(ctx.storage, 'GOLD.M', '1M', monthly)).inserted).toBe(monthly.length);
      });

      it('has the quirks the checks rely on', () => {
        expect(hourly.some((b) => b.time % HOUR !== 0)).toBe(true);
        expect(monthly[0]!.time).toBeLessThan(0);
      });

      for (const target of ['1h', '4h', '1d', '1w', '1M'] as const) {
        it(`btcusdt-1h.csv → ${target}`, async () => {
          const { bars, sourceTimeframe } = await ctx.storage.marketData.queryBars({ symbol: 'BTCUSDT', timeframe: target });
          expect(sourceTimeframe).toBe('1h');
          expectSameBars(bars, referenceBars(hourly, target));
        });
      }

      for (const target of ['1d', '1w', '1M'] as const) {
        it(`xauusd-1d-mt4.csv → ${target}`, async () => {
          const { bars, sourceTimeframe } = await ctx.storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe: target });
          expect(sourceTimeframe).toBe('1d');
          expectSameBars(bars, referenceBars(daily, target));
        });
      }

      it('gold-monthly.csv since 1833 → 1M, whole and by range', async () => {
        const md = ctx.storage.marketData;
        expectSameBars((await md.queryBars({ symbol: 'GOLD.M', timeframe: '1M' })).bars, monthly);
        const from = Date.UTC(1850, 0, 1);
        const to = Date.UTC(1859, 11, 15);
        expectSameBars((await md.queryBars({ symbol: 'GOLD.M', timeframe: '1M', from, to })).bars, monthly.filter((b) => b.time >= from && b.time <= to));
      });

      it('answers the latest buckets the same as the whole history', async () => {
        const md = ctx.storage.marketData;
        for (const target of ['1h', '4h', '1d', '1w'] as const) {
          expectSameBars((await md.queryBars({ symbol: 'BTCUSDT', timeframe: target, limit: 500 })).bars, referenceBars(hourly, target).slice(-500));
        }
        expectSameBars((await md.queryBars({ symbol: 'XAUUSD', timeframe: '1M', limit: 24 })).bars, referenceBars(daily, '1M').slice(-24));
      });

      it('re-importing a file changes nothing', async () => {
        expect(await upsertAll(ctx.storage, 'XAUUSD', '1d', daily)).toEqual({ inserted: 0, updated: 0, unchanged: daily.length });
      });
    });
  });
}
