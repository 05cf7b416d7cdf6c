/**
 * `npm run bench`: measures what traders feel, each figure beside a baseline taken in the
 * same run on the same machine. Prints a table and writes bench-results/bench-<time>.json.
 *
 *   METALYTICS_BENCH_BARS      stored 1m bars for the chart-query figures (default 10,000,000)
 *   METALYTICS_BENCH_PG_BARS   the same on Postgres (default 10,000,000)
 *   METALYTICS_BENCH_INSERT    bars for the insert-rate comparison (default 1,000,000)
 *   METALYTICS_BENCH_BACKFILL_BARS  1m bars backfilled end to end per dialect (default 5,000,000)
 *   METALYTICS_BENCH_MIXED_MINUTES  1m bars stored beside 21 years of daily bars (default 1,000,000)
 *   METALYTICS_BENCH_STORAGE_ONLY=1 only the storage figures (ingest, chart queries, compression), for quick runs
 *   METALYTICS_BENCH_DIALECTS  engines to measure (default sqlite,postgres,timescaledb)
 *   METALYTICS_BENCH_MODELS_ONLY=1 only the model figures (training per tfjs backend, the worker), for quick runs
 *   METALYTICS_BENCH_BACKUP_ONLY=1 only the backup figures, for quick runs (sizes: see backup-bench.ts)
 *   METALYTICS_BENCH_PAINT_ONLY=1 only the chart figures in Chromium (cold start, request to paint, live bars) over
 *                              METALYTICS_BENCH_BARS stored 1m bars on SQLite, for quick runs
 *   METALYTICS_BENCH_SYNC_ONLY=1 only the offline-cache sync figures, for quick runs (sizes: see sync-bench.ts)
 *   METALYTICS_BENCH_STARTUP_ONLY=1 only `metalytics --help`, `serve` start-up and the renderer's first load (rounds: METALYTICS_BENCH_STARTUP_ROUNDS)
 *
 * The same figures run on SQLite, embedded Postgres and, when ../shared/tools/timescaledb
 * is installed, a real TimescaleDB (skipped with a note otherwise). Besides the 1m history
 * the chart queries read the 21-year daily series (xauusd-1d-mt4.csv), and on TimescaleDB
 * they run again after every chunk is compressed.
 *
 * Needs the built renderer for the cold-start figure (`npm run bench` builds it).
 */
import fs from 'node:fs';
import pg from 'pg';
import os from 'node:os';
import path from 'node:path';
import type { Timeframe } from '../../src/shared/timeframes';
import { openStorage } from '../../src/core/storage/open-storage';
import type { Storage } from '../../src/core/storage/types';
import { silentLogger } from '../support/silent-logger';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { metaTraderDailyBars } from '../support/shared-data';
import { startTestTimescale, timescaleInstalled } from '../support/timescale';
import { benchBackup } from './backup-bench';
import { BACKFILL_BARS, backfillRow, benchBackfill, startBenchProvider } from './backfill-bench';
import { benchChartPaint } from './chart-paint';
import { benchConcurrentClients } from './concurrent-clients';
import { benchIndicators } from './indicators-bench';
import { benchMixedBases } from './mixed-bases-bench';
import { benchModels } from './models-bench';
import { benchSync } from './sync-bench';
import { benchRendererBundle, benchStartup } from './startup-bench';
import { benchOutputValidation } from './output-validation-bench';
import { queryLatency } from './query-latency';
import { loopColumns, watchEventLoop } from './loop-watch';
import { rawPostgresInsertRate, rawSqliteInsertRate, tempDir } from './raw-insert';
import { formatRate, machine, percentile, syntheticMinuteBars } from './stats';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const QUERY_BARS = env('METALYTICS_BENCH_BARS', 10_000_000);
const PG_QUERY_BARS = env('METALYTICS_BENCH_PG_BARS', 10_000_000);
const INSERT_BARS = env('METALYTICS_BENCH_INSERT', 1_000_000);
const MIXED_MINUTES = env('METALYTICS_BENCH_MIXED_MINUTES', 1_000_000);
const STORAGE_ONLY = process.env.METALYTICS_BENCH_STORAGE_ONLY === '1';
const MODELS_ONLY = process.env.METALYTICS_BENCH_MODELS_ONLY === '1';
const BACKUP_ONLY = process.env.METALYTICS_BENCH_BACKUP_ONLY === '1';
const PAINT_ONLY = process.env.METALYTICS_BENCH_PAINT_ONLY === '1';
const SYNC_ONLY = process.env.METALYTICS_BENCH_SYNC_ONLY === '1';
const STARTUP_ONLY = process.env.METALYTICS_BENCH_STARTUP_ONLY === '1';
const DAILY_SYMBOL = 'XAUUSD.D';
const DIALECTS = (process.env.METALYTICS_BENCH_DIALECTS ?? 'sqlite,postgres,timescaledb').split(',');
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

