import type { Bar } from '../../shared/domain';
import type { QualityGap } from '../../shared/quality';
import { bucketStart, fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';
import type { MarketCalendar } from './market-calendar';

export interface GapScan {
  /** Buckets the calendar expects in the scanned window. */
  expected: number;
  gaps: QualityGap[];
}

/** The open time of the bucket after the one opening at `time`. */
export function nextBucket(time: number, timeframe: Timeframe): number {
  if (timeframe !== '1M') return time + fixedTimeframeMs[timeframe];
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Open times of the first and the last bucket to scan, both included. */
export interface ScanWindow {
  first: number;
  last: number;
}

/**
 * The buckets a report covers: those opening within the requested range (as bars.query reads
 * it) and within the stored history. Before the first stored bar and after the last one the
 * data simply does not reach: that is coverage, not a gap. Undefined when they do not overlap.
 */
export function scanWindow(
  timeframe: Timeframe,
  range: { from?: number; to?: number },
  stored: { first: number; last: number },
): ScanWindow | undefined {
  let first = bucketStart(stored.first, timeframe);
  if (range.from !== undefined) {
    const start = bucketStart(range.from, timeframe);
    first = Math.max(first, start === range.from ? start : nextBucket(start, timeframe));
  }
  const last = Math.min(bucketStart(stored.last, timeframe), range.to === undefined ? Infinity : bucketStart(range.to, timeframe));
  return first <= last ? { first, last } : undefined;
}

/**
 * Runs of expected buckets with no bar within `window` (by default from the first bar to the
 * last). A bar covers the bucket that contains its open time, so feeds whose bars open a few
 * minutes late (Binance drifts to :05) still fill their hour. Market closures inside a run
 * neither end it nor count as missing, so a month-long hole over weekends is one gap.
 */
export function findGaps(bars: readonly Bar[], timeframe: Timeframe, calendar: MarketCalendar, window?: ScanWindow): GapScan {
  const scan =
    window ??
    (bars.length > 0 ? { first: bucketStart(bars[0]!.time, timeframe), last: bucketStart(bars[bars.length - 1]!.time, timeframe) } : undefined);
  if (!scan) return { expected: 0, gaps: [] };
  const covered = new Set(bars.map((bar) => bucketStart(bar.time, timeframe)));
  const gaps: QualityGap[] = [];
  let open: QualityGap | undefined;
  let expected = 0;
  for (let time = scan.first; time <= scan.last; time = nextBucket(time, timeframe)) {
    if (covered.has(time)) {
      open = undefined;
      if (calendar.isTradingBar(time, timeframe)) expected++;
      continue;
    }
    if (!calendar.isTradingBar(time, timeframe)) continue;
    expected++;
    if (open) {
      open.to = time;
      open.missing++;
    } else {
      open = { from: time, to: time, missing: 1 };
      gaps.push(open);
    }
  }
  return { expected, gaps };
}
