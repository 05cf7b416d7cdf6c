import Papa from 'papaparse';
import type { Bar, RowError } from '../../shared/domain';
import { ohlcInconsistency } from '../bars/validate-bar';
import { DECIMAL_PATTERN, formatUtc, parseDate, parseDecimal } from './csv-values';
import { stripBom, type CsvLayout } from './detect-csv';

/** Rejected rows a reply lists; the rest are only counted, so a broken 10-million-line file cannot flood it. */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Characters parsed between two yields to the event loop: about 1,400 rows of the Binance
 * export. Measured on btcusdt-1h.csv (37,394 rows, 3.3 MB) on a busy 2-core machine, a
 * warm block takes about 2 ms and the whole parse 70–220 ms; the longest stretch without
 * a turn of the event loop is detection plus the first, cold block (or a GC pause) at
 * 18–70 ms. A worker thread is the design's answer for files far larger than that.
 */
const BLOCK_CHARS = 128 * 1024;

export interface ParsedBars {
  /** Valid bars, oldest first, one per time. */
  bars: Bar[];
  /** Data rows in the file: valid plus rejected; the header and empty lines are not rows. */
  rowsRead: number;
  /** The first rejected rows by line number. */
  errors: RowError[];
  errorCount: number;
}

const NON_FINITE_PATTERN = /^[+-]?(?:nan|inf|infinity)$/i;

type PriceField = 'Open' | 'High' | 'Low' | 'Close';

/**
 * Turns rows into bars, or says why a row cannot be one (`reason`, set whenever `read`
 * returns null). Files with only a close (monthly averages) get open = high = low = close;
 * a missing open, high or low is derived the same way; a missing or blank volume is 0.
 * Prices must be positive and consistent. Written without per-row objects or closures,
 * since it runs for every row of files with millions of them.
 */
class BarReader {
  reason = '';
  private readonly columnCount: number;
  private readonly timeColumn: number;
  private readonly timeOfDayColumn: number | null;
  private readonly dateFormat: CsvLayout['detection']['dateFormat'];
  private readonly columns: CsvLayout['detection']['columns'];

  constructor(layout: CsvLayout) {
    this.columnCount = layout.columnCount;
    this.timeColumn = layout.detection.columns.time;
    this.timeOfDayColumn = layout.timeOfDayColumn;
    this.dateFormat = layout.detection.dateFormat;
    this.columns = layout.detection.columns;
  }

  read(cells: readonly string[]): Bar | null {
    let length = cells.length;
    // A trailing delimiter on data rows (but not the header) is an export habit, not a broken row.
    while (length > this.columnCount && cells[length - 1]!.trim() === '') length--;
    if (length !== this.columnCount) return this.fail(`expected ${this.columnCount} fields, found ${length}`);

    const date = cells[this.timeColumn]!.trim();
    const timeText = this.timeOfDayColumn === null ? date : `${date} ${cells[this.timeOfDayColumn]!.trim()}`;
    const time = parseDate(timeText, this.dateFormat);
    if (time === null) return this.fail(date === '' ? 'Time is empty' : `Time "${timeText}" is not a date in ${this.dateFormat} format`);

    const { open: openColumn, high: highColumn, low: lowColumn, close: closeColumn, volume: volumeColumn } = this.columns;
    const closeText = cells[closeColumn]!.trim();
    const close = this.price('Close', closeText);
    const openText = openColumn === null ? closeText : cells[openColumn]!.trim();
    const open = openColumn === null ? close : this.price('Open', openText);
    if (Number.isNaN(open) || Number.isNaN(close)) return null;
    const highText = highColumn === null ? null : cells[highColumn]!.trim();
    const high = highText === null ? Math.max(open, close) : this.price('High', highText);
    const lowText = lowColumn === null ? null : cells[lowColumn]!.trim();
    const low = lowText === null ? Math.min(open, close) : this.price('Low', lowText);
    if (Number.isNaN(high) || Number.isNaN(low)) return null;
    const volume = volumeColumn === null ? 0 : this.volume(cells[volumeColumn]!.trim());
    if (Number.isNaN(volume)) return null;

    const inconsistency = ohlcInconsistency(open, high, low, close, openText, highText ?? String(high), lowText ?? String(low), closeText);
    if (inconsistency !== null) return this.fail(inconsistency);
    return { time, open, high, low, close, volume };
  }

  private fail(reason: string): null {
    this.reason = reason;
    return null;
  }

  /** A positive price, or NaN with the reason set. */
  private price(field: PriceField, text: string): number {
    const value = this.number(field, text);
    if (value <= 0) {
      this.reason = `${field} ${text} is not a positive price`;
      return Number.NaN;
    }
    return value;
  }

  private volume(text: string): number {
    if (text === '') return 0;
    const value = this.number('Volume', text);
    if (value < 0) {
      this.reason = `Volume ${text} is negative`;
      return Number.NaN;
    }
    return value;
  }

  /** NaN stands for "rejected" because parseDecimal never returns it. */
  private number(field: PriceField | 'Volume', text: string): number {
    if (text === '') {
      this.reason = `${field} is empty`;
      return Number.NaN;
    }
    const value = parseDecimal(text);
    if (value !== null) return value;
    // "1e999" has the shape of a number but overflows to Infinity.
    const nonFinite = NON_FINITE_PATTERN.test(text) || DECIMAL_PATTERN.test(text);
    this.reason = `${field} "${text}" is not a ${nonFinite ? 'finite ' : ''}number`;
    return Number.NaN;
  }
}

