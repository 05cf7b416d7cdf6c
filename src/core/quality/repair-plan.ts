/**
 * The pure half of quality.repair: which providers to ask in what order, which stretches
 * each may serve, and how few requests cover them.
 */
import { providerIds, type Coverage, type ProviderId } from '../../shared/domain';
import type { QualityGap } from '../../shared/quality';
import { bucketStart, nominalTimeframeMs, type Timeframe } from '../../shared/timeframes';
import type { ProviderCapabilities } from '../providers/types';
import { findGaps } from './gaps';
import type { MarketCalendar } from './market-calendar';

const DAY_MS = 86_400_000;

/** Bar open times [start, end) still missing from a gap. */
export interface Span {
  start: number;
  end: number;
}

/** One provider request's worth of window and the spans it is meant to fill. */
export interface RepairWindow<S extends Span> extends Span {
  spans: S[];
}

/**
 * Default order: providers whose source stored most of this series first (their bars fit
 * the rest best: same prices, same session stamps), then the others in their usual order.
 * Sources that are not providers (an imported file) do not count.
 */
export function orderRepairProviders(coverage: readonly Pick<Coverage, 'source' | 'count'>[]): ProviderId[] {
  const stored = new Map<string, number>();
  for (const { source, count } of coverage) stored.set(source, (stored.get(source) ?? 0) + count);
  // Array.prototype.sort is stable, so providers with equal counts keep providerIds' order.
  return [...providerIds].sort((a, b) => (stored.get(b) ?? 0) - (stored.get(a) ?? 0));
}

/**
 * The open time of the oldest `timeframe` bar the provider keeps, counted back from `now`;
 * -Infinity when it keeps the full history. On a bar boundary, so no half bar is asked for.
 */
export function historyStart(capabilities: ProviderCapabilities, timeframe: Timeframe, now: number): number {
  const depthDays = capabilities.historyDepthDays[timeframe];
  if (depthDays === undefined || depthDays === null) return Number.NEGATIVE_INFINITY;
  const step = nominalTimeframeMs(timeframe);
  return Math.ceil((now - depthDays * DAY_MS) / step) * step;
}

/**
 * Windows to request: spans in time order, merged while one request can still carry them
 * (at most `maxSpanMs` from the first span's start to the last one's end), so a run of small
 * gaps costs one request of the provider's budget instead of one each. The bars a merged
 * window brings between its spans are not written. A span longer than one request stays a
 * window of its own, which the adapter pages.
 */
export function mergeGapWindows<S extends Span>(spans: readonly S[], maxSpanMs: number): RepairWindow<S>[] {
  const windows: RepairWindow<S>[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = windows.at(-1);
    if (last && Math.max(last.end, span.end) - last.start <= maxSpanMs) {
      last.end = Math.max(last.end, span.end);
      last.spans.push(span);
    } else {
      windows.push({ start: span.start, end: span.end, spans: [span] });
    }
  }
  return windows;
}

/**
 * The gaps a repair works on: every gap found, or only the parts of them inside the gaps
 * the caller named (as an earlier report gave them). A named gap with nothing missing any
 * more comes back with `missing: 0`, so the caller learns it needs no repair.
 */
export function selectRepairTargets(
  found: readonly QualityGap[],
  requested: readonly { from: number; to: number }[] | undefined,
  timeframe: Timeframe,
  calendar: MarketCalendar,
): QualityGap[] {
  if (requested === undefined) return found.map((gap) => ({ ...gap }));
  const targets = new Map<string, QualityGap>();
  for (const wanted of requested) {
    const first = bucketStart(wanted.from, timeframe);
    const last = bucketStart(wanted.to, timeframe);
    let overlapped = false;
    for (const gap of found) {
      const from = Math.max(gap.from, first);
      const to = Math.min(gap.to, last);
      if (from > to) continue;
      overlapped = true;
      // The calendar counts the missing buckets of the clipped part, as it did for the whole gap.
      const missing = from === gap.from && to === gap.to ? gap.missing : findGaps([], timeframe, calendar, { first: from, last: to }).expected;
      targets.set(`${from}:${to}`, { from, to, missing });
    }
    if (!overlapped) targets.set(`${first}:${last}`, { from: first, to: last, missing: 0 });
  }
  return [...targets.values()].sort((a, b) => a.from - b.from);
}
