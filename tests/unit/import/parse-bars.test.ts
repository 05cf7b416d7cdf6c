import { describe, expect, it } from 'vitest';
import { detectCsvLayout } from '../../../src/core/import/detect-csv';
import { MAX_REPORTED_ERRORS, parseBars } from '../../../src/core/import/parse-bars';
import type { CsvMapping } from '../../../src/shared/domain';

const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

async function parseText(text: string, mapping?: CsvMapping) {
  return parseBars(text, detectCsvLayout(text, mapping));
}

/** One broken row of each kind between good ones; line numbers are the file's, header = 1. */
const brokenRows = [
  'Date,Open,High,Low,Close,Volume',
  '2024-01-01,10,12,9,11,100',
  '2024-01-02,abc,12,9,11,100',
  '2024-13-03,10,12,9,11,100',
  '2024-01-04,10,9,12,11,100',
  '2024-01-05,-10,12,9,11,100',
  '2024-01-06,10,12,9',
  '2024-01-01,10,12,9,11.5,100',
  '',
  '2024-01-07,10,11,9,11.5,100',
  '2024-01-08,10.6,12,10.5,10.2,100',
  '2024-01-09,NaN,12,9,11,100',
  '2024-01-10,10,Infinity,9,11,100',
  '2024-01-11,10,12,9,11,-5',
  '2024-01-12,10,12,9,11,',
  '2024-01-13,0,12,9,11,1',
  '2024-01-14,,12,9,11,1',
  ',10,12,9,11,1',
  '2024-01-15,10,12,9,11,1',
  '',
  '',
];

const brokenRowErrors = [
  { line: 3, reason: 'Open "abc" is not a number' },
  { line: 4, reason: 'Time "2024-13-03" is not a date in YYYY-MM-DD format' },
  { line: 5, reason: 'High 9 is below low 12' },
  { line: 6, reason: 'Open -10 is not a positive price' },
  { line: 7, reason: 'expected 6 fields, found 4' },
  { line: 8, reason: 'Duplicate time 2024-01-01T00:00:00.000Z: line 2 has the same time and was kept' },
  { line: 10, reason: 'High 11 is below close 11.5' },
  { line: 11, reason: 'Low 10.5 is above close 10.2' },
  { line: 12, reason: 'Open "NaN" is not a finite number' },
  { line: 13, reason: 'High "Infinity" is not a finite number' },
  { line: 14, reason: 'Volume -5 is negative' },
  { line: 16, reason: 'Open 0 is not a positive price' },
  { line: 17, reason: 'Open is empty' },
  { line: 18, reason: 'Time is empty' },
];

const survivingBars = [
  { time: day('2024-01-01'), open: 10, high: 12, low: 9, close: 11, volume: 100 },
  { time: day('2024-01-12'), open: 10, high: 12, low: 9, close: 11, volume: 0 },
  { time: day('2024-01-15'), open: 10, high: 12, low: 9, close: 11, volume: 1 },
];

describe('parseBars rejects broken rows with line and reason and keeps the good ones', () => {
  it('with LF line endings', async () => {
    const result = await parseText(brokenRows.join('\n'));
    expect(result.errors).toEqual(brokenRowErrors);
    expect(result.errorCount).toBe(brokenRowErrors.length);
    expect(result.bars).toEqual(survivingBars);
    expect(result.rowsRead).toBe(survivingBars.length + brokenRowErrors.length);
  });

  it('with CRLF line endings', async () => {
    const result = await parseText(brokenRows.join('\r\n'));
    expect(result.errors).toEqual(brokenRowErrors);
    expect(result.bars).toEqual(survivingBars);
  });

  it('with a byte-order mark before the header', async () => {
    const result = await parseText('\ufeff' + brokenRows.join('\r\n'));
    expect(result.errors).toEqual(brokenRowErrors);
    expect(result.bars).toEqual(survivingBars);
  });
});

