import { z } from 'zod';
import type { Bar, Instrument } from '../../shared/domain';
import { bucketStart } from '../../shared/timeframes';
import { HttpClient, type ProviderResponse } from '../http/http-client';
import { badPayload, failureReason, providerError, type ProviderFailureReason } from './provider-errors';
import { checkBarsRequest, DAY_MS, endpoint, providerSymbol, requireKey, timeWindows, utcDate } from './adapter-support';
import { providerDefaults, type AdapterDeps, type BarPage, type BarsRequest, type LatestPrice, type ProviderAdapter, type ProviderCapabilities, type RequestLimits } from './types';

/** Code 505: "The specified timeframe is too long, exceeding 365 days". */
const MAX_DAYS_PER_REQUEST = 365;

const metalsApiCapabilities: ProviderCapabilities = {
  assetClasses: ['spot'],
  timeframes: ['1d'],
  maxBarsPerRequest: MAX_DAYS_PER_REQUEST,
  historyDepthDays: { '1d': null },
  needsKey: true,
  defaultRateLimitPerMinute: providerDefaults.metalsapi.rateLimitPerMinute,
};

const dateKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const rates = z.record(z.string(), z.number());
const latestSchema = z.object({ timestamp: z.number().int(), base: z.string(), rates });
const timeseriesSchema = z.object({ base: z.string(), rates: z.record(dateKey, rates) });
const ohlcSchema = z.object({
  base: z.string(),
  date: dateKey,
  rates: z.object({ open: z.number(), high: z.number(), low: z.number(), close: z.number() }),
});

const errorBody = z.object({
  success: z.literal(false),
  error: z.object({ code: z.number().int(), type: z.string().optional(), info: z.string().optional() }),
});

/** The vendor's code table (copied by its clients from the docs) → our reasons. */
const errorCodes: Readonly<Record<number, { reason: ProviderFailureReason; meaning: string }>> = {
  101: { reason: 'auth', meaning: 'the API key is missing or invalid' },
  102: { reason: 'auth', meaning: 'the account is not active' },
  103: { reason: 'invalid_request', meaning: 'the endpoint does not exist (check the base URL)' },
  104: { reason: 'quota', meaning: "this month's requests are used up" },
  105: { reason: 'plan', meaning: 'the plan does not include this endpoint' },
  106: { reason: 'no_data', meaning: 'there are no results' },
  201: { reason: 'not_found', meaning: 'the base currency is not known' },
  202: { reason: 'not_found', meaning: 'the symbol is not known' },
  301: { reason: 'invalid_request', meaning: 'no date was given' },
  302: { reason: 'invalid_request', meaning: 'the date is invalid' },
  404: { reason: 'not_found', meaning: 'the resource does not exist' },
  501: { reason: 'invalid_request', meaning: 'the timeframe is invalid' },
  502: { reason: 'invalid_request', meaning: 'the start date is invalid' },
  503: { reason: 'invalid_request', meaning: 'the end date is invalid' },
  504: { reason: 'invalid_request', meaning: 'the timeframe is invalid' },
  505: { reason: 'window_too_long', meaning: 'the timeframe is longer than the plan allows per request' },
};

/**
 * `{success:false, error:{code, type, info}}`. The HTTP status of these is unconfirmed
 * (200 or 4xx), so the body decides.
 */
function interpretMetalsApiFailure(now: () => number) {
  return ({ status, body }: ProviderResponse) => {
    const parsed = errorBody.safeParse(body);
    if (!parsed.success) return undefined;
    const { code, info } = parsed.data.error;
    const known = errorCodes[code];
    const reason: ProviderFailureReason = known?.reason ?? (status >= 500 ? 'server' : 'invalid_request');
    const meaning = known?.meaning ?? info ?? 'the request failed';
    const extra = { status, providerCode: code };
    if (reason === 'quota') {
      // The quota is monthly; a new one starts on the 1st (UTC is our assumption).
      const time = new Date(now());
      const nextMonth = Date.UTC(time.getUTCFullYear(), time.getUTCMonth() + 1, 1);
      return providerError('metalsapi', reason, `Metals-API: ${meaning}; more become available on the 1st of next month (code ${code}).`, {
        ...extra,
        retryAfterMs: nextMonth - time.getTime(),
      });
    }
    return providerError('metalsapi', reason, `Metals-API: ${meaning} (code ${code}).`, extra);
  };
}

/**
 * Which way a response quotes: `base=XAU` gives USD per ounce (direct); `base=USD` gives
 * ounces per USD (inverse), so the price is 1/x.
 */
function quoteDirection(base: string, metal: string, currency: string): 'direct' | 'inverse' {
  if (base === metal) return 'direct';
  if (base === currency) return 'inverse';
  throw badPayload('metalsapi', 'base', `is "${base}", neither ${metal} nor ${currency}`);
}

function positiveRate(value: number | undefined, field: string): number {
  if (value === undefined) throw badPayload('metalsapi', field, 'is missing');
  if (!(value > 0)) throw badPayload('metalsapi', field, `is not a positive rate (${value})`);
  return value;
}

