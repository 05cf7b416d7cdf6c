import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { estimateFor, startRetention } from './retention';

export function retentionHandlers(ctx: CoreContext): HandlerMap {
  return {
    'retention.estimate': ({ minuteBarsDays }) => estimateFor(ctx, minuteBarsDays),
    'retention.apply': async ({ wait }) => {
      const { finished, ...ids } = await startRetention(ctx);
      if (wait) return { ...ids, instruments: await finished };
      // The ending is reported by job.finished and the run's row; nobody awaits it here.
      finished.catch(() => undefined);
      return { ...ids, instruments: null };
    },
  };
}
