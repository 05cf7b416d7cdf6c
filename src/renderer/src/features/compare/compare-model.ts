/**
 * The Compare screen's decisions without React or the chart: which instruments can take part,
 * the default choice, stable colours, the ratio and correlation pairs, and turning a reply into
 * chart points.
 */
import type { LineData, UTCTimestamp, WhitespaceData } from 'lightweight-charts';
import { MAX_COMPARE_SYMBOLS } from '../../../../shared/compare-view';
import type { Coverage, Instrument } from '../../../../shared/domain';
import { canAggregate, timeframes, type Timeframe } from '../../../../shared/timeframes';
import { toChartTime } from '../../ui/format/time';

/** A window longer than this is a regime average, not a rolling view; the core accepts more. */
export const MAX_WINDOW = 1000;

export interface Pair {
  readonly first: string;
  readonly second: string;
}

/** Ratio presets traders quote daily. */
export const ratioPresets = [
  { id: 'gold-silver', label: 'Gold/Silver', pair: { first: 'XAUUSD', second: 'XAGUSD' } },
  { id: 'gold-platinum', label: 'Gold/Platinum', pair: { first: 'XAUUSD', second: 'XPTUSD' } },
] as const satisfies ReadonlyArray<{ id: string; label: string; pair: Pair }>;

export interface CompareChoice {
  symbol: string;
  name: string;
  synthetic: boolean;
  /** Stored base timeframes, finest first; empty when nothing is stored. */
  stored: Timeframe[];
  /** Extent of everything stored for the symbol; null when nothing is. */
  first: number | null;
  last: number | null;
}

/** Catalogue instruments, then symbols that exist only in stored bars, each with what is stored. */
export function compareChoices(instruments: readonly Instrument[], coverage: readonly Coverage[]): CompareChoice[] {
  const stored = new Map<string, { timeframes: Set<Timeframe>; first: number; last: number }>();
  for (const entry of coverage) {
    const item = stored.get(entry.symbol);
    if (item) {
      item.timeframes.add(entry.timeframe);
      item.first = Math.min(item.first, entry.first);
      item.last = Math.max(item.last, entry.last);
    } else {
      stored.set(entry.symbol, { timeframes: new Set([entry.timeframe]), first: entry.first, last: entry.last });
    }
  }
  const choice = (symbol: string, name: string, synthetic: boolean): CompareChoice => {
    const item = stored.get(symbol);
    return {
      symbol,
      name,
      synthetic,
      stored: timeframes.filter((tf) => item?.timeframes.has(tf)),
      first: item?.first ?? null,
      last: item?.last ?? null,
    };
  };
  const known = new Set(instruments.map((i) => i.symbol));
  return [
    ...instruments.map((i) => choice(i.symbol, i.name, i.kind === 'synthetic')),
    ...[...stored.keys()]
      .filter((symbol) => !known.has(symbol))
      .sort()
      .map((symbol) => choice(symbol, symbol, symbol.startsWith('DEMO.'))),
  ];
}

export function hasData(choice: CompareChoice | undefined): boolean {
  return (choice?.stored.length ?? 0) > 0;
}

/** Whether the stored bars can be aggregated into `timeframe` bars. */
export function canShow(choice: CompareChoice | undefined, timeframe: Timeframe): boolean {
  return choice?.stored.some((base) => canAggregate(base, timeframe)) ?? false;
}

/**
 * Gold against silver when both are stored; otherwise the first two instruments with data,
 * watchlist first (the user's own order of importance), or the one there is.
 */
export function defaultSelection(choices: readonly CompareChoice[], watchlist: readonly string[]): string[] {
  const withData = choices.filter(hasData).map((c) => c.symbol);
  if (withData.includes('XAUUSD') && withData.includes('XAGUSD')) return ['XAUUSD', 'XAGUSD'];
  const watched = watchlist.filter((symbol) => withData.includes(symbol));
  return [...new Set([...watched, ...withData])].slice(0, 2);
}

