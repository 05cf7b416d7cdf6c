import { describe, expect, it } from 'vitest';
import { CHART_STATE_KEY, readChartState, writeChartState, type ChartState } from './chart-state';

function memoryStorage(initial?: string) {
  const items = new Map<string, string>(initial === undefined ? [] : [[CHART_STATE_KEY, initial]]);
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

describe('chart state in session storage', () => {
  it('restores what was written', () => {
    const storage = memoryStorage();
    const state: ChartState = {
      symbol: 'XAUUSD',
      timeframe: '4h',
      indicators: [
        { spec: { kind: 'sma', params: { period: 20 } }, slot: 0 },
        { spec: { kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } }, slot: 1 },
      ],
      logScale: true,
      forecast: true,
    };
    writeChartState(storage, state);
    expect(readChartState(storage)).toEqual(state);
  });

  it('starts empty without a stored state or with unreadable text', () => {
    expect(readChartState(memoryStorage())).toEqual({ indicators: [], logScale: false, forecast: false });
    expect(readChartState(memoryStorage('{not json'))).toEqual({ indicators: [], logScale: false, forecast: false });
    expect(readChartState(memoryStorage('42'))).toEqual({ indicators: [], logScale: false, forecast: false });
  });

  it('keeps the valid parts of a state written by another version', () => {
    const stored = JSON.stringify({ symbol: 'XAGUSD', timeframe: '2h', indicators: [{ spec: { kind: 'nope' }, slot: 0 }], logScale: 'yes', forecast: 1 });
    expect(readChartState(memoryStorage(stored))).toEqual({ symbol: 'XAGUSD', timeframe: undefined, indicators: [], logScale: false, forecast: false });
  });

  it('survives a storage that refuses writes', () => {
    const full = {
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    expect(() => writeChartState(full, { indicators: [], logScale: false, forecast: false })).not.toThrow();
  });
});
