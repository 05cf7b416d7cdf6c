import { describe, expect, it } from 'vitest';
import { detectCsvLayout } from '../../../src/core/import/detect-csv';
import { parseBars } from '../../../src/core/import/parse-bars';
import type { BadOhlcPolicy, CsvMapping } from '../../../src/shared/domain';
import { AppError } from '../../../src/shared/errors';

/** Each format as its exporter writes it, a few rows each; the bars they must become are spelled out. */
async function read(text: string, mapping?: CsvMapping, policy?: BadOhlcPolicy) {
  const layout = detectCsvLayout(text, mapping);
  return { detection: layout.detection, ...(await parseBars(text, layout, policy)) };
}

const bar = (time: number, open: number, high: number, low: number, close: number, volume: number) => ({ time, open, high, low, close, volume });

describe('a file where most dates are good', () => {
  const text = [
    'Date,Open,High,Low,Close,Volume',
    '2024-01-02,10,12,9,11,100',
    '2024-13-45,10,12,9,11,100',
    '2024-01-03,10,12,9,11,100',
    'yesterday,10,12,9,11,100',
    '2024-01-04,10,12,9,11,100',
    '2024-02-30,10,12,9,11,100',
    '2024-01-05,10,12,9,11,100',
  ].join('\n');

  it('imports the good rows and lists the bad ones with their line and reason', async () => {
    const { detection, bars, errors } = await read(text);
    expect(detection).toMatchObject({ dateFormat: 'YYYY-MM-DD', timeframe: '1d' });
    expect(bars.map((b) => b.time)).toEqual([Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3), Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 5)]);
    expect(errors).toEqual([
      { line: 3, reason: 'Time "2024-13-45" is not a date in YYYY-MM-DD format' },
      { line: 5, reason: 'Time "yesterday" is not a date in YYYY-MM-DD format' },
      { line: 7, reason: 'Time "2024-02-30" is not a date in YYYY-MM-DD format' },
    ]);
  });

  it('quotes a value that is actually bad when most are', () => {
    const mostlyBad = 'Date,Close\n2024-01-02,1\nyesterday,2\ntoday,3\nsoon,4\n';
    expect(() => detectCsvLayout(mostlyBad)).toThrow(
      new AppError(
        'VALIDATION',
        'The values in column "Date" (such as "yesterday") are not dates in a format Metalytics knows. Give a column mapping (time, close, dateFormat …) to import it.',
        {
          delimiter: ',',
          hasHeader: true,
          headers: ['Date', 'Close'],
          columnCount: 2,
          sampleRows: [['2024-01-02', '1'], ['yesterday', '2'], ['today', '3'], ['soon', '4']],
        },
      ),
    );
  });
});

describe('day-first and month-first dates', () => {
  it('reads DD/MM/YYYY once a day above 12 decides it', async () => {
    const { detection, bars } = await read('Date,Close\n12/01/2024,1\n13/01/2024,2\n14/01/2024,3\n');
    expect(detection.dateFormatChoices).toEqual(['DD/MM/YYYY']);
    expect(bars.map((b) => b.time)).toEqual([Date.UTC(2024, 0, 12), Date.UTC(2024, 0, 13), Date.UTC(2024, 0, 14)]);
  });

  it('reads DD.MM.YYYY with semicolons and decimal commas', async () => {
    const text = 'Date;Open;High;Low;Close;Volume\n02.01.2024;2063,25;2065,10;2060,00;2064,50;1520\n03.01.2024;2064,50;2070;2041,35;2042,80;1710\n';
    const { detection, bars } = await read(text);
    expect(detection).toMatchObject({ delimiter: ';', dateFormat: 'DD.MM.YYYY', decimalSeparator: ',', columns: { time: 0, close: 4 } });
    expect(bars).toEqual([bar(Date.UTC(2024, 0, 2), 2063.25, 2065.1, 2060, 2064.5, 1520), bar(Date.UTC(2024, 0, 3), 2064.5, 2070, 2041.35, 2042.8, 1710)]);
  });

  it('keeps both orders open when no day is above 12, and reads the one the mapping names', async () => {
    const text = 'Date,Close\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n';
    expect((await read(text)).detection.dateFormatChoices).toEqual(['MM/DD/YYYY', 'DD/MM/YYYY']);
    const { detection, bars } = await read(text, { dateFormat: 'DD/MM/YYYY' });
    expect(detection).toMatchObject({ dateFormatChoices: ['DD/MM/YYYY'], timeframe: '1d' });
    expect(bars[0]!.time).toBe(Date.UTC(2024, 1, 1));
  });
});

