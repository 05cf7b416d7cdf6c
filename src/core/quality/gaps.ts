import type { Bar } from '../../shared/domain';
import type { QualityGap } from '../../shared/quality';
import { bucketStart, fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';
import type { MarketCalendar } from './market-calendar';

export interface GapScan {
  /** Buckets the calendar expects from the first bar's bucket to the last's, both included. */
  expected: number;
  gaps: QualityGap[];
}

/** The open time of the bucket after the one opening at `time`. */
function nextBucket(time: number, timeframe: Timeframe): number {
  if (timeframe !== '1M') return time + fixedTimeframeMs[timeframe];
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Runs of expected buckets with no bar, between the first and the last bar (before and after
 * them the data simply does not reach: that is coverage, not a gap). A bar covers the bucket
 * that contains its open time, so feeds whose bars open a few minutes late (Binance drifts to
 * :05) still fill their hour. Market closures inside a run neither end it nor count as missing,
 * so a month-long hole over weekends is one gap.
 */
export function findGaps(bars: readonly Bar[], timeframe: Timeframe, calendar: MarketCalendar): GapScan {
  if (bars.length === 0) return { expected: 0, gaps: [] };
  const covered = new Set(bars.map((bar) => bucketStart(bar.time, timeframe)));
  const last = bucketStart(bars[bars.length - 1]!.time, timeframe);
  const gaps: QualityGap[] = [];
  let open: QualityGap | undefined;
  let expected = 0;
  for (let time = bucketStart(bars[0]!.time, timeframe); time <= last; time = nextBucket(time, timeframe)) {
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
