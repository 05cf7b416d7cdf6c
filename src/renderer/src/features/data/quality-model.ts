import type { Coverage } from '../../../../shared/domain';
import type { MarketCalendarId, QualityRepairResult, RejectedRow, RepairedBar, ReportedGap } from '../../../../shared/quality';
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

export type GapOrder = 'time' | 'length';

/** The gaps of the source and those an import made by rejecting every row that would have filled them. */
export function splitGaps(gaps: readonly ReportedGap[]): { source: ReportedGap[]; rejected: ReportedGap[] } {
  const source: ReportedGap[] = [];
  const rejected: ReportedGap[] = [];
  for (const gap of gaps) (gap.rejected === gap.missing ? rejected : source).push(gap);
  return { source, rejected };
}

/** A row of the gaps table: one gap, or every gap of a single missing bar folded into one. */
export type GapRow = { kind: 'gap'; gap: ReportedGap } | { kind: 'singles'; gaps: ReportedGap[] };

/**
 * The gaps as the table lists them: oldest first or longest first (ties oldest first), with
 * the one-bar gaps folded into one row at the end, so a handful of real outages is not lost
 * among hundreds of single bars.
 */
export function gapRows(gaps: readonly ReportedGap[], order: GapOrder): GapRow[] {
  const sorted = [...gaps].sort((a, b) => (order === 'length' ? b.missing - a.missing : 0) || a.from - b.from);
  const rows: GapRow[] = sorted.filter((gap) => gap.missing > 1).map((gap) => ({ kind: 'gap', gap }));
  const singles = sorted.filter((gap) => gap.missing <= 1);
  if (singles.length > 0) rows.push({ kind: 'singles', gaps: singles });
  return rows;
}

const plural = (count: number, one: string, many: string) => `${formatCount(count)} ${count === 1 ? one : many}`;

/** The folded row's label, e.g. "1,777 single missing bars". */
export const describeSingles = (count: number) => plural(count, 'single missing bar', 'single missing bars');

/**
 * What the rows rejected at import did, and how to get them back when the bad-OHLC policy
 * refused them: "1,972 rows of btcusdt-1h.csv were rejected at import, leaving 1,868 gaps …".
 */
export function describeRejectedAtImport(rows: readonly RejectedRow[], gaps: number): string {
  const files = [...new Set(rows.map((row) => row.file))].join(', ');
  const badOhlc = rows.filter((row) => row.badOhlc).length;
  const left = gaps > 0 ? `, leaving ${plural(gaps, 'gap', 'gaps')} the source does not have` : '';
  const who = badOhlc === rows.length ? (rows.length === 1 ? 'Its' : 'Their') : `${formatCount(badOhlc)} of them ${badOhlc === 1 ? 'has' : 'have'} a`;
  const hint =
    badOhlc === 0
      ? ''
      : ` ${who} high and low ${badOhlc === rows.length ? 'do' : 'that do'} not enclose open and close: re-import with badOhlc “widen” to store them widened, or “keep” to store them as written.`;
  return `${plural(rows.length, 'row', 'rows')} of ${files} ${rows.length === 1 ? 'was' : 'were'} rejected at import${left}.${hint}`;
}

/** How many stored bars imports changed or kept, by policy: "1,972 widened" or "3 kept as written". */
export function describeRepaired(repaired: readonly RepairedBar[]): string {
  const widened = repaired.filter((bar) => bar.policy === 'widen').length;
  const kept = repaired.length - widened;
  return [widened > 0 && `${formatCount(widened)} widened`, kept > 0 && `${formatCount(kept)} kept as written`].filter(Boolean).join(', ');
}
