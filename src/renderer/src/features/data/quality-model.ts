import type { Coverage } from '../../../../shared/domain';
import type { MarketCalendarId, QualityRepairResult } from '../../../../shared/quality';
import { timeframes, type Timeframe } from '../../../../shared/timeframes';
import { formatCount } from '../../ui/format/numbers';

export interface QualitySeries {
  symbol: string;
  /** Stored timeframes, finest first. */
  timeframes: Timeframe[];
}

/** One entry per stored symbol, whatever the number of sources its bars came from. */
export function qualitySeries(coverage: readonly Coverage[]): QualitySeries[] {
  const bySymbol = new Map<string, Set<Timeframe>>();
  for (const c of coverage) {
    const stored = bySymbol.get(c.symbol) ?? new Set<Timeframe>();
    stored.add(c.timeframe);
    bySymbol.set(c.symbol, stored);
  }
  return [...bySymbol.entries()]
    .map(([symbol, stored]) => ({ symbol, timeframes: timeframes.filter((tf) => stored.has(tf)) }))
    .sort((a, b) => a.symbol.localeCompare(b.symbol));
}

export const calendarLabels: Record<MarketCalendarId, string> = {
  'crypto-24x7': 'crypto, around the clock',
  'cme-metals-24x5': 'CME Globex, Sunday evening to Friday with the daily break',
  'nyse-regular': 'NYSE regular hours and holidays',
};

/** Share of the buckets the calendar expects that hold a bar, e.g. "99.2%"; null when none are expected. */
export function completeness(bars: number, expected: number): string | null {
  if (expected <= 0) return null;
  const share = Math.min(1, bars / expected);
  return `${(Math.floor(share * 1000) / 10).toFixed(1)}%`;
}

type RepairedGap = QualityRepairResult['gaps'][number];

/** Who filled a gap, e.g. "Polygon 10, Twelve Data 2"; empty when nobody did. */
export function describeFilledBy(gap: RepairedGap, providerName: (id: string) => string): string {
  return gap.filledBy.map((part) => `${providerName(part.provider)} ${formatCount(part.bars)}`).join(', ');
}

/** The outcome of a repair in one sentence. */
export function describeRepair(result: QualityRepairResult): string {
  const bars = `${formatCount(result.filled)} ${result.filled === 1 ? 'bar' : 'bars'}`;
  const gaps = `${formatCount(result.gaps.length)} ${result.gaps.length === 1 ? 'gap' : 'gaps'}`;
  const one = result.gaps.length === 1;
  const open =
    result.remaining === 0
      ? one
        ? 'it is closed'
        : 'all are closed'
      : result.remaining === result.gaps.length
        ? one
          ? 'it stays open'
          : 'all stay open'
        : `${formatCount(result.remaining)} ${result.remaining === 1 ? 'stays' : 'stay'} open`;
  const rejected = result.rejected > 0 ? ` ${formatCount(result.rejected)} bars from providers failed validation and were not stored.` : '';
  return `Filled ${bars} in ${gaps}; ${open}.${rejected}`;
}
