/**
 * End-to-end backfill: the fake Polygon server on loopback (in a process of its own, as a
 * real provider is remote) → HTTP client → adapter parse (zod) → validation → upsert with
 * checkpoint, through the `backfill.start` RPC of a real core running in this process, as
 * it runs in the Electron main process or `metalytics serve`. Reports bars per second and
 * the event loop's delay while the bars flow.
 *
 * The provider rate limit is off (METALYTICS_POLYGON_RATE_LIMIT=0 through the core's
 * environment port), so the figure is our pipeline's, not Polygon's free-tier 5 requests
 * a minute. With requests that cheap the adapter asks for 10,000-bar pages, as it does on a
 * paid plan (on the free plan it asks for the API's largest, 50,000).
 *
 *   METALYTICS_BENCH_BACKFILL_BARS   1m bars backfilled per dialect (default 5,000,000)
 *
 * Run alone (`npx tsx tests/bench/backfill-bench.ts`) it measures both dialects beside
 * their raw insert rates (METALYTICS_BENCH_INSERT bars, default 1,000,000), or those listed
 * in METALYTICS_BENCH_DIALECTS (`sqlite`, `postgres`); e.g. under `node --cpu-prof --import tsx`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Core } from '../../src/core/create-core';
import type { EventPayload } from '../../src/shared/contract';
import { startTestPostgres } from '../support/postgres';
import { createTestCore, invokeOk } from '../support/test-core';
import { loopColumns, watchEventLoop, type LoopFigures } from './loop-watch';
import { rawPostgresInsertRate, rawSqliteInsertRate } from './raw-insert';
import { formatRate, machine } from './stats';

export const BACKFILL_BARS = Number(process.env.METALYTICS_BENCH_BACKFILL_BARS ?? 5_000_000);

const MINUTE = 60_000;
/** The fake server's "now"; the core's clock starts there too, so Polygon's two-year depth is measured from the same day. */
const NOW = Date.UTC(2025, 1, 20, 12);
const TO = Date.UTC(2025, 1, 20);
/**
 * Polygon keeps two years of minute bars (1,051,200 of them), so 5M bars are backfilled as
 * several instruments of up to 1M bars each, all 24/7 on the fake server, one after the
 * other as the core runs one provider's backfills.
 */
const BARS_PER_SYMBOL = 1_000_000;
const SYMBOLS = ['XAUUSD', 'XAGUSD', 'XPTUSD', 'XPDUSD', 'BTCUSD', 'ETHUSD'];

export interface BenchProvider {
  polygonBaseUrl: string;
  polygonKey: string;
  stop(): Promise<void>;
}

/** Starts the fake provider server in a child process and waits for its address. */
export async function startBenchProvider(): Promise<BenchProvider> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-provider-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(NOW)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the fake provider process exited with code ${code} before it listened`);
  });
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited])) as [string];
  const address = JSON.parse(line) as { polygonBaseUrl: string; polygonKey: string };
  return {
    ...address,
    stop: async () => {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}

export interface BackfillFigures {
  bars: number;
  seconds: number;
  rate: number;
  loop: LoopFigures;
}

function jobEnding(core: Core, jobId: string): Promise<EventPayload<'job.finished'>> {
  return new Promise((resolve) => {
    const unsubscribe = core.events.subscribe((message) => {
      if (message.name === 'job.finished' && message.payload.jobId === jobId) {
        unsubscribe();
        resolve(message.payload);
      }
    });
  });
}

/**
 * Backfills `bars` minute bars through a fresh core on SQLite (no `databaseUrl`) or the
 * given Postgres database, watching this process's event loop the whole time.
 */
export async function benchBackfill(provider: BenchProvider, databaseUrl: string | undefined, bars: number): Promise<BackfillFigures> {
  const startedAt = Date.now();
  const test = await createTestCore({
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    environment: {
      METALYTICS_POLYGON_BASE_URL: provider.polygonBaseUrl,
      METALYTICS_POLYGON_API_KEY: provider.polygonKey,
      METALYTICS_POLYGON_RATE_LIMIT: '0',
    },
    now: () => NOW + (Date.now() - startedAt),
  });
  try {
    const watch = watchEventLoop();
    const started = performance.now();
    let stored = 0;
    for (let offset = 0, i = 0; offset < bars; offset += BARS_PER_SYMBOL, i++) {
      const symbol = SYMBOLS[i];
      if (symbol === undefined) throw new Error(`at most ${SYMBOLS.length * BARS_PER_SYMBOL} bars can be backfilled in this bench`);
      const count = Math.min(BARS_PER_SYMBOL, bars - offset);
      const { jobId } = await invokeOk(test.core, 'backfill.start', { provider: 'polygon', symbol, timeframe: '1m', from: TO - count * MINUTE, to: TO });
      const ending = await jobEnding(test.core, jobId);
      if (ending.status !== 'succeeded') throw new Error(`the ${symbol} backfill ended ${ending.status}: ${ending.error}`);
      stored += ending.rows;
    }
    const seconds = (performance.now() - started) / 1000;
    const loop = watch.stop();
    // A bench that stored less than it says would report a rate for work it did not do.
    if (stored !== bars) throw new Error(`the backfills stored ${stored} bars, not ${bars}`);
    return { bars, seconds, rate: bars / seconds, loop };
  } finally {
    await test.cleanup();
  }
}

/** One result row: the end-to-end rate beside the raw engine insert rate of the same run. */
export function backfillRow(dialect: 'sqlite' | 'postgres', figures: BackfillFigures, rawRate: number): Record<string, string | number> {
  return {
    figure: 'backfill',
    dialect,
    bars: figures.bars,
    seconds: figures.seconds.toFixed(1),
    endToEnd: formatRate(figures.rate),
    rawInsert: formatRate(rawRate),
    ratio: (figures.rate / rawRate).toFixed(2),
    ...loopColumns(figures.loop),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const info = machine();
  console.log(`backfill bench on ${info.cpu} (${info.cores} cores, ${info.memoryGiB} GiB), ${info.platform}, Node ${info.node}`);
  const rawBars = Number(process.env.METALYTICS_BENCH_INSERT ?? 1_000_000);
  const dialects = (process.env.METALYTICS_BENCH_DIALECTS ?? 'sqlite,postgres').split(',');
  const provider = await startBenchProvider();
  const print = (row: Record<string, string | number>) => console.log(Object.entries(row).map(([k, v]) => `${k}=${v}`).join('  '));
  try {
    if (dialects.includes('sqlite')) print(backfillRow('sqlite', await benchBackfill(provider, undefined, BACKFILL_BARS), rawSqliteInsertRate(rawBars)));
    if (dialects.includes('postgres')) {
      const postgres = await startTestPostgres();
      try {
        const rawRate = await rawPostgresInsertRate(await postgres.createDatabaseUrl(), rawBars);
        print(backfillRow('postgres', await benchBackfill(provider, await postgres.createDatabaseUrl(), BACKFILL_BARS), rawRate));
      } finally {
        await postgres.stop();
      }
    }
  } finally {
    await provider.stop();
  }
}
