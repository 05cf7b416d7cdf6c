import Papa from 'papaparse';
import type { z } from 'zod';
import type { CsvFileShape, CsvMapping, DateFormat, csvDetectionSchema } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';
import {
  cellExcerpt,
  dateOnlyFormatOf,
  detectableFormats,
  detectDecimalSeparator,
  digitFormats,
  formatWithTimeOfDay,
  isCompactTimeOfDay,
  isNumberCell,
  isoZoneMinutes,
  isTimeOfDay,
  looksLikeDate,
  parseDate,
  quoteCell,
  slashDateParts,
  slashTwins,
} from './csv-values';

type CsvDetection = z.infer<typeof csvDetectionSchema>;

/** Everything parsing needs to know about a file: the contract's detection plus what it cannot express. */
export interface CsvLayout {
  readonly detection: CsvDetection;
  /** Fields every data row has, not counting empty fields a trailing delimiter adds. */
  readonly columnCount: number;
}

/** Lines detection looks at: enough to judge dates (a day above 12 appears within two weeks) and spacing. */
const SAMPLE_LINES = 1000;
const DELIMITERS = [',', ';', '\t', '|'];
/**
 * Share of sample values a column needs to be taken as numbers or dates, and a date format
 * to be chosen: more than half, so broken rows, however many, never hide what most rows
 * are; they are then rejected one by one with their line and reason.
 */
const MAJORITY = 0.5;

/** Data rows a refusal quotes, enough to see what each column holds. */
const SHAPE_SAMPLE_ROWS = 5;

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
  // MetaTrader 5 writes <TICKVOL> and <VOL> (exchange volume, all zero for FX and CFDs).
  volume: ['volume', 'vol', 'v', 'tickvolume', 'tickvol', 'realvolume'],
} as const;
type PriceField = keyof typeof FIELD_NAMES;

const DATE_ONLY_FORMATS: ReadonlySet<DateFormat> = new Set([
  'YYYY-MM-DD',
  'YYYY.MM.DD',
  'YYYY-MM',
  'MM/DD/YYYY',
  'DD/MM/YYYY',
  'DD.MM.YYYY',
  'YYYYMMDD',
  'MMM DD, YYYY',
]);

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
    isNumberCell(cell) ||
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
  return hits > values.length * MAJORITY;
}

/** The date format most sample values are in, when more than half of them are. */
function bestDateFormat(values: readonly string[], allowDigits: boolean): DateFormat | null {
  let best: DateFormat | null = null;
  let bestHits = 0;
  for (const format of detectableFormats) {
    if (!allowDigits && digitFormats.has(format)) continue;
    let hits = 0;
    for (const value of values) if (looksLikeDate(value, format)) hits++;
    if (hits > bestHits) {
      best = format;
      bestHits = hits;
    }
  }
  return best && bestHits > values.length * MAJORITY ? best : null;
}

/** A value no known format reads, so a refusal quotes what is wrong rather than a good row. */
function unreadableDate(values: readonly string[]): string {
  return values.find((value) => !detectableFormats.some((format) => looksLikeDate(value, format))) ?? values[0] ?? '';
}

/**
 * Slash dates are month-first in US exports and day-first nearly everywhere else; only a
 * part above 12 tells them apart. Reading the wrong way would silently swap months and
 * days, so a column no value decides keeps both formats for the user to choose from.
 * Returns the candidates, the more likely first.
 */
function slashDateOrder(values: readonly string[], monthFirst: DateFormat): DateFormat[] {
  const dayFirst = slashTwins[monthFirst]!;
  let firstOver12 = 0;
  let secondOver12 = 0;
  for (const value of values) {
    const parts = slashDateParts(value);
    if (!parts) continue;
    if (parts[0] > 12) firstOver12++;
    if (parts[1] > 12) secondOver12++;
  }
  if (firstOver12 === 0 && secondOver12 === 0) return [monthFirst, dayFirst];
  // Both at once means broken rows: the order most rows show wins, and the rest are rejected.
  return secondOver12 >= firstOver12 ? [monthFirst] : [dayFirst];
}

interface TimeColumn {
  column: number;
  dateFormat: DateFormat;
  /** More than one when the data cannot decide; see slashDateOrder. */
  dateFormatChoices: DateFormat[];
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
    const { timeOfDay: timeOfDayRef } = this.mapping;
    const mappedTimeOfDay = timeOfDayRef === undefined || timeOfDayRef === null ? null : this.resolveRef('timeOfDay', timeOfDayRef);
    // Null says the file has no time-of-day column, so none is looked for.
    const findsTimeOfDay = timeOfDayRef !== null;
    if (mappedTimeOfDay !== null) this.used.add(mappedTimeOfDay);

