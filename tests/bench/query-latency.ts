import type { Storage } from '../../src/core/storage/types';
import type { Timeframe } from '../../src/shared/timeframes';
import { percentile } from './stats';

/** Timed queries per figure, after three that warm caches and statement plans. */
const QUERIES = 40;

/** p50/p95 of 2,000-candle chart queries at random points of the later half of a stored history. */
export async function queryLatency(storage: Storage, symbol: string, span: { start: number; end: number }, timeframe: Timeframe) {
  const { start, end } = span;
  const samples: number[] = [];
  let returned = 0;
  let state = 7;
  for (let i = 0; i < QUERIES + 3; i++) {
    state = (state * 48_271) % 2_147_483_647;
    const to = start + Math.floor((state / 2_147_483_647) * (end - start) * 0.5 + (end - start) * 0.5);
    const started = performance.now();
    const { bars } = await storage.marketData.queryBars({ symbol, timeframe, to, limit: 2_000 });
    const ms = performance.now() - started;
    if (i >= 3) samples.push(ms); // the first queries warm caches and statement plans
    returned = Math.max(returned, bars.length);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), returned };
}
