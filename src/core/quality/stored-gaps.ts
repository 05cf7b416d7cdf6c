import type { Bar, BarSpan, Instrument } from '../../shared/domain';
import type { QualityGap } from '../../shared/quality';
import { canAggregate, type Timeframe } from '../../shared/timeframes';
import type { Storage } from '../storage/types';
import { findGaps, scanWindow } from './gaps';
import { calendarFor, type MarketCalendar } from './market-calendar';

export interface StoredGaps {
  /** The bars of the range, as bars.query answers them. */
  bars: Bar[];
  /** The stored timeframe the newest bar was built from; null when nothing stored can build this one. */
  sourceTimeframe: Timeframe | null;
  /** Which stored timeframe built which bars. */
  spans: BarSpan[];
  calendar: MarketCalendar;
  expected: number;
  gaps: QualityGap[];
}

/**
 * The gaps of a stored series against the instrument's calendar, as quality.report lists
 * them and quality.repair fills them. A range that starts or ends inside a hole must show
 * it, so the scan window comes from the stored extent of every timeframe that can build the
 * bars (as the query reads them all), not from the bars returned.
 */
export async function findStoredGaps(
  storage: Storage,
  instrument: Instrument,
  query: { timeframe: Timeframe; from?: number; to?: number },
): Promise<StoredGaps> {
  const { bars, sourceTimeframe, spans } = await storage.marketData.queryBars({ ...query, symbol: instrument.symbol });
  const calendar = calendarFor(instrument);
  const source = (await storage.marketData.coverage(instrument.symbol)).filter((c) => canAggregate(c.timeframe, query.timeframe));
  const window =
    source.length === 0
      ? undefined
      : scanWindow(query.timeframe, query, { first: Math.min(...source.map((c) => c.first)), last: Math.max(...source.map((c) => c.last)) });
  const { expected, gaps } = window ? findGaps(bars, query.timeframe, calendar, window) : { expected: 0, gaps: [] };
  return { bars, sourceTimeframe, spans, calendar, expected, gaps };
}
