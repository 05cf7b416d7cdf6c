/**
 * The real core on a real TimescaleDB: the shared price files go through the product's
 * importer, and what bars.query answers is checked against an independent reduce over the
 * same files (tests/support/shared-data.ts), before and after every chunk is compressed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeframe } from '../../src/shared/timeframes';
import { expectSameBars, referenceBars } from '../contract/storage-contract';
import { binanceHourlyBars, metaTraderDailyBars } from '../support/shared-data';
import { createTestCore, type TestCore } from '../support/test-core';
import { timescaleRunnable, useTestTimescale } from '../support/timescale';

describe.skipIf(!timescaleRunnable())('bars.query through the core on TimescaleDB', () => {
  const timescale = useTestTimescale();
  let test: TestCore;
  let databaseUrl: string;
  const daily = metaTraderDailyBars();
  // The importer rejects rows whose high or low does not contain open and close (the file has 1,972).
  const hourly = binanceHourlyBars().filter((b) => b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close));

  beforeAll(async () => {
    databaseUrl = await timescale.createDatabaseUrl();
    test = await createTestCore({ databaseUrl });
    await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
    await test.importRealFile('btcusdt-1h.csv', 'BTCUSDT');
  }, 120_000);
  afterAll(() => test?.cleanup());

  const answers: [string, Timeframe, typeof daily][] = [
    ['XAUUSD', '1d', daily],
    ['XAUUSD', '1w', daily],
    ['XAUUSD', '1M', daily],
    ['BTCUSDT', '1h', hourly],
    ['BTCUSDT', '4h', hourly],
    ['BTCUSDT', '1d', hourly],
    ['BTCUSDT', '1w', hourly],
  ];

  async function expectAnswersMatchTheFiles() {
    for (const [symbol, timeframe, rows] of answers) {
      const expected = referenceBars(rows, timeframe);
      expectSameBars((await test.call('bars.query', { symbol, timeframe })).bars, expected);
      expectSameBars((await test.call('bars.query', { symbol, timeframe, limit: 300 })).bars, expected.slice(-300));
    }
  }

  it('runs on TimescaleDB and answers every timeframe as an independent reduce over the files', async () => {
    expect(test.core.storage.mode).toBe('timescaledb');
    expect(hourly).toHaveLength(35_422);
    await expectAnswersMatchTheFiles();
  });

  it('answers the same once every chunk is compressed, and a re-import into compressed chunks changes nothing', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query("SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('market_data') c");
      const { rows } = await client.query("SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'market_data' AND NOT is_compressed");
      expect(rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
    await expectAnswersMatchTheFiles();
    const again = await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: daily.length });
    await expectAnswersMatchTheFiles();
  });
});
