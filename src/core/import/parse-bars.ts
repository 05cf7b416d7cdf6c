import Papa from 'papaparse';
import type { BadOhlcPolicy, Bar, RowError } from '../../shared/domain';
import { ohlcInconsistency } from '../bars/validate-bar';
import { cellExcerpt, DECIMAL_PATTERN, formatUtc, isoZoneMinutes, parseDate, parseDecimal, parseVolume, quoteCell, type DecimalSeparator } from './csv-values';
import { AppError } from '../../shared/errors';
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
/** Past this, a block with no line break (or an unclosed quote) is refused rather than held in memory. */
const MAX_BLOCK_CHARS = 16 * 1024 * 1024;

export interface ParsedBars extends RowWalk {
  /** Valid bars, oldest first, one per time. */
  bars: Bar[];
}

const NON_FINITE_PATTERN = /^[+-]?(?:nan|inf|infinity)$/i;

type PriceField = 'Open' | 'High' | 'Low' | 'Close';

/** Rows whose high and low do not enclose open and close, by what is wrong, whatever the policy did with them. */
export interface BadOhlcCounts {
  closeOutside: number;
  openOutside: number;
  highBelowLow: number;
}

/**
 * Turns rows into bars, or says why a row cannot be one (`reason`, set whenever `read`
 * returns null). Files with only a close (monthly averages) get open = high = low = close;
 * a missing open, high or low is derived the same way; a missing, blank or "-" volume is 0.
 * Prices must be positive; a bar whose high and low do not enclose open and close is
 * rejected, widened or kept by the policy, and `repair` then says what was done (else null).
 * Written without per-row objects or closures, since it runs for every row of files with
 * millions of them.
 */
class BarReader {
  reason = '';
  repair: string | null = null;
  /** Open time of the row last read; null when its time could not be read. */
  time: number | null = null;
  /** The row last read was refused by the bad-OHLC policy (`reject`), not for a value it could not read. */
  refusedBadOhlc = false;
  readonly badOhlc: BadOhlcCounts = { closeOutside: 0, openOutside: 0, highBelowLow: 0 };
  private readonly columnCount: number;
  private readonly timeColumn: number;
  private readonly timeOfDayColumn: number | null;
  private readonly dateFormat: CsvLayout['detection']['dateFormat'];
  private readonly columns: CsvLayout['detection']['columns'];
  private readonly decimalSeparator: DecimalSeparator;
  /** Shift of times written without a zone; 0 when the file is UTC. */
  private readonly offsetMs: number;
  private readonly zonedFormat: boolean;

  constructor(
    layout: CsvLayout,
    private readonly policy: BadOhlcPolicy,
  ) {
    const { detection } = layout;
    this.columnCount = layout.columnCount;
    this.timeColumn = detection.columns.time;
    this.timeOfDayColumn = detection.columns.timeOfDay;
    this.dateFormat = detection.dateFormat;
    this.columns = detection.columns;
    this.decimalSeparator = detection.decimalSeparator;
    this.offsetMs = detection.utcOffsetMinutes * 60_000;
    this.zonedFormat = detection.dateFormat === 'epoch-ms' || detection.dateFormat === 'epoch-s';
  }

  read(cells: readonly string[]): Bar | null {
    this.repair = null;
    this.time = null;
    this.refusedBadOhlc = false;
    let length = cells.length;
    // A trailing delimiter on data rows (but not the header) is an export habit, not a broken row.
    while (length > this.columnCount && cells[length - 1]!.trim() === '') length--;
    if (length !== this.columnCount) return this.fail(`expected ${this.columnCount} fields, found ${length}`);

    const date = cells[this.timeColumn]!.trim();
    const timeText = this.timeOfDayColumn === null ? date : `${date} ${cells[this.timeOfDayColumn]!.trim()}`;
    const parsedTime = parseDate(timeText, this.dateFormat);
    if (parsedTime === null) return this.fail(date === '' ? 'Time is empty' : `Time ${quoteCell(timeText)} is not a date in ${this.dateFormat} format`);
    const time = this.offsetMs === 0 || this.zonedFormat || (this.dateFormat === 'iso' && isoZoneMinutes(timeText) !== null) ? parsedTime : parsedTime - this.offsetMs;
    this.time = time;

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

    const inconsistency = ohlcInconsistency(
      open,
      high,
      low,
      close,
      cellExcerpt(openText),
      cellExcerpt(highText ?? String(high)),
      cellExcerpt(lowText ?? String(low)),
      cellExcerpt(closeText),
    );
    if (inconsistency === null) return { time, open, high, low, close, volume };
    this.countBadOhlc(open, high, low, close);
    if (this.policy === 'reject') {
      this.refusedBadOhlc = true;
      return this.fail(inconsistency);
    }
    if (this.policy === 'keep') {
      this.repair = `${inconsistency}; kept as written`;
      return { time, open, high, low, close, volume };
    }
    const widenedHigh = Math.max(high, open, close);
    const widenedLow = Math.min(low, open, close);
    this.repair = `${inconsistency}; widened to high ${widenedHigh}, low ${widenedLow}`;
    return { time, open, high: widenedHigh, low: widenedLow, close, volume };
  }

