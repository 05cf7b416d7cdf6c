import type { Instrument } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { searchProviders } from '../providers/instrument-search';

const notFound = (symbol: string) => new AppError('NOT_FOUND', `There is no instrument ${symbol}.`, { symbol });

/**
 * Instruments are the user's: the built-in catalogue only seeds them. Each change is stored
 * with its audit record in one transaction, then announced so open lists refresh.
 */
export function instrumentsHandlers(ctx: Pick<CoreContext, 'storage' | 'events' | 'now' | 'providers'>): HandlerMap {
  const { storage, events, providers } = ctx;
  const audit = (action: string, details: Record<string, unknown>) => ({ at: ctx.now(), actor: 'user', action, details });
  return {
    'instruments.list': async () => ({ instruments: await storage.instruments.list() }),
    'instruments.search': (input) => searchProviders(providers, input),
    'instruments.create': async (instrument) => {
      await storage.transaction(async (tx) => {
        await tx.instruments.create(instrument);
        await tx.auditLog.record(audit('instruments.create', { instrument }));
      });
      events.emit('instruments.changed', { symbol: instrument.symbol, change: 'created' });
      return instrument;
    },
    'instruments.update': async ({ symbol, ...changes }) => {
      const instrument = await storage.transaction(async (tx) => {
        const current = await tx.instruments.get(symbol);
        if (!current) throw notFound(symbol);
        const { exchangeTimeZone, ...fields } = changes;
        const { exchangeTimeZone: currentZone, ...unzoned } = { ...current, ...fields };
        // Absent keeps the zone, null clears it.
        const zone = exchangeTimeZone === undefined ? currentZone : (exchangeTimeZone ?? undefined);
        const next: Instrument = zone === undefined ? unzoned : { ...unzoned, exchangeTimeZone: zone };
        await tx.instruments.update(next);
        await tx.auditLog.record(audit('instruments.update', { symbol, fields: Object.keys(changes) }));
        return next;
      });
      events.emit('instruments.changed', { symbol, change: 'updated' });
      return instrument;
    },
    'instruments.delete': async ({ symbol, deleteBars }) => {
      const bars = await storage.transaction(async (tx) => {
        const deletion = await tx.instruments.delete(symbol, { deletedAt: ctx.now(), keepIfBars: !deleteBars });
        if (!deletion) throw notFound(symbol);
        if (!deletion.deleted) {
          throw new AppError(
            'CONFLICT',
            `${symbol} holds ${deletion.bars.toLocaleString('en-US')} stored bars, which would be deleted with it; confirm deleting its bars too, or keep it.`,
            { symbol, bars: deletion.bars },
          );
        }
        await tx.auditLog.record(audit('instruments.delete', { symbol, deletedBars: deletion.bars }));
        return deletion.bars;
      });
      events.emit('instruments.changed', { symbol, change: 'deleted' });
      return { symbol, deletedBars: bars };
    },
  };
}
