import { AppError } from '../../shared/errors';
import { requireBoundedRange, requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { findRepairedBars, recordedImports } from '../import/recorded-repairs';
import { findInvalidBars, findOutliers } from './outliers';
import { attributeRejectedRows } from './rejected-gaps';
import { repairGaps } from './repair';
import { findStoredGaps } from './stored-gaps';

export function qualityHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  const repairDeps = { storage, providers: ctx.providers, jobs: ctx.jobs, events: ctx.events, turns: ctx.turns, logger: ctx.ports.logger, now: ctx.now };
  /** Symbols being repaired: two repairs of one series would fetch the same gaps twice. */
  const repairing = new Set<string>();
  return {
    'quality.report': async (query) => {
      const instrument = await requireInstrument(storage, query.symbol);
      // Same cap as bars.query: a report over years of 1m bars must be asked for in slices.
      await requireBoundedRange(storage, query);
      const { bars, spans, calendar, expected, gaps: found } = await findStoredGaps(storage, instrument, query);
      const imports = await recordedImports(storage, instrument.symbol);
      const { gaps, rejectedAtImport } = attributeRejectedRows(imports, query.timeframe, calendar, found);
      return {
        symbol: query.symbol,
        timeframe: query.timeframe,
        calendar: calendar.id,
        bars: bars.length,
        spans,
        expected,
        gaps,
        outliers: findOutliers(bars),
        invalid: findInvalidBars(bars),
        repaired: findRepairedBars(imports, query.timeframe, spans),
        rejectedAtImport,
      };
    },
    'quality.repair': async (input) => {
      const instrument = await requireInstrument(storage, input.symbol);
      // Named gaps bound the scan when no range is given, so a repair of a few minutes never reads years.
      const from = input.from ?? (input.gaps ? Math.min(...input.gaps.map((gap) => gap.from)) : undefined);
      const to = input.to ?? (input.gaps ? Math.max(...input.gaps.map((gap) => gap.to)) : undefined);
      await requireBoundedRange(storage, { symbol: input.symbol, timeframe: input.timeframe, from, to });
      if (repairing.has(instrument.symbol)) throw new AppError('CONFLICT', `A repair of ${instrument.symbol} is already running.`);
      repairing.add(instrument.symbol);
      try {
        return await repairGaps(repairDeps, { ...input, instrument, from, to });
      } finally {
        repairing.delete(instrument.symbol);
      }
    },
  };
}
