import Papa from 'papaparse';
import type { z } from 'zod';
import type { CsvMapping, DateFormat, csvDetectionSchema } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';
import {
  cellExcerpt,
  dateOnlyFormatOf,
  detectableFormats,
  formatWithTimeOfDay,
  isTimeOfDay,
  looksLikeDate,
  parseDate,
  parseDecimal,
  quoteCell,
  slashDateParts,
} from './csv-values';

type CsvDetection = z.infer<typeof csvDetectionSchema>;

/** Everything parsing needs to know about a file: the contract's detection plus what it cannot express. */
export interface CsvLayout {
  readonly detection: CsvDetection;
  /** Fields every data row has, not counting empty fields a trailing delimiter adds. */
  readonly columnCount: number;
  /** The time-of-day column of files that split date and time in two (MetaTrader), else null. */
  readonly timeOfDayColumn: number | null;
}

/** Lines detection looks at: enough to judge dates (a day above 12 appears within two weeks) and spacing. */
const SAMPLE_LINES = 1000;
const DELIMITERS = [',', ';', '\t', '|'];
/** Share of sample values a column needs to be taken as numbers or dates; a few broken rows do not hide it. */
const MAJORITY = 0.9;

const MAPPING_HINT = 'Give a column mapping (time, close, dateFormat …) to import it.';

/** Header names vendors use, normalised to lower-case letters and digits, most telling first. */
const TIME_NAMES = ['timestamp', 'opentime', 'datetime', 'datetimeutc', 'date', 'dateutc', 'time', 'timeutc', 'gmttime', 'localtime', 'day', 'month', 'period'];
const TIME_OF_DAY_NAMES = ['time', 'hour', 'timeofday'];
const FIELD_NAMES = {
  open: ['open', 'o', 'openprice', 'opening', 'first'],
  high: ['high', 'h', 'highprice', 'max', 'highest'],
  low: ['low', 'l', 'lowprice', 'min', 'lowest'],
  // Adjusted close rewrites history after dividends and splits; it is taken only when no close exists.
  close: ['close', 'c', 'closeprice', 'closing', 'closelast', 'last', 'price', 'value', 'adjclose', 'adjustedclose'],
  volume: ['volume', 'vol', 'v', 'tickvolume', 'tickvol', 'realvolume'],
} as const;
type PriceField = keyof typeof FIELD_NAMES;

const DATE_ONLY_FORMATS: ReadonlySet<DateFormat> = new Set(['YYYY-MM-DD', 'YYYY.MM.DD', 'YYYY-MM', 'MM/DD/YYYY', 'DD.MM.YYYY']);

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const normaliseName = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The first `lines` lines of `text`, so detection never scans a whole large file. */
function headLines(text: string, lines: number): { head: string; complete: boolean } {
  let end = 0;
  for (let i = 0; i < lines; i++) {
    const next = text.indexOf('\n', end);
    if (next < 0) return { head: text, complete: true };
    end = next + 1;
  }
  return { head: text.slice(0, end), complete: end >= text.length };
}

function dropTrailingEmpty(row: readonly string[], keep = 0): string[] {
  let end = row.length;
  while (end > keep && row[end - 1] === '') end--;
  return row.slice(0, end);
}

function isValueLike(cell: string): boolean {
  return (
    cell === '' ||
    parseDecimal(cell) !== null ||
    isTimeOfDay(cell) ||
    detectableFormats.some((format) => parseDate(cell, format) !== null)
  );
}

/** A header row has a cell that is not a value in a column whose next cell is one. */
function guessHasHeader(rows: readonly string[][]): boolean {
  const [first, second] = rows;
  if (!first) return false;
  if (!second) return first.some((cell) => !isValueLike(cell));
  return first.some((cell, i) => !isValueLike(cell) && isValueLike(second[i] ?? ''));
}

function columnValues(rows: readonly string[][], column: number): string[] {
  const values: string[] = [];
  for (const row of rows) {
    const cell = row[column];
    if (cell !== undefined && cell !== '') values.push(cell);
  }
  return values;
}

function holdsMostly(values: readonly string[], test: (value: string) => boolean): boolean {
  if (values.length === 0) return false;
  let hits = 0;
  for (const value of values) if (test(value)) hits++;
  return hits >= values.length * MAJORITY;
}

