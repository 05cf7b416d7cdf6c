import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { BarWindow } from '../../charts/bar-window';
import { barIndicesInRange, chartCsv, exportFileName } from './chart-export';

const window: BarWindow = {
  bars: [
    { time: Date.UTC(2025, 8, 29), open: 3800, high: 3850.5, low: 3790.25, close: 3833.1, volume: 1200 },
    { time: Date.UTC(2025, 8, 30), open: 3833.1, high: 3844.91, low: 3820, close: 3843.8, volume: 1521 },
  ],
  spans: [{ from: Date.UTC(2025, 8, 29), to: Date.UTC(2025, 8, 30), timeframe: '1d' }],
  indicators: [
    { id: 'sma-2', spec: { kind: 'sma', params: { period: 2 } }, outputs: { value: [null, 3838.45] } },
    {
      id: 'macd-12-26-9',
      spec: { kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } },
      outputs: { macd: [1.5, 2], signal: [null, 1.25], histogram: [null, -0.000001] },
    },
  ],
};

describe('chartCsv', () => {
  it('writes ISO UTC times, OHLCV and one column per indicator output, quoting headers with commas', async () => {
    const lines = (await chartCsv(window, 0, 1)).split('\r\n');
    expect(lines[0]).toBe('time,open,high,low,close,volume,SMA 2,"MACD 12, 26, 9 macd","MACD 12, 26, 9 signal","MACD 12, 26, 9 histogram"');
    expect(lines[1]).toBe('2025-09-29T00:00:00.000Z,3800,3850.5,3790.25,3833.1,1200,,1.5,,');
    expect(lines[2]).toBe('2025-09-30T00:00:00.000Z,3833.1,3844.91,3820,3843.8,1521,3838.45,2,1.25,-0.000001');
    expect(lines).toHaveLength(3);
  });

  it('round-trips through a CSV parser and exports only the asked-for bars', async () => {
    const parsed = Papa.parse<string[]>(await chartCsv(window, 1, 1), { skipEmptyLines: true }).data;
    expect(parsed[0]?.[7]).toBe('MACD 12, 26, 9 macd');
    expect(parsed).toHaveLength(2);
    expect(parsed[1]?.[0]).toBe('2025-09-30T00:00:00.000Z');
  });

  it('writes just the bar columns without indicators', async () => {
    expect((await chartCsv({ bars: window.bars, spans: window.spans, indicators: [] }, 0, 0)).split('\r\n')[0]).toBe('time,open,high,low,close,volume');
  });
});

describe('barIndicesInRange', () => {
  it('takes the bars whose centre is in view, clamped to the data', () => {
    expect(barIndicesInRange({ from: 9.5, to: 20.5 }, 100)).toEqual({ first: 10, last: 20 });
    expect(barIndicesInRange({ from: -30, to: 120 }, 100)).toEqual({ first: 0, last: 99 });
    expect(barIndicesInRange({ from: 120, to: 130 }, 100)).toBeNull();
    expect(barIndicesInRange(null, 100)).toBeNull();
    expect(barIndicesInRange({ from: 0, to: 5 }, 0)).toBeNull();
  });
});

describe('exportFileName', () => {
  it('names the symbol, timeframe and last bar without characters file systems refuse', () => {
    expect(exportFileName('XAUUSD', '1d', Date.UTC(2025, 8, 30), 'csv')).toBe('XAUUSD-1d-2025-09-30.csv');
    expect(exportFileName('BTC/USD', '1h', Date.UTC(2025, 8, 30, 14, 0), 'png')).toBe('BTC_USD-1h-2025-09-30T1400.png');
    expect(exportFileName('GC=F', '1M', Date.UTC(2025, 8, 1), 'csv')).toBe('GC=F-1mo-2025-09.csv');
  });
});
