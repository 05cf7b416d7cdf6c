import type { ParsedInput } from '../../shared/contract';
import { MAX_BARS_PER_QUERY } from '../../shared/domain';
import { requireInstrument } from '../bars/bar-access';
import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';
import type { BarsQueryResult } from '../storage/types';
import { alignOnCommonTimes, baseIndexAtOrAfter, normalise, priceRatio, rollingCorrelation } from './compare-series';

/**
 * Most bars read per symbol while looking for enough common times: the largest `bars.query`
 * answer, so one comparison of eight symbols never holds more than the chart could ask for
 * eight times.
 */
const MAX_BARS_PER_SYMBOL = MAX_BARS_PER_QUERY;

type CompareQuery = ParsedInput<'compare.query'>;

export function compareHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;

  /**
   * The most recent `limit` common times need more than `limit` bars of a symbol whose
   * calendar differs (bitcoin trades on the weekends gold does not), so the read widens until
   * there are enough common times or every symbol's range is read to its start. The common
   * times of the most recent N bars of each symbol are exactly the latest common times
   * of the whole range, so widening never changes what was already found.
   */
  const readAligned = async ({ symbols, timeframe, from, to, limit }: CompareQuery) => {
    let perSymbol = limit;
    for (;;) {
      const results: BarsQueryResult[] = await Promise.all(
        symbols.map((symbol) => storage.marketData.queryBars({ symbol, timeframe, from, to, limit: perSymbol })),
      );
      const aligned = alignOnCommonTimes(results.map((result) => result.bars));
      const readToStart = results.every((result) => result.bars.length < perSymbol);
      if (aligned.times.length >= limit || readToStart || perSymbol >= MAX_BARS_PER_SYMBOL) {
        return { aligned, bars: results.map((result) => result.bars.length), complete: readToStart };
      }
      perSymbol = Math.min(perSymbol * 4, MAX_BARS_PER_SYMBOL);
    }
  };

  return {
    'compare.query': async (query) => {
      for (const symbol of query.symbols) await requireInstrument(storage, symbol);
      const { aligned, bars, complete } = await readAligned(query);
      const keep = Math.min(query.limit, aligned.times.length);
      const skip = aligned.times.length - keep;
      const times = aligned.times.slice(skip);
      const closes = aligned.closes.map((series) => series.slice(skip));
      const closesOf = (symbol: string) => closes[query.symbols.indexOf(symbol)]!;
      const baseIndex = baseIndexAtOrAfter(times, query.baseTime);

      return {
        times,
        baseTime: times[baseIndex] ?? null,
        truncated: skip > 0 || !complete,
        series: query.symbols.map((symbol, s) => ({
          symbol,
          bars: bars[s]!,
          close: closes[s]!,
          normalised: normalise(closes[s]!, baseIndex),
        })),
        ...(query.ratio && {
          ratio: { ...query.ratio, values: priceRatio(closesOf(query.ratio.numerator), closesOf(query.ratio.denominator)) },
        }),
        ...(query.correlation && {
          correlation: {
            ...query.correlation,
            values: rollingCorrelation(closesOf(query.correlation.a), closesOf(query.correlation.b), query.correlation.window),
          },
        }),
      };
    },
  };
}
