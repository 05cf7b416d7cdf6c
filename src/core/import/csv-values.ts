import type { DateFormat } from '../../shared/domain';

/**
 * Reading the cells of a CSV of bars: numbers as vendors write them, and dates, always as
 * UTC (the files carry no zone, except ISO strings with an offset, which is honoured).
 * Dates without a time are 00:00 UTC and `YYYY-MM` is the first of the month: the bar's open.
 */

const THOUSANDS_PATTERN = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
export const DECIMAL_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A number as vendors write it: plain, with exponent, with thousands separators ("1,234.5",
 * which a comma-delimited file can only carry quoted) or a currency sign (Nasdaq's "$172.62").
 * Null for anything else, including empty, NaN and Infinity.
 */
export function parseDecimal(raw: string): number | null {
  if (DECIMAL_PATTERN.test(raw)) {
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  }
  let text = raw.replace(/^([+-]?)[$€£]/, '$1');
  if (THOUSANDS_PATTERN.test(text)) text = text.replaceAll(',', '');
  if (!DECIMAL_PATTERN.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

type Parts = [year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number];

interface FormatReader {
  /** Exact shape of a value; capture groups are turned into parts by `parts`. */
  readonly pattern: RegExp;
  readonly parts: (m: RegExpExecArray) => Parts | null;
}

const int = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

const ymdHms = (m: RegExpExecArray): Parts => [int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), 0];

/** Fraction of a second as milliseconds, from up to nine digits ("5" → 500, "123456" → 123). */
const fractionMs = (digits: string | undefined): number => (digits ? Math.floor(Number(`0.${digits}`) * 1000) : 0);

const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const readers: Record<Exclude<DateFormat, 'epoch-ms' | 'epoch-s' | 'iso'>, FormatReader> = {
  'YYYY-MM-DD': { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, parts: ymdHms },
  'YYYY-MM-DD HH:mm': { pattern: /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/, parts: ymdHms },
  'YYYY-MM-DD HH:mm:ss': { pattern: /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/, parts: ymdHms },
  'YYYY-MM-DD_HH:mm:ss': { pattern: /^(\d{4})-(\d{2})-(\d{2})_(\d{2}):(\d{2}):(\d{2})$/, parts: ymdHms },
  'YYYY.MM.DD': { pattern: /^(\d{4})\.(\d{2})\.(\d{2})$/, parts: ymdHms },
  // MetaTrader writes minutes; some exports add seconds, which are read rather than rejected.
  'YYYY.MM.DD HH:mm': { pattern: /^(\d{4})\.(\d{2})\.(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/, parts: ymdHms },
  'YYYY-MM': { pattern: /^(\d{4})-(\d{2})$/, parts: (m) => [int(m[1]), int(m[2]), 1, 0, 0, 0, 0] },
  // US exports often drop leading zeros (1/5/2020).
  'MM/DD/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, parts: (m) => [int(m[3]), int(m[1]), int(m[2]), 0, 0, 0, 0] },
  'DD.MM.YYYY': { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, parts: (m) => [int(m[3]), int(m[2]), int(m[1]), 0, 0, 0, 0] },
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Epoch ms of valid calendar parts, or null for 2021-02-30, 25:00 and the like. */
function partsToEpochMs([year, month, day, hour, minute, second, ms]: Parts): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function parseIso(value: string): number | null {
  const m = ISO_PATTERN.exec(value);
  if (!m) return null;
  const local = partsToEpochMs([int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), fractionMs(m[7])]);
  if (local === null) return null;
  const zone = m[8];
  if (!zone || zone === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = int(digits.slice(0, 2)) * 60 + int(digits.slice(2, 4) || '0');
  return local - sign * offsetMinutes * 60_000;
}

const EPOCH_MS_PATTERN = /^-?\d{1,16}(?:\.0+)?$/;
const EPOCH_S_PATTERN = /^-?\d{1,13}(?:\.\d{1,9})?$/;

/** The same bounds as the contract's epoch type (±100 million days around 1970). */
const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** UTC epoch milliseconds of `value` read in `format`, or null when it is not such a date. */
export function parseDate(value: string, format: DateFormat): number | null {
  switch (format) {
    case 'epoch-ms': {
      if (!EPOCH_MS_PATTERN.test(value)) return null;
      const ms = Number(value);
      return Math.abs(ms) <= MAX_EPOCH_MS ? ms : null;
    }
    case 'epoch-s': {
      if (!EPOCH_S_PATTERN.test(value)) return null;
      const ms = Math.round(Number(value) * 1000);
      return Math.abs(ms) <= MAX_EPOCH_MS ? ms : null;
    }
    case 'iso':
      return parseIso(value);
    default: {
      const reader = readers[format];
      const m = reader.pattern.exec(value);
      const parts = m && reader.parts(m);
      return parts ? partsToEpochMs(parts) : null;
    }
  }
}

/**
 * Order in which detection tries formats: the specific ones before `iso`, which also
 * accepts their shapes. Epochs come first but only count within plausible years (below).
 */
export const detectableFormats: readonly DateFormat[] = [
  'epoch-ms',
  'epoch-s',
  'YYYY-MM-DD',
  'YYYY-MM-DD HH:mm',
  'YYYY-MM-DD HH:mm:ss',
  'YYYY-MM-DD_HH:mm:ss',
  'YYYY.MM.DD',
  'YYYY.MM.DD HH:mm',
  'YYYY-MM',
  'MM/DD/YYYY',
  'DD.MM.YYYY',
  'iso',
];

/**
 * Whether detection may take `value` as a date in `format`. Any integer parses as an
 * epoch, so guesses are limited to 1973–2286, which keeps row numbers, volumes and
 * prices from passing for timestamps; an explicit mapping can still ask for any epoch.
 */
export function looksLikeDate(value: string, format: DateFormat): boolean {
  // Day-first slash dates count too, so that detection can name and refuse them.
  if (format === 'MM/DD/YYYY') return slashDateParts(value)?.every((part) => part >= 1 && part <= 31) ?? false;
  const ms = parseDate(value, format);
  if (ms === null) return false;
  if (format === 'epoch-ms') return /^\d{12,13}(?:\.0+)?$/.test(value) && ms >= 1e11;
  if (format === 'epoch-s') return /^\d{9,10}(?:\.\d+)?$/.test(value) && ms >= 1e11;
  return true;
}

/** Slash dates are refused unless a value shows which part is the day; see detect-csv. */
export function slashDateParts(value: string): [first: number, second: number] | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/\d{4}$/.exec(value);
  return m ? [int(m[1]), int(m[2])] : null;
}

const TIME_OF_DAY_PATTERN = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** A time-of-day cell of a file that keeps date and time in two columns (MetaTrader). */
export function isTimeOfDay(value: string): boolean {
  const m = TIME_OF_DAY_PATTERN.exec(value);
  return !!m && int(m[1]) < 24 && int(m[2]) < 60 && int(m[3]) < 60;
}

/**
 * The format a date-only column takes once its time-of-day column is appended with a
 * space, or null when no such combined format exists (then the split is not read).
 */
export function formatWithTimeOfDay(dateOnly: DateFormat, timeOfDaySample: string): DateFormat | null {
  const withSeconds = timeOfDaySample.split(':').length === 3;
  if (dateOnly === 'YYYY.MM.DD') return 'YYYY.MM.DD HH:mm';
  if (dateOnly === 'YYYY-MM-DD') return withSeconds ? 'YYYY-MM-DD HH:mm:ss' : 'YYYY-MM-DD HH:mm';
  return null;
}

/** The date-only counterpart of a date-time format, for files that split the two. */
export function dateOnlyFormatOf(format: DateFormat): DateFormat | null {
  if (format === 'YYYY.MM.DD HH:mm') return 'YYYY.MM.DD';
  if (format === 'YYYY-MM-DD HH:mm' || format === 'YYYY-MM-DD HH:mm:ss') return 'YYYY-MM-DD';
  return null;
}

/** Times in error messages: ISO UTC, the one unambiguous way to show them. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** Characters of a cell a message quotes: enough to spot a typo, too few to carry a file's contents out. */
const EXCERPT_CHARS = 20;

/**
 * A cell as messages quote it: at most EXCERPT_CHARS characters, JSON-escaped and in double
 * quotes, so a file that is not a CSV (a key file, /proc/self/environ) cannot be read back
 * through row errors, and control characters cannot forge log lines or terminal output.
 */
export function quoteCell(text: string): string {
  return JSON.stringify(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
}

/** The same excerpt without the quotes, for values already read as numbers ("High 2 is below low 3"). */
export function cellExcerpt(text: string): string {
  return quoteCell(text).slice(1, -1);
}