/** Adds or removes a symbol, keeping the order of choice and at most the core's limit. */
export function toggleSymbol(selected: readonly string[], symbol: string): string[] {
  if (selected.includes(symbol)) return selected.filter((s) => s !== symbol);
  return selected.length >= MAX_COMPARE_SYMBOLS ? [...selected] : [...selected, symbol];
}

/**
 * A colour slot (0-based) per symbol that stays with the symbol while it is selected, so
 * removing one line never repaints the others; new symbols take the lowest free slot.
 */
export function assignColourSlots(previous: Readonly<Record<string, number>>, symbols: readonly string[]): Record<string, number> {
  const slots: Record<string, number> = {};
  const taken = new Set<number>();
  for (const symbol of symbols) {
    const slot = previous[symbol];
    if (slot !== undefined && !taken.has(slot)) {
      slots[symbol] = slot;
      taken.add(slot);
    }
  }
  for (const symbol of symbols) {
    if (slots[symbol] !== undefined) continue;
    let slot = 0;
    while (taken.has(slot)) slot++;
    slots[symbol] = slot;
    taken.add(slot);
  }
  return slots;
}

/** The chosen pair when both are among `usable` and differ; else the first two usable symbols; null with fewer than two. */
export function resolvePair(chosen: Pair | null, usable: readonly string[]): Pair | null {
  if (chosen && chosen.first !== chosen.second && usable.includes(chosen.first) && usable.includes(chosen.second)) return chosen;
  const [first, second] = usable;
  return first !== undefined && second !== undefined ? { first, second } : null;
}

/** `pair` with one side set to `symbol`; choosing the other side's symbol swaps the two, so they never match. */
export function choosePairSide(pair: Pair, side: keyof Pair, symbol: string): Pair {
  const other = side === 'first' ? pair.second : pair.first;
  const kept = symbol === other ? pair[side] : other;
  return side === 'first' ? { first: symbol, second: kept } : { first: kept, second: symbol };
}

/** The correlation window typed by the user, or null when it is not a whole number from 2 to MAX_WINDOW. */
export function parseWindow(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const value = Number(text);
  return value >= 2 && value <= MAX_WINDOW ? value : null;
}

/** The start date `years` before `last`, as the date input wants it. */
export function yearsBefore(last: number, years: number): string {
  const d = new Date(last);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
}

/** Chart points for one value per time; a null becomes whitespace, so every pane keeps the same time axis. */
export function toLinePoints(times: readonly number[], values: readonly (number | null)[]): (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] {
  return times.map((time, i) => {
    const value = values[i];
    return value === null || value === undefined ? { time: toChartTime(time) } : { time: toChartTime(time), value };
  });
}

/**
 * What a reply shows, from the request it answers: its instruments, timeframe and start. The
 * chart refits its view only when this changes, not when a ratio or window does.
 */
export function compareViewKey(requestKey: string | null): string {
  if (requestKey === null) return '';
  const { symbols, timeframe, from } = JSON.parse(requestKey) as { symbols?: unknown; timeframe?: unknown; from?: unknown };
  return JSON.stringify([symbols, timeframe, from ?? null]);
}

/** Index of `epochMs` in ascending `times`, or -1. */
export function indexOfTime(times: readonly number[], epochMs: number): number {
  let low = 0;
  let high = times.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const time = times[middle]!;
    if (time === epochMs) return middle;
    if (time < epochMs) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * Decimals that give a ratio four significant figures at its typical size: gold/silver 87.53,
 * bitcoin/gold 13.20, gold/bitcoin 0.07570. The axis and the legend both show them, so the two
 * read alike and a move of a tenth of a percent shows.
 */
export function ratioDecimals(typicalRatio: number): number {
  const magnitude = Math.abs(typicalRatio);
  if (!Number.isFinite(magnitude) || magnitude === 0) return 2;
  return Math.min(8, Math.max(0, 3 - Math.floor(Math.log10(magnitude))));
}
