import type { DateFormat } from '../../shared/domain';

/**
 * Reading the cells of a CSV of bars: numbers as vendors write them, and dates, always as
 * UTC (the files carry no zone, except ISO strings with an offset, which is honoured).
 * Dates without a time are 00:00 UTC and `YYYY-MM` is the first of the month: the bar's open.
 */

const THOUSANDS_PATTERN = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
/** Thousands grouped with dots, as decimal-comma locales write them: "1.234,56", "12.500". */
const DOT_THOUSANDS_PATTERN = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/;
export const DECIMAL_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Which character separates a number's fraction: "." (1,234.5) or "," (1.234,5; most of Europe). */
export type DecimalSeparator = '.' | ',';

/**
 * A number as vendors write it: plain, with exponent, with thousands separators ("1,234.5",
 * which a comma-delimited file can only carry quoted) or a currency sign (Nasdaq's "$172.62").
 * With a decimal comma, dots may only group thousands ("1.234,56"). Null for anything else,
 * including empty, NaN and Infinity.
 */
export function parseDecimal(raw: string, separator: DecimalSeparator = '.'): number | null {
  if (separator === '.' && DECIMAL_PATTERN.test(raw)) {
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  }
  let text = raw.replace(/^([+-]?)[$€£]/, '$1');
  if (separator === ',') {
    if (DOT_THOUSANDS_PATTERN.test(text)) text = text.replaceAll('.', '');
    if (text.includes('.')) return null;
    text = text.replace(',', '.');
  } else if (THOUSANDS_PATTERN.test(text)) {
    text = text.replaceAll(',', '');
  }
  if (!DECIMAL_PATTERN.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Whether a cell is a number with either decimal separator, for telling values from headers. */
export function isNumberCell(cell: string): boolean {
  return parseDecimal(cell) !== null || parseDecimal(cell, ',') !== null;
}

/**
 * The decimal separator most of `values` need: a value only one reading accepts ("1,5",
 * "1.234,56" against "2063.25", "1,234.56") is a vote. Values both read ("1,234", "12")
 * do not vote, and without votes the point wins: it is what most exports write.
 */
export function detectDecimalSeparator(values: readonly string[]): DecimalSeparator {
  let commaVotes = 0;
  let pointVotes = 0;
  for (const value of values) {
    const point = parseDecimal(value) !== null;
    const comma = parseDecimal(value, ',') !== null;
    if (point && !comma) pointVotes++;
    else if (comma && !point) commaVotes++;
  }
  return commaVotes > pointVotes ? ',' : '.';
}

const VOLUME_MULTIPLIERS: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, B: 1e9 };

/**
 * A volume as Investing.com abbreviates it ("195.93K", "4.5M", "1.2B"); any other number
 * as parseDecimal reads it. Null when it is neither.
 */
export function parseVolume(raw: string, separator: DecimalSeparator): number | null {
  const multiplier = VOLUME_MULTIPLIERS[raw.charAt(raw.length - 1).toUpperCase()];
  if (multiplier === undefined) return parseDecimal(raw, separator);
  const value = parseDecimal(raw.slice(0, -1), separator);
  return value === null ? null : Math.round(value * multiplier * 1000) / 1000;
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

const dmyHms = (m: RegExpExecArray): Parts => [int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5]), int(m[6]), fractionMs(m[7])];
const mdyHms = (m: RegExpExecArray): Parts => [int(m[3]), int(m[1]), int(m[2]), int(m[4]), int(m[5]), int(m[6]), 0];

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

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
  'MM/DD/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, parts: mdyHms },
  'MM/DD/YYYY HH:mm': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/, parts: mdyHms },
  'DD/MM/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, parts: dmyHms },
  'DD/MM/YYYY HH:mm': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/, parts: dmyHms },
  'DD.MM.YYYY': { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, parts: dmyHms },
  // Dukascopy writes milliseconds ("02.01.2024 00:00:00.000").
  'DD.MM.YYYY HH:mm': { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/, parts: dmyHms },
  // Stooq and older MetaTrader exports: <DATE> 20240102 with <TIME> 000000 beside it.
  'YYYYMMDD': { pattern: /^(\d{4})(\d{2})(\d{2})$/, parts: ymdHms },
  'YYYYMMDD HHmmss': { pattern: /^(\d{4})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})?$/, parts: ymdHms },
  // Older Investing.com downloads: "Mar 15, 2024".
  'MMM DD, YYYY': {
    pattern: /^([A-Za-z]{3}) (\d{1,2}), (\d{4})$/,
    parts: (m) => {
      const month = MONTH_NAMES.indexOf(m[1]!.toLowerCase()) + 1;
      return month === 0 ? null : [int(m[3]), month, int(m[2]), 0, 0, 0, 0];
    },
  },
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

function zoneMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return null;
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (int(digits.slice(0, 2)) * 60 + int(digits.slice(2, 4) || '0'));
}

