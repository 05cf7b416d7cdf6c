import { randomUUID } from 'node:crypto';
import type { ParsedInput } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { PriceAlert } from '../../shared/price-alerts';
import { canAggregate, timeframes, type Timeframe } from '../../shared/timeframes';
import { requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import type { StoredPriceAlert } from '../storage/types';

/** Evaluations and edits of one alert can race; an edit re-reads and retries this often before giving up. */
const EDIT_ATTEMPTS = 5;

function withoutVersion(stored: StoredPriceAlert): PriceAlert {
  const { version: _version, ...alert } = stored;
  return alert;
}

export function priceAlertsHandlers(ctx: Pick<CoreContext, 'storage' | 'clock' | 'priceAlerts'>): HandlerMap {
  const { storage, priceAlerts: engine } = ctx;

  /** The alert's timeframe: the one asked for when the instrument's stored bars can make it, else its finest stored one (1d with none). */
  async function timeframeFor(symbol: string, asked: Timeframe | undefined): Promise<Timeframe> {
    const stored = [...new Set((await storage.marketData.coverage(symbol)).map((c) => c.timeframe))].sort((a, b) => timeframes.indexOf(a) - timeframes.indexOf(b));
    if (asked === undefined) return stored[0] ?? '1d';
    if (stored.length > 0 && !stored.some((base) => canAggregate(base, asked))) {
      throw new AppError('VALIDATION', `${symbol} has no bars that make ${asked} bars (it stores ${stored.join(', ')}); choose ${stored[0]} or a coarser timeframe.`, {
        symbol,
        timeframe: asked,
        stored,
      });
    }
    return asked;
  }

  async function requireAlert(id: string): Promise<StoredPriceAlert> {
    const alert = await storage.priceAlerts.get(id);
    if (!alert) throw new AppError('NOT_FOUND', `There is no price alert "${id}"; it may have been deleted.`, { id });
    return alert;
  }

  async function applyEdit(alert: StoredPriceAlert, edit: ParsedInput<'priceAlerts.update'>): Promise<StoredPriceAlert> {
    const timeframe = edit.timeframe === undefined ? alert.timeframe : await timeframeFor(alert.symbol, edit.timeframe);
    const edited = {
      ...alert,
      timeframe,
      condition: edit.condition ?? alert.condition,
      rearm: edit.rearm ?? alert.rearm,
      enabled: edit.enabled ?? alert.enabled,
      note: edit.note === undefined ? alert.note : edit.note || null,
      updatedAt: ctx.clock.now(),
    };
    // A new level (a dragged line), timeframe or a re-enabled alert starts from the bars stored now, as a new one does.
    const rearms = edit.condition !== undefined || timeframe !== alert.timeframe || (edited.enabled && !alert.enabled);
    return rearms ? { ...edited, ...(await engine.baseline(edited)) } : edited;
  }

  return {
    'priceAlerts.list': async ({ symbol }) => ({ priceAlerts: (await storage.priceAlerts.list(symbol)).map(withoutVersion) }),
    'priceAlerts.create': async ({ symbol, condition, timeframe: asked, rearm, enabled, note }) => {
      await requireInstrument(storage, symbol);
      const timeframe = await timeframeFor(symbol, asked);
      const now = ctx.clock.now();
      const base = { symbol, timeframe, condition, rearm, enabled };
      const created = await storage.priceAlerts.create({ id: randomUUID(), ...base, note: note || null, ...(await engine.baseline(base)), lastFiredAt: null, createdAt: now, updatedAt: now });
      return withoutVersion(created);
    },
    'priceAlerts.update': async (edit) => {
      for (let attempt = 1; ; attempt++) {
        const edited = await applyEdit(await requireAlert(edit.id), edit);
        if (await storage.priceAlerts.save(edited)) return withoutVersion({ ...edited, version: edited.version + 1 });
        if (attempt === EDIT_ATTEMPTS) throw new AppError('CONFLICT', 'The price alert kept changing while it was edited (new bars were being evaluated); try again.', { id: edit.id });
      }
    },
    'priceAlerts.delete': async ({ id }) => ({ id, deleted: await storage.priceAlerts.delete(id) }),
  };
}
