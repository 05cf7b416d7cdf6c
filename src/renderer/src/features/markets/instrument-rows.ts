import type { Coverage, Instrument } from '../../../../shared/domain';
import { canAggregate, timeframes, type Timeframe } from '../../../../shared/timeframes';
import { fuzzySearch } from './fuzzy-match';

export interface InstrumentRow {
  symbol: string;
  name: string;
  /** Empty for symbols that have stored bars but are not in the instrument list. */
  unit: string;
  synthetic: boolean;
  /** In the instrument list, so the core can describe it (the overview refuses other symbols). */
  listed: boolean;
  /** How each provider spells it, for search. */
  tickers: string[];
  /** Stored base timeframes, finest first. */
  storedTimeframes: Timeframe[];
  barCount: number;
}

/** Instruments in catalogue order, then symbols that only exist in the stored bars, with what is stored for each. */
export function buildInstrumentRows(instruments: readonly Instrument[], coverage: readonly Coverage[]): InstrumentRow[] {
  const stored = new Map<string, { timeframes: Set<Timeframe>; bars: number }>();
  for (const entry of coverage) {
    const item = stored.get(entry.symbol) ?? { timeframes: new Set<Timeframe>(), bars: 0 };
    item.timeframes.add(entry.timeframe);
    item.bars += entry.count;
    stored.set(entry.symbol, item);
  }
  const storedFor = (symbol: string) => {
    const item = stored.get(symbol);
    return {
      storedTimeframes: timeframes.filter((tf) => item?.timeframes.has(tf)),
      barCount: item?.bars ?? 0,
    };
  };
  const known = new Set(instruments.map((i) => i.symbol));
  return [
    ...instruments.map((i) => ({
      symbol: i.symbol,
      name: i.name,
      unit: i.unit,
      synthetic: i.kind === 'synthetic',
      listed: true,
      tickers: [...new Set(Object.values(i.providerSymbols))],
      ...storedFor(i.symbol),
    })),
    ...[...stored.keys()]
      .filter((symbol) => !known.has(symbol))
      .sort()
      .map((symbol) => ({ symbol, name: symbol, unit: '', synthetic: symbol.startsWith('DEMO.'), listed: false, tickers: [], ...storedFor(symbol) })),
  ];
}

export interface InstrumentSection {
  title: string;
  rows: InstrumentRow[];
}

/**
 * Without a query: the watchlist in the user's order, then everything else with stored data
 * first. With one: the fuzzy matches, best first, watched instruments first among equals.
 */
export function instrumentSections(rows: readonly InstrumentRow[], watchlist: readonly string[], query: string): InstrumentSection[] {
  const bySymbol = new Map(rows.map((row) => [row.symbol, row]));
  const watched = [...new Set(watchlist)].flatMap((symbol) => bySymbol.get(symbol) ?? []);
  const watchedSymbols = new Set(watchlist);
  const others = rows.filter((row) => !watchedSymbols.has(row.symbol)).sort((a, b) => Number(b.barCount > 0) - Number(a.barCount > 0));
  if (query.trim() !== '') {
    const matches = fuzzySearch([...watched, ...others], query).map((ranked) => ranked.item);
    return matches.length > 0 ? [{ title: 'Matches', rows: matches }] : [];
  }
  const sections: InstrumentSection[] = [];
  if (watched.length > 0) sections.push({ title: 'Watchlist', rows: watched });
  if (others.length > 0) sections.push({ title: watched.length > 0 ? 'Other instruments' : 'Instruments', rows: others });
  return sections;
}

/** Timeframes that can be shown from what is stored: the stored ones and everything aggregable from them. */
export function chartableTimeframes(stored: readonly Timeframe[]): Timeframe[] {
  return timeframes.filter((target) => stored.some((base) => canAggregate(base, target)));
}

/** What to show on first start: the first watched symbol with data, any symbol with data, or the watchlist's head. */
export function defaultSymbol(rows: readonly InstrumentRow[], watchlist: readonly string[]): string | undefined {
  const withData = new Set(rows.filter((row) => row.barCount > 0).map((row) => row.symbol));
  return watchlist.find((symbol) => withData.has(symbol)) ?? rows.find((row) => row.barCount > 0)?.symbol ?? watchlist[0] ?? rows[0]?.symbol;
}

const DAY_MS = 86_400_000;
/** A weekend, or a long weekend with a holiday: a daily change across more calendar days than this spans a hole. */
const LONGEST_ORDINARY_GAP_DAYS = 4;

/**
 * The calendar days between the UTC days of the previous close and the last bar when the
 * change spans more than an ordinary market pause (a hole in the data, a halted market), so
 * the watchlist can say "+14.48% over 81 days" instead of passing it off as a day's move;
 * null for an ordinary daily change.
 */
export function changeSpanDays(previousTime: number, lastTime: number): number | null {
  const days = Math.floor(lastTime / DAY_MS) - Math.floor(previousTime / DAY_MS);
  return days > LONGEST_ORDINARY_GAP_DAYS ? days : null;
}
