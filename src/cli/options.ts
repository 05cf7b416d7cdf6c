/**
 * How the CLI reads option values: the commander parsers and the defaults its help shows. The
 * program is built from these before any command runs, so this module stays free of the core
 * and of zod: `metalytics --help` loads nothing else.
 */
import { InvalidArgumentError } from 'commander';
import { providerIds } from '../shared/choices';
import type { CsvMapping, ProviderId } from '../shared/domain';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Commander argument parser for `--port`: 0 asks the OS for a free port. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return port;
}

/**
 * Commander parsers for `--from` / `--to`: a UTC date (YYYY-MM-DD) or an ISO date-time
 * with a zone. A bare `--to` date includes that whole day, as people read "to 2025-01-31".
 */
export function parseBackfillDate(edge: 'from' | 'to'): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    const dateOnly = DATE_ONLY.test(trimmed);
    const time = Date.parse(dateOnly ? `${trimmed}T00:00:00Z` : trimmed);
    if (Number.isNaN(time) || (!dateOnly && !/(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed))) {
      throw new InvalidArgumentError('use a UTC date like 2025-01-31 or a date-time with its zone like 2025-01-31T12:00:00Z.');
    }
    return dateOnly && edge === 'to' ? time + DAY_MS : time;
  };
}

/**
 * Commander parser for the last bar of `train --to`: a bare UTC date includes that whole day
 * (as people read "to 2025-01-31"), a date-time is taken as it is; bars open at or before it.
 */
export function parseLastBarTime(text: string): number {
  return /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(text) ? parseBackfillDate('to')(text) - 1 : parseBackfillDate('from')(text);
}

const delimiterNames: Readonly<Record<string, NonNullable<CsvMapping['delimiter']>>> = {
  ',': ',',
  ';': ';',
  '|': '|',
  '\t': '\t',
  '\\t': '\t',
  tab: '\t',
};

/** Commander argument parser for `--delimiter`; `tab` spares people typing a literal tab. */
export function parseDelimiter(text: string): NonNullable<CsvMapping['delimiter']> {
  const delimiter = delimiterNames[text.toLowerCase()];
  if (!delimiter) throw new InvalidArgumentError('use one of "," ";" "|" or tab.');
  return delimiter;
}

/** Commander argument parser for `--utc-offset`: "+02:00", "-0530", "+2" or "0" → minutes east of UTC. */
export function parseUtcOffset(text: string): number {
  const m = /^([+-]?)(\d{1,2})(?::?(\d{2}))?$/.exec(text.trim());
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : Number.NaN;
  if (!(minutes >= -720 && minutes <= 840)) throw new InvalidArgumentError('use an offset from UTC such as +02:00, -05:00 or 0.');
  return minutes;
}

const isProviderId = (name: string): name is ProviderId => (providerIds as readonly string[]).includes(name);

/**
 * Commander parser for a repeatable `--provider PROVIDER:TICKER`, gathering one mapping. The
 * ticker is everything after the first colon: Polygon's own have one (C:XAUUSD).
 */
export function parseProviderTicker(text: string, previous: Partial<Record<ProviderId, string>> = {}): Partial<Record<ProviderId, string>> {
  const colon = text.indexOf(':');
  const provider = text.slice(0, colon).trim().toLowerCase();
  const ticker = text.slice(colon + 1).trim();
  if (colon < 0 || !isProviderId(provider) || ticker === '') {
    throw new InvalidArgumentError(`use PROVIDER:TICKER, e.g. polygon:C:XAUUSD, with PROVIDER one of ${providerIds.join(', ')}.`);
  }
  return { ...previous, [provider]: ticker };
}

/** Commander parser for a whole number option. */
export function parseWhole(name: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`${name} takes a whole number.`);
    return value;
  };
}

/** Commander parser for a prediction-interval level. */
export function parseLevel(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value < 1)) throw new InvalidArgumentError('give a level between 0 and 1, e.g. 0.9.');
  return value;
}

/** Commander parser for a repeatable option: every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
