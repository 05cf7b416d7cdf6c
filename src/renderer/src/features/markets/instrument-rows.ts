import type { Coverage, Instrument } from '../../../../shared/domain';
import { canAggregate, timeframes, type Timeframe } from '../../../../shared/timeframes';

export interface InstrumentRow {
  symbol: string;
  name: string;
  /** Empty for symbols that have stored bars but are not in the instrument list. */
  unit: string;
  synthetic: boolean;
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
    ...instruments.map((i) => ({ symbol: i.symbol, name: i.name, unit: i.unit, synthetic: i.kind === 'synthetic', ...storedFor(i.symbol) })),
    ...[...stored.keys()]
      .filter((symbol) => !known.has(symbol))
      .sort()
      .map((symbol) => ({ symbol, name: symbol, unit: '', synthetic: symbol.startsWith('DEMO.'), ...storedFor(symbol) })),
  ];
}

function matches(row: InstrumentRow, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  return needle === '' || row.symbol.toLowerCase().includes(needle) || row.name.toLowerCase().includes(needle);
}

/** The watchlist in the user's order, then everything else with stored data first. */
export function groupInstrumentRows(rows: readonly InstrumentRow[], watchlist: readonly string[], filter: string) {
  const bySymbol = new Map(rows.map((row) => [row.symbol, row]));
  const watched = watchlist.flatMap((symbol) => {
    const row = bySymbol.get(symbol);
    return row && matches(row, filter) ? [row] : [];
  });
  const watchedSymbols = new Set(watchlist);
  const others = rows
    .filter((row) => !watchedSymbols.has(row.symbol) && matches(row, filter))
    .sort((a, b) => Number(b.barCount > 0) - Number(a.barCount > 0));
  return { watched, others };
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
