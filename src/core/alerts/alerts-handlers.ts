import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

export function alertsHandlers(ctx: Pick<CoreContext, 'storage' | 'clock'>): HandlerMap {
  const { alerts } = ctx.storage;
  return {
    'alerts.list': async ({ unacknowledgedOnly, limit }) => ({
      alerts: await alerts.list({ unacknowledgedOnly, limit }),
      unacknowledged: await alerts.countUnacknowledged(),
    }),
    'alerts.acknowledge': async ({ ids }) => ({ acknowledged: await alerts.acknowledge(ids, ctx.clock.now()) }),
  };
}
