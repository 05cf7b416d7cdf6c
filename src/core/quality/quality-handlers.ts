import { requireBoundedRange, requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../create-core';
import type { HandlerMap } from '../handlers';
import { findGaps, scanWindow } from './gaps';
import { calendarFor } from './market-calendar';
import { findInvalidBars, findOutliers } from './outliers';

export function qualityHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    'quality.report': async (query) => {
      const instrument = await requireInstrument(storage, query.symbol);
      // Same cap as bars.query: a report over years of 1m bars must be asked for in slices.
      await requireBoundedRange(storage, query);
      const { bars, sourceTimeframe } = await storage.marketData.queryBars(query);
      // A range that starts or ends inside a hole must show it, so the window comes from the
      // stored extent of the timeframe the bars were built from, not from the bars returned.
      const source = (await storage.marketData.coverage(query.symbol)).filter((c) => c.timeframe === sourceTimeframe);
      const window =
        source.length === 0
          ? undefined
          : scanWindow(query.timeframe, query, { first: Math.min(...source.map((c) => c.first)), last: Math.max(...source.map((c) => c.last)) });
      const calendar = calendarFor(instrument);
      const { expected, gaps } = window ? findGaps(bars, query.timeframe, calendar, window) : { expected: 0, gaps: [] };
      return {
        symbol: query.symbol,
        timeframe: query.timeframe,
        calendar: calendar.id,
        bars: bars.length,
        expected,
        gaps,
        outliers: findOutliers(bars),
        invalid: findInvalidBars(bars),
      };
    },
  };
}
