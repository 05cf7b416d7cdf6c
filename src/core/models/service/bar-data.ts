/** Bars as the engine takes them: read from storage (or the spot snapshots), columnar, cut at a time, fingerprinted. */
import { createHash } from 'node:crypto';
import { MAX_BARS_PER_QUERY, type Bar } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';
import type { SpotSnapshot, Storage } from '../../storage/types';
import type { BarColumns } from '../engine/ports';
import { SPOT_WINDOW_MS } from './train-spec';

const COLUMN_ORDER = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * sha256 of the bars' columns in the order time, open, high, low, close, volume, each as
 * little-endian float64: two versions trained on the same bars carry the same fingerprint.
 */
export function fingerprintBars(columns: BarColumns): string {
  const hash = createHash('sha256');
  for (const name of COLUMN_ORDER) {
    const column = columns[name];
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

/** The stored bars of a range, oldest first: its most recent MAX_BARS_PER_QUERY when it holds more. */
export async function loadBars(storage: Storage, query: { symbol: string; timeframe: Timeframe; from?: number; to?: number; limit?: number }): Promise<Bar[]> {
  const { bars } = await storage.marketData.queryBars({ ...query, limit: query.limit ?? MAX_BARS_PER_QUERY });
  // Only bars that opened at or before `to`: the query's buckets are, but a forecast as of T must never see past T.
  return query.to === undefined ? bars : bars.filter((bar) => bar.time <= query.to!);
}

/** Spot snapshots as 1m bars: per minute the first, highest, lowest and last price; snapshots carry no volume. */
export function resampleSnapshots(snapshots: readonly SpotSnapshot[]): Bar[] {
  const bars: Bar[] = [];
  for (const { timestamp, price } of [...snapshots].sort((a, b) => a.timestamp - b.timestamp)) {
    const time = Math.floor(timestamp / 60_000) * 60_000;
    const last = bars.at(-1);
    if (last?.time === time) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
    } else {
      bars.push({ time, open: price, high: price, low: price, close: price, volume: 0 });
    }
  }
  return bars;
}

/**
 * The spot preset's bars: the poll job's snapshots of the last 12 hours (`latest_12_hour_prices`)
 * resampled to 1m bars when there are enough of them; otherwise the stored 1m bars of the 12
 * hours up to the latest one.
 */
export async function loadSpotBars(storage: Storage, symbol: string, minimumBars: number): Promise<{ bars: Bar[]; source: 'spot snapshots' | '1m bars' }> {
  const fromSnapshots = resampleSnapshots(await storage.spotPrices.lastTwelveHours(symbol));
  if (fromSnapshots.length >= minimumBars) return { bars: fromSnapshots, source: 'spot snapshots' };
  const [latest] = await loadBars(storage, { symbol, timeframe: '1m', limit: 1 });
  if (!latest) return { bars: [], source: '1m bars' };
  return { bars: await loadBars(storage, { symbol, timeframe: '1m', from: latest.time - SPOT_WINDOW_MS + 60_000, to: latest.time }), source: '1m bars' };
}
