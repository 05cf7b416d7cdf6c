import { z } from 'zod';
import type { Bar, Instrument } from '../../shared/domain';
import { fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';
import { HttpClient, type ProviderResponse } from '../http/http-client';
import { failureReason, providerError } from './provider-errors';
import { checkBarsRequest, DAY_MS, endpoint, providerSymbol, requireKey, timeWindows, utcDateTime } from './adapter-support';
import {
  providerDefaults,
  type AdapterDeps,
  type BarPage,
  type BarsRequest,
  type LatestPrice,
  type ProviderAdapter,
  type ProviderCapabilities,
  type ProviderListing,
  type RequestLimits,
  type SearchLimits,
} from './types';

const intervals = {
  '1m': '1min',
  '5m': '5min',
  '15m': '15min',
  '30m': '30min',
  '1h': '1h',
  '1d': '1day',
} as const satisfies Partial<Record<Timeframe, string>>;
type TwelveDataTimeframe = keyof typeof intervals;
const servedTimeframes = Object.keys(intervals) as TwelveDataTimeframe[];

/** Most values one /time_series call returns. */
const OUTPUT_SIZE = 5000;
const FREE_PLAN_PER_MINUTE = providerDefaults.twelvedata.rateLimitPerMinute;
const FREE_PLAN_PER_DAY = 800;
/** "1-minute OHLC data is available only from February 10, 2020". */
const FIRST_MINUTE_BAR = Date.UTC(2020, 1, 10);
const MINUTE_MS = 60_000;

function twelveDataCapabilities(now: number): ProviderCapabilities {
  return {
    assetClasses: ['spot', 'fx', 'crypto', 'stock', 'etf', 'index'],
    timeframes: servedTimeframes,
    maxBarsPerRequest: OUTPUT_SIZE,
    // Other intraday depths vary by symbol ("typically span multiple years"); daily bars go back to the first trading date.
    historyDepthDays: { '1m': Math.floor((now - FIRST_MINUTE_BAR) / DAY_MS), '5m': null, '15m': null, '30m': null, '1h': null, '1d': null },
    needsKey: true,
    defaultRateLimitPerMinute: FREE_PLAN_PER_MINUTE,
    dailyCredits: FREE_PLAN_PER_DAY,
  };
}

/** Twelve Data sends every number as a string; anything else in those fields is a changed API, never NaN. */
const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'expected a decimal number in a string')
  .transform(Number);
const seriesSchema = z.object({
  values: z.array(
    z.object({
      // Asked for in UTC (timezone=UTC); daily bars carry a date only.
      datetime: z.string().regex(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/, 'expected YYYY-MM-DD[ HH:mm:ss]'),
      open: decimal,
      high: decimal,
      low: decimal,
      close: decimal,
      // Absent for forex and metals.
      volume: decimal.optional(),
    }),
  ),
});
const priceSchema = z.object({ price: decimal });

const symbolSearchSchema = z.object({
  data: z.array(
    z.object({
      symbol: z.string(),
      instrument_name: z.string(),
      exchange: z.string().optional(),
      instrument_type: z.string(),
      currency: z.string().optional(),
    }),
  ),
});

const SEARCH_RESULTS = 10;

/** Twelve Data's instrument types in our kinds: metals and forex pairs are both "Physical Currency". */
function instrumentKind(type: string): ProviderListing['kind'] {
  if (/^etf$/i.test(type)) return 'etf';
  if (/^index$/i.test(type)) return 'index';
  if (/digital currency/i.test(type)) return 'crypto';
  if (/physical currency/i.test(type)) return 'fx';
  if (/stock|reit|depositary/i.test(type)) return 'stock';
  return null;
}

const errorBody = z.object({ status: z.literal('error'), code: z.number().int(), message: z.string() });

/**
 * Twelve Data's error bodies `{code, message, status:"error"}`, which arrive with HTTP 200
 * as often as with a real 4xx: the body decides, whatever the status line says.
 */
function interpretTwelveDataFailure(now: () => number) {
  return ({ status, body }: ProviderResponse) => {
    const parsed = errorBody.safeParse(body);
    if (!parsed.success) return undefined;
    const { code } = parsed.data;
    // Its messages put parameter names in **bold**.
    const message = parsed.data.message.replaceAll('**', '');
    const said = `Twelve Data said: "${message}"`;
    const extra = { status, providerCode: code };
    const time = now();
    if (code === 401) return providerError('twelvedata', 'auth', `Twelve Data did not accept the API key. Check the key in Settings. (${said})`, extra);
    if (code === 403 || /not available with your plan/i.test(message)) {
      return providerError('twelvedata', 'plan', `Your Twelve Data plan does not include this data. (${said})`, extra);
    }
    if (code === 429) {
      // Credits reset each minute, and each UTC day for the daily allowance (the day boundary is our assumption).
      if (/for the day/i.test(message)) {
        return providerError('twelvedata', 'quota', `Twelve Data's daily credits are used up. (${said})`, {
          ...extra,
          retryAfterMs: (Math.floor(time / DAY_MS) + 1) * DAY_MS - time,
        });
      }
      return providerError('twelvedata', 'rate_limit', `Twelve Data's credits for this minute are used up. (${said})`, {
        ...extra,
        retryAfterMs: (Math.floor(time / MINUTE_MS) + 1) * MINUTE_MS - time,
      });
    }
    // Not in the vendor's table, but how it answers a window without bars (weekends, holidays).
    if (/no data is available/i.test(message)) return providerError('twelvedata', 'no_data', said, extra);
    if (code === 404 || /symbol not found|symbol or figi/i.test(message)) {
      return providerError('twelvedata', 'not_found', `Twelve Data does not know this symbol. (${said})`, extra);
    }
    if (code >= 500) return providerError('twelvedata', 'server', `Twelve Data is having trouble. (${said})`, extra);
    return providerError('twelvedata', 'invalid_request', `Twelve Data rejected the request. (${said})`, extra);
  };
}