    if (given) {
      // A date-time format given for a date-only column means its time of day sits in a column of its own.
      const dateOnly = dateOnlyFormatOf(given);
      const split =
        mappedTimeOfDay !== null ||
        (findsTimeOfDay &&
          dateOnly !== null &&
          !holdsMostly(values, (v) => parseDate(v, given) !== null) &&
          holdsMostly(values, (v) => parseDate(v, dateOnly) !== null));
      const timeOfDayColumn = split ? (mappedTimeOfDay ?? this.findTimeOfDayColumn(column, dateOnly ?? given)) : null;
      return { column, dateFormat: given, dateFormatChoices: [given], timeOfDayColumn };
    }

    const detected = bestDateFormat(values, true);
    if (!detected) {
      throw new AppError(
        'VALIDATION',
        `The values in ${this.describe(column)} (such as ${quoteCell(unreadableDate(values))}) are not dates in a format Metalytics knows. ${MAPPING_HINT}`,
      );
    }
    const choices = slashTwins[detected] ? slashDateOrder(values, detected) : [detected];
    const timeOfDayColumn = DATE_ONLY_FORMATS.has(detected) && findsTimeOfDay ? (mappedTimeOfDay ?? this.findTimeOfDayColumn(column, detected)) : null;
    if (timeOfDayColumn !== null) {
      const sample = columnValues(this.rows, timeOfDayColumn)[0] ?? '';
      const combined = choices.map((format) => formatWithTimeOfDay(format, sample));
      if (combined.every((format) => format !== null)) return { column, dateFormat: combined[0]!, dateFormatChoices: combined, timeOfDayColumn };
    }
    return { column, dateFormat: choices[0]!, dateFormatChoices: choices, timeOfDayColumn: null };
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
    const allowDigits = this.headers.length === 0;
    for (let column = 0; column < this.columnCount; column++) {
      if (bestDateFormat(columnValues(this.rows, column), allowDigits)) return column;
    }
    // A Date column in a format we cannot read: name it, so the refusal says what is wrong.
    const named = this.headers.findIndex((header) => TIME_NAMES.includes(normaliseName(header)));
    return named >= 0 ? named : null;
  }

  private findTimeOfDayColumn(dateColumn: number, dateOnly: DateFormat): number | null {
    // Bare digits pass for a time of day only beside a date of bare digits (Stooq's <DATE>,<TIME>).
    const isTime = dateOnly === 'YYYYMMDD' ? isCompactTimeOfDay : isTimeOfDay;
    const isTimeOfDayColumn = (column: number) =>
      column < this.columnCount && !this.used.has(column) && holdsMostly(columnValues(this.rows, column), isTime);
    const named = this.headers.findIndex((header, column) => TIME_OF_DAY_NAMES.includes(normaliseName(header)) && isTimeOfDayColumn(column));
    const column = named >= 0 ? named : isTimeOfDayColumn(dateColumn + 1) ? dateColumn + 1 : null;
    if (column !== null) this.used.add(column);
    return column;
  }

  priceColumns(): Record<PriceField, number | null> {
    const fields = Object.keys(FIELD_NAMES) as PriceField[];
    // A field mapped to null is not in the file: it stays null and is not detected.
    const mapped: Partial<Record<PriceField, number | null>> = {};
    for (const field of fields) {
      const ref = this.mapping[field];
      if (ref !== undefined) mapped[field] = ref === null ? null : this.resolveRef(field, ref);
    }
    for (const column of Object.values(mapped)) if (column !== null) this.used.add(column);

    const detected = this.headers.length > 0 ? this.priceColumnsByName(fields, mapped) : this.priceColumnsByPosition(mapped);
    return { ...detected, ...mapped };
  }

  private priceColumnsByName(fields: readonly PriceField[], mapped: Partial<Record<PriceField, number | null>>): Record<PriceField, number | null> {
    const names = this.headers.map(normaliseName);
    const result: Record<PriceField, number | null> = { open: null, high: null, low: null, close: null, volume: null };
    for (const field of fields) {
      if (mapped[field] !== undefined) continue;
      const free = (column: number) => column >= 0 && !this.used.has(column);
      const matches: number[] = [];
      for (const alias of FIELD_NAMES[field]) {
        names.forEach((name, column) => {
          if (name === alias && free(column)) matches.push(column);
        });
      }
      // "Volume BTC", "Volume USDT" …; "Quote asset volume" does not start with it and is left alone.
      if (matches.length === 0 && field === 'volume') matches.push(names.findIndex((name, column) => name.startsWith('volume') && free(column)));
      // An all-zero volume (MetaTrader's <VOL> for FX) gives way to another that has values (<TICKVOL>).
      const found = field === 'volume' ? (matches.find((column) => column >= 0 && this.hasNonZero(column)) ?? matches[0] ?? -1) : (matches[0] ?? -1);
      if (found >= 0) {
        result[field] = found;
        this.used.add(found);
      }
    }
    return result;
  }

  private hasNonZero(column: number): boolean {
    return columnValues(this.rows, column).some((value) => Number(value) !== 0);
  }

  /** Headerless files list prices after the time: O,H,L,C[,V] (MetaTrader), or C[,V]. */
  private priceColumnsByPosition(mapped: Partial<Record<PriceField, number | null>>): Record<PriceField, number | null> {
    const numeric: number[] = [];
    for (let column = this.timeColumnIndex + 1; column < this.columnCount; column++) {
      if (this.used.has(column)) continue;
      if (holdsMostly(columnValues(this.rows, column), isNumberCell)) numeric.push(column);
    }
    const fieldCount = numeric.length + Object.values(mapped).filter((column) => column !== null).length;
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

/** The typical time between neighbouring rows, in any order: the median gap, or null with fewer than two distinct times. */
export function rowSpacing(times: readonly number[]): number | null {
  const sorted = [...times].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  // Weekend and holiday gaps are the minority in daily files, so the median is still a day.
  return gaps[Math.floor(gaps.length / 2)]!;
}

/** The timeframe a row spacing is, when it is one of the chart timeframes; monthly files vary from 28 to 31 days. */
export function timeframeOfSpacing(spacing: number | null): Timeframe | null {
  if (spacing === null) return null;
  const day = fixedTimeframeMs['1d'];
  if (spacing >= 28 * day && spacing <= 31 * day) return '1M';
  for (const [timeframe, width] of Object.entries(fixedTimeframeMs) as Array<[Timeframe, number]>) {
    if (Math.abs(spacing - width) <= width * 0.02) return timeframe;
  }
  return null;
}

/** The spacing of the rows, when it is one of the chart timeframes. */
export function timeframeFromSpacing(times: readonly number[]): Timeframe | null {
  return timeframeOfSpacing(rowSpacing(times));
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

  const shape: CsvFileShape = {
    delimiter: delimiter as CsvFileShape['delimiter'],
    hasHeader,
    headers,
    columnCount,
    sampleRows: dataRows.slice(0, SHAPE_SAMPLE_ROWS),
  };
  const { time, prices } = withFileShape(shape, () => {
    const detector = new LayoutDetector(headers, dataRows, columnCount, mapping);
    const time = detector.timeColumn();
    const prices = detector.priceColumns();
    if (prices.close === null) {
      throw new AppError('VALIDATION', `Could not find a close or price column (looked for headers such as Close, Price, Last or C). ${MAPPING_HINT}`);
    }
    return { time, prices: { ...prices, close: prices.close } };
  });
  const priceValues = [prices.open, prices.high, prices.low, prices.close, prices.volume].flatMap((column) =>
    column === null ? [] : columnValues(dataRows, column),
  );

  const times: number[] = [];
  let firstZone: number | null = null;
  for (const row of dataRows) {
    const text = timeText(row, time.column, time.timeOfDayColumn);
    const ms = parseDate(text, time.dateFormat);
    if (ms !== null) times.push(ms);
    if (firstZone === null && time.dateFormat === 'iso') firstZone = isoZoneMinutes(text);
  }
  const spacingMs = rowSpacing(times);

  return {
    detection: {
      delimiter,
      hasHeader,
      headers,
      dateFormat: time.dateFormat,
      dateFormatChoices: time.dateFormatChoices,
      decimalSeparator: mapping.decimalSeparator ?? detectDecimalSeparator(priceValues),
      utcOffsetMinutes: mapping.utcOffsetMinutes ?? firstZone ?? 0,
      columns: {
        time: time.column,
        timeOfDay: time.timeOfDayColumn,
        open: prices.open,
        high: prices.high,
        low: prices.low,
        close: prices.close,
        volume: prices.volume,
      },
      timeframe: timeframeOfSpacing(spacingMs),
      spacingMs,
    },
    columnCount,
  };
}

/**
 * Runs the column search, giving its refusals the file's shape as details: the file could
 * be split into columns, so a UI can offer them for the user to map.
 */
function withFileShape<T>(shape: CsvFileShape, search: () => T): T {
  try {
    return search();
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION' && error.details === undefined) throw new AppError('VALIDATION', error.message, shape);
    throw error;
  }
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
