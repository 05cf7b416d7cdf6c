import { randomUUID } from 'node:crypto';
import { drawingKindNames, MAX_DRAWINGS_PER_SYMBOL } from '../../shared/drawing-kinds';
import { drawingShapeProblem, type Drawing } from '../../shared/drawings';
import { AppError } from '../../shared/errors';
import { requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

/**
 * Chart drawings: stored per instrument and announced with `drawings.changed`, so every chart
 * of the instrument (another window, another layout slot) shows the same ones. An edit names
 * the version it was made on; one made on a stale copy is refused, never merged.
 */
export function drawingsHandlers(ctx: Pick<CoreContext, 'storage' | 'events' | 'now'>): HandlerMap {
  const { storage, events } = ctx;

  async function requireDrawing(id: string): Promise<Drawing> {
    const drawing = await storage.drawings.get(id);
    if (!drawing) throw new AppError('NOT_FOUND', `There is no drawing "${id}"; it may have been deleted.`, { id });
    return drawing;
  }

  return {
    'drawings.list': async ({ symbol }) => ({ drawings: await storage.drawings.list(symbol) }),
    'drawings.create': async ({ symbol, kind, points, text }) => {
      await requireInstrument(storage, symbol);
      if ((await storage.drawings.count(symbol)) >= MAX_DRAWINGS_PER_SYMBOL) {
        throw new AppError('VALIDATION', `${symbol} already has ${MAX_DRAWINGS_PER_SYMBOL} drawings, the most one chart keeps; delete some first.`, { symbol });
      }
      const now = ctx.now();
      const created = await storage.drawings.create({ id: randomUUID(), symbol, kind, points, text, version: 0, createdAt: now, updatedAt: now });
      events.emit('drawings.changed', { symbol, id: created.id, change: 'created' });
      return created;
    },
    'drawings.update': async ({ id, version, points, text }) => {
      const current = await requireDrawing(id);
      const edited: Drawing = { ...current, points: points ?? current.points, text: text === undefined ? current.text : text, version, updatedAt: ctx.now() };
      const problem = drawingShapeProblem(edited.kind, edited.points, edited.text);
      if (problem) throw new AppError('VALIDATION', `Invalid input for drawings.update: ${problem.path}: ${problem.message}`, { id, kind: edited.kind });
      if (!(await storage.drawings.save(edited))) {
        throw new AppError('CONFLICT', `This ${drawingKindNames[current.kind]} was changed elsewhere (another window) after it was read; it has been read again, so try the edit once more.`, {
          id,
          version,
          current: current.version,
        });
      }
      events.emit('drawings.changed', { symbol: current.symbol, id, change: 'updated' });
      return { ...edited, version: version + 1 };
    },
    'drawings.delete': async ({ id }) => {
      const current = await storage.drawings.get(id);
      const deleted = await storage.drawings.delete(id);
      if (current && deleted) events.emit('drawings.changed', { symbol: current.symbol, id, change: 'deleted' });
      return { id, deleted };
    },
  };
}