/** The date format most sample values are in, when it covers nearly all of them. */
function bestDateFormat(values: readonly string[], allowEpoch: boolean): DateFormat | null {
  let best: DateFormat | null = null;
  let bestHits = 0;
  for (const format of detectableFormats) {
    if (!allowEpoch && (format === 'epoch-ms' || format === 'epoch-s')) continue;
    let hits = 0;
    for (const value of values) if (looksLikeDate(value, format)) hits++;
    if (hits > bestHits) {
      best = format;
      bestHits = hits;
    }
  }
  return best && bestHits >= values.length * MAJORITY ? best : null;
}

/**
 * Slash dates are month-first in US exports and day-first nearly everywhere else; only a
 * part above 12 tells them apart. Reading the wrong way would silently swap months and
 * days, so an undecided or day-first column is refused.
 */
function checkSlashDates(values: readonly string[], columnName: string): void {
  let firstOver12 = false;
  let secondOver12 = false;
  for (const value of values) {
    const parts = slashDateParts(value);
    if (!parts) continue;
    firstOver12 ||= parts[0] > 12;
    secondOver12 ||= parts[1] > 12;
  }
  if (secondOver12 && !firstOver12) return;
  const example = values[0] ?? '';
  if (firstOver12 && !secondOver12) {
    throw new AppError(
      'VALIDATION',
      `The dates in ${columnName} (such as ${quoteCell(example)}) are day-first (DD/MM/YYYY), which Metalytics cannot read yet. ` +
        'Save the file with ISO dates (YYYY-MM-DD) and import it again.',
    );
  }
  throw new AppError(
    'VALIDATION',
    `The dates in ${columnName} (such as ${quoteCell(example)}) could be month-first or day-first, and no day above 12 in the first ` +
      `${values.length} rows decides it. If they are month-first, give a column mapping with dateFormat "MM/DD/YYYY".`,
  );
}

interface TimeColumn {
  column: number;
  dateFormat: DateFormat;
  timeOfDayColumn: number | null;
}

class LayoutDetector {
  private readonly used = new Set<number>();
  private timeColumnIndex = 0;

  constructor(
    private readonly headers: readonly string[],
    private readonly rows: readonly string[][],
    private readonly columnCount: number,
    private readonly mapping: CsvMapping,
  ) {}

  private describe(column: number): string {
    const name = this.headers[column];
    return name ? `column ${quoteCell(name)}` : `column ${column}`;
  }

  /** A column the mapping names, by header name or 0-based number. */
  private resolveRef(field: string, ref: string | number): number {
    if (typeof ref === 'number') {
      if (ref >= this.columnCount) {
        throw new AppError(
          'VALIDATION',
          `The column mapping puts ${field} in column ${ref}, but the file has ${this.columnCount} columns (0 to ${this.columnCount - 1}).`,
        );
      }
      return ref;
    }
    if (this.headers.length === 0) {
      throw new AppError('VALIDATION', `The file has no header row, so the column mapping must give ${field} as a column number (0 is the first).`);
    }
    const wanted = ref.trim().toLowerCase();
    const index = this.headers.findIndex((header) => header.toLowerCase() === wanted);
    if (index < 0) {
      throw new AppError(
        'VALIDATION',
        `The column mapping names ${quoteCell(ref)} for ${field}, but the file's columns are: ${this.headers.map((h) => (h ? cellExcerpt(h) : '(unnamed)')).join(', ')}.`,
      );
    }
    return index;
  }

  timeColumn(): TimeColumn {
    const mapped = this.mapping.time === undefined ? null : this.resolveRef('time', this.mapping.time);
    const column = mapped ?? this.findTimeColumn();
    if (column === null) {
      throw new AppError(
        'VALIDATION',
        'Could not find a date or time column (looked for headers such as Date, Time, Timestamp or Open time, and for values in a known date format). ' +
          MAPPING_HINT,
      );
    }
    this.used.add(column);
    this.timeColumnIndex = column;
    const values = columnValues(this.rows, column);
    const given = this.mapping.dateFormat;

    if (given) {
      // A date-time format given for a date-only column means its time of day sits in a column of its own.
      const dateOnly = dateOnlyFormatOf(given);
      if (dateOnly && !holdsMostly(values, (v) => parseDate(v, given) !== null) && holdsMostly(values, (v) => parseDate(v, dateOnly) !== null)) {
        return { column, dateFormat: given, timeOfDayColumn: this.findTimeOfDayColumn(column) };
      }
      return { column, dateFormat: given, timeOfDayColumn: null };
    }

    const detected = bestDateFormat(values, true);
    if (!detected) {
      throw new AppError(
        'VALIDATION',
        `The values in ${this.describe(column)} (such as ${quoteCell(values[0] ?? '')}) are not dates in a format Metalytics knows. ${MAPPING_HINT}`,
      );
    }
    if (detected === 'MM/DD/YYYY') checkSlashDates(values, this.describe(column));
    const timeOfDayColumn = DATE_ONLY_FORMATS.has(detected) ? this.findTimeOfDayColumn(column) : null;
    if (timeOfDayColumn !== null) {
      const combined = formatWithTimeOfDay(detected, columnValues(this.rows, timeOfDayColumn)[0] ?? '');
      if (combined) return { column, dateFormat: combined, timeOfDayColumn };
    }
    return { column, dateFormat: detected, timeOfDayColumn: null };
  }

