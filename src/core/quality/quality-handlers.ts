import { requireBoundedRange, requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../create-core';
import type { HandlerMap } from '../handlers';
import { findGaps } from './gaps';
import { calendarFor } from './market-calendar';
import { findInvalidBars, findOutliers } from './outliers';

export function qualityHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    'quality.report': async (query) => {
      const instrument = await requireInstrument(storage, query.symbol);
      // Same cap as bars.query: a report over years of 1m bars must be asked for in slices.
      await requireBoundedRange(storage, query);
      const { bars } = await storage.marketData.queryBars(query);
      const calendar = calendarFor(instrument);
      const { expected, gaps } = findGaps(bars, query.timeframe, calendar);
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
