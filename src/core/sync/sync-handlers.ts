import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

export function syncHandlers(ctx: CoreContext): HandlerMap {
  return {
    'sync.now': () => ctx.sync.now(),
  };
}