  /**
   * By header name first; among several date columns an epoch wins (it has no zone or
   * order ambiguity), then one with a time of day, then the more telling name. Without a
   * usable name, the leftmost column of dates.
   */
  private findTimeColumn(): number | null {
    const candidates: Array<{ column: number; rank: number }> = [];
    this.headers.forEach((header, column) => {
      const priority = TIME_NAMES.indexOf(normaliseName(header));
      if (priority < 0) return;
      const format = bestDateFormat(columnValues(this.rows, column), true);
      if (!format) return;
      const kind = format === 'epoch-ms' || format === 'epoch-s' ? 0 : DATE_ONLY_FORMATS.has(format) ? 2 : 1;
      candidates.push({ column, rank: kind * 100 + priority });
    });
    candidates.sort((a, b) => a.rank - b.rank);
    if (candidates[0]) return candidates[0].column;

    // Unnamed epochs are not guessed in files with headers: a volume column can look like one.
    const allowEpoch = this.headers.length === 0;
    for (let column = 0; column < this.columnCount; column++) {
      if (bestDateFormat(columnValues(this.rows, column), allowEpoch)) return column;
    }
    // A Date column in a format we cannot read: name it, so the refusal says what is wrong.
    const named = this.headers.findIndex((header) => TIME_NAMES.includes(normaliseName(header)));
    return named >= 0 ? named : null;
  }

  private findTimeOfDayColumn(dateColumn: number): number | null {
    const isTimeOfDayColumn = (column: number) =>
      column < this.columnCount && !this.used.has(column) && holdsMostly(columnValues(this.rows, column), isTimeOfDay);
    const named = this.headers.findIndex((header, column) => TIME_OF_DAY_NAMES.includes(normaliseName(header)) && isTimeOfDayColumn(column));
    const column = named >= 0 ? named : isTimeOfDayColumn(dateColumn + 1) ? dateColumn + 1 : null;
    if (column !== null) this.used.add(column);
    return column;
  }

  priceColumns(): Record<PriceField, number | null> {
    const fields = Object.keys(FIELD_NAMES) as PriceField[];
    const mapped: Partial<Record<PriceField, number>> = {};
    for (const field of fields) {
      const ref = this.mapping[field];
      if (ref !== undefined) mapped[field] = this.resolveRef(field, ref);
    }
    for (const column of Object.values(mapped)) this.used.add(column);

    const detected = this.headers.length > 0 ? this.priceColumnsByName(fields, mapped) : this.priceColumnsByPosition(mapped);
    return { ...detected, ...mapped };
  }

  private priceColumnsByName(fields: readonly PriceField[], mapped: Partial<Record<PriceField, number>>): Record<PriceField, number | null> {
    const names = this.headers.map(normaliseName);
    const result: Record<PriceField, number | null> = { open: null, high: null, low: null, close: null, volume: null };
    for (const field of fields) {
      if (mapped[field] !== undefined) continue;
      const free = (column: number) => column >= 0 && !this.used.has(column);
      let found = -1;
      for (const alias of FIELD_NAMES[field]) {
        found = names.findIndex((name, column) => name === alias && free(column));
        if (found >= 0) break;
      }
      // "Volume BTC", "Volume USDT" …; "Quote asset volume" does not start with it and is left alone.
      if (found < 0 && field === 'volume') found = names.findIndex((name, column) => name.startsWith('volume') && free(column));
      if (found >= 0) {
        result[field] = found;
        this.used.add(found);
      }
    }
    return result;
  }

