import type { Bar, Coverage } from '../../../shared/domain';
import { bucketStart, canAggregate, nominalTimeframeMs, timeframes, type Timeframe } from '../../../shared/timeframes';
import { formatBarTime } from '../ui/format/time';

/** Bars fetched when a chart opens and per step of scrolling back. */
export const HISTORY_PAGE_BARS = 2_000;

/**
 * The most bars one chart holds. At lightweight-charts' minimum bar spacing (half a pixel) a
 * 2,560 px wide chart shows about 5,000 bars, so 20,000 is four of the most zoomed-out screens:
 * more than anyone can read, yet light to hold (OHLCV plus a dozen indicator outputs is a few
 * MB, and setData stays well under a frame's worth of milliseconds per thousand bars). Going
 * further back in 1m bars would mean shipping millions of points to show what a coarser
 * timeframe shows in a few thousand, so past the cap the chart offers that timeframe instead
 * of loading more.
 */
export const MAX_BARS_HELD = 20_000;

/** How many older bars the next scroll-back step may fetch; 0 once the cap is reached. */
export function olderPageLimit(held: number): number {
  return Math.max(0, Math.min(HISTORY_PAGE_BARS, MAX_BARS_HELD - held));
}

/**
 * The timeframe to offer when the cap is reached with `spanMs` of history held: the finest
 * stored-data-compatible timeframe coarser than `current` that shows that whole span in one
 * page of bars (so switching loses none of what was on screen), else the coarsest there is;
 * null when nothing coarser is available.
 */
export function coarserTimeframeFor(current: Timeframe, spanMs: number, available: readonly Timeframe[]): Timeframe | null {
  const coarser = timeframes.slice(timeframes.indexOf(current) + 1).filter((timeframe) => available.includes(timeframe));
  return coarser.find((timeframe) => spanMs / nominalTimeframeMs(timeframe) <= HISTORY_PAGE_BARS) ?? coarser.at(-1) ?? null;
}

export interface HeldHistory {
  symbol: string;
  timeframe: Timeframe;
  /** The bars the chart holds, oldest first. */
  bars: readonly Bar[];
  /** The server had nothing older than the first bar when last asked. */
  historyComplete: boolean;
  /** What is stored (bars.coverage), any symbol. */
  coverage: readonly Coverage[];
}

/**
 * What the chart's range line adds about the history held: " (all stored)" only when the
 * chart reaches back to the oldest stored bar of every timeframe that builds it (the server
 * saying "nothing older" is not enough: a later import may have added older history, or a
 * replaced window dropped it); else " (stored from …)" when older bars are stored; else nothing.
 */
export function historyNote({ symbol, timeframe, bars, historyComplete, coverage }: HeldHistory): string {
  const first = bars[0];
  if (!first) return '';
  const builders = coverage.filter((c) => c.symbol === symbol && canAggregate(c.timeframe, timeframe));
  if (builders.length === 0) return historyComplete ? ' (all stored)' : '';
  const storedFrom = bucketStart(Math.min(...builders.map((c) => c.first)), timeframe);
  if (first.time > storedFrom) return ` (stored from ${formatBarTime(storedFrom, timeframe)})`;
  return historyComplete ? ' (all stored)' : '';
}
