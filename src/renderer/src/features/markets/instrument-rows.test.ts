import { describe, expect, it } from 'vitest';
import type { Coverage, Instrument } from '../../../../shared/domain';
import { buildInstrumentRows, changeSpanDays, chartableTimeframes, defaultSymbol, instrumentSections } from './instrument-rows';

const instrument = (symbol: string, name: string, kind: Instrument['kind'] = 'spot', providerSymbols: Instrument['providerSymbols'] = {}): Instrument => ({
  symbol,
  name,
  kind,
  unit: 'USD per troy ounce',
  currency: 'USD',
  providerSymbols,
});
const instruments = [
  instrument('XAUUSD', 'Gold spot', 'spot', { polygon: 'C:XAUUSD', twelvedata: 'XAU/USD', metalsapi: 'XAU' }),
  instrument('XAGUSD', 'Silver spot', 'spot', { twelvedata: 'XAG/USD', metalsapi: 'XAG' }),
  instrument('DEMO.XAUUSD', 'Demo gold (synthetic prices)', 'synthetic'),
];
const cover = (symbol: string, timeframe: Coverage['timeframe'], count: number): Coverage => ({ symbol, timeframe, source: 'csv', first: 0, last: 1, count });

describe('buildInstrumentRows', () => {
  it('adds what is stored per symbol and appends stored symbols missing from the list', () => {
    const rows = buildInstrumentRows(instruments, [cover('XAGUSD', '1d', 10), cover('XAGUSD', '1h', 5), cover('MYCSV', '1d', 3)]);
    expect(rows.map((r) => r.symbol)).toEqual(['XAUUSD', 'XAGUSD', 'DEMO.XAUUSD', 'MYCSV']);
    expect(rows[1]).toMatchObject({ storedTimeframes: ['1h', '1d'], barCount: 15 });
    expect(rows[0]).toMatchObject({ storedTimeframes: [], barCount: 0, synthetic: false, listed: true, tickers: ['C:XAUUSD', 'XAU/USD', 'XAU'] });
    expect(rows[2]?.synthetic).toBe(true);
    expect(rows[3]).toMatchObject({ name: 'MYCSV', unit: '', listed: false, tickers: [] });
  });
});

describe('instrumentSections', () => {
  const rows = buildInstrumentRows(instruments, [cover('DEMO.XAUUSD', '1h', 100)]);
  const symbols = (sections: ReturnType<typeof instrumentSections>) => sections.map((s) => [s.title, s.rows.map((r) => r.symbol)]);

  it('keeps the watchlist order and puts other instruments with data first', () => {
    expect(symbols(instrumentSections(rows, ['XAGUSD', 'XAUUSD', 'NOT.LISTED', 'XAGUSD'], ''))).toEqual([
      ['Watchlist', ['XAGUSD', 'XAUUSD']],
      ['Other instruments', ['DEMO.XAUUSD']],
    ]);
    expect(symbols(instrumentSections(rows, [], ''))).toEqual([['Instruments', ['DEMO.XAUUSD', 'XAUUSD', 'XAGUSD']]]);
  });

  it('lists fuzzy matches best first, watched instruments first among equals', () => {
    expect(symbols(instrumentSections(rows, ['XAGUSD'], 'gold'))).toEqual([['Matches', ['DEMO.XAUUSD', 'XAUUSD']]]);
    expect(symbols(instrumentSections(rows, ['XAUUSD'], 'gold'))).toEqual([['Matches', ['XAUUSD', 'DEMO.XAUUSD']]]);
    expect(symbols(instrumentSections(rows, [], 'xag/usd'))).toEqual([['Matches', ['XAGUSD']]]);
    expect(instrumentSections(rows, [], 'copper')).toEqual([]);
  });
});

describe('chartableTimeframes', () => {
  it('lists the stored timeframe and everything aggregable from it', () => {
    expect(chartableTimeframes(['1h'])).toEqual(['1h', '4h', '1d', '1w', '1M']);
    expect(chartableTimeframes(['1M'])).toEqual(['1M']);
    expect(chartableTimeframes([])).toEqual([]);
  });
});

describe('defaultSymbol', () => {
  it('prefers watched symbols with data, then any data, then the watchlist', () => {
    const rows = buildInstrumentRows(instruments, [cover('DEMO.XAUUSD', '1h', 1), cover('XAGUSD', '1d', 1)]);
    expect(defaultSymbol(rows, ['XAUUSD', 'XAGUSD'])).toBe('XAGUSD');
    expect(defaultSymbol(rows, ['XAUUSD'])).toBe('XAGUSD');
    expect(defaultSymbol(buildInstrumentRows(instruments, []), ['XAUUSD'])).toBe('XAUUSD');
  });
});

describe('changeSpanDays', () => {
  const at = (day: string, hour = 0) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  it('names the span of a change across a hole, and not across a weekend or a long weekend', () => {
    // The gold history's hole: the bar before 2025-09-29 is from 2025-07-10.
    expect(changeSpanDays(at('2025-07-10'), at('2025-09-29'))).toBe(81);
    expect(changeSpanDays(at('2025-09-26'), at('2025-09-29'))).toBeNull();
    expect(changeSpanDays(at('2025-04-17'), at('2025-04-21'))).toBeNull();
    expect(changeSpanDays(at('2025-09-28', 23), at('2025-09-29', 1))).toBeNull();
  });
});
