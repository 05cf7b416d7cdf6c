import { AppError } from '../../shared/errors';
import { runIds } from '../../shared/domain';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

export function backfillHandlers(ctx: CoreContext): HandlerMap {
  const { storage, providers, backfills } = ctx;
  return {
    'backfill.start': async ({ provider, symbol, timeframe, from, to }) => {
      const instrument = await storage.instruments.get(symbol);
      if (!instrument) throw new AppError('NOT_FOUND', `There is no instrument ${symbol}; add it to the catalogue first.`);
      const { runId, checkpointId } = await backfills.backfillRange({ adapter: await providers.adapter(provider), instrument, timeframe, from, to });
      return { ...runIds(runId), checkpointId };
    },
    'backfill.list': async () => ({
      checkpoints: await Promise.all(
        (await storage.backfillCheckpoints.list()).map(async (checkpoint) => ({
          ...checkpoint,
          status: await backfills.currentStatus(checkpoint),
          progress: Math.min(1, (checkpoint.resumeFrom - checkpoint.rangeFrom) / (checkpoint.rangeTo - checkpoint.rangeFrom)),
          lastRun: (await backfills.lastRun(checkpoint)) ?? null,
        })),
      ),
    }),
  };
}
