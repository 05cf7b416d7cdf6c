import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import type { Instrument, ProviderId } from '../../shared/domain';
import { badPayload, providerError, providerNames } from './provider-errors';
import type { BarsRequest, ProviderCapabilities, ProviderConfig } from './types';

export const DAY_MS = 86_400_000;

/** The provider's ticker for the instrument; NOT_FOUND when the catalogue maps none. */
export function providerSymbol(provider: ProviderId, instrument: Instrument): string {
  const symbol = instrument.providerSymbols[provider];
  if (!symbol) {
    throw providerError(provider, 'not_found', `${providerNames[provider]} does not carry ${instrument.name} (${instrument.symbol}).`);
  }
  return symbol;
}

/** The configured key; AUTH before any request when there is none, so nothing is sent that must fail. */
export function requireKey(provider: ProviderId, config: ProviderConfig): string {
  if (!config.apiKey) {
    throw providerError(
      provider,
      'auth',
      `${providerNames[provider]} needs an API key: add it in Settings (or set METALYTICS_${provider.toUpperCase()}_API_KEY).`,
    );
  }
  return config.apiKey;
}

/**
 * Checks a bars request against what the provider serves and returns its ticker.
 * Asking for an unserved timeframe is the caller's mistake (VALIDATION): the capabilities say which exist.
 */
export function checkBarsRequest(provider: ProviderId, capabilities: ProviderCapabilities, request: BarsRequest): string {
  const symbol = providerSymbol(provider, request.instrument);
  if (!capabilities.timeframes.includes(request.timeframe)) {
    throw providerError(
      provider,
      'invalid_request',
      `${providerNames[provider]} has no ${request.timeframe} bars; it serves ${capabilities.timeframes.join(', ')}.`,
    );
  }
  if (!Number.isSafeInteger(request.from) || !Number.isSafeInteger(request.to)) {
    throw providerError(provider, 'invalid_request', 'The requested range must be whole UTC milliseconds.');
  }
  return symbol;
}

/** Elements checked per event-loop turn by `parseInSlices`. */
const PARSE_SLICE = 5_000;

/**
 * Checks a long array from a response with zod a slice at a time, with an event-loop turn
 * between slices: a 50,000-bar Polygon page checked in one go would hold the main thread
 * (the app's UI and RPCs) for tens of milliseconds. `each` gets the parsed elements in
 * order. A wrong element fails as a wrong response does, naming its field (`results[12345].o`).
 */
export async function parseInSlices<T>(
  provider: ProviderId,
  field: string,
  items: readonly unknown[],
  schema: z.ZodType<T>,
  each: (item: T) => void,
): Promise<void> {
  const slice = z.array(schema);
  for (let start = 0; start < items.length; start += PARSE_SLICE) {
    if (start > 0) await nextTurn();
    const parsed = slice.safeParse(items.slice(start, start + PARSE_SLICE));
    if (!parsed.success) {
      const [index = 0, ...inside] = parsed.error.issues[0]!.path;
      const path = inside.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
      throw badPayload(provider, `${field}[${start + Number(index)}]${path}`, `is not as documented (${parsed.error.issues[0]!.message})`);
    }
    for (const item of parsed.data) each(item);
  }
}

/** Consecutive half-open windows [start, end) of at most `widthMs` covering [from, to), oldest first. */
export function* timeWindows(from: number, to: number, widthMs: number): Generator<{ start: number; end: number }> {
  for (let start = from; start < to; start += widthMs) yield { start, end: Math.min(to, start + widthMs) };
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * 00:00 UTC of the calendar date `time` falls on in `timeZone`. Daily bars are stamped this
 * way: Yahoo stamps a COMEX day at 05:00 UTC (midnight New York) and a stock day at the
 * session open, and neither should land on another date than the exchange's.
 * Throws RangeError for an unknown zone.
 */
export function tradingDateMs(time: number, timeZone: string): number {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    dateFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(time);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const date = new Date(0);
  date.setUTCFullYear(part('year'), part('month') - 1, part('day'));
  return date.getTime();
}

/** `YYYY-MM-DD` of a UTC instant. */
export function utcDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:mm:ss` of a UTC instant, the date-time format Twelve Data accepts. */
export function utcDateTime(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

/** `base` + `path` with query parameters; `base` may itself contain a path (a proxy, the fake server). */
export function endpoint(baseUrl: string, path: string, params: Readonly<Record<string, string>> = {}): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}