/** The offset from UTC an ISO time states, in minutes: 0 for "Z", null when it has none. */
export function isoZoneMinutes(value: string): number | null {
  return zoneMinutes(ISO_PATTERN.exec(value)?.[8]);
}

function parseIso(value: string): number | null {
  const m = ISO_PATTERN.exec(value);
  if (!m) return null;
  const local = partsToEpochMs([int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), fractionMs(m[7])]);
  if (local === null) return null;
  return local - (zoneMinutes(m[8]) ?? 0) * 60_000;
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
 * Month-first slash formats stand for their day-first twins too, until the data decides.
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
  'MM/DD/YYYY HH:mm',
  'DD.MM.YYYY',
  'DD.MM.YYYY HH:mm',
  'YYYYMMDD',
  'MMM DD, YYYY',
  'iso',
];

/** Formats of bare digits, which volumes and row numbers can pass for; see looksLikeDate. */
export const digitFormats: ReadonlySet<DateFormat> = new Set(['epoch-ms', 'epoch-s', 'YYYYMMDD']);

/** Each slash format and its twin with day and month swapped. */
export const slashTwins: Readonly<Partial<Record<DateFormat, DateFormat>>> = {
  'MM/DD/YYYY': 'DD/MM/YYYY',
  'MM/DD/YYYY HH:mm': 'DD/MM/YYYY HH:mm',
  'DD/MM/YYYY': 'MM/DD/YYYY',
  'DD/MM/YYYY HH:mm': 'MM/DD/YYYY HH:mm',
};

/**
 * Whether detection may take `value` as a date in `format`. Any integer parses as an
 * epoch, so guesses are limited to 1973–2286, which keeps row numbers, volumes and
 * prices from passing for timestamps; an explicit mapping can still ask for any epoch.
 */
export function looksLikeDate(value: string, format: DateFormat): boolean {
  // A slash format counts dates of either order; detection then asks the data which it is.
  const twin = slashTwins[format];
  if (twin) return parseDate(value, format) !== null || parseDate(value, twin) !== null;
  const ms = parseDate(value, format);
  if (ms === null) return false;
  if (format === 'epoch-ms') return /^\d{12,13}(?:\.0+)?$/.test(value) && ms >= 1e11;
  if (format === 'epoch-s') return /^\d{9,10}(?:\.\d+)?$/.test(value) && ms >= 1e11;
  if (format === 'YYYYMMDD') return ms >= Date.UTC(1950, 0, 1) && ms < Date.UTC(2100, 0, 1);
  return true;
}

/** The first two numbers of a slash date, whichever of day and month each is. */
export function slashDateParts(value: string): [first: number, second: number] | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/\d{4}(?: |$)/.exec(value);
  return m ? [int(m[1]), int(m[2])] : null;
}

const TIME_OF_DAY_PATTERN = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** A time-of-day cell of a file that keeps date and time in two columns (MetaTrader). */
export function isTimeOfDay(value: string): boolean {
  const m = TIME_OF_DAY_PATTERN.exec(value);
  return !!m && int(m[1]) < 24 && int(m[2]) < 60 && int(m[3]) < 60;
}

/** Stooq's <TIME>: HHmmss without separators ("000000", "153000"). */
export function isCompactTimeOfDay(value: string): boolean {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  return !!m && int(m[1]) < 24 && int(m[2]) < 60 && int(m[3]) < 60;
}

/** Each date-only format and the format its values take with the time-of-day column appended. */
const WITH_TIME_OF_DAY: Readonly<Partial<Record<DateFormat, DateFormat>>> = {
  'YYYY.MM.DD': 'YYYY.MM.DD HH:mm',
  'YYYY-MM-DD': 'YYYY-MM-DD HH:mm',
  'MM/DD/YYYY': 'MM/DD/YYYY HH:mm',
  'DD/MM/YYYY': 'DD/MM/YYYY HH:mm',
  'DD.MM.YYYY': 'DD.MM.YYYY HH:mm',
  YYYYMMDD: 'YYYYMMDD HHmmss',
};

/**
 * The format a date-only column takes once its time-of-day column is appended with a
 * space, or null when no such combined format exists (then the split is not read).
 */
export function formatWithTimeOfDay(dateOnly: DateFormat, timeOfDaySample: string): DateFormat | null {
  if (dateOnly === 'YYYY-MM-DD' && timeOfDaySample.split(':').length === 3) return 'YYYY-MM-DD HH:mm:ss';
  return WITH_TIME_OF_DAY[dateOnly] ?? null;
}

/** The date-only counterpart of a date-time format, for files that split the two. */
export function dateOnlyFormatOf(format: DateFormat): DateFormat | null {
  if (format === 'YYYY-MM-DD HH:mm:ss') return 'YYYY-MM-DD';
  const entry = Object.entries(WITH_TIME_OF_DAY).find(([, combined]) => combined === format);
  return entry ? (entry[0] as DateFormat) : null;
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
