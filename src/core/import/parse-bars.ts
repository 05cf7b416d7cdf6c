import Papa from 'papaparse';
import type { Bar, RowError } from '../../shared/domain';
import { DECIMAL_PATTERN, formatUtc, parseDate, parseDecimal } from './csv-values';
import { stripBom, timeText, type CsvLayout } from './detect-csv';

/** Rejected rows a reply lists; the rest are only counted, so a broken 10-million-line file cannot flood it. */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Characters parsed between two yields to the event loop. 128 KiB is about 1,400 rows of
 * a Binance export; on a laptop core one block parses and validates in a few milliseconds.
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

type Field = 'open' | 'high' | 'low' | 'close' | 'volume';
const FIELD_LABELS: Record<Field, string> = { open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume' };

interface ReadNumber {
  value: number | null;
  error: string | null;
}

const NON_FINITE_PATTERN = /^[+-]?(?:nan|inf|infinity)$/i;

function readNumber(field: Field, raw: string): ReadNumber {
  const label = FIELD_LABELS[field];
  if (raw === '') return field === 'volume' ? { value: 0, error: null } : { value: null, error: `${label} is empty` };
  const value = parseDecimal(raw);
  if (value !== null) return { value, error: null };
  // "1e999" has the shape of a number but overflows to Infinity.
  const nonFinite = NON_FINITE_PATTERN.test(raw) || DECIMAL_PATTERN.test(raw);
  return { value: null, error: `${label} "${raw}" is not a ${nonFinite ? 'finite ' : ''}number` };
}

interface LinedBar extends Bar {
  line: number;
}

/**
 * Turns one row into a bar, or says why it cannot be one. Files with only a close (monthly
 * averages) get open = high = low = close; a missing open, high or low is derived the same
 * way; a missing or blank volume is 0. Prices must be positive and consistent.
 */
function readRow(cells: string[], layout: CsvLayout): Bar | string {
  const { detection, columnCount, timeOfDayColumn } = layout;
  // A trailing delimiter on data rows (but not the header) is an export habit, not a broken row.
  while (cells.length > columnCount && cells[cells.length - 1] === '') cells.pop();
  if (cells.length !== columnCount) return `expected ${columnCount} fields, found ${cells.length}`;

  const { columns, dateFormat } = detection;
  const timeValue = timeText(cells, columns.time, timeOfDayColumn);
  const time = parseDate(timeValue, dateFormat);
  if (time === null) return timeValue.trim() === '' ? 'Time is empty' : `Time "${timeValue}" is not a date in ${dateFormat} format`;

  const raw: Partial<Record<Field, string>> = {};
  const values: Partial<Record<Field, number>> = {};
  for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const column = columns[field];
    if (column === null) continue;
    const text = cells[column] ?? '';
    const read = readNumber(field, text);
    if (read.error !== null) return read.error;
    raw[field] = text;
    values[field] = read.value ?? 0;
  }

  const close = values.close!;
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    const value = values[field];
    if (value !== undefined && value <= 0) return `${FIELD_LABELS[field]} ${raw[field]} is not a positive price`;
  }
  const volume = values.volume ?? 0;
  if (volume < 0) return `Volume ${raw.volume} is negative`;

  const open = values.open ?? close;
  const high = values.high ?? Math.max(open, close);
  const low = values.low ?? Math.min(open, close);
  const shown = (field: Field, value: number) => raw[field] ?? String(value);
  if (high < low) return `High ${shown('high', high)} is below low ${shown('low', low)}`;
  if (high < open) return `High ${shown('high', high)} is below open ${shown('open', open)}`;
  if (high < close) return `High ${shown('high', high)} is below close ${shown('close', close)}`;
  if (low > open) return `Low ${shown('low', low)} is above open ${shown('open', open)}`;
  if (low > close) return `Low ${shown('low', low)} is above close ${shown('close', close)}`;
  return { time, open, high, low, close, volume };
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

const isEmptyRow = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/**
 * Reads every row of `text` as laid out by detection. Rows that fail are rejected with
 * their 1-based line number (the header is line 1) and a reason; valid rows continue.
 * Rows are sorted by time, since files come newest-first as often as oldest-first and the
 * store is keyed by time, so order is not reported. Of rows with the same time the first
 * in the file is kept and the later ones are rejected: they point at a broken export, and
 * the first is what the user sees when they open the file.
 *
 * The text is parsed in blocks of lines with a yield to the event loop between them, so
 * a large file does not stall the process; a worker thread is the answer for huge ones.
 */
export async function parseBars(input: string, layout: CsvLayout): Promise<ParsedBars> {
  const text = stripBom(input);
  const lineBreak = lineBreakOf(text);
  const bars: LinedBar[] = [];
  const errors: RowError[] = [];
  let errorCount = 0;
  const reject = (line: number, reason: string) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, reason });
  };

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

    let line = blockLine;
    result.data.forEach((row, index) => {
      const rowLine = line;
      // A quoted field may hold line breaks; later rows' numbers must count them.
      line += 1 + row.reduce((sum, cell) => sum + countOccurrences(cell, lineBreak), 0);
      if (isEmptyRow(row)) return;
      if (headerPending) {
        headerPending = false;
        return;
      }
      rowsRead++;
      const quoteError = quoteErrors.get(index);
      if (quoteError) return reject(rowLine, quoteError);
      const bar = readRow(row.map((cell) => cell.trim()), layout);
      if (typeof bar === 'string') return reject(rowLine, bar);
      const previous = bars[bars.length - 1];
      if (previous && bar.time < previous.time) ascending = false;
      bars.push({ ...bar, line: rowLine });
    });

    blockLine += countOccurrences(block, lineBreak);
    start = end;
    if (start < text.length) await new Promise((resolve) => setImmediate(resolve));
  }

  // Stable, so among equal times the row first in the file stays first.
  if (!ascending) bars.sort((a, b) => a.time - b.time);
  const unique: Bar[] = [];
  const duplicates: RowError[] = [];
  let kept: LinedBar | undefined;
  for (const bar of bars) {
    if (kept && bar.time === kept.time) {
      duplicates.push({ line: bar.line, reason: `Duplicate time ${formatUtc(bar.time)}: line ${kept.line} has the same time and was kept` });
      continue;
    }
    kept = bar;
    unique.push({ time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume });
  }
  if (duplicates.length > 0) {
    duplicates.sort((a, b) => a.line - b.line);
    errorCount += duplicates.length;
    errors.push(...duplicates.slice(0, MAX_REPORTED_ERRORS));
    errors.sort((a, b) => a.line - b.line);
    errors.length = Math.min(errors.length, MAX_REPORTED_ERRORS);
  }
  return { bars: unique, rowsRead, errors, errorCount };
}
