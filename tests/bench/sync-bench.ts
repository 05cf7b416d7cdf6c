/**
 * Rows/s pushed after an outage: a desktop's cache holds the minute bars (and a few other rows)
 * it stored while the team database was away; `synchronise` pushes its outbox into the primary.
 * Set beside the engine's raw insert of the same bars on the same server (raw-insert.ts) and
 * the repository's own upsert, with the pull that follows timed on its own.
 *
 *   METALYTICS_BENCH_SYNC_BARS  1m bars written offline (default 200,000)
 */
import fs from 'node:fs';
import path from 'node:path';
import { openPostgresStorage } from '../../src/core/storage/pg-storage';
import { openSqliteStorage } from '../../src/core/storage/sqlite-storage';
import { pendingChanges, prepareCache, synchronise } from '../../src/core/sync/cache-sync';
import { silentLogger } from '../support/silent-logger';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { startTestTimescale, timescaleInstalled } from '../support/timescale';
import { rawPostgresInsertRate, tempDir } from './raw-insert';
import { formatRate, syntheticMinuteBars } from './stats';

const SYNC_BARS = Number(process.env.METALYTICS_BENCH_SYNC_BARS ?? 200_000);
const START = Date.UTC(2015, 0, 5);
const CHUNK = 5_000;

type Row = Record<string, string | number>;

async function pushAfterOutage(dialect: string, server: TestPostgres): Promise<Row> {
  const rawRate = await rawPostgresInsertRate(await server.createDatabaseUrl(), SYNC_BARS);
  const primary = await openPostgresStorage(await server.createDatabaseUrl(), silentLogger());
  const dir = tempDir('metalytics-bench-sync-');
  const cache = await openSqliteStorage(path.join(dir, 'cache.db'), silentLogger());
  try {
    await prepareCache(cache);
    // The outage: bars ingested into the cache, each recorded in the outbox by its trigger.
    const outageStarted = performance.now();
    for (const bars of syntheticMinuteBars(START, SYNC_BARS, CHUNK)) await cache.marketData.upsertBars({ symbol: 'XAUUSD', timeframe: '1m', source: 'bench', bars });
    const cacheSeconds = (performance.now() - outageStarted) / 1000;
    for (let i = 0; i < 100; i++) await cache.alerts.raise({ createdAt: START + i, severity: 'info', source: 'bench', message: `offline ${i}` });
    const outbox = await pendingChanges(cache);

    const started = performance.now();
    let pushEnded = 0;
    const outcome = await synchronise({
      primary,
      cache,
      scope: [{ symbol: 'XAUUSD', timeframes: ['1m'], days: null }],
      dataDir: dir,
      desktop: 'bench',
      now: Date.now,
      logger: silentLogger(),
      onProgress: ({ phase }) => {
        if (phase === 'pull' && pushEnded === 0) pushEnded = performance.now();
      },
    });
    const pushSeconds = (pushEnded - started) / 1000;
    const pullSeconds = (performance.now() - pushEnded) / 1000;

    // The repository's own write path on a fresh series of the same size, for scale.
    const upsertStarted = performance.now();
    for (const bars of syntheticMinuteBars(START, SYNC_BARS, CHUNK)) await primary.marketData.upsertBars({ symbol: 'XAUEUR', timeframe: '1m', source: 'bench', bars });
    const upsertRate = SYNC_BARS / ((performance.now() - upsertStarted) / 1000);

    const pushRate = outcome.pushedRows / pushSeconds;
    return {
      figure: 'sync-push',
      dialect,
      outbox,
      pushed: outcome.pushedRows,
      pushSeconds: pushSeconds.toFixed(1),
      pushRate: formatRate(pushRate),
      upsertRate: formatRate(upsertRate),
      rawRate: formatRate(rawRate),
      ofRaw: `${((100 * pushRate) / rawRate).toFixed(0)}%`,
      pullSeconds: pullSeconds.toFixed(1),
      rangesCompared: outcome.rangesCompared,
      rangesMoved: outcome.rangesMoved,
      offlineCacheRate: formatRate(SYNC_BARS / cacheSeconds),
    };
  } finally {
    await cache.close();
    await primary.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The push figure on each requested server engine. */
export async function benchSync(dialects: readonly string[]): Promise<Row[]> {
  const results: Row[] = [];
  const engines: [string, () => Promise<TestPostgres>][] = [
    ['postgres', startTestPostgres],
    ['timescaledb', startTestTimescale],
  ];
  for (const [dialect, start] of engines) {
    if (!dialects.includes(dialect)) continue;
    if (dialect === 'timescaledb' && !timescaleInstalled()) {
      console.log('sync-push on TimescaleDB skipped: ../shared/tools/timescaledb is not installed');
      continue;
    }
    const server = await start();
    try {
      results.push(await pushAfterOutage(dialect, server));
    } finally {
      await server.stop();
    }
  }
  return results;
}
