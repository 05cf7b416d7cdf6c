/**
 * Data retention on a real TimescaleDB, every chunk compressed before it runs: the roll-up's
 * deletes and writes land in compressed chunks, as they would on a server whose compression
 * policy had compressed last year's minutes, and so do late upserts from a backfill.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameBars } from '../../contract/storage-contract';
import { describeRetention, MINUTE_SYMBOL, retentionClock, seedRetentionWorkspace } from '../../support/retention-checks';
import { createTestCore, type TestCore } from '../../support/test-core';
import { timescaleRunnable, useTestTimescale } from '../../support/timescale';

describe.skipIf(!timescaleRunnable())('data retention on TimescaleDB', () => {
  const timescale = useTestTimescale();
  const workspace = retentionClock();
  let test: TestCore;
  let databaseUrl: string;

  async function sql<T extends object>(text: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    databaseUrl = await timescale.createDatabaseUrl();
    test = await createTestCore({ databaseUrl, now: () => workspace.now });
    await seedRetentionWorkspace(test, workspace);
    await sql("SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('market_data') c");
  }, 120_000);
  afterAll(() => test?.cleanup());

  it('runs on TimescaleDB with every chunk of market_data compressed by symbol and timeframe, in time order, under a compression policy', async () => {
    expect(test.core.storage.mode).toBe('timescaledb');
    expect(await sql<{ n: number }>("SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'market_data' AND NOT is_compressed")).toEqual([{ n: 0 }]);
    const settings = await sql<{ attname: string; segmentby_column_index: number | null; orderby_column_index: number | null }>(
      "SELECT attname, segmentby_column_index, orderby_column_index FROM timescaledb_information.compression_settings WHERE hypertable_name = 'market_data' ORDER BY attname",
    );
    expect(settings.filter((s) => s.segmentby_column_index !== null).map((s) => s.attname).sort()).toEqual(['symbol', 'timeframe']);
    expect(settings.filter((s) => s.orderby_column_index !== null).map((s) => s.attname)).toEqual(['time']);
    expect(await sql<{ proc_name: string }>("SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name = 'market_data'")).toEqual([
      { proc_name: 'policy_compression' },
    ]);
  });

  describeRetention(() => ({ test: () => test, databaseUrl: () => databaseUrl, workspace }));

  it('takes a late upsert into an old, compressed range: a backfill correcting rolled-up hours', async () => {
    await sql("SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('market_data') c");
    const { bars } = await test.call('bars.query', { symbol: MINUTE_SYMBOL, timeframe: '1h', to: workspace.cutoff - 1 });
    expect(bars.length).toBeGreaterThan(100);
    const corrected = bars.slice(10, 20).map((bar) => ({ ...bar, close: bar.close + 0.5, high: Math.max(bar.high, bar.close + 0.5), volume: bar.volume + 1 }));
    const result = await test.core.storage.marketData.upsertBars({ symbol: MINUTE_SYMBOL, timeframe: '1h', source: 'binance', bars: corrected });
    expect(result).toEqual({ inserted: 0, updated: 10, unchanged: 0 });
    const after = await test.call('bars.query', { symbol: MINUTE_SYMBOL, timeframe: '1h', to: workspace.cutoff - 1 });
    expectSameBars(after.bars, [...bars.slice(0, 10), ...corrected, ...bars.slice(20)]);
  });
});
