import { describe, expect, it } from 'vitest';
import { detectCsvLayout, timeframeFromSpacing } from '../../../src/core/import/detect-csv';
import { AppError } from '../../../src/shared/errors';
import { readRealData } from '../../support/real-data';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** `count` daily rows from 2024-01-01 in `format`, for files that need many rows to be judged. */
function dailyRows(count: number, format: (date: Date) => string, values = '1,2,0.5,1.5,10'): string {
  return Array.from({ length: count }, (_, i) => `${format(new Date(Date.UTC(2024, 0, 1) + i * DAY))},${values}`).join('\n');
}
const pad = (n: number) => String(n).padStart(2, '0');

describe('detectCsvLayout on the real files', () => {
  it('reads the MetaTrader export: semicolons, YYYY.MM.DD HH:mm, daily despite weekend gaps', () => {
    expect(detectCsvLayout(readRealData('xauusd-1d-mt4.csv'))).toEqual({
      detection: {
        delimiter: ';',
        hasHeader: true,
        headers: ['Date', 'Open', 'High', 'Low', 'Close', 'Volume'],
        dateFormat: 'YYYY.MM.DD HH:mm',
        dateFormatChoices: ['YYYY.MM.DD HH:mm'],
        decimalSeparator: '.',
        utcOffsetMinutes: 0,
        columns: { time: 0, timeOfDay: null, open: 1, high: 2, low: 3, close: 4, volume: 5 },
        timeframe: '1d',
        spacingMs: DAY,
      },
      columnCount: 6,
    });
  });

  it('reads the Yahoo download and takes Close, not Adj Close', () => {
    expect(detectCsvLayout(readRealData('btc-usd-1d-yahoo.csv'))).toEqual({
      detection: {
        delimiter: ',',
        hasHeader: true,
        headers: ['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'],
        dateFormat: 'YYYY-MM-DD',
        dateFormatChoices: ['YYYY-MM-DD'],
        decimalSeparator: '.',
        utcOffsetMinutes: 0,
        columns: { time: 0, timeOfDay: null, open: 1, high: 2, low: 3, close: 4, volume: 6 },
        timeframe: '1d',
        spacingMs: DAY,
      },
      columnCount: 7,
    });
  });

  it('reads the pandas export of Binance klines: ignores the index, prefers epoch Open time over Date', () => {
    expect(detectCsvLayout(readRealData('btcusdt-1h.csv'))).toEqual({
      detection: {
        delimiter: ',',
        hasHeader: true,
        headers: ['', 'Open time', 'Date', 'Open', 'High', 'Low', 'Close', 'Volume'],
        dateFormat: 'epoch-ms',
        dateFormatChoices: ['epoch-ms'],
        decimalSeparator: '.',
        utcOffsetMinutes: 0,
        columns: { time: 1, timeOfDay: null, open: 3, high: 4, low: 5, close: 6, volume: 7 },
        timeframe: '1h',
        spacingMs: HOUR,
      },
      columnCount: 8,
    });
  });

  it('reads the close-only monthly file: YYYY-MM, Price as close, 1M', () => {
    expect(detectCsvLayout(readRealData('gold-monthly.csv'))).toEqual({
      detection: {
        delimiter: ',',
        hasHeader: true,
        headers: ['Date', 'Price'],
        dateFormat: 'YYYY-MM',
        dateFormatChoices: ['YYYY-MM'],
        decimalSeparator: '.',
        utcOffsetMinutes: 0,
        columns: { time: 0, timeOfDay: null, open: null, high: null, low: null, close: 1, volume: null },
        timeframe: '1M',
        spacingMs: 31 * DAY,
      },
      columnCount: 2,
    });
  });
});

