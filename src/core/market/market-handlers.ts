import { AppError } from '../../shared/errors';
import type { OverviewItem } from '../../shared/overview';
import type { Timeframe } from '../../shared/timeframes';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import type { MarketDataRepository } from '../storage/types';
import { dayStartOf, emptyOverviewItem, latestStoredTimeframes, overviewItem, SPARKLINE_POINTS, sparklineTimeframe } from './overview-maths';

/**
 * Three latest-N reads per symbol (last bar, last bar before its day, sparkline), each a
 * short indexed scan from the end of the series, so the cost follows the number of
 * symbols and not the length of their history.
 */
async function overviewOf(marketData: MarketDataRepository, symbol: string, latestBase: Timeframe): Promise<OverviewItem> {
  const sparkTimeframe = sparklineTimeframe(latestBase);
  const [latest, sparkline] = await Promise.all([
    marketData.queryBars({ symbol, timeframe: latestBase, limit: 1 }),
    marketData.queryBars({ symbol, timeframe: sparkTimeframe, limit: SPARKLINE_POINTS }),
  ]);
  const last = latest.bars[0];
  if (!last) return emptyOverviewItem(symbol);
  const previous = await marketData.queryBars({ symbol, timeframe: latestBase, to: dayStartOf(last.time) - 1, limit: 1 });
  return overviewItem(symbol, last, previous.bars[0], { timeframe: sparkTimeframe, bars: sparkline.bars });
}

export function marketHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    'market.overview': async ({ symbols }) => {
      const listed = new Set((await storage.instruments.list()).map((instrument) => instrument.symbol));
      const unknown = [...new Set(symbols.filter((symbol) => !listed.has(symbol)))];
      if (unknown.length > 0) {
        throw new AppError('VALIDATION', `Unknown instrument${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, { symbols: unknown });
      }
      // The series summary tells which symbols have bars, and at which timeframes, without touching the bars.
      const latest = latestStoredTimeframes(await storage.marketData.coverage());
      const unique = [...new Set(symbols)];
      const items = await Promise.all(
        unique.map((symbol) => {
          const timeframe = latest.get(symbol);
          return timeframe === undefined ? emptyOverviewItem(symbol) : overviewOf(storage.marketData, symbol, timeframe);
        }),
      );
      const bySymbol = new Map(items.map((item) => [item.symbol, item]));
      return { items: symbols.map((symbol) => bySymbol.get(symbol)!) };
    },
  };
}
