import { describe, expect, it } from 'vitest';
import type { Coverage, Instrument } from '../../../../shared/domain';
import { buildInstrumentRows, chartableTimeframes, defaultSymbol, groupInstrumentRows } from './instrument-rows';

const instrument = (symbol: string, name: string, kind: Instrument['kind'] = 'spot'): Instrument => ({
  symbol,
  name,
  kind,
  unit: 'USD per troy ounce',
  currency: 'USD',
  providerSymbols: {},
});
const instruments = [instrument('XAUUSD', 'Gold spot'), instrument('XAGUSD', 'Silver spot'), instrument('DEMO.XAUUSD', 'Demo gold (synthetic prices)', 'synthetic')];
const cover = (symbol: string, timeframe: Coverage['timeframe'], count: number): Coverage => ({ symbol, timeframe, source: 'csv', first: 0, last: 1, count });

describe('buildInstrumentRows', () => {
  it('adds what is stored per symbol and appends stored symbols missing from the list', () => {
    const rows = buildInstrumentRows(instruments, [cover('XAGUSD', '1d', 10), cover('XAGUSD', '1h', 5), cover('MYCSV', '1d', 3)]);
    expect(rows.map((r) => r.symbol)).toEqual(['XAUUSD', 'XAGUSD', 'DEMO.XAUUSD', 'MYCSV']);
    expect(rows[1]).toMatchObject({ storedTimeframes: ['1h', '1d'], barCount: 15 });
    expect(rows[0]).toMatchObject({ storedTimeframes: [], barCount: 0, synthetic: false });
    expect(rows[2]?.synthetic).toBe(true);
    expect(rows[3]).toMatchObject({ name: 'MYCSV', unit: '' });
  });
});

describe('groupInstrumentRows', () => {
  const rows = buildInstrumentRows(instruments, [cover('DEMO.XAUUSD', '1h', 100)]);

  it('keeps the watchlist order and puts other instruments with data first', () => {
    const { watched, others } = groupInstrumentRows(rows, ['XAGUSD', 'XAUUSD', 'NOT.LISTED'], '');
    expect(watched.map((r) => r.symbol)).toEqual(['XAGUSD', 'XAUUSD']);
    expect(others.map((r) => r.symbol)).toEqual(['DEMO.XAUUSD']);
  });

  it('filters by symbol or name, ignoring case', () => {
    const { watched, others } = groupInstrumentRows(rows, ['XAGUSD'], 'gold');
    expect(watched).toEqual([]);
    expect(others.map((r) => r.symbol)).toEqual(['DEMO.XAUUSD', 'XAUUSD']);
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