  /** Headerless files list prices after the time: O,H,L,C[,V] (MetaTrader), or C[,V]. */
  private priceColumnsByPosition(mapped: Partial<Record<PriceField, number>>): Record<PriceField, number | null> {
    const numeric: number[] = [];
    for (let column = this.timeColumnIndex + 1; column < this.columnCount; column++) {
      if (this.used.has(column)) continue;
      if (holdsMostly(columnValues(this.rows, column), (v) => parseDecimal(v) !== null)) numeric.push(column);
    }
    const fieldCount = numeric.length + Object.keys(mapped).length;
    const order: PriceField[] =
      fieldCount >= 4 ? ['open', 'high', 'low', 'close', 'volume'] : fieldCount === 2 ? ['close', 'volume'] : fieldCount === 1 ? ['close'] : [];
    const result: Record<PriceField, number | null> = { open: null, high: null, low: null, close: null, volume: null };
    const columns = numeric.values();
    for (const field of order) {
      if (mapped[field] !== undefined) continue;
      result[field] = columns.next().value ?? null;
    }
    return result;
  }
}

/** The spacing of the rows, when it is one of the chart timeframes; monthly files vary from 28 to 31 days. */
export function timeframeFromSpacing(times: readonly number[]): Timeframe | null {
  const sorted = [...times].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  // Weekend and holiday gaps are the minority in daily files, so the median is still a day.
  const median = gaps[Math.floor(gaps.length / 2)]!;
  const day = fixedTimeframeMs['1d'];
  if (median >= 28 * day && median <= 31 * day) return '1M';
  for (const [timeframe, width] of Object.entries(fixedTimeframeMs) as Array<[Timeframe, number]>) {
    if (Math.abs(median - width) <= width * 0.02) return timeframe;
  }
  return null;
}

function guessDelimiter(head: string): string | null {
  const result = Papa.parse<string[]>(head, { delimitersToGuess: DELIMITERS, skipEmptyLines: 'greedy', preview: 20 });
  return result.errors.some((error) => error.code === 'UndetectableDelimiter') ? null : result.meta.delimiter;
}

/**
 * Works out how to read a CSV of bars from its first lines: delimiter, header, which
 * column holds what, the date format and the timeframe. Every part `mapping` gives is
 * taken as is; the rest is detected around it.
 */
export function detectCsvLayout(text: string, mapping: CsvMapping = {}): CsvLayout {
  const { head, complete } = headLines(stripBom(text), SAMPLE_LINES);
  if (head.trim() === '') throw new AppError('VALIDATION', 'The file is empty.');

  const delimiter = mapping.delimiter ?? guessDelimiter(head);
  if (!delimiter) {
    throw new AppError('VALIDATION', `Could not tell which character separates the columns (looked for comma, semicolon, tab and |). ${MAPPING_HINT}`);
  }
  const parsed = Papa.parse<string[]>(head, { delimiter, skipEmptyLines: 'greedy' });
  const rows = parsed.data.map((row) => row.map((cell) => cell.trim()));
  // The sample may end inside a row that continues past it.
  if (!complete) rows.pop();

  const hasHeader = mapping.hasHeader ?? guessHasHeader(rows);
  const headers = hasHeader ? dropTrailingEmpty(rows[0] ?? []) : [];
  const dataRows = hasHeader ? rows.slice(1) : rows;
  if (dataRows.length === 0) throw new AppError('VALIDATION', 'The file has a header row but no data rows.');
  const columnCount = hasHeader ? headers.length : modalLength(dataRows);

  const detector = new LayoutDetector(headers, dataRows, columnCount, mapping);
  const time = detector.timeColumn();
  const prices = detector.priceColumns();
  if (prices.close === null) {
    throw new AppError('VALIDATION', `Could not find a close or price column (looked for headers such as Close, Price, Last or C). ${MAPPING_HINT}`);
  }

  const times: number[] = [];
  for (const row of dataRows) {
    const ms = parseDate(timeText(row, time.column, time.timeOfDayColumn), time.dateFormat);
    if (ms !== null) times.push(ms);
  }

  return {
    detection: {
      delimiter,
      hasHeader,
      headers,
      dateFormat: time.dateFormat,
      columns: { time: time.column, open: prices.open, high: prices.high, low: prices.low, close: prices.close, volume: prices.volume },
      timeframe: timeframeFromSpacing(times),
    },
    columnCount,
    timeOfDayColumn: time.timeOfDayColumn,
  };
}

/** The text of a row's time: its date cell, with the time-of-day cell appended when the file splits them. */
function timeText(row: readonly string[], column: number, timeOfDayColumn: number | null): string {
  const date = row[column] ?? '';
  return timeOfDayColumn === null ? date : `${date} ${row[timeOfDayColumn] ?? ''}`;
}

function modalLength(rows: readonly string[][]): number {
  const counts = new Map<number, number>();
  for (const row of rows) {
    const length = dropTrailingEmpty(row).length;
    counts.set(length, (counts.get(length) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [length, count] of counts) {
    if (count > bestCount) {
      best = length;
      bestCount = count;
    }
  }
  return best;
}
