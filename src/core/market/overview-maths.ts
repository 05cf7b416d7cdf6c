/**
 * The pure part of the watchlist overview: which stored timeframe answers for a symbol,
 * where its day starts, what the sparkline is drawn from, and the day's change.
 */
import type { Bar, Coverage } from '../../shared/domain';
import type { OverviewItem } from '../../shared/overview';
import { bucketStart, timeframes, type Timeframe } from '../../shared/timeframes';

/** About three months of daily closes, or two and a half days of hourly ones: enough shape for a row. */
export const SPARKLINE_POINTS = 60;

/**
 * The stored base timeframe whose bars reach furthest, per symbol, the finer on a tie: the
 * last price is the latest stored bar, even when a finer series stopped earlier (hourly
 * bars imported up to 2022 beside daily ones kept current). A chart query then builds the
 * sparkline from every base, as it builds any chart.
 */
export function latestStoredTimeframes(coverage: readonly Coverage[]): Map<string, Timeframe> {
  const latest = new Map<string, { timeframe: Timeframe; last: number }>();
  for (const { symbol, timeframe, last } of coverage) {
    const current = latest.get(symbol);
    const later = current === undefined || last > current.last;
    const finerTie = current !== undefined && last === current.last && timeframes.indexOf(timeframe) < timeframes.indexOf(current.timeframe);
    if (later || finerTie) latest.set(symbol, { timeframe, last });
  }
  return new Map([...latest].map(([symbol, { timeframe }]) => [symbol, timeframe]));
}

/**
 * Hourly closes when intraday bars exist (minute bars are read through the hourly rollup),
 * otherwise the stored timeframe itself: daily, weekly or monthly closes.
 */
export function sparklineTimeframe(finest: Timeframe): Timeframe {
  return timeframes[Math.max(timeframes.indexOf(finest), timeframes.indexOf('1h'))]!;
}

/**
 * 00:00 UTC of the day the last bar belongs to. For live data that is today; for history
 * that ends in the past it is the last day with data, so the change is that day's change.
 */
export function dayStartOf(lastBarTime: number): number {
  return bucketStart(lastBarTime, '1d');
}

/** The overview of a symbol with no bars stored. */
export function emptyOverviewItem(symbol: string): OverviewItem {
  return { symbol, last: null, previousClose: null, previousTime: null, change: null, changePercent: null, sparkline: null };
}

/**
 * Puts the item together from the last bar, the last bar before the day started and the
 * sparkline's bars. A previous close of zero (possible in imported files) gives no percentage
 * rather than an infinite one.
 */
export function overviewItem(
  symbol: string,
  last: Bar,
  previous: Bar | undefined,
  sparkline: { timeframe: Timeframe; bars: readonly Bar[] },
): OverviewItem {
  const change = previous ? last.close - previous.close : null;
  const changePercent = previous && change !== null && previous.close !== 0 ? (change / Math.abs(previous.close)) * 100 : null;
  const first = sparkline.bars[0];
  const end = sparkline.bars.at(-1);
  return {
    symbol,
    last: { time: last.time, close: last.close },
    previousClose: previous?.close ?? null,
    previousTime: previous?.time ?? null,
    change,
    changePercent,
    sparkline:
      first && end
        ? { timeframe: sparkline.timeframe, closes: sparkline.bars.map((bar) => bar.close), from: first.time, to: end.time }
        : null,
  };
}