/** The instrument's price in its currency from a `rates` object of either direction. */
function priceFromRates(base: string, values: Readonly<Record<string, number>>, metal: string, currency: string, field: string): number {
  return quoteDirection(base, metal, currency) === 'direct'
    ? positiveRate(values[currency], `${field}.${currency}`)
    : 1 / positiveRate(values[metal], `${field}.${metal}`);
}

/**
 * Metals-API: spot metals against currencies, daily. The key can only travel as the
 * `access_key` query parameter, so every logged URL is redacted.
 *
 * Bars: /timeseries gives one rate per day, stored as a close-only bar (open = high =
 * low = close, volume 0), 365 days and one symbol per request, never today's date as
 * end_date. Today's bar, when asked for, comes from /open-high-low-close, which serves
 * today. A 505 (window too long for the plan) halves the window and tries again.
 * Dates are UTC calendar days, stamped 00:00 UTC.
 */
export function createMetalsApiAdapter(deps: AdapterDeps): ProviderAdapter {
  const { config, logger } = deps;
  const now = deps.http?.now ?? Date.now;
  const client = new HttpClient({
    ...deps.http,
    provider: 'metalsapi',
    logger,
    requestsPerMinute: config.rateLimitPerMinute,
    secrets: config.apiKey ? [config.apiKey] : [],
    interpretFailure: interpretMetalsApiFailure(now),
  });

  function get<T>(path: string, params: Record<string, string>, schema: z.ZodType<T>, signal: AbortSignal | undefined, limits: RequestLimits): Promise<T> {
    const url = endpoint(config.baseUrl, path, { access_key: requireKey('metalsapi', config), ...params });
    return client.getJson({ url, schema, signal, ...limits });
  }

  async function* fetchBars(request: BarsRequest): AsyncGenerator<BarPage> {
    const metal = checkBarsRequest('metalsapi', metalsApiCapabilities, request);
    const currency = request.instrument.currency;
    const pair = { base: metal, symbols: currency };
    const limits = { maxWaitMs: request.maxWaitMs, maxAttempts: request.maxAttempts };
    const firstDay = bucketStart(request.from + DAY_MS - 1, '1d');
    const today = bucketStart(now(), '1d');

    const pending = [...timeWindows(firstDay, Math.min(request.to, today), MAX_DAYS_PER_REQUEST * DAY_MS)];
    while (pending.length > 0) {
      const window = pending.shift()!;
      let bars: Bar[] = [];
      try {
        const series = await get(
          '/timeseries',
          { start_date: utcDate(window.start), end_date: utcDate(window.end - DAY_MS), ...pair },
          timeseriesSchema,
          request.signal,
          limits,
        );
        bars = Object.entries(series.rates)
          .map(([date, values]) => {
            const close = priceFromRates(series.base, values, metal, currency, `rates.${date}`);
            return { time: Date.parse(`${date}T00:00:00Z`), open: close, high: close, low: close, close, volume: 0 };
          })
          .filter((bar) => bar.time >= window.start && bar.time < window.end)
          .sort((a, b) => a.time - b.time);
      } catch (error) {
        const reason = failureReason(error);
        const days = (window.end - window.start) / DAY_MS;
        if (reason === 'window_too_long' && days > 1) {
          const middle = window.start + Math.floor(days / 2) * DAY_MS;
          logger.info('Metals-API refused the window as too long; splitting it', { days });
          pending.unshift({ start: window.start, end: middle }, { start: middle, end: window.end });
          continue;
        }
        if (reason !== 'no_data') throw error;
      }
      yield { bars, source: 'metalsapi' };
    }

    if (today >= firstDay && today < request.to) {
      let bars: Bar[] = [];
      try {
        const ohlc = await get(`/open-high-low-close/${utcDate(today)}`, pair, ohlcSchema, request.signal, limits);
        const rate = (key: keyof typeof ohlc.rates) => positiveRate(ohlc.rates[key], `rates.${key}`);
        bars = [
          quoteDirection(ohlc.base, metal, currency) === 'direct'
            ? { time: today, open: rate('open'), high: rate('high'), low: rate('low'), close: rate('close'), volume: 0 }
            : // Inverting swaps the extremes: the most ounces per dollar is the lowest price.
              { time: today, open: 1 / rate('open'), high: 1 / rate('low'), low: 1 / rate('high'), close: 1 / rate('close'), volume: 0 },
        ];
      } catch (error) {
        if (failureReason(error) !== 'no_data') throw error;
      }
      yield { bars, source: 'metalsapi' };
    }
  }

  async function fetchLatest(instrument: Instrument, signal?: AbortSignal, limits: RequestLimits = {}): Promise<LatestPrice> {
    const metal = providerSymbol('metalsapi', instrument);
    const latest = await get('/latest', { base: metal, symbols: instrument.currency }, latestSchema, signal, limits);
    return { price: priceFromRates(latest.base, latest.rates, metal, instrument.currency, 'rates'), time: latest.timestamp * 1000, source: 'metalsapi' };
  }

  return { id: 'metalsapi', capabilities: metalsApiCapabilities, fetchBars, fetchLatest };
}