const QUOTE_ERRORS: Record<string, string> = {
  MissingQuotes: 'a quoted field is never closed',
  InvalidQuotes: 'a field has a quote in the wrong place',
};

function lineBreakOf(text: string): string {
  const lf = text.indexOf('\n');
  if (lf > 0 && text[lf - 1] === '\r') return '\r\n';
  if (lf >= 0) return '\n';
  return text.includes('\r') ? '\r' : '\n';
}

function countOccurrences(text: string, part: string, from = 0, to = text.length): number {
  let count = 0;
  for (let i = text.indexOf(part, from); i >= 0 && i < to; i = text.indexOf(part, i + part.length)) count++;
  return count;
}

/** End of the block starting at `start`: at a line break, and never inside a quoted field. */
function blockEnd(text: string, start: number, lineBreak: string): number {
  let end = start;
  let quotes = 0;
  do {
    const from = end === start ? start + BLOCK_CHARS : end;
    const next = text.indexOf(lineBreak, from);
    const nextEnd = next < 0 ? text.length : next + lineBreak.length;
    quotes += countOccurrences(text, '"', end, nextEnd);
    end = nextEnd;
  } while (quotes % 2 === 1 && end < text.length);
  return end;
}

function isEmptyRow(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

function lineBreaksIn(cells: readonly string[], lineBreak: string): number {
  let count = 0;
  for (const cell of cells) count += countOccurrences(cell, lineBreak);
  return count;
}

/**
 * Reads every row of `text` as laid out by detection. Rows that fail are rejected with
 * their 1-based line number (the header is line 1) and a reason; valid rows continue.
 * Rows are sorted by time, since files come newest-first as often as oldest-first and the
 * store is keyed by time, so order is not reported. Of rows with the same time the first
 * in the file is kept and the later ones are rejected: they point at a broken export, and
 * the first is what the user sees when they open the file.
 *
 * The text is parsed in blocks of lines with a yield to the event loop between them (see
 * BLOCK_CHARS), so a large file does not stall the process.
 */
export async function parseBars(input: string, layout: CsvLayout): Promise<ParsedBars> {
  const text = stripBom(input);
  const lineBreak = lineBreakOf(text);
  const reader = new BarReader(layout);
  let bars: Bar[] = [];
  let lines: number[] = [];
  const errors: RowError[] = [];
  let errorCount = 0;

  let rowsRead = 0;
  let headerPending = layout.detection.hasHeader;
  let ascending = true;
  let blockLine = 1;
  for (let start = 0; start < text.length; ) {
    const end = blockEnd(text, start, lineBreak);
    const block = text.slice(start, end);
    const result = Papa.parse<string[]>(block, { delimiter: layout.detection.delimiter, newline: lineBreak as Papa.ParseConfig['newline'] });
    const quoteErrors = new Map<number, string>();
    for (const error of result.errors) {
      if (error.row !== undefined) quoteErrors.set(error.row, QUOTE_ERRORS[error.code] ?? error.message);
    }
    // Only a quoted field can hold a line break; without quotes every row is one line.
    const mayHoldBreaks = block.includes('"');

    let line = blockLine;
    for (let index = 0; index < result.data.length; index++) {
      const row = result.data[index]!;
      const rowLine = line;
      line += mayHoldBreaks ? 1 + lineBreaksIn(row, lineBreak) : 1;
      if (isEmptyRow(row)) continue;
      if (headerPending) {
        headerPending = false;
        continue;
      }
      rowsRead++;
      const bar = quoteErrors.has(index) ? null : reader.read(row);
      if (bar === null) {
        errorCount++;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line: rowLine, reason: quoteErrors.get(index) ?? reader.reason });
        continue;
      }
      if (bars.length > 0 && bar.time < bars[bars.length - 1]!.time) ascending = false;
      bars.push(bar);
      lines.push(rowLine);
    }

    blockLine += countOccurrences(block, lineBreak);
    start = end;
    if (start < text.length) await new Promise((resolve) => setImmediate(resolve));
  }

  if (!ascending) {
    // Ties by line, so among equal times the row first in the file stays first.
    const order = bars.map((_, i) => i).sort((a, b) => bars[a]!.time - bars[b]!.time || lines[a]! - lines[b]!);
    bars = order.map((i) => bars[i]!);
    lines = order.map((i) => lines[i]!);
  }

  const duplicates: RowError[] = [];
  let kept = 0;
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    if (i > 0 && bar.time === bars[kept - 1]!.time) {
      duplicates.push({ line: lines[i]!, reason: `Duplicate time ${formatUtc(bar.time)}: line ${lines[kept - 1]!} has the same time and was kept` });
      continue;
    }
    bars[kept] = bar;
    lines[kept] = lines[i]!;
    kept++;
  }
  bars.length = kept;

  if (duplicates.length > 0) {
    duplicates.sort((a, b) => a.line - b.line);
    errorCount += duplicates.length;
    errors.push(...duplicates.slice(0, MAX_REPORTED_ERRORS));
    errors.sort((a, b) => a.line - b.line);
    errors.length = Math.min(errors.length, MAX_REPORTED_ERRORS);
  }
  return { bars, rowsRead, errors, errorCount };
}
