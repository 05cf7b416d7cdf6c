import { describe, expect, it } from 'vitest';
import { detectCsvLayout } from '../../../src/core/import/detect-csv';
import { MAX_REPORTED_ERRORS, parseBars } from '../../../src/core/import/parse-bars';
import { readRealData, type RealDataFile } from '../../support/real-data';

async function parseRealFile(file: RealDataFile) {
  const text = readRealData(file);
  return parseBars(text, detectCsvLayout(text));
}

/** Each file's first and last data rows as written, with the bar they must become. */
const cases: Array<{ file: RealDataFile; rows: number; rejected: number; first: [string, object]; last: [string, object] }> = [
  {
    file: 'xauusd-1d-mt4.csv',
    rows: 5_383,
    rejected: 0,
    first: ['2004.06.11 00:00;384;384.8;382.8;384.1;272', { time: Date.UTC(2004, 5, 11), open: 384, high: 384.8, low: 382.8, close: 384.1, volume: 272 }],
    last: ['2025.09.30 00:00;3843.36;3844.91;3842.41;3843.8;1521', { time: Date.UTC(2025, 8, 30), open: 3843.36, high: 3844.91, low: 3842.41, close: 3843.8, volume: 1521 }],
  },
  {
    // The data README says 2,722 rows; the file has 2,723 (2014-09-17 to 2022-03-01 inclusive) and no final line break.
    file: 'btc-usd-1d-yahoo.csv',
    rows: 2_723,
    rejected: 0,
    first: [
      '2014-09-17,465.864014,468.174011,452.421997,457.334015,457.334015,21056800',
      { time: Date.UTC(2014, 8, 17), open: 465.864014, high: 468.174011, low: 452.421997, close: 457.334015, volume: 21_056_800 },
    ],
    last: [
      '2022-03-01,43194.503906,44793.601563,42952.585938,44354.636719,44354.636719,32479047645',
      { time: Date.UTC(2022, 2, 1), open: 43194.503906, high: 44793.601563, low: 42952.585938, close: 44354.636719, volume: 32_479_047_645 },
    ],
  },
  {
    file: 'btcusdt-1h.csv',
    rows: 37_394,
    rejected: 1_972,
    first: [
      '0,1514678400000,2017-12-31_00:00:00,12345.1,12897.0,12149.98,12860.0,729.979678',
      { time: Date.UTC(2017, 11, 31, 0), open: 12345.1, high: 12897, low: 12149.98, close: 12860, volume: 729.979678 },
    ],
    last: [
      '37393,1649772300000,2022-04-12_14:05:00,40322.47,40379.25,39800.0,40038.58,2440.1925100000003',
      { time: Date.UTC(2022, 3, 12, 14, 5), open: 40322.47, high: 40379.25, low: 39800, close: 40038.58, volume: 2440.1925100000003 },
    ],
  },
  {
    file: 'gold-monthly.csv',
    rows: 2_322,
    rejected: 0,
    first: ['1833-01,18.930', { time: Date.UTC(1833, 0, 1), open: 18.93, high: 18.93, low: 18.93, close: 18.93, volume: 0 }],
    last: ['2026-06,4228.000', { time: Date.UTC(2026, 5, 1), open: 4228, high: 4228, low: 4228, close: 4228, volume: 0 }],
  },
];

describe.each(cases)('parseBars on $file', ({ file, rows, rejected, first, last }) => {
  it(`reads ${rows} rows and rejects ${rejected}`, async () => {
    const result = await parseRealFile(file);
    expect(result.rowsRead).toBe(rows);
    expect(result.errorCount).toBe(rejected);
    expect(result.bars).toHaveLength(rows - rejected);
  });

  it('turns the first and last rows into the bars their text says', async () => {
    const text = readRealData(file);
    expect(text).toContain(first[0]);
    expect(text.trimEnd().endsWith(last[0])).toBe(true);
    const { bars } = await parseRealFile(file);
    expect(bars[0]).toEqual(first[1]);
    expect(bars.at(-1)).toEqual(last[1]);
  });

  it('yields strictly increasing times', async () => {
    const { bars } = await parseRealFile(file);
    expect(bars.every((bar, i) => i === 0 || bar.time > bars[i - 1]!.time)).toBe(true);
  });
});

describe('the real bad rows of btcusdt-1h.csv', () => {
  /**
   * An independent reading of the raw text: in 1,972 rows the close lies outside the
   * row's own high–low range (by 0.045 % typically, 1.9 % at most), so those rows are
   * not consistent bars and are rejected.
   */
  function inconsistentRows(): Array<{ line: number; reason: string }> {
    const found: Array<{ line: number; reason: string }> = [];
    readRealData('btcusdt-1h.csv')
      .split('\n')
      .forEach((text, index) => {
        const cells = text.split(',');
        if (index === 0 || cells.length !== 8) return;
        const [open, high, low, close] = cells.slice(3, 7).map(Number) as [number, number, number, number];
        if (open > high || open < low) found.push({ line: index + 1, reason: 'open outside high and low' });
        else if (close > high) found.push({ line: index + 1, reason: `High ${cells[4]} is below close ${cells[6]}` });
        else if (close < low) found.push({ line: index + 1, reason: `Low ${cells[5]} is above close ${cells[6]}` });
      });
    return found;
  }

  it('rejects exactly the rows whose close lies outside their high and low', async () => {
    const expected = inconsistentRows();
    expect(expected).toHaveLength(1_972);
    expect(expected.filter((e) => e.reason.startsWith('High'))).toHaveLength(1_059);
    const { errors, errorCount } = await parseRealFile('btcusdt-1h.csv');
    expect(errorCount).toBe(expected.length);
    expect(errors).toEqual(expected.slice(0, MAX_REPORTED_ERRORS));
    expect(errors.slice(0, 3)).toEqual([
      { line: 9, reason: 'High 12831.31 is below close 12882.17' },
      { line: 33, reason: 'Low 13555.02 is above close 13550.0' },
      { line: 43, reason: 'Low 13000.0 is above close 12988.0' },
    ]);
  });

  it('keeps bar times as written, also where they drift off the hour after an outage', async () => {
    const { bars } = await parseRealFile('btcusdt-1h.csv');
    // Line 936 is 2018-02-08_00:05:00; after a 34.5 h outage line 937 opens at 10:35:14.789.
    const afterOutage = bars.findIndex((bar) => bar.time === 1_518_172_514_789);
    expect(bars[afterOutage]).toEqual({ time: 1_518_172_514_789, open: 8210.01, high: 8339, low: 8210, close: 8305.97, volume: 1218.6120680000001 });
    expect(bars[afterOutage - 1]!.time).toBe(Date.UTC(2018, 1, 8, 0, 5));
  });
});
