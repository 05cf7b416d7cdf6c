import { z } from 'zod';
import type { Bar, Instrument } from '../../shared/domain';
import { fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';
import { HttpClient, type ProviderResponse } from '../http/http-client';
import { badPayload, providerError } from './provider-errors';
import { checkBarsRequest, DAY_MS, endpoint, providerSymbol, timeWindows, tradingDateMs } from './adapter-support';
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

const HOUR_MS = 3_600_000;

/**
 * Yahoo's per-interval limits, from its own 422 texts: 1m only within the last 30 days and
 * 8 days per request (we ask 7, clear of the edge); 2m–90m within 60 days; 1h within
 * 730 days (per-request span unknown, so a year at a time); 1d 100 years per request.
 */
const intervals = {
  '1m': { interval: '1m', depthDays: 30, windowDays: 7 },
  '5m': { interval: '5m', depthDays: 60, windowDays: 60 },
  '15m': { interval: '15m', depthDays: 60, windowDays: 60 },
  '30m': { interval: '30m', depthDays: 60, windowDays: 60 },
  '1h': { interval: '60m', depthDays: 730, windowDays: 365 },
  '1d': { interval: '1d', depthDays: null, windowDays: 36_500 },
} as const satisfies Partial<Record<Timeframe, { interval: string; depthDays: number | null; windowDays: number }>>;
type YahooTimeframe = keyof typeof intervals;
const servedTimeframes = Object.keys(intervals) as YahooTimeframe[];

const yahooCapabilities: ProviderCapabilities = {
  assetClasses: ['future', 'stock', 'etf', 'index', 'crypto', 'fx'],
  timeframes: servedTimeframes,
  maxBarsPerRequest: Math.max(...servedTimeframes.map((tf) => (intervals[tf].windowDays * DAY_MS) / fixedTimeframeMs[tf])),
  historyDepthDays: Object.fromEntries(servedTimeframes.map((tf) => [tf, intervals[tf].depthDays])),
  needsKey: false,
  defaultRateLimitPerMinute: providerDefaults.yahoo.rateLimitPerMinute,
};

/** Yahoo leaves a missing value as null (a halted minute); such a bar is skipped, never read as zero. */
const values = z.array(z.number().nullable());
const chartSchema = z.object({
  chart: z.object({
    result: z
      .array(
        z.object({
          meta: z.object({ exchangeTimezoneName: z.string() }),
          // Absent, with `quote: [{}]`, when the window holds no bars.
          timestamp: z.array(z.number().int()).optional(),
          indicators: z.object({
            quote: z.array(
              z.object({
                open: values.optional(),
                high: values.optional(),
                low: values.optional(),
                close: values.optional(),
                volume: values.optional(),
              }),
            ),
          }),
        }),
      )
      .min(1),
  }),
});
type ChartResult = z.infer<typeof chartSchema>['chart']['result'][number];

const latestSchema = z.object({
  chart: z.object({
    result: z.array(z.object({ meta: z.object({ regularMarketPrice: z.number(), regularMarketTime: z.number().int() }) })).min(1),
  }),
});

/**
 * /v1/finance/search: `quotes[]` mixes Yahoo listings with entries from elsewhere
 * (`isYahooFinance: false`, no symbol), which are skipped. Listings carry no currency.
 */
const searchSchema = z.object({
  quotes: z.array(
    z.object({
      symbol: z.string().optional(),
      shortname: z.string().optional(),
      longname: z.string().optional(),
      quoteType: z.string().optional(),
      exchange: z.string().optional(),
      exchDisp: z.string().optional(),
      isYahooFinance: z.boolean().optional(),
    }),
  ),
});

/** Yahoo's quoteType in our kinds; MUTUALFUND, OPTION and the like are not charted as such. */
const quoteTypeKinds: Readonly<Record<string, ProviderListing['kind']>> = {
  EQUITY: 'stock',
  ETF: 'etf',
  INDEX: 'index',
  FUTURE: 'future',
  CURRENCY: 'fx',
  CRYPTOCURRENCY: 'crypto',
};

/** How many listings one lookup asks for: enough to choose from, small enough to read. */
const SEARCH_RESULTS = 10;

/** `{ <module>: { result: null, error: { code, description } } }`, the envelope of every Yahoo error. */
const errorEnvelope = z.record(z.string(), z.object({ error: z.object({ code: z.string(), description: z.string() }) }));

function interpretYahooFailure({ status, body }: ProviderResponse) {
  // No key is involved, so a refusal is Yahoo blocking this client: not AUTH, and a retry now will not help.
  if (status === 401 || status === 403) {
    return providerError('yahoo', 'blocked', `Yahoo Finance refused the request (HTTP ${status}); it sometimes blocks automated clients. Try again later or use another provider.`, { status });
  }
  const envelope = errorEnvelope.safeParse(body);
  const error = envelope.success ? Object.values(envelope.data)[0]?.error : undefined;
  if (!error) return undefined;
  const extra = { status, providerCode: error.code };
  if (error.code === 'Not Found' || status === 404) {
    return providerError('yahoo', 'not_found', `Yahoo Finance has no data for this symbol ("${error.description}").`, extra);
  }
  if (status >= 500 || status === 429) return undefined;
  return providerError('yahoo', 'invalid_request', `Yahoo Finance refused the request: ${error.description}`, extra);
}

/**
 * Yahoo Finance chart API v8: keyless, so the app has data without any account. Metals
 * futures (GC=F…), stocks, ETFs, crypto, FX. Long ranges are fetched in date windows
 * the size Yahoo accepts per interval; intraday requests older than Yahoo keeps are
 * clamped to its depth (capabilities.historyDepthDays says how far).
 */
export function createYahooAdapter(deps: AdapterDeps): ProviderAdapter {
  const { config, logger } = deps;
  const now = deps.http?.now ?? Date.now;
  const client = new HttpClient({
    ...deps.http,
    provider: 'yahoo',
    logger,
    requestsPerMinute: config.rateLimitPerMinute,
    interpretFailure: interpretYahooFailure,
  });
  // Yahoo answers bare non-browser user agents with 429s more readily.
  const headers = { 'User-Agent': 'Mozilla/5.0 (compatible; Metalytics)', Accept: 'application/json' };
  const chartUrl = (symbol: string, params: Record<string, string>) =>
    endpoint(config.baseUrl, `/v8/finance/chart/${encodeURIComponent(symbol)}`, params);

  async function* fetchBars(request: BarsRequest): AsyncGenerator<BarPage> {
    const symbol = checkBarsRequest('yahoo', yahooCapabilities, request);
    const timeframe = request.timeframe as YahooTimeframe;
    const { interval, depthDays, windowDays } = intervals[timeframe];
    let from = request.from;
    if (depthDays !== null) {
      // An hour inside the edge, so a slow request is not refused as "older than N days".
      const earliest = now() - depthDays * DAY_MS + HOUR_MS;
      if (from < earliest) {
        logger.info('Yahoo Finance keeps only recent intraday bars; fetching the part it has', { symbol, timeframe, depthDays });
        from = earliest;
      }
    }
    // A daily bar's stamp may sit up to a day from its trading date (session open, exchange midnight): ask a day wider, keep what lands inside.
    const pad = timeframe === '1d' ? DAY_MS : 0;
    for (const window of timeWindows(from, request.to, windowDays * DAY_MS)) {
      const chart = await client.getJson({
        url: chartUrl(symbol, {
          period1: String(Math.floor((window.start - pad) / 1000)),
          period2: String(Math.ceil((window.end + pad) / 1000)),
          interval,
          includePrePost: 'false',
        }),
        headers,
        schema: chartSchema,
        signal: request.signal,
        maxWaitMs: request.maxWaitMs,
        maxAttempts: request.maxAttempts,
      });
      yield { bars: chartBars(chart.chart.result[0]!, timeframe, window), source: 'yahoo' };
    }
  }

  async function fetchLatest(instrument: Instrument, signal?: AbortSignal, limits: RequestLimits = {}): Promise<LatestPrice> {
    const symbol = providerSymbol('yahoo', instrument);
    // The smallest chart that carries the meta block.
    const chart = await client.getJson({ url: chartUrl(symbol, { range: '1d', interval: '1d' }), headers, schema: latestSchema, signal, ...limits });
    const meta = chart.chart.result[0]!.meta;
    return { price: meta.regularMarketPrice, time: meta.regularMarketTime * 1000, source: 'yahoo' };
  }

  async function searchInstruments(query: string, limits: SearchLimits = {}): Promise<ProviderListing[]> {
    const { signal, ...patience } = limits;
    const { quotes } = await client.getJson({
      url: endpoint(config.baseUrl, '/v1/finance/search', { q: query, quotesCount: String(SEARCH_RESULTS), newsCount: '0' }),
      headers,
      schema: searchSchema,
      signal,
      ...patience,
    });
    return quotes.flatMap(({ symbol, shortname, longname, quoteType, exchange, exchDisp, isYahooFinance }) =>
      symbol === undefined || isYahooFinance === false
        ? []
        : [{ ticker: symbol, name: longname ?? shortname ?? symbol, kind: quoteTypeKinds[quoteType ?? ''] ?? null, exchange: exchDisp ?? exchange ?? null, currency: null }],
    );
  }

  return { id: 'yahoo', capabilities: yahooCapabilities, fetchBars, fetchLatest, searchInstruments };
}

function chartBars(result: ChartResult, timeframe: YahooTimeframe, window: { start: number; end: number }): Bar[] {
  const timestamps = result.timestamp ?? [];
  const quote = result.indicators.quote[0] ?? {};
  const field = (name: keyof typeof quote) => {
    const series = quote[name];
    const path = `chart.result[0].indicators.quote[0].${name}`;
    if (series === undefined) {
      if (name === 'volume' || timestamps.length === 0) return undefined;
      throw badPayload('yahoo', path, 'is missing');
    }
    if (series.length !== timestamps.length) throw badPayload('yahoo', path, `has ${series.length} values for ${timestamps.length} timestamps`);
    return series;
  };
  const [open, high, low, close, volume] = (['open', 'high', 'low', 'close', 'volume'] as const).map(field);

  const stamp = (seconds: number) => {
    if (timeframe !== '1d') return seconds * 1000;
    try {
      return tradingDateMs(seconds * 1000, result.meta.exchangeTimezoneName);
    } catch {
      throw badPayload('yahoo', 'chart.result[0].meta.exchangeTimezoneName', `is not a time zone ("${result.meta.exchangeTimezoneName}")`);
    }
  };

  const byTime = new Map<number, Bar>();
  timestamps.forEach((seconds, i) => {
    const [o, h, l, c] = [open?.[i], high?.[i], low?.[i], close?.[i]];
    if (o == null || h == null || l == null || c == null) return;
    const time = stamp(seconds);
    if (time < window.start || time >= window.end) return;
    byTime.set(time, { time, open: o, high: h, low: l, close: c, volume: volume?.[i] ?? 0 });
  });
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