  private countBadOhlc(open: number, high: number, low: number, close: number): void {
    if (high < low) this.badOhlc.highBelowLow++;
    else if (open > high || open < low) this.badOhlc.openOutside++;
    else if (close > high || close < low) this.badOhlc.closeOutside++;
  }

  private fail(reason: string): null {
    this.reason = reason;
    return null;
  }

  /** A positive price, or NaN with the reason set. */
  private price(field: PriceField, text: string): number {
    const value = this.number(field, text);
    if (value <= 0) {
      this.reason = `${field} ${cellExcerpt(text)} is not a positive price`;
      return Number.NaN;
    }
    return value;
  }

  private volume(text: string): number {
    // Investing.com writes "-" for a day without reported volume.
    if (text === '' || text === '-') return 0;
    const value = parseVolume(text, this.decimalSeparator) ?? this.number('Volume', text);
    if (value < 0) {
      this.reason = `Volume ${cellExcerpt(text)} is negative`;
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
    const value = parseDecimal(text, this.decimalSeparator);
    if (value !== null) return value;
    // "1e999" has the shape of a number but overflows to Infinity.
    const nonFinite = NON_FINITE_PATTERN.test(text) || DECIMAL_PATTERN.test(text);
    this.reason = `${field} ${quoteCell(text)} is not a ${nonFinite ? 'finite ' : ''}number`;
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

/**
 * End of the block at the start of `text`: at a line break at least BLOCK_CHARS in, and never
 * inside a quoted field. -1 while more text must arrive first; at the end of the file, the rest.
 */
function blockEnd(text: string, lineBreak: string, final: boolean): number {
  let end = 0;
  let quotes = 0;
  do {
    const next = text.indexOf(lineBreak, end === 0 ? BLOCK_CHARS : end);
    if (next < 0) return final ? text.length : -1;
    const nextEnd = next + lineBreak.length;
    quotes += countOccurrences(text, '"', end, nextEnd);
    end = nextEnd;
  } while (quotes % 2 === 1);
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

/** What a row walk found besides the bars it handed on. */
export interface RowWalk {
  /** Data rows in the file: valid plus rejected; the header and empty lines are not rows. */
  rowsRead: number;
  /** The first rejected rows, in line order. */
  errors: RowError[];
  errorCount: number;
  /** Rows whose high and low do not enclose open and close, rejected or not. */
  badOhlc: BadOhlcCounts;
}

/**
 * Takes a valid bar, its line and what the bad-OHLC policy changed in it (null when the row
 * was consistent); returns why it is rejected after all (a duplicate time), or null.
 */
export type BarVisitor = (bar: Bar, line: number, repair: string | null) => string | null;

/**
 * Takes a rejected row: its line, why, its open time when that could be read, and whether
 * the bad-OHLC policy refused it (so `widen` or `keep` would have stored it).
 */
export type RejectedRowVisitor = (line: number, reason: string, time: number | null, badOhlc: boolean) => void;

/**
 * Reads every row of a file arriving as text chunks, as laid out by detection, in blocks of
 * lines (see BLOCK_CHARS) with a turn of the event loop between them, and hands each valid
 * bar to `visit` in file order. Only one block is held at a time, so memory does not grow
 * with the file. Rows that fail are recorded with their 1-based line number (the header is
 * line 1) and a reason, and handed to `rejected` when given. `betweenBlocks` runs at every
 * yield, where a caller may write.
 */
export async function walkBarRows(
  chunks: AsyncIterable<string>,
  layout: CsvLayout,
  policy: BadOhlcPolicy,
  visit: BarVisitor,
  betweenBlocks?: () => Promise<void>,
  rejected?: RejectedRowVisitor,
): Promise<RowWalk> {
  const reader = new BarReader(layout, policy);
  const errors: RowError[] = [];
  let errorCount = 0;
  let rowsRead = 0;
  let headerPending = layout.detection.hasHeader;
  let blockLine = 1;
  let lineBreak: string | null = null;
  let pending = '';
  let first = true;

  const reject = (line: number, reason: string) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, reason });
  };

  const parseBlock = (block: string, lineBreakOfFile: string) => {
    const result = Papa.parse<string[]>(block, { delimiter: layout.detection.delimiter, newline: lineBreakOfFile as Papa.ParseConfig['newline'] });
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
      line += mayHoldBreaks ? 1 + lineBreaksIn(row, lineBreakOfFile) : 1;
      if (isEmptyRow(row)) continue;
      if (headerPending) {
        headerPending = false;
        continue;
      }
      rowsRead++;
      const bar = quoteErrors.has(index) ? null : reader.read(row);
      if (bar === null) {
        const quoteError = quoteErrors.get(index);
        const reason = quoteError ?? reader.reason;
        reject(rowLine, reason);
        rejected?.(rowLine, reason, quoteError === undefined ? reader.time : null, quoteError === undefined && reader.refusedBadOhlc);
        continue;
      }
      const refused = visit(bar, rowLine, reader.repair);
      if (refused !== null) {
        reject(rowLine, refused);
        rejected?.(rowLine, refused, bar.time, false);
      }
    }
    blockLine += countOccurrences(block, lineBreakOfFile);
  };