describe('parseBars reads what vendors write', () => {
  it('reads quoted numbers with thousands separators in a semicolon file', async () => {
    const text = 'Date;Open;High;Low;Close;Volume\n2024-01-02;"1,234.5";"1,240.0";"1,200.25";"1,235";"12,000"\n';
    const { bars, errorCount } = await parseText(text);
    expect(errorCount).toBe(0);
    expect(bars).toEqual([{ time: day('2024-01-02'), open: 1234.5, high: 1240, low: 1200.25, close: 1235, volume: 12_000 }]);
  });

  it('reads quoted thousands in a comma file', async () => {
    const { bars } = await parseText('Date,Close\n2024-01-02,"2,155.90"\n2024-01-03,"2,163.20"\n');
    expect(bars.map((b) => b.close)).toEqual([2155.9, 2163.2]);
  });

  it('makes close-only rows flat bars without volume', async () => {
    const { bars } = await parseText('Date,Price\n1833-01,18.930\n1833-02,18.950\n');
    expect(bars).toEqual([
      { time: Date.UTC(1833, 0, 1), open: 18.93, high: 18.93, low: 18.93, close: 18.93, volume: 0 },
      { time: Date.UTC(1833, 1, 1), open: 18.95, high: 18.95, low: 18.95, close: 18.95, volume: 0 },
    ]);
  });

  it('leaves out columns the mapping sets to null, as for a close-only file', async () => {
    const text = 'Date,Time,Open,High,Low,Close,Volume\n2024-01-02,10:00,1,3,0.5,2,100\n2024-01-03,10:00,2,4,1,3,200\n';
    const detected = detectCsvLayout(text).detection.columns;
    expect(detected).toMatchObject({ timeOfDay: 1, open: 2, high: 3, low: 4, volume: 6 });
    const mapping: CsvMapping = { timeOfDay: null, open: null, high: null, low: null, volume: null };
    expect(detectCsvLayout(text, mapping).detection).toMatchObject({
      dateFormat: 'YYYY-MM-DD',
      columns: { time: 0, timeOfDay: null, open: null, high: null, low: null, close: 5, volume: null },
    });
    const { bars } = await parseText(text, mapping);
    expect(bars).toEqual([
      { time: day('2024-01-02'), open: 2, high: 2, low: 2, close: 2, volume: 0 },
      { time: day('2024-01-03'), open: 3, high: 3, low: 3, close: 3, volume: 0 },
    ]);
    // Only volume left out: the prices stay as written.
    const { bars: withoutVolume } = await parseText(text, { volume: null });
    expect(withoutVolume[0]).toEqual({ time: Date.UTC(2024, 0, 2, 10), open: 1, high: 3, low: 0.5, close: 2, volume: 0 });
  });

  it('sorts a newest-first file without reporting it', async () => {
    const text = 'Date,Close\n2024-01-03,3\n2024-01-02,2\n2024-01-01,1\n';
    const { bars, errorCount } = await parseText(text);
    expect(errorCount).toBe(0);
    expect(bars.map((b) => b.close)).toEqual([1, 2, 3]);
  });

  it('keeps the first of two rows with the same time also in a newest-first file', async () => {
    const text = 'Date,Close\n2024-01-03,3\n2024-01-02,2\n2024-01-02,99\n2024-01-01,1\n';
    const { bars, errors } = await parseText(text);
    expect(bars.map((b) => b.close)).toEqual([1, 2, 3]);
    expect(errors).toEqual([{ line: 4, reason: 'Duplicate time 2024-01-02T00:00:00.000Z: line 3 has the same time and was kept' }]);
  });

  it('skips blank, whitespace-only and delimiter-only lines anywhere without counting them', async () => {
    const text = '\nDate,Close\n\n2024-01-01,1\n   \n,\n2024-01-02,2\n\n\n';
    const { bars, rowsRead, errorCount } = await parseText(text);
    expect(errorCount).toBe(0);
    expect(rowsRead).toBe(2);
    expect(bars).toHaveLength(2);
  });

  it('accepts a trailing delimiter on data rows and trims spaces around cells', async () => {
    const text = 'Date;Close\n2024-01-01; 1 ;\n 2024-01-02 ;2;\n';
    const { bars, errorCount } = await parseText(text);
    expect(errorCount).toBe(0);
    expect(bars.map((b) => b.close)).toEqual([1, 2]);
  });

  it('counts line breaks inside quoted fields in the line numbers of later rows', async () => {
    const text = 'Date,Close,Note\n2024-01-01,1,"two\nlines"\n2024-01-02,x,ok\n';
    const { errors, bars } = await parseText(text, { time: 0, close: 1 });
    expect(bars).toHaveLength(1);
    expect(errors).toEqual([{ line: 4, reason: 'Close "x" is not a number' }]);
  });

  it('rejects the row of a quote that is never closed', async () => {
    const text = 'Date,Close\n2024-01-01,1\n2024-01-02,"2\n';
    const { errors, bars } = await parseText(text);
    expect(bars).toHaveLength(1);
    expect(errors).toEqual([{ line: 3, reason: 'a quoted field is never closed' }]);
  });

  it('reads a column the mapping chose over the detected one', async () => {
    const text = 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,12,9,11,10.5,7\n';
    const { bars } = await parseText(text, { close: 'Adj Close' });
    expect(bars[0]).toEqual({ time: day('2024-01-02'), open: 10, high: 12, low: 9, close: 10.5, volume: 7 });
  });

  it('derives high and low from open and close when only those are given', async () => {
    const { bars } = await parseText('Date,Open,Close\n2024-01-02,10,12\n');
    expect(bars[0]).toEqual({ time: day('2024-01-02'), open: 10, high: 12, low: 10, close: 12, volume: 0 });
  });
});

