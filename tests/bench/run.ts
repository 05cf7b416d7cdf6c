/**
 * `npm run bench`: measures what traders feel, each figure beside a baseline taken in the
 * same run on the same machine. Prints a table and writes bench-results/bench-<time>.json.
 *
 *   METALYTICS_BENCH_BARS      stored 1m bars for the chart-query figures (default 10,000,000)
 *   METALYTICS_BENCH_PG_BARS   the same on Postgres (default 10,000,000)
 *   METALYTICS_BENCH_INSERT    bars for the insert-rate comparison (default 1,000,000)
 *   METALYTICS_BENCH_BACKFILL_BARS  1m bars backfilled end to end per dialect (default 5,000,000)
 *   METALYTICS_BENCH_MIXED_MINUTES  1m bars stored beside 21 years of daily bars (default 1,000,000)
 *
 * Needs the built renderer for the cold-start figure (`npm run bench` builds it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Timeframe } from '../../src/shared/timeframes';
import { openStorage } from '../../src/core/storage/open-storage';
import type { Storage } from '../../src/core/storage/types';
import { silentLogger } from '../support/silent-logger';
import { startTestPostgres } from '../support/postgres';
import { BACKFILL_BARS, backfillRow, benchBackfill, startBenchProvider } from './backfill-bench';
import { benchChartPaint } from './chart-paint';
import { benchIndicators } from './indicators-bench';
import { benchMixedBases } from './mixed-bases-bench';
import { loopColumns, watchEventLoop } from './loop-watch';
import { rawPostgresInsertRate, rawSqliteInsertRate, tempDir } from './raw-insert';
import { formatRate, machine, percentile, syntheticMinuteBars } from './stats';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const QUERY_BARS = env('METALYTICS_BENCH_BARS', 10_000_000);
const PG_QUERY_BARS = env('METALYTICS_BENCH_PG_BARS', 10_000_000);
const INSERT_BARS = env('METALYTICS_BENCH_INSERT', 1_000_000);
const MIXED_MINUTES = env('METALYTICS_BENCH_MIXED_MINUTES', 1_000_000);
const CHUNK = 5_000;
const QUERIES_PER_TIMEFRAME = 40;
const START = Date.UTC(2005, 0, 3);
const SYMBOL = 'XAUUSD';

type Row = Record<string, string | number>;
const rows: Row[] = [];
const record = (row: Row) => {
  rows.push(row);
  console.log(Object.entries(row).map(([k, v]) => `${k}=${v}`).join('  '));
};

/** Our write path: validated upserts with rollups, chunked; also watches the event loop while it runs. */
async function repositoryUpsert(storage: Storage, count: number) {
  const watch = watchEventLoop();
  const started = performance.now();
  for (const bars of syntheticMinuteBars(START, count, CHUNK)) {
    await storage.marketData.upsertBars({ symbol: SYMBOL, timeframe: '1m', source: 'bench', bars });
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, seconds, loop: watch.stop() };
}

/** p50/p95 of 2,000-candle chart queries at random points of the stored history. */
async function queryLatency(storage: Storage, stored: number, timeframe: Timeframe) {
  const end = START + stored * 60_000;
  const samples: number[] = [];
  let returned = 0;
  let state = 7;
  for (let i = 0; i < QUERIES_PER_TIMEFRAME + 3; i++) {
    state = (state * 48_271) % 2_147_483_647;
    const to = START + Math.floor((state / 2_147_483_647) * (end - START) * 0.5 + (end - START) * 0.5);
    const started = performance.now();
    const { bars } = await storage.marketData.queryBars({ symbol: SYMBOL, timeframe, to, limit: 2_000 });
    const ms = performance.now() - started;
    if (i >= 3) samples.push(ms); // the first queries warm caches and statement plans
    returned = Math.max(returned, bars.length);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), returned };
}

type Purpose = 'insert' | 'fill';