describe('thousands separators', () => {
  it('reads quoted 1,234.56 in a comma file', async () => {
    const { bars } = await read('Date,Open,High,Low,Close\n2024-01-02,"1,234.56","1,240.00","1,230.10","1,238.90"\n2024-01-03,"1,238.90","1,250.00","1,235.00","1,249.95"\n');
    expect(bars[0]).toEqual(bar(Date.UTC(2024, 0, 2), 1234.56, 1240, 1230.1, 1238.9, 0));
  });

  it('reads 1.234,56 in a semicolon file', async () => {
    const { detection, bars } = await read('Date;Open;High;Low;Close;Volume\n2024-01-02;1.234,56;1.240,00;1.230,10;1.238,90;12.500\n2024-01-03;1.238,90;1.250,00;1.235,00;1.249,95;9.800\n');
    expect(detection.decimalSeparator).toBe(',');
    expect(bars[0]).toEqual(bar(Date.UTC(2024, 0, 2), 1234.56, 1240, 1230.1, 1238.9, 12_500));
  });

  it('reads a decimal comma the mapping names even when no value shows it', async () => {
    const { bars } = await read('Date;Close;Volume\n2024-01-02;1.234;1\n2024-01-03;1.250;2\n', { decimalSeparator: ',' });
    expect(bars.map((b) => b.close)).toEqual([1234, 1250]);
  });
});

describe('MetaTrader exports', () => {
  it('reads MetaTrader 5: tabs, <DATE> and <TIME> apart, <TICKVOL> over an all-zero <VOL>, <SPREAD> left alone', async () => {
    const text = [
      '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>',
      '2024.01.02\t00:00:00\t2062.50\t2064.10\t2059.80\t2063.20\t1520\t0\t35',
      '2024.01.02\t01:00:00\t2063.20\t2066.00\t2061.00\t2065.40\t1710\t0\t35',
      '2024.01.02\t02:00:00\t2065.40\t2067.30\t2064.00\t2064.90\t980\t0\t30',
    ].join('\n');
    const { detection, bars } = await read(text);
    expect(detection).toMatchObject({ delimiter: '\t', dateFormat: 'YYYY.MM.DD HH:mm', columns: { time: 0, timeOfDay: 1, volume: 6 }, timeframe: '1h' });
    expect(bars[1]).toEqual(bar(Date.UTC(2024, 0, 2, 1), 2063.2, 2066, 2061, 2065.4, 1710));
  });

  it('takes <VOL> when it has values', async () => {
    const text = '<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<TICKVOL>,<VOL>,<SPREAD>\n2024.01.02,00:00,1,2,0.5,1.5,10,700,1\n2024.01.03,00:00,1,2,0.5,1.5,11,800,1\n';
    expect((await read(text)).bars.map((b) => b.volume)).toEqual([700, 800]);
  });
});

describe('TradingView chart exports', () => {
  it('reads unix seconds and ignores indicator columns', async () => {
    const text = 'time,open,high,low,close,Volume,Volume MA,Basis,Upper,Lower\n1704153600,2062.5,2064.1,2059.8,2063.2,1520,NaN,2050.1,2080.3,2019.9\n1704157200,2063.2,2066,2061,2065.4,1710,1615,2051.2,2081,2021.4\n';
    const { detection, bars } = await read(text);
    expect(detection).toMatchObject({ dateFormat: 'epoch-s', columns: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 }, timeframe: '1h' });
    expect(bars[0]).toEqual(bar(Date.UTC(2024, 0, 2), 2062.5, 2064.1, 2059.8, 2063.2, 1520));
  });

  it('reads ISO times with their offset and reports it', async () => {
    const text = 'time,open,high,low,close,Volume\n2024-01-02T09:30:00-05:00,187.15,188.44,183.89,185.64,82488674\n2024-01-03T09:30:00-05:00,184.22,185.88,183.43,184.25,58414460\n';
    const { detection, bars } = await read(text);
    expect(detection).toMatchObject({ dateFormat: 'iso', utcOffsetMinutes: -300, timeframe: '1d' });
    expect(bars[0]!.time).toBe(Date.UTC(2024, 0, 2, 14, 30));
  });
});

describe('Stooq downloads', () => {
  it('reads the plain daily form', async () => {
    const { detection, bars } = await read('Date,Open,High,Low,Close,Volume\n2024-01-02,187.15,188.44,183.885,185.64,82488674\n2024-01-03,184.22,185.88,183.43,184.25,58414460\n');
    expect(detection).toMatchObject({ dateFormat: 'YYYY-MM-DD', timeframe: '1d' });
    expect(bars[0]).toEqual(bar(Date.UTC(2024, 0, 2), 187.15, 188.44, 183.885, 185.64, 82_488_674));
  });

  it('reads the <TICKER>,<PER>,<DATE>,<TIME> form with compact dates and times', async () => {
    const text = [
      '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>',
      'XAUUSD,60,20240102,150000,2062.5,2064.1,2059.8,2063.2,1520,0',
      'XAUUSD,60,20240102,160000,2063.2,2066,2061,2065.4,1710,0',
      'XAUUSD,60,20240102,170000,2065.4,2067.3,2064,2064.9,980,0',
    ].join('\n');
    const { detection, bars } = await read(text);
    expect(detection).toMatchObject({ dateFormat: 'YYYYMMDD HHmmss', columns: { time: 2, timeOfDay: 3, open: 4, close: 7, volume: 8 }, timeframe: '1h' });
    expect(bars[0]).toEqual(bar(Date.UTC(2024, 0, 2, 15), 2062.5, 2064.1, 2059.8, 2063.2, 1520));
  });
});

