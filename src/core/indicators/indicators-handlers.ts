import { requireBoundedRange, requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import { computeIndicator, toPriceColumns, warmUpBars } from '../../shared/compute-indicators';

/** The shown part of a series, NaN (warm-up, undefined) as null so JSON carries it. */
function shownSeries(values: Float64Array, firstShown: number): (number | null)[] {
  const series = new Array<number | null>(values.length - firstShown);
  for (let i = firstShown; i < values.length; i++) {
    const value = values[i]!;
    series[i - firstShown] = Number.isFinite(value) ? value : null;
  }
  return series;
}

export function indicatorsHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    /**
     * Reads the requested bars, then as many older bars as the most demanding indicator
     * needs to be warmed up (see `warmUpBars`), computes over both and returns the
     * requested part: a chart of the latest 2,000 bars has values from its first bar on.
     */
    'indicators.query': async ({ indicators, ...query }) => {
      const instrument = await requireInstrument(storage, query.symbol);
      await requireBoundedRange(storage, query);
      const shown = await storage.marketData.queryBars(query);
      const warmUp = Math.max(...indicators.map((spec) => warmUpBars(spec, query.timeframe)));
      const first = shown.bars[0];
      const history =
        first !== undefined && warmUp > 0
          ? (await storage.marketData.queryBars({ symbol: query.symbol, timeframe: query.timeframe, to: first.time - 1, limit: warmUp })).bars
          : [];

      const columns = toPriceColumns(history.length > 0 ? [...history, ...shown.bars] : shown.bars);
      const context = { timeframe: query.timeframe, instrumentKind: instrument.kind, firstShown: history.length };
      return {
        bars: shown.bars,
        sourceTimeframe: shown.sourceTimeframe,
        spans: shown.spans,
        indicators: indicators.map((spec) =>
          computeIndicator(spec, columns, context, (values) => shownSeries(values, history.length)),
        ),
      };
    },
  };
}
