import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { requireBoundedRange, requireInstrument } from './bar-access';

export function barsHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    'bars.query': async (query) => {
      await requireInstrument(storage, query.symbol);
      await requireBoundedRange(storage, query);
      return storage.marketData.queryBars(query);
    },
    'bars.coverage': async ({ symbol }) => {
      if (symbol !== undefined) await requireInstrument(storage, symbol);
      return { coverage: await storage.marketData.coverage(symbol) };
    },
  };
}
