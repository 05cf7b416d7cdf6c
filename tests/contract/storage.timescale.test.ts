import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/core/storage/open-storage';
import { CHUNK_INTERVAL_MS, COMPRESSED_CHUNK_INTERVAL_MS } from '../../src/core/storage/timescale';
import type { Storage } from '../../src/core/storage/types';
import type { Bar } from '../../src/shared/domain';
import { minuteBars } from '../support/random-walk-bars';
import { metaTraderDailyBars, monthlyGoldBars } from '../support/shared-data';
import { silentLogger } from '../support/silent-logger';
import { timescaleRunnable, useTestTimescale } from '../support/timescale';
import { describeStorageContract } from './storage-contract';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe.skipIf(!timescaleRunnable())('TimescaleDB', () => {
  const timescale = useTestTimescale();

  async function target() {
    const databaseUrl = await timescale.createDatabaseUrl();
    const raw = new pg.Client({ connectionString: databaseUrl });
    await raw.connect();
    return {
      databaseUrl,
      open: (options?: { migrationsDir?: string }) => openStorage({ dataDir: '/nonexistent', databaseUrl, logger: silentLogger(), ...options }),
      sql: async (text: string, params: readonly unknown[] = []) => {
        let n = 0;
        return (await raw.query(text.replace(/\?/g, () => `$${++n}`), [...params])).rows as Record<string, unknown>[];
      },
      dispose: () => raw.end(),
    };
  }

  describeStorageContract('TimescaleDB', target, {
    mode: 'timescaledb',
    migrationsDialect: 'pg',
    location: /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/metalytics_test_\d+$/,
  });

  /** What a query should return: the last bar given for each time wins. */
  function latest(...writes: Bar[][]): Bar[] {
    const byTime = new Map<number, Bar>();
    for (const bars of writes) for (const bar of bars) byTime.set(bar.time, bar);
    return [...byTime.values()].sort((a, b) => a.time - b.time);
  }

  describe('layout and compression', () => {
    let t: Awaited<ReturnType<typeof target>>;
    let storage: Storage;
    const chunkCount = async () =>
      Number((await t.sql("SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'market_data'"))[0]!.n);
    const compressAll = () => t.sql("SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('market_data') c");

    beforeAll(async () => {
      t = await target();
      storage = await t.open();
    });
    afterAll(async () => {
      await storage?.close();
      await t?.dispose();
    });

    it('keeps 21 years of daily bars and a monthly series since 1833 in yearly chunks', async () => {
      const daily = metaTraderDailyBars();
      const monthly = monthlyGoldBars();
      await storage.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'mt4', bars: daily });
      await storage.marketData.upsertBars({ symbol: 'GOLD.M', timeframe: '1M', source: 'csv', bars: monthly });
      const years = (bars: Bar[]) => new Set(bars.map((b) => Math.floor(b.time / CHUNK_INTERVAL_MS)));
      expect(await chunkCount()).toBe(new Set([...years(daily), ...years(monthly)]).size);
      const [dimension] = await t.sql("SELECT integer_interval FROM timescaledb_information.dimensions WHERE hypertable_name = 'market_data'");
      expect(Number(dimension!.integer_interval)).toBe(CHUNK_INTERVAL_MS);
      const indexes = await t.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'market_data'");
      expect(indexes.map((r) => r.indexname)).toEqual(['market_data_symbol_timeframe_time_pk']);
    });

    it('compresses per series in time order into chunks of up to ten years, with a policy for chunks older than a month', async () => {
      const [settings] = await t.sql(
        "SELECT segmentby, orderby FROM timescaledb_information.hypertable_compression_settings WHERE hypertable = 'market_data'::regclass",
      );
      expect(settings).toEqual({ segmentby: 'symbol,timeframe', orderby: '"time"' });
      const jobs = await t.sql("SELECT config FROM timescaledb_information.jobs WHERE proc_name = 'policy_compression' AND hypertable_name = 'market_data'");
      expect(jobs).toHaveLength(1);

      // The ratio is the bench's figure (minute bars); sparse daily chunks barely shrink.
      const before = await Promise.all((['1d', '1w', '1M'] as const).map((timeframe) => storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe })));
      const monthly = await storage.marketData.queryBars({ symbol: 'GOLD.M', timeframe: '1M', limit: 100 });
      const yearly = await chunkCount();
      await compressAll();
      expect(Number((await t.sql("SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'market_data' AND NOT is_compressed"))[0]!.n)).toBe(0);
      // Compression merges adjacent years into chunks of up to ten.
      const spans = await t.sql("SELECT range_end_integer - range_start_integer AS span FROM timescaledb_information.chunks WHERE hypertable_name = 'market_data'");
      expect(spans.length).toBeLessThan(yearly / 5);
      expect(Math.max(...spans.map((r) => Number(r.span)))).toBeLessThanOrEqual(COMPRESSED_CHUNK_INTERVAL_MS);
      const [interval] = await t.sql("SELECT compress_interval_length AS n FROM timescaledb_information.hypertable_compression_settings WHERE hypertable = 'market_data'::regclass");
      expect(Number(interval!.n)).toBe(COMPRESSED_CHUNK_INTERVAL_MS);
      expect(await Promise.all((['1d', '1w', '1M'] as const).map((timeframe) => storage.marketData.queryBars({ symbol: 'XAUUSD', timeframe })))).toEqual(before);
      expect(await storage.marketData.queryBars({ symbol: 'GOLD.M', timeframe: '1M', limit: 100 })).toEqual(monthly);
    });

    it('upserts, repairs gaps and keeps rollups right inside compressed chunks', async () => {
      const md = storage.marketData;
      const start = Date.UTC(2023, 2, 6);
      const history = minuteBars(start, 3 * 1440, 5);
      // A backfill that left a gap of one afternoon on the second day.
      const gap = (b: Bar) => b.time >= start + DAY + 12 * 60 * MINUTE && b.time < start + DAY + 18 * 60 * MINUTE;
      await md.upsertBars({ symbol: 'CMP', timeframe: '1m', source: 'a', bars: history.filter((b) => !gap(b)) });
      await compressAll();
      const compressed = await t.sql(
        "SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'market_data' AND is_compressed AND range_start_integer <= ? AND range_end_integer > ?",
        [start, start],
      );
      expect(Number(compressed[0]!.n)).toBe(1);

      // The repair fills the gap and, from another source, corrects bars on both sides of it.
      const repair = history.filter(gap);
      const edges = history.filter((b) => b.time >= start + DAY + 11 * 60 * MINUTE && b.time < start + DAY + 19 * 60 * MINUTE && !gap(b));
      const corrected = edges.map((b) => ({ ...b, high: b.high + 10 }));
      expect(await md.upsertBars({ symbol: 'CMP', timeframe: '1m', source: 'a', bars: repair })).toEqual({ inserted: repair.length, updated: 0, unchanged: 0 });
      expect(await md.upsertBars({ symbol: 'CMP', timeframe: '1m', source: 'b', bars: [...repair, ...corrected] })).toEqual({
        inserted: 0,
        updated: repair.length + corrected.length,
        unchanged: 0,
      });
      expect(await md.upsertBars({ symbol: 'CMP', timeframe: '1m', source: 'b', bars: corrected })).toEqual({ inserted: 0, updated: 0, unchanged: corrected.length });

      const all = latest(history, corrected);
      expect((await md.queryBars({ symbol: 'CMP', timeframe: '1m', limit: 5000 })).bars).toEqual(all);
      const hourly = (await md.queryBars({ symbol: 'CMP', timeframe: '1h' })).bars;
      expect(hourly).toHaveLength(72);
      const hour = start + DAY + 11 * 60 * MINUTE;
      const inHour = all.filter((b) => b.time >= hour && b.time < hour + 60 * MINUTE);
      expect(hourly.find((b) => b.time === hour)).toMatchObject({ high: Math.max(...inHour.map((b) => b.high)), volume: inHour.reduce((n, b) => n + b.volume, 0) });
      const day = (await md.queryBars({ symbol: 'CMP', timeframe: '1d' })).bars[1]!;
      const inDay = all.filter((b) => b.time >= start + DAY && b.time < start + 2 * DAY);
      expect(day).toMatchObject({ open: inDay[0]!.open, close: inDay.at(-1)!.close, high: Math.max(...inDay.map((b) => b.high)) });
      expect(await md.coverage('CMP')).toEqual([
        { symbol: 'CMP', timeframe: '1m', source: 'a', first: history[0]!.time, last: history.at(-1)!.time, count: history.length - repair.length - corrected.length },
        { symbol: 'CMP', timeframe: '1m', source: 'b', first: edges[0]!.time, last: edges.at(-1)!.time, count: repair.length + corrected.length },
      ]);
    });
  });

  describe('a database made a hypertable by an earlier version (7-day chunks)', () => {
    it('is rebuilt in yearly chunks at start-up, keeping every bar and its rollups', async () => {
      const t = await target();
      try {
        const first = await t.open();
        const daily = metaTraderDailyBars();
        await first.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'mt4', bars: daily });
        const before = (await first.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1w' })).bars;
        await first.close();
        // The old layout: 7-day chunks and TimescaleDB's default index on time.
        await t.sql('CREATE TABLE old_bars AS SELECT * FROM market_data');
        await t.sql('DROP TABLE market_data');
        await t.sql('CREATE TABLE market_data (LIKE old_bars)');
        await t.sql('ALTER TABLE market_data ADD CONSTRAINT market_data_symbol_timeframe_time_pk PRIMARY KEY (symbol, timeframe, time)');
        await t.sql("SELECT create_hypertable('market_data', by_range('time', 604800000::bigint))");
        await t.sql('INSERT INTO market_data SELECT * FROM old_bars');
        await t.sql('DROP TABLE old_bars');
        expect(Number((await t.sql("SELECT count(*) AS n FROM show_chunks('market_data')"))[0]!.n)).toBeGreaterThan(1000);

        const upgraded = await t.open();
        try {
          expect(upgraded.mode).toBe('timescaledb');
          const chunks = Number((await t.sql("SELECT count(*) AS n FROM show_chunks('market_data')"))[0]!.n);
          expect(chunks).toBeLessThanOrEqual(22);
          expect(await upgraded.marketData.countBars()).toBe(daily.length);
          expect((await upgraded.marketData.queryBars({ symbol: 'XAUUSD', timeframe: '1w' })).bars).toEqual(before);
          const last = daily.at(-1)!;
          expect(await upgraded.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1d', source: 'mt4', bars: [{ ...last, close: last.close + 1 }] })).toEqual({
            inserted: 0,
            updated: 1,
            unchanged: 0,
          });
        } finally {
          await upgraded.close();
        }
      } finally {
        await t.dispose();
      }
    });
  });
});