type Purpose = 'insert' | 'fill';
type Dialect = 'sqlite' | 'postgres' | 'timescaledb';

/** Chart queries over the 1m history and the 21-year daily series stored beside it. */
async function chartQueries(dialect: string, storage: Storage, queryBars: number) {
  for (const timeframe of ['1m', '1h', '1d', '1w'] as const) {
    const latency = await queryLatency(storage, SYMBOL, { start: START, end: START + queryBars * 60_000 }, timeframe);
    record({ figure: 'chart-query', dialect, series: `${queryBars} 1m`, timeframe, candles: latency.returned, p50ms: latency.p50.toFixed(1), p95ms: latency.p95.toFixed(1) });
  }
  const daily = metaTraderDailyBars();
  for (const timeframe of ['1d', '1w', '1M'] as const) {
    const latency = await queryLatency(storage, DAILY_SYMBOL, { start: daily[0]!.time, end: daily.at(-1)!.time }, timeframe);
    record({ figure: 'chart-query', dialect, series: '21y 1d', timeframe, candles: latency.returned, p50ms: latency.p50.toFixed(1), p95ms: latency.p95.toFixed(1) });
  }
}

/** Compresses every chunk of market_data, as the policy does to chunks a month past their year, and reports the sizes. */
async function compressAll(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query("SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('market_data') c");
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query<{ before: string; after: string }>(
      "SELECT before_compression_total_bytes AS before, after_compression_total_bytes AS after FROM hypertable_compression_stats('market_data')",
    );
    const chunks = await client.query("SELECT 1 FROM show_chunks('market_data')");
    const before = Number(rows[0]!.before);
    const after = Number(rows[0]!.after);
    return { seconds, before, after, chunks: chunks.rowCount ?? 0 };
  } finally {
    await client.end();
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Ingest and fill figures, then chart queries; the filled storage stays open for the caller. */
async function benchDialect(dialect: Dialect, open: (purpose: Purpose) => Promise<{ storage: Storage; url?: string }>, rawRate: number, queryBars: number) {
  const { storage: insertStorage } = await open('insert');
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

  const { storage, url } = await open('fill');
  const fill = await repositoryUpsert(storage, queryBars);
  record({ figure: 'fill', dialect, bars: queryBars, seconds: fill.seconds.toFixed(1), rate: formatRate(fill.rate), ...loopColumns(fill.loop) });
  await storage.marketData.upsertBars({ symbol: DAILY_SYMBOL, timeframe: '1d', source: 'bench', bars: metaTraderDailyBars() });
  await chartQueries(dialect, storage, queryBars);
  for (const row of await benchMixedBases(storage, dialect, MIXED_MINUTES)) record(row);
  return { storage, url };
}

/** Ingest and chart queries on a Postgres server (embedded, or TimescaleDB), beside its own raw insert rate. */
async function benchServer(dialect: Exclude<Dialect, 'sqlite'>, server: TestPostgres) {
  const rawRate = await rawPostgresInsertRate(await server.createDatabaseUrl(), INSERT_BARS);
  return benchDialect(
    dialect,
    async () => {
      const url = await server.createDatabaseUrl();
      return { storage: await openStorage({ dataDir: os.tmpdir(), databaseUrl: url, logger: silentLogger() }), url };
    },
    rawRate,
    PG_QUERY_BARS,
  );
}

type Engine = { dialect: string; storage: Storage };

/**
 * TimescaleDB against plain Postgres with the two taking turns, chunk by chunk and query by
 * query, so a machine whose load changes during the run (shared CI runners, other
 * processes) weighs on both alike. The ratios come from here.
 */
async function interleavedIngest(engines: readonly Engine[]) {
  const seconds = engines.map(() => 0);
  for (const bars of syntheticMinuteBars(START, INSERT_BARS, CHUNK)) {
    for (const [i, { storage }] of engines.entries()) {
      const started = performance.now();
      await storage.marketData.upsertBars({ symbol: SYMBOL, timeframe: '1m', source: 'bench', bars });
      seconds[i]! += (performance.now() - started) / 1000;
    }
  }
  return seconds.map((s) => INSERT_BARS / s);
}

async function interleavedQueries(engines: readonly Engine[], label: string) {
  const daily = metaTraderDailyBars();
  const cases: { series: string; symbol: string; span: { start: number; end: number }; timeframe: Timeframe }[] = [
    ...(['1m', '1h', '1d', '1w'] as const).map((timeframe) => ({
      series: `${PG_QUERY_BARS} 1m`,
      symbol: SYMBOL,
      span: { start: START, end: START + PG_QUERY_BARS * 60_000 },
      timeframe,
    })),
    ...(['1d', '1w', '1M'] as const).map((timeframe) => ({ series: '21y 1d', symbol: DAILY_SYMBOL, span: { start: daily[0]!.time, end: daily.at(-1)!.time }, timeframe })),
  ];
  for (const { series, symbol, span, timeframe } of cases) {
    const samples = engines.map(() => [] as number[]);
    let state = 11;
    for (let i = 0; i < QUERIES_PER_TIMEFRAME + 3; i++) {
      state = (state * 48_271) % 2_147_483_647;
      const to = span.start + Math.floor((state / 2_147_483_647) * (span.end - span.start) * 0.5 + (span.end - span.start) * 0.5);
      for (const [e, { storage }] of engines.entries()) {
        const started = performance.now();
        await storage.marketData.queryBars({ symbol, timeframe, to, limit: 2_000 });
        if (i >= 3) samples[e]!.push(performance.now() - started);
      }
    }
    const stats = samples.map((list) => list.sort((a, b) => a - b)).map((list) => ({ p50: percentile(list, 50), p95: percentile(list, 95) }));
    const row: Row = { figure: 'interleaved-chart-query', timescaledb: label, series, timeframe };
    for (const [e, { dialect }] of engines.entries()) {
      row[`${dialect} p50/p95 ms`] = `${stats[e]!.p50.toFixed(1)}/${stats[e]!.p95.toFixed(1)}`;
    }
    row.p95ratio = (stats[1]!.p95 / stats[0]!.p95).toFixed(2);
    record(row);
  }
}

/** Postgres then TimescaleDB figures, then the two side by side, then TimescaleDB compressed. */
async function benchPostgresAndTimescale(provider: Awaited<ReturnType<typeof startBenchProvider>> | undefined) {
  const postgres = DIALECTS.includes('postgres') ? await startTestPostgres() : undefined;
  const timescale = DIALECTS.includes('timescaledb') && timescaleInstalled() ? await startTestTimescale() : undefined;
  if (DIALECTS.includes('timescaledb') && !timescale) console.log('TimescaleDB column skipped: run `bash ../shared/tools/timescaledb/install.sh` as root to add it.');
  const opened: Storage[] = [];
  try {
    const filled: Engine[] = [];
    if (postgres) {
      const { storage } = await benchServer('postgres', postgres);
      opened.push(storage);
      filled.push({ dialect: 'postgres', storage });
      if (provider) {
        const rawRate = await rawPostgresInsertRate(await postgres.createDatabaseUrl(), INSERT_BARS);
        record(backfillRow('postgres', await benchBackfill(provider, await postgres.createDatabaseUrl(), BACKFILL_BARS), rawRate));
      }
    }
    if (!timescale) return;
    const { storage, url } = await benchServer('timescaledb', timescale);
    opened.push(storage);
    filled.push({ dialect: 'timescaledb', storage });
    if (postgres) {
      const fresh: Engine[] = [];
      for (const [dialect, server] of [['postgres', postgres], ['timescaledb', timescale]] as const) {
        const freshStorage = await openStorage({ dataDir: os.tmpdir(), databaseUrl: await server.createDatabaseUrl(), logger: silentLogger() });
        opened.push(freshStorage);
        fresh.push({ dialect, storage: freshStorage });
      }
      const [pgRate, tsRate] = await interleavedIngest(fresh);
      record({ figure: 'interleaved-ingest', bars: INSERT_BARS, postgres: formatRate(pgRate!), timescaledb: formatRate(tsRate!), ratio: (tsRate! / pgRate!).toFixed(2) });
      await interleavedQueries(filled, 'uncompressed');
    }
    const compression = await compressAll(url!);
    record({
      figure: 'compression',
      dialect: 'timescaledb',
      bars: PG_QUERY_BARS + metaTraderDailyBars().length,
      chunks: compression.chunks,
      seconds: compression.seconds.toFixed(1),
      before: mib(compression.before),
      after: mib(compression.after),
      ratio: (compression.before / compression.after).toFixed(1),
    });
    await chartQueries('timescaledb compressed', storage, PG_QUERY_BARS);
    if (postgres) await interleavedQueries(filled, 'compressed');
  } finally {
    for (const storage of opened) await storage.close();
    await postgres?.stop();
    await timescale?.stop();
  }
}

async function main() {
  const info = machine();
  console.log(`Metalytics bench on ${info.cpu} (${info.cores} cores, ${info.memoryGiB} GiB), ${info.platform}, Node ${info.node}\n`);

  if (MODELS_ONLY) {
    for (const row of await benchModels()) record(row);
    return report(info);
  }
  if (BACKUP_ONLY) {
    for (const row of await benchBackup(DIALECTS)) record(row);
    return report(info);
  }
  if (SYNC_ONLY) {
    for (const row of await benchSync(DIALECTS)) record(row);
    return report(info);
  }
  // Compiled CLI and server start-up beside `node -e 0`, and the renderer's first-load JavaScript.
  if (!STORAGE_ONLY && !PAINT_ONLY) {
    for (const row of await benchStartup()) record(row);
    record(benchRendererBundle());
  }
  if (STARTUP_ONLY) return report(info);

  if (PAINT_ONLY) {
    const dir = tempDir('metalytics-bench-paint-');
    try {
      const storage = await openStorage({ dataDir: dir, logger: silentLogger() });
      await repositoryUpsert(storage, QUERY_BARS);
      await storage.close();
      for (const row of await benchChartPaint(dir, QUERY_BARS)) record(row);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return report(info);
  }

  const sqliteDirs = new Map<Purpose, string>();
  const openSqlite = async (purpose: Purpose) => {
    const dir = tempDir('metalytics-bench-sqlite-');
    sqliteDirs.set(purpose, dir);
    return { storage: await openStorage({ dataDir: dir, logger: silentLogger() }) };
  };
  const sqliteRawRate = DIALECTS.includes('sqlite') ? rawSqliteInsertRate(INSERT_BARS) : 0;
  if (DIALECTS.includes('sqlite')) {
    await (await benchDialect('sqlite', openSqlite, sqliteRawRate, QUERY_BARS)).storage.close();
    if (!STORAGE_ONLY) {
      // The filled history doubles as the data folder of a real `metalytics serve` for the UI figure.
      for (const row of await benchChartPaint(sqliteDirs.get('fill')!, QUERY_BARS)) record(row);
      record(await benchConcurrentClients(sqliteDirs.get('fill')!, SYMBOL, QUERY_BARS));
    }
    for (const dir of sqliteDirs.values()) fs.rmSync(dir, { recursive: true, force: true });
  }

  // Indicator throughput beside a plain pass over the same closes, the floor any indicator sits on.
  if (!STORAGE_ONLY) for (const row of await benchIndicators()) record(row);
  // Chart replies through invoke with the development-only output check beside the same without it.
  if (!STORAGE_ONLY) for (const row of await benchOutputValidation()) record(row);
  // Training per tfjs backend against cpu, the main thread while the worker trains, forecast latency.
  if (!STORAGE_ONLY) for (const row of await benchModels()) record(row);
  // Backup, verify and restore rates beside SQLite's backup API alone, the main thread meanwhile, and the Postgres export beside COPY.
  if (!STORAGE_ONLY) for (const row of await benchBackup(DIALECTS)) record(row);
  // Rows/s pushed from an offline cache after an outage beside the raw insert on the same server.
  if (!STORAGE_ONLY) for (const row of await benchSync(DIALECTS)) record(row);

  const provider = STORAGE_ONLY ? undefined : await startBenchProvider();
  try {
    if (provider && DIALECTS.includes('sqlite')) record(backfillRow('sqlite', await benchBackfill(provider, undefined, BACKFILL_BARS), sqliteRawRate));
    await benchPostgresAndTimescale(provider);
  } finally {
    await provider?.stop();
  }

  report(info);
}

function report(info: ReturnType<typeof machine>) {
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
