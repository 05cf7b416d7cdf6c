import { MAX_BARS_PER_QUERY, type Instrument } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { canAggregate, nominalTimeframeMs } from '../../shared/timeframes';
import type { BarsQuery, Storage } from '../storage/types';

/** The rules every method that reads bars shares, so bars, indicators and analysis answer alike. */
export async function requireInstrument(storage: Storage, symbol: string): Promise<Instrument> {
  const instrument = await storage.instruments.get(symbol);
  if (!instrument) throw new AppError('NOT_FOUND', `Unknown instrument "${symbol}".`, { symbol });
  return instrument;
}

/** Refuses an unlimited query whose range would hold too many buckets, judged from the stored extent in one indexed read. */
export async function requireBoundedRange(storage: Storage, query: BarsQuery): Promise<void> {
  if (query.limit !== undefined) return;
  const usable = (await storage.marketData.coverage(query.symbol)).filter((c) => canAggregate(c.timeframe, query.timeframe));
  if (usable.length === 0) return;
  const from = Math.max(query.from ?? -Infinity, Math.min(...usable.map((c) => c.first)));
  const to = Math.min(query.to ?? Infinity, Math.max(...usable.map((c) => c.last)));
  const estimate = Math.floor((to - from) / nominalTimeframeMs(query.timeframe)) + 1;
  if (estimate > MAX_BARS_PER_QUERY) {
    throw new AppError(
      'VALIDATION',
      `That range holds about ${estimate.toLocaleString('en-US')} ${query.timeframe} bars; ask for at most ${MAX_BARS_PER_QUERY.toLocaleString('en-US')} at a time with "limit", or narrow "from" and "to".`,
      { estimate, max: MAX_BARS_PER_QUERY },
    );
  }
}
