import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

export function instrumentsHandlers(ctx: Pick<CoreContext, 'storage'>): HandlerMap {
  return {
    'instruments.list': async () => ({ instruments: await ctx.storage.instruments.list() }),
  };
}