async function benchDialect(dialect: 'sqlite' | 'postgres', open: (purpose: Purpose) => Promise<Storage>, rawRate: number, queryBars: number) {
  const insertStorage = await open('insert');
  const upsert = await repositoryUpsert(insertStorage, INSERT_BARS);
  await insertStorage.close();
  record({
    figure: 'ingest',
    dialect,
    bars: INSERT_BARS,
    rawInsert: formatRate(rawRate),
    repositoryUpsert: formatRate(upsert.rate),
    ratio: (upsert.rate / rawRate).toFixed(2),
  });

  const storage = await open('fill');
  const fill = await repositoryUpsert(storage, queryBars);
  record({ figure: 'fill', dialect, bars: queryBars, seconds: fill.seconds.toFixed(1), rate: formatRate(fill.rate), ...loopColumns(fill.loop) });
  for (const timeframe of ['1m', '1h', '1d', '1w'] as const) {
    const latency = await queryLatency(storage, queryBars, timeframe);
    record({ figure: 'chart-query', dialect, storedBars: queryBars, timeframe, candles: latency.returned, p50ms: latency.p50.toFixed(1), p95ms: latency.p95.toFixed(1) });
  }
  for (const row of await benchMixedBases(storage, dialect, MIXED_MINUTES)) record(row);
  await storage.close();
}

async function main() {
  const info = machine();
  console.log(`Metalytics bench on ${info.cpu} (${info.cores} cores, ${info.memoryGiB} GiB), ${info.platform}, Node ${info.node}\n`);

  const sqliteDirs = new Map<Purpose, string>();
  const openSqlite = (purpose: Purpose) => {
    const dir = tempDir('metalytics-bench-sqlite-');
    sqliteDirs.set(purpose, dir);
    return openStorage({ dataDir: dir, logger: silentLogger() });
  };
  const sqliteRawRate = rawSqliteInsertRate(INSERT_BARS);
  await benchDialect('sqlite', openSqlite, sqliteRawRate, QUERY_BARS);
  // The filled history doubles as the data folder of a real `metalytics serve` for the UI figure.
  for (const row of await benchChartPaint(sqliteDirs.get('fill')!, QUERY_BARS)) record(row);
  for (const dir of sqliteDirs.values()) fs.rmSync(dir, { recursive: true, force: true });

  // Indicator throughput beside a plain pass over the same closes, the floor any indicator sits on.
  for (const row of await benchIndicators()) record(row);

  const provider = await startBenchProvider();
  try {
    record(backfillRow('sqlite', await benchBackfill(provider, undefined, BACKFILL_BARS), sqliteRawRate));
    const postgres = await startTestPostgres();
    try {
      const rawRate = await rawPostgresInsertRate(await postgres.createDatabaseUrl(), INSERT_BARS);
      await benchDialect('postgres', async () => openStorage({ dataDir: os.tmpdir(), databaseUrl: await postgres.createDatabaseUrl(), logger: silentLogger() }), rawRate, PG_QUERY_BARS);
      record(backfillRow('postgres', await benchBackfill(provider, await postgres.createDatabaseUrl(), BACKFILL_BARS), rawRate));
    } finally {
      await postgres.stop();
    }
  } finally {
    await provider.stop();
  }

  const outDir = path.resolve('bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: info, at: new Date().toISOString(), results: rows }, null, 2));
  console.log('\n' + formatTable(rows));
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

/** One aligned table per figure, columns in the order the rows were recorded. */
function formatTable(table: Row[]): string {
  const figures = [...new Set(table.map((row) => String(row.figure)))];
  return figures
    .map((figure) => {
      const group = table.filter((row) => row.figure === figure);
      const columns = Object.keys(group[0]!).filter((key) => key !== 'figure');
      const cells = [columns, ...group.map((row) => columns.map((key) => String(row[key] ?? '')))];
      const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
      const lines = cells.map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
      return [`## ${figure}`, lines[0], widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1)].join('\n');
    })
    .join('\n\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
