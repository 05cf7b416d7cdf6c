/**
 * Chart queries over a symbol stored at two resolutions, beside the same queries over a
 * symbol stored daily only: 21 years of daily bars and, for the last years, minute bars
 * (the BTCUSD case of a Yahoo daily download beside a minute backfill). Each 2,000-candle
 * page reads both bases and picks per bucket; the ratio shows what that costs.
 */
import type { Bar } from '../../src/shared/domain';
import type { Timeframe } from '../../src/shared/timeframes';
import type { Storage } from '../../src/core/storage/types';
import { queryLatency } from './query-latency';
import { syntheticMinuteBars } from './stats';

const DAY = 86_400_000;
const DAILY_FROM = Date.UTC(2005, 0, 3);
const DAILY_DAYS = 21 * 365;

/** One daily bar per calendar day from `from`, a seeded random walk. */
function dailyBars(from: number, days: number): Bar[] {
  let state = 11;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let price = 400;
  return Array.from({ length: days }, (_, i) => {
    const open = price;
    price = Math.max(1, price * (1 + (random() - 0.5) * 0.03));
    return { time: from + i * DAY, open, high: Math.max(open, price) * 1.01, low: Math.min(open, price) * 0.99, close: price, volume: 1_000 };
  });
}

async function store(storage: Storage, symbol: string, timeframe: Timeframe, bars: readonly Bar[]) {
  for (let i = 0; i < bars.length; i += 5_000) {
    await storage.marketData.upsertBars({ symbol, timeframe, source: 'bench', bars: bars.slice(i, i + 5_000) });
  }
}

export async function benchMixedBases(storage: Storage, dialect: string, minuteBars: number): Promise<Record<string, string | number>[]> {
  const daily = dailyBars(DAILY_FROM, DAILY_DAYS);
  await store(storage, 'BENCH.DAILY', '1d', daily);
  await store(storage, 'BENCH.MIXED', '1d', daily);
  const minutesFrom = DAILY_FROM + DAILY_DAYS * DAY - minuteBars * 60_000;
  for (const bars of syntheticMinuteBars(minutesFrom, minuteBars, 5_000)) {
    await storage.marketData.upsertBars({ symbol: 'BENCH.MIXED', timeframe: '1m', source: 'bench', bars });
  }
  const rows: Record<string, string | number>[] = [];
  for (const timeframe of ['1d', '1w'] as const) {
    const span = { start: DAILY_FROM, end: DAILY_FROM + DAILY_DAYS * DAY };
    const single = await queryLatency(storage, 'BENCH.DAILY', span, timeframe);
    const mixed = await queryLatency(storage, 'BENCH.MIXED', span, timeframe);
    rows.push({
      figure: 'chart-query-mixed-bases',
      dialect,
      timeframe,
      stored: `${daily.length} 1d + ${minuteBars} 1m`,
      candles: mixed.returned,
      dailyOnlyP50ms: single.p50.toFixed(1),
      dailyOnlyP95ms: single.p95.toFixed(1),
      mixedP50ms: mixed.p50.toFixed(1),
      mixedP95ms: mixed.p95.toFixed(1),
      p95Ratio: (mixed.p95 / single.p95).toFixed(2),
    });
  }
  return rows;
}