  const drain = async (final: boolean) => {
    // The line break is decided once enough text shows it (a CRLF may be split across chunks).
    if (lineBreak === null) {
      if (!final && pending.length < BLOCK_CHARS && !/\r?\n|\r(?=[^\n])/.test(pending)) return;
      lineBreak = lineBreakOf(pending);
    }
    for (;;) {
      const end = blockEnd(pending, lineBreak, final);
      if (end < 0) {
        if (pending.length > MAX_BLOCK_CHARS) {
          throw new AppError(
            'VALIDATION',
            `A row starting near line ${blockLine} runs on for more than ${MAX_BLOCK_CHARS / (1024 * 1024)} MB without a line break (an unclosed quote?). This does not look like a CSV of bars.`,
          );
        }
        return;
      }
      if (end === 0) return;
      parseBlock(pending.slice(0, end), lineBreak);
      pending = pending.slice(end);
      if (betweenBlocks) await betweenBlocks();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  for await (const chunk of chunks) {
    if (chunk === '') continue;
    pending += first ? stripBom(chunk) : chunk;
    first = false;
    await drain(false);
  }
  await drain(true);
  if (betweenBlocks) await betweenBlocks();
  return { rowsRead, errors, errorCount, badOhlc: reader.badOhlc };
}

/** One open-addressing table of FirstLineByTime. */
interface TimeTable {
  times: Float64Array;
  lines: Uint32Array;
  /** 32 minus log2 of the capacity: the slot is taken from the top bits of the hash. */
  shift: number;
  size: number;
}

/** log2 of the number of tables; each grows on its own, so no single rehash stalls the event loop. */
const TABLE_BITS = 8;
const INITIAL_TABLE_SLOTS = 64;

function newTable(slots: number): TimeTable {
  return { times: new Float64Array(slots), lines: new Uint32Array(slots), shift: 32 - Math.log2(slots), size: 0 };
}

/**
 * Which line holds each distinct time, as open-addressing hash tables over typed arrays: about
 * 24 bytes per row instead of a Map's 80 or more, so a file of millions of rows stays small.
 * The rows are spread over 256 tables, so growing one rehashes a 256th of them: a few
 * milliseconds rather than a second-long stall at eight million rows.
 */
export class FirstLineByTime {
  private readonly tables = Array.from({ length: 1 << TABLE_BITS }, () => newTable(INITIAL_TABLE_SLOTS));

  /** The line a time was first seen on, recording `line` for it when it is new. */
  claim(time: number, line: number): number {
    const hash = timeHash(time);
    let table = this.tables[hash >>> (32 - TABLE_BITS)]!;
    if ((table.size + 1) * 2 > table.lines.length) {
      table = this.grow(table);
      this.tables[hash >>> (32 - TABLE_BITS)] = table;
    }
    const slot = slotOf(table, time, hash << TABLE_BITS);
    if (table.lines[slot] !== 0) return table.lines[slot]!;
    table.times[slot] = time;
    table.lines[slot] = line;
    table.size++;
    return line;
  }

  private grow(table: TimeTable): TimeTable {
    const grown = newTable(table.lines.length * 2);
    for (let i = 0; i < table.lines.length; i++) {
      const line = table.lines[i]!;
      if (line === 0) continue;
      const time = table.times[i]!;
      const slot = slotOf(grown, time, timeHash(time) << TABLE_BITS);
      grown.times[slot] = time;
      grown.lines[slot] = line;
    }
    grown.size = table.size;
    return grown;
  }
}

/**
 * Epoch milliseconds are whole numbers below 2^53: the high half is folded into the low one
 * and mixed (Fibonacci hashing). The top bits pick the table, the next ones the slot.
 */
function timeHash(time: number): number {
  return Math.imul(((time % 0x100000000) | 0) ^ Math.floor(time / 0x100000000), 0x9e3779b1);
}

/** The slot holding `time`, or the empty one where it goes; line 0 marks empty (lines start at 1). */
function slotOf(table: TimeTable, time: number, slotHash: number): number {
  const mask = table.lines.length - 1;
  let slot = slotHash >>> table.shift;
  while (table.lines[slot] !== 0 && table.times[slot] !== time) slot = (slot + 1) & mask;
  return slot;
}

/** What a file holds, found without keeping its bars: enough to preview it and to plan its import. */
export interface BarScan extends RowWalk {
  /** Valid bars once duplicates are rejected. */
  validRows: number;
  /** The earliest valid bars, oldest first. */
  sample: Bar[];
  first: number | null;
  last: number | null;
  /** The line kept for each time, so a second walk writes exactly the bars this one counted. */
  kept: FirstLineByTime;
  /** The first bars the bad-OHLC policy widened or kept, with what it did. */
  repairs: RowError[];
  repairCount: number;
}

const duplicateReason = (time: number, keptLine: number) => `Duplicate time ${formatUtc(time)}: line ${keptLine} has the same time and was kept`;

/**
 * Walks a file once, counting and checking every row without keeping the bars. Files come
 * newest-first as often as oldest-first and the store is keyed by time, so order is not
 * reported; of rows with the same time the first in the file is kept and the later ones are
 * rejected: they point at a broken export, and the first is what the user sees when they
 * open the file.
 */
export async function scanBars(chunks: AsyncIterable<string>, layout: CsvLayout, policy: BadOhlcPolicy, sampleSize: number): Promise<BarScan> {
  const kept = new FirstLineByTime();
  const sample: Bar[] = [];
  const repairs: RowError[] = [];
  let repairCount = 0;
  let validRows = 0;
  let first: number | null = null;
  let last: number | null = null;
  const walk = await walkBarRows(chunks, layout, policy, (bar, line, repair) => {
    const keptLine = kept.claim(bar.time, line);
    if (keptLine !== line) return duplicateReason(bar.time, keptLine);
    validRows++;
    if (repair !== null) {
      repairCount++;
      if (repairs.length < MAX_REPORTED_ERRORS) repairs.push({ line, reason: repair });
    }
    if (first === null || bar.time < first) first = bar.time;
    if (last === null || bar.time > last) last = bar.time;
    if (sample.length < sampleSize || bar.time < sample[sample.length - 1]!.time) {
      let at = sample.length;
      while (at > 0 && sample[at - 1]!.time > bar.time) at--;
      sample.splice(at, 0, bar);
      sample.length = Math.min(sample.length, sampleSize);
    }
    return null;
  });
  return { ...walk, validRows, sample, first, last, kept, repairs, repairCount };
}

/** Text already in memory, as one chunk. */
export async function* textChunks(text: string): AsyncIterable<string> {
  yield text;
}

/**
 * Every valid bar of `text`, oldest first, one per time, with the rows rejected on the way:
 * the whole-file form of scanBars for text already in memory.
 */
export async function parseBars(text: string, layout: CsvLayout, policy: BadOhlcPolicy = 'reject'): Promise<ParsedBars> {
  const kept = new FirstLineByTime();
  const bars: Bar[] = [];
  const walk = await walkBarRows(textChunks(text), layout, policy, (bar, line) => {
    const keptLine = kept.claim(bar.time, line);
    if (keptLine !== line) return duplicateReason(bar.time, keptLine);
    bars.push(bar);
    return null;
  });
  bars.sort((a, b) => a.time - b.time);
  return { bars, ...walk };
}