describe('detectCsvLayout on other vendor shapes', () => {
  it('reads a headerless MetaTrader history export with date and time in two columns', () => {
    const text = ['2024.01.02,00:00,2062.5,2064.1,2059.8,2063.2,1520', '2024.01.02,01:00,2063.2,2066.0,2061.0,2065.4,1710', '2024.01.02,02:00,2065.4,2067.3,2064.0,2064.9,980'].join('\n');
    expect(detectCsvLayout(text)).toEqual({
      detection: {
        delimiter: ',',
        hasHeader: false,
        headers: [],
        dateFormat: 'YYYY.MM.DD HH:mm',
        dateFormatChoices: ['YYYY.MM.DD HH:mm'],
        decimalSeparator: '.',
        utcOffsetMinutes: 0,
        columns: { time: 0, timeOfDay: 1, open: 2, high: 3, low: 4, close: 5, volume: 6 },
        timeframe: '1h',
        spacingMs: HOUR,
      },
      columnCount: 7,
    });
  });

  it('joins Date and Time header columns, with seconds', () => {
    const text = 'Date,Time,Open,High,Low,Close,Volume\n2024-01-02,00:00:00,1,2,0.5,1.5,10\n2024-01-02,00:05:00,1,2,0.5,1.5,10\n2024-01-02,00:10:00,1,2,0.5,1.5,10\n';
    const { detection } = detectCsvLayout(text);
    expect(detection).toMatchObject({ dateFormat: 'YYYY-MM-DD HH:mm:ss', columns: { time: 0 }, timeframe: '5m' });
    expect(detection.columns.timeOfDay).toBe(1);
  });

  it('reads an investing.com export: Price first, quoted thousands, month-first dates, newest first', () => {
    const text = [
      '"Date","Price","Open","High","Low","Vol.","Change %"',
      '"03/15/2024","2,155.90","2,163.70","2,170.00","2,150.20","195.93K","-0.34%"',
      '"03/14/2024","2,163.20","2,176.10","2,180.40","2,153.50","210.11K","-0.60%"',
      '"03/13/2024","2,176.30","2,160.00","2,183.10","2,158.40","199.02K","0.71%"',
    ].join('\n');
    const { detection } = detectCsvLayout(text);
    expect(detection).toMatchObject({
      delimiter: ',',
      dateFormat: 'MM/DD/YYYY',
      columns: { time: 0, open: 2, high: 3, low: 4, close: 1, volume: 5 },
      timeframe: '1d',
    });
  });

  it('uses Adj Close when it is the only close', () => {
    const text = 'Date,Adj Close\n2024-01-02,10\n2024-01-03,11\n';
    expect(detectCsvLayout(text).detection.columns).toEqual({ time: 0, timeOfDay: null, open: null, high: null, low: null, close: 1, volume: null });
  });

  it.each([
    ['tab', '\t'],
    ['pipe', '|'],
    ['semicolon', ';'],
  ])('guesses a %s delimiter', (_name, delimiter) => {
    const text = ['time', 'open', 'high', 'low', 'close'].join(delimiter) + '\n' + ['1704067200', '1', '2', '0.5', '1.5'].join(delimiter) + '\n' + ['1704070800', '1', '2', '0.5', '1.5'].join(delimiter);
    expect(detectCsvLayout(text).detection).toMatchObject({ delimiter, dateFormat: 'epoch-s', timeframe: '1h' });
  });

  it('reads day-first dotted dates and ISO timestamps with a zone', () => {
    const dotted = dailyRows(20, (d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`);
    expect(detectCsvLayout(dotted).detection.dateFormat).toBe('DD.MM.YYYY');
    const iso = 'timestamp,close\n2024-01-01T00:00:00Z,1\n2024-01-01T00:15:00Z,2\n2024-01-01T00:30:00Z,3\n';
    expect(detectCsvLayout(iso).detection).toMatchObject({ dateFormat: 'iso', timeframe: '15m' });
  });

  it('reads a date column by its values when the header names it in another language', () => {
    const text = 'Datum;Close\n2024-01-02;10\n2024-01-03;11\n';
    expect(detectCsvLayout(text).detection).toMatchObject({ columns: { time: 0, close: 1 }, dateFormat: 'YYYY-MM-DD' });
  });

  it('judges the date format on many rows, so one broken early row does not decide it', () => {
    const text = 'Date,Close\nnot a date,1\n' + dailyRows(30, (d) => d.toISOString().slice(0, 10), '1');
    expect(detectCsvLayout(text).detection.dateFormat).toBe('YYYY-MM-DD');
  });
});

describe('month-first and day-first slash dates', () => {
  const monthFirst = (d: Date) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
  const dayFirst = (d: Date) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;

  it('accepts month-first once a day above 12 shows it', () => {
    expect(detectCsvLayout(dailyRows(20, monthFirst)).detection.dateFormat).toBe('MM/DD/YYYY');
  });

  it('keeps both orders of dates no row can decide, month-first as the first guess', () => {
    const text = 'Date,Close\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n';
    expect(detectCsvLayout(text).detection).toMatchObject({ dateFormat: 'MM/DD/YYYY', dateFormatChoices: ['MM/DD/YYYY', 'DD/MM/YYYY'] });
  });

  it('reads undecidable dates month-first when the mapping says so', () => {
    const text = 'Date,Close\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n';
    expect(detectCsvLayout(text, { dateFormat: 'MM/DD/YYYY' }).detection).toMatchObject({ dateFormat: 'MM/DD/YYYY', timeframe: '1M' });
  });

  it('reads day-first dates once a day above 12 shows it', () => {
    expect(detectCsvLayout(dailyRows(20, dayFirst)).detection).toMatchObject({ dateFormat: 'DD/MM/YYYY', dateFormatChoices: ['DD/MM/YYYY'], timeframe: '1d' });
  });
});

describe('explicit mapping', () => {
  const text = 'when;a;b;c;d;e\n2024.01.02 00:00;1;2;0.5;1.5;10\n2024.01.03 00:00;1;2;0.5;1.5;10\n';

  it('maps columns by header name and number and keeps the rest detected', () => {
    const { detection } = detectCsvLayout(text, { time: 'WHEN', open: 1, high: 'b', low: 'c', close: 'd', volume: 5 });
    expect(detection).toMatchObject({
      delimiter: ';',
      hasHeader: true,
      dateFormat: 'YYYY.MM.DD HH:mm',
      columns: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 },
      timeframe: '1d',
    });
  });

  it('overrides every detected part', () => {
    const headerless = '2024-01-02|5|7\n2024-01-03|6|8\n';
    const { detection } = detectCsvLayout(headerless, { delimiter: '|', hasHeader: false, dateFormat: 'YYYY-MM-DD', time: 0, close: 2, volume: 1 });
    expect(detection).toEqual({
      delimiter: '|',
      hasHeader: false,
      headers: [],
      dateFormat: 'YYYY-MM-DD',
      dateFormatChoices: ['YYYY-MM-DD'],
      decimalSeparator: '.',
      utcOffsetMinutes: 0,
      columns: { time: 0, timeOfDay: null, open: null, high: null, low: null, close: 2, volume: 1 },
      timeframe: '1d',
      spacingMs: DAY,
    });
  });

  it('overrides a detected column that is wrong', () => {
    const yahoo = readRealData('btc-usd-1d-yahoo.csv');
    expect(detectCsvLayout(yahoo, { close: 'Adj Close' }).detection.columns.close).toBe(5);
  });

  it('joins a separate time-of-day column when the mapping gives a date-time format', () => {
    const split = '2024.01.02,00:00,1,2,0.5,1.5,10\n2024.01.02,04:00,1,2,0.5,1.5,10\n';
    const layout = detectCsvLayout(split, { dateFormat: 'YYYY.MM.DD HH:mm', time: 0 });
    expect(layout.detection.columns.timeOfDay).toBe(1);
    expect(layout.detection.timeframe).toBe('4h');
  });

  it('says which mapped column is missing and which columns exist', () => {
    const error = refusal(() => detectCsvLayout(text, { close: 'Close' }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe('The column mapping names "Close" for close, but the file\'s columns are: when, a, b, c, d, e.');
    expect(refusal(() => detectCsvLayout(text, { close: 6 })).message).toBe('The column mapping puts close in column 6, but the file has 6 columns (0 to 5).');
    expect(refusal(() => detectCsvLayout('2024-01-02,1\n', { close: 'Close' })).message).toMatch(/no header row/);
  });
});

describe('files that cannot be understood', () => {
  it.each([
    ['an empty file', '', 'The file is empty.'],
    ['only blank lines', '\n\r\n  \n', 'The file is empty.'],
    ['a header without rows', 'Date,Open,High,Low,Close\n', 'The file has a header row but no data rows.'],
  ])('refuses %s', (_name, text, message) => {
    const error = refusal(() => detectCsvLayout(text));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe(message);
  });

  it('refuses a file without dates and says a mapping can be given', () => {
    const error = refusal(() => detectCsvLayout('name,score\nalice,1\nbob,2\n'));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^Could not find a date or time column/);
    expect(error.message).toMatch(/column mapping/);
  });

  it('refuses a file without a close', () => {
    const error = refusal(() => detectCsvLayout('Date,Comment\n2024-01-02,quiet\n2024-01-03,busy\n'));
    expect(error.message).toMatch(/^Could not find a close or price column/);
  });

  it('refuses dates in an unknown format', () => {
    const error = refusal(() => detectCsvLayout('Date,Close\n2 Jan 2024,1\n3 Jan 2024,2\n'));
    expect(error.message).toBe('The values in column "Date" (such as "2 Jan 2024") are not dates in a format Metalytics knows. Give a column mapping (time, close, dateFormat …) to import it.');
  });

  it('refuses a single column it cannot split', () => {
    expect(refusal(() => detectCsvLayout('2024-01-02\n2024-01-03\n')).message).toMatch(/^Could not tell which character separates the columns/);
  });
});

describe('timeframeFromSpacing', () => {
  const series = (start: number, step: number, count: number) => Array.from({ length: count }, (_, i) => start + i * step);

  it.each([
    ['1m', 60_000],
    ['5m', 5 * 60_000],
    ['15m', 15 * 60_000],
    ['30m', 30 * 60_000],
    ['1h', HOUR],
    ['4h', 4 * HOUR],
    ['1d', DAY],
    ['1w', 7 * DAY],
  ] as const)('finds %s', (timeframe, step) => {
    expect(timeframeFromSpacing(series(Date.UTC(2024, 0, 1), step, 50))).toBe(timeframe);
  });

  it('finds daily bars with weekend gaps, in any order', () => {
    const weekdays = series(Date.UTC(2024, 0, 1), DAY, 60).filter((t) => ![0, 6].includes(new Date(t).getUTCDay()));
    expect(timeframeFromSpacing(weekdays.reverse())).toBe('1d');
  });

  it('finds calendar months', () => {
    expect(timeframeFromSpacing(Array.from({ length: 24 }, (_, i) => Date.UTC(2020, i, 1)))).toBe('1M');
  });

  it('finds none for irregular spacing or a single row', () => {
    expect(timeframeFromSpacing(series(0, 2 * DAY, 10))).toBeNull();
    expect(timeframeFromSpacing([Date.UTC(2024, 0, 1)])).toBeNull();
  });
});
