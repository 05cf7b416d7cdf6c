import type { QualityGap, RejectedRow, ReportedGap } from '../../shared/quality';
import { bucketStart, type Timeframe } from '../../shared/timeframes';
import { findRejectedRows, type RecordedImport } from '../import/recorded-repairs';
import type { MarketCalendar } from './market-calendar';

export interface AttributedGaps {
  gaps: ReportedGap[];
  rejectedAtImport: RejectedRow[];
}

/** The gap (of `gaps`, oldest first and disjoint) holding `bucket`, or undefined. */
function gapHolding<T extends QualityGap>(gaps: readonly T[], bucket: number): T | undefined {
  let lo = 0;
  let hi = gaps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const gap = gaps[mid]!;
    if (bucket < gap.from) hi = mid - 1;
    else if (bucket > gap.to) lo = mid + 1;
    else return gap;
  }
  return undefined;
}

/**
 * Tells the holes imports made from the gaps of the source: each gap says how many of its
 * missing buckets hold a row an import rejected, and the rows are listed. Rejecting a
 * thousand bad rows otherwise shows as a thousand one-bar outages that no provider
 * repair explains, hiding the real ones.
 */
export function attributeRejectedRows(
  imports: readonly RecordedImport[],
  timeframe: Timeframe,
  calendar: MarketCalendar,
  found: readonly QualityGap[],
): AttributedGaps {
  const gaps: ReportedGap[] = found.map((gap) => ({ ...gap, rejected: 0 }));
  // A closed bucket inside a gap is not missing (the calendar does not expect it).
  const isMissing = (bucket: number) => gapHolding(gaps, bucket) !== undefined && calendar.isTradingBar(bucket, timeframe);
  const rejectedAtImport = gaps.length === 0 ? [] : findRejectedRows(imports, timeframe, isMissing);
  const counted = new Set<number>();
  for (const row of rejectedAtImport) {
    const bucket = bucketStart(row.time, timeframe);
    if (counted.has(bucket)) continue;
    counted.add(bucket);
    gapHolding(gaps, bucket)!.rejected++;
  }
  return { gaps, rejectedAtImport };
}