describe('parseBars on files larger than one parsing block', () => {
  /** Daily rows with a bad close on the given lines, to check numbering across block boundaries. */
  function bigFile(rows: number, badLines: ReadonlySet<number>, lineBreak: string): string {
    const lines = ['Date,Open,High,Low,Close,Volume,Note'];
    for (let i = 0; i < rows; i++) {
      const line = i + 2;
      const date = new Date(Date.UTC(1950, 0, 1) + i * DAY).toISOString().slice(0, 10);
      lines.push(`${date},100.25,101.5,99.75,${badLines.has(line) ? 'bad' : '100.5'},12345,"a quoted, comment"`);
    }
    return lines.join(lineBreak) + lineBreak;
  }

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('numbers lines exactly with %s line endings', async (_name, lineBreak) => {
    const badLines = new Set([2, 1_777, 6_543, 12_001, 20_001]);
    const text = bigFile(20_000, badLines, lineBreak);
    expect(text.length).toBeGreaterThan(5 * 128 * 1024);
    const { bars, errors, rowsRead } = await parseText(text, { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 });
    expect(errors).toEqual([...badLines].map((line) => ({ line, reason: 'Close "bad" is not a number' })));
    expect(rowsRead).toBe(20_000);
    expect(bars).toHaveLength(20_000 - badLines.size);
  });

  it(`lists the first ${MAX_REPORTED_ERRORS} rejected rows and counts the rest`, async () => {
    const badLines = new Set(Array.from({ length: 150 }, (_, i) => 3 + i * 20));
    const { errors, errorCount } = await parseText(bigFile(3_000, badLines, '\n'), { close: 4 });
    expect(errorCount).toBe(150);
    expect(errors.map((e) => e.line)).toEqual([...badLines].slice(0, MAX_REPORTED_ERRORS));
  });

  it('lists duplicates among the first rejected rows by line, with the other errors', async () => {
    const lines = ['Date,Close'];
    for (let i = 0; i < 120; i++) lines.push(`2024-01-01,${i % 2 === 0 ? i + 1 : 'x'}`);
    const { errors, errorCount } = await parseText(lines.join('\n'));
    expect(errorCount).toBe(119);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(errors.map((e) => e.line)).toEqual(Array.from({ length: MAX_REPORTED_ERRORS }, (_, i) => i + 3));
    expect(errors[0]).toEqual({ line: 3, reason: 'Close "x" is not a number' });
    expect(errors[1]).toEqual({ line: 4, reason: 'Duplicate time 2024-01-01T00:00:00.000Z: line 2 has the same time and was kept' });
  });
});

describe('parseBars quotes cells, never whole lines', () => {
  it('quotes a short, escaped excerpt of a cell in row errors (a key file read as CSV)', async () => {
    const secret = `METALYTICS_TOKEN=${'s'.repeat(64)}\u0000POLYGON_API_KEY=${'k'.repeat(40)}\u001b[2J`;
    const { errors } = await parseText(`${secret}\n`, { delimiter: '|', hasHeader: false, time: 0, close: 0, dateFormat: 'iso' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.reason).toBe('Time "METALYTICS_TOKEN=sss…" is not a date in iso format');
    expect(errors[0]!.reason).not.toMatch(/POLYGON|k{10}/);
    expect(errors[0]!.reason).not.toContain('\u0000');
    // Without a date format, detection refuses the file quoting the same excerpt.
    await expect(parseText(`${secret}\n`, { delimiter: '|', hasHeader: false, time: 0, close: 0 })).rejects.toThrow('(such as "METALYTICS_TOKEN=sss…")');
  });
});
