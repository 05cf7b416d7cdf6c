import { AppError } from '../../shared/errors';
import type { CoreContext } from '../create-core';
import type { HandlerMap } from '../handlers';

export function barsHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;

  const requireInstrument = async (symbol: string) => {
    const instrument = await storage.instruments.get(symbol);
    if (!instrument) throw new AppError('NOT_FOUND', `Unknown instrument "${symbol}".`, { symbol });
    return instrument;
  };

  return {
    'bars.query': async (query) => {
      await requireInstrument(query.symbol);
      return storage.marketData.queryBars(query);
    },
    'bars.coverage': async ({ symbol }) => {
      if (symbol !== undefined) await requireInstrument(symbol);
      return { coverage: await storage.marketData.coverage(symbol) };
    },
  };
}