/**
 * `Api-Credits-Left` counts the current minute's credits (they "reset every minute"):
 * at 0 the next request waits for the next minute instead of earning a 429.
 */
function pauseWhenCreditsRunOut(headers: Headers, now: number): number | undefined {
  const left = headers.get('api-credits-left');
  return left !== null && Number(left) <= 0 ? (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS : undefined;
}

function parseUtcDateTime(text: string): number {
  const [date, clock = '00:00:00'] = text.split(' ');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm, ss] = clock.split(':').map(Number);
  const time = new Date(0);
  time.setUTCFullYear(y!, m! - 1, d!);
  time.setUTCHours(hh!, mm!, ss!);
  return time.getTime();
}

/**
 * Twelve Data: /time_series for bars, /price for the latest price. The key goes in the
 * `Authorization: apikey …` header (documented), never the URL.
 *
 * Paging: forward, by date windows of 5000 bar widths. /time_series with `outputsize`
 * keeps the newest values of a window, so a window that could hold more than 5000 bars
 * would silently lose its oldest ones; a window 5000 bars wide cannot. Markets with
 * gaps (weekends, stock nights) fill fewer than 5000 per call, which costs credits but
 * keeps pages in ascending order for backfill checkpoints.
 *
 * Times: `timezone=UTC` is requested, so `datetime` and start/end dates are UTC rather
 * than the exchange's zone. Daily credits: the free plan's 800 per UTC day apply while
 * the per-minute limit is the free 8 (or lower); a higher limit means a paid plan, which
 * has no daily cap. The provider's own "credits for the day" answer pauses us either way.
 */
export function createTwelveDataAdapter(deps: AdapterDeps): ProviderAdapter {
  const { config, logger } = deps;
  const now = deps.http?.now ?? Date.now;
  const perMinute = config.rateLimitPerMinute;
  const client = new HttpClient({
    ...deps.http,
    provider: 'twelvedata',
    logger,
    requestsPerMinute: perMinute,
    dailyCredits: perMinute > 0 && perMinute <= FREE_PLAN_PER_MINUTE ? FREE_PLAN_PER_DAY : undefined,
    secrets: config.apiKey ? [config.apiKey] : [],
    interpretFailure: interpretTwelveDataFailure(now),
    pauseFromHeaders: pauseWhenCreditsRunOut,
  });
  const capabilities = twelveDataCapabilities(now());
  const authorization = () => ({ Authorization: `apikey ${requireKey('twelvedata', config)}` });

  async function* fetchBars(request: BarsRequest): AsyncGenerator<BarPage> {
    const symbol = checkBarsRequest('twelvedata', capabilities, request);
    const timeframe = request.timeframe as TwelveDataTimeframe;
    const headers = authorization();
    for (const window of timeWindows(request.from, request.to, OUTPUT_SIZE * fixedTimeframeMs[timeframe])) {
      let values: z.infer<typeof seriesSchema>['values'];
      try {
        ({ values } = await client.getJson({
          url: endpoint(config.baseUrl, '/time_series', {
            symbol,
            interval: intervals[timeframe],
            start_date: utcDateTime(window.start),
            // Inclusive on Twelve Data's side.
            end_date: utcDateTime(window.end - 1000),
            timezone: 'UTC',
            outputsize: String(OUTPUT_SIZE),
            format: 'JSON',
          }),
          headers,
          schema: seriesSchema,
          signal: request.signal,
          maxWaitMs: request.maxWaitMs,
          maxAttempts: request.maxAttempts,
        }));
      } catch (error) {
        if (failureReason(error) !== 'no_data') throw error;
        values = [];
      }
      yield { bars: seriesBars(values, window), source: 'twelvedata' };
    }
  }

  /** /price has no timestamp: the time is when the answer arrived. */
  async function fetchLatest(instrument: Instrument, signal?: AbortSignal, limits: RequestLimits = {}): Promise<LatestPrice> {
    const symbol = providerSymbol('twelvedata', instrument);
    const { price } = await client.getJson({
      url: endpoint(config.baseUrl, '/price', { symbol, format: 'JSON' }),
      headers: authorization(),
      schema: priceSchema,
      signal,
      ...limits,
    });
    return { price, time: now(), source: 'twelvedata' };
  }

  async function searchInstruments(query: string, limits: SearchLimits = {}): Promise<ProviderListing[]> {
    const { signal, ...patience } = limits;
    const { data } = await client.getJson({
      url: endpoint(config.baseUrl, '/symbol_search', { symbol: query, outputsize: String(SEARCH_RESULTS) }),
      headers: authorization(),
      schema: symbolSearchSchema,
      signal,
      ...patience,
    });
    return data.map((listing) => ({
      ticker: listing.symbol,
      name: listing.instrument_name,
      kind: instrumentKind(listing.instrument_type),
      exchange: listing.exchange || null,
      currency: listing.currency || null,
    }));
  }

  return { id: 'twelvedata', capabilities, fetchBars, fetchLatest, searchInstruments };
}

/** Newest-first strings → ascending numeric bars inside the window; no volume (metals, forex) → 0. */
function seriesBars(values: z.infer<typeof seriesSchema>['values'], window: { start: number; end: number }): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const value of values) {
    const time = parseUtcDateTime(value.datetime);
    if (time < window.start || time >= window.end) continue;
    byTime.set(time, { time, open: value.open, high: value.high, low: value.low, close: value.close, volume: value.volume ?? 0 });
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