describe('Investing.com downloads', () => {
  it('reads quoted values, month-first dates, K and M volumes, thousands and newest-first order', async () => {
    const text = [
      '"Date","Price","Open","High","Low","Vol.","Change %"',
      '"03/15/2024","2,155.90","2,163.70","2,170.00","2,150.20","195.93K","-0.34%"',
      '"03/14/2024","2,163.20","2,176.10","2,180.40","2,153.50","1.21M","-0.60%"',
      '"03/13/2024","2,176.30","2,160.00","2,183.10","2,158.40","-","0.71%"',
    ].join('\n');
    const { detection, bars, errorCount } = await read(text);
    expect(detection).toMatchObject({ dateFormatChoices: ['MM/DD/YYYY'], columns: { close: 1, volume: 5 } });
    expect(errorCount).toBe(0);
    expect(bars).toEqual([
      bar(Date.UTC(2024, 2, 13), 2160, 2183.1, 2158.4, 2176.3, 0),
      bar(Date.UTC(2024, 2, 14), 2176.1, 2180.4, 2153.5, 2163.2, 1_210_000),
      bar(Date.UTC(2024, 2, 15), 2163.7, 2170, 2150.2, 2155.9, 195_930),
    ]);
  });

  it('reads the older named-month dates', async () => {
    const { detection, bars } = await read('"Date","Price","Open","High","Low","Vol.","Change %"\n"Mar 15, 2024","2,155.90","2,163.70","2,170.00","2,150.20","195.93K","-0.34%"\n"Mar 14, 2024","2,163.20","2,176.10","2,180.40","2,153.50","210.11K","-0.60%"\n');
    expect(detection.dateFormat).toBe('MMM DD, YYYY');
    expect(bars.map((b) => b.time)).toEqual([Date.UTC(2024, 2, 14), Date.UTC(2024, 2, 15)]);
  });
});

describe('local-time exports', () => {
  it('reads Dukascopy day-first times with milliseconds', async () => {
    const { detection, bars } = await read('Gmt time,Open,High,Low,Close,Volume\n02.01.2024 00:00:00.000,1.10427,1.10433,1.10398,1.10413,2103.53\n02.01.2024 01:00:00.000,1.10413,1.10441,1.10405,1.10437,1897.2\n');
    expect(detection).toMatchObject({ dateFormat: 'DD.MM.YYYY HH:mm', timeframe: '1h' });
    expect(bars[1]!.time).toBe(Date.UTC(2024, 0, 2, 1));
  });

  it('shifts times without a zone by the mapping’s utcOffsetMinutes, and leaves epochs alone', async () => {
    const local = 'Date,Close\n2024-01-02 10:00,1\n2024-01-02 11:00,2\n';
    const { detection, bars } = await read(local, { utcOffsetMinutes: 120 });
    expect(detection.utcOffsetMinutes).toBe(120);
    expect(bars[0]!.time).toBe(Date.UTC(2024, 0, 2, 8));
    const epochs = await read('time,close\n1704153600,1\n1704157200,2\n', { utcOffsetMinutes: 120 });
    expect(epochs.bars[0]!.time).toBe(Date.UTC(2024, 0, 2));
  });
});

describe('bad OHLC policies', () => {
  const text = 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,12,9,11,100\n2024-01-03,10,11,9,11.5,100\n2024-01-04,10.6,12,10.5,10.2,100\n';

  it('rejects inconsistent rows by default and counts them by kind', async () => {
    const { bars, errorCount, badOhlc } = await read(text);
    expect(bars).toHaveLength(1);
    expect(errorCount).toBe(2);
    expect(badOhlc).toEqual({ closeOutside: 2, openOutside: 0, highBelowLow: 0 });
  });

  it('widens high and low to take in open and close', async () => {
    const { bars, errorCount } = await read(text, undefined, 'widen');
    expect(errorCount).toBe(0);
    expect(bars.slice(1)).toEqual([bar(Date.UTC(2024, 0, 3), 10, 11.5, 9, 11.5, 100), bar(Date.UTC(2024, 0, 4), 10.6, 12, 10.2, 10.2, 100)]);
  });

  it('keeps them as written', async () => {
    const { bars } = await read(text, undefined, 'keep');
    expect(bars.slice(1)).toEqual([bar(Date.UTC(2024, 0, 3), 10, 11, 9, 11.5, 100), bar(Date.UTC(2024, 0, 4), 10.6, 12, 10.5, 10.2, 100)]);
  });
});
