import { z } from 'zod';
import type { Bar, Instrument } from '../../shared/domain';
import { bucketStart, type Timeframe } from '../../shared/timeframes';
import { HttpClient, type ProviderResponse } from '../http/http-client';
import { badPayload, providerError } from './provider-errors';
import { checkBarsRequest, endpoint, parseInSlices, providerSymbol, requireKey } from './adapter-support';
import {
  providerDefaults,
  type AdapterDeps,
  type BarPage,
  type BarsRequest,
  type LatestPrice,
  type NewsItem,
  type NewsRequest,
  type ProviderAdapter,
  type ProviderCapabilities,
  type ProviderListing,
  type RequestLimits,
  type SearchLimits,
} from './types';

const timespans = {
  '1m': [1, 'minute'],
  '5m': [5, 'minute'],
  '15m': [15, 'minute'],
  '30m': [30, 'minute'],
  '1h': [1, 'hour'],
  '1d': [1, 'day'],
} as const satisfies Partial<Record<Timeframe, readonly [number, string]>>;
type PolygonTimeframe = keyof typeof timespans;
const servedTimeframes = Object.keys(timespans) as PolygonTimeframe[];

/** Most base aggregates one request may return (the spec's `limit` maximum). */
const AGGREGATES_LIMIT = 50_000;
/**
 * Page size when requests are not scarce (paid plans, our limit off): a 50,000-bar page is
 * 5 MB of JSON whose parse alone holds the event loop for tens of milliseconds, while 10,000
 * bars parse in a few and, without a rate limit, cost no throughput. On the free plan's
 * 5 requests a minute every request counts, so pages stay as large as the API allows.
 */
const UNHURRIED_PAGE_BARS = 10_000;
/** From one request a second on, a request is cheap enough to spend on smaller pages. */
const CHEAP_REQUESTS_PER_MINUTE = 60;

const polygonCapabilities: ProviderCapabilities = {
  assetClasses: ['stock', 'etf', 'index', 'fx', 'crypto', 'spot'],
  timeframes: servedTimeframes,
  maxBarsPerRequest: AGGREGATES_LIMIT,
  // No depth is documented for every plan: each plan has its own, which a NOT_AUTHORIZED refusal reveals (see plan-depth.ts).
  historyDepthDays: Object.fromEntries(servedTimeframes.map((tf) => [tf, null])),
  needsKey: true,
  defaultRateLimitPerMinute: providerDefaults.polygon.rateLimitPerMinute,
};

/** One aggregate (bar). A page holds up to 50,000: `aggregateBars` checks them a slice at a time. */
const aggregateSchema = z.object({ o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(), t: z.number().int() });

const aggregatesSchema = z.object({
  // Omitted, not empty, when the ticker is unknown or the window holds no bars.
  results: z.array(z.unknown()).optional(),
  next_url: z.string().optional(),
});

const previousCloseSchema = z.object({
  results: z.array(z.object({ c: z.number(), t: z.number().int() })).optional(),
});

const isoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO date-time')
  .transform((text) => Date.parse(text));
const newsSchema = z.object({
  results: z
    .array(
      z.object({
        id: z.string(),
        publisher: z.object({ name: z.string() }),
        title: z.string(),
        published_utc: isoTime,
        article_url: z.string(),
        tickers: z.array(z.string()).default([]),
        insights: z.array(z.object({ ticker: z.string(), sentiment: z.string() })).optional(),
      }),
    )
    .optional(),
  next_url: z.string().optional(),
});

/** /v3/reference/tickers; `results` may be left out when nothing matches, as the aggregates do. */
const tickersSchema = z.object({
  results: z
    .array(
      z.object({
        ticker: z.string(),
        name: z.string(),
        market: z.string(),
        type: z.string().optional(),
        primary_exchange: z.string().optional(),
        currency_name: z.string().optional(),
        currency_symbol: z.string().optional(),
      }),
    )
    .optional(),
});
type TickerListing = NonNullable<z.infer<typeof tickersSchema>['results']>[number];

const SEARCH_RESULTS = 10;

/** `market` decides crypto, forex and indices; among stocks the ticker `type` tells funds (ETF, ETN, ETV) from shares. */
function listingKind({ market, type }: TickerListing): ProviderListing['kind'] {
  if (market === 'crypto') return 'crypto';
  if (market === 'fx') return 'fx';
  if (market === 'indices') return 'index';
  if (market !== 'stocks' && market !== 'otc') return null;
  return type !== undefined && /^ET[FNV]$/.test(type) ? 'etf' : 'stock';
}

/** Stocks say `currency_name: "usd"`; forex and crypto spell the name out and give `currency_symbol`. */
function listingCurrency({ currency_symbol, currency_name }: TickerListing): string | null {
  const code = currency_symbol ?? currency_name;
  return code !== undefined && /^[A-Za-z]{2,10}$/.test(code) ? code.toUpperCase() : null;
}

/** `{"status":"ERROR","error":…}` and `{"status":"NOT_AUTHORIZED","message":…}`: Polygon's two error envelopes. */
const errorBody = z.object({ status: z.string(), error: z.string().optional(), message: z.string().optional() });

function interpretPolygonFailure({ status, body }: ProviderResponse) {
  const parsed = errorBody.safeParse(body);
  const bodyStatus = parsed.success ? parsed.data.status : undefined;
  if (status < 400 && bodyStatus !== 'ERROR' && bodyStatus !== 'NOT_AUTHORIZED') return undefined;
  const text = parsed.success ? (parsed.data.error ?? parsed.data.message ?? '') : '';
  const said = text ? ` (Polygon/Massive said: "${text}")` : '';
  const extra = bodyStatus ? { status, providerCode: bodyStatus } : { status };
  if (bodyStatus === 'NOT_AUTHORIZED' || status === 403) {
    return providerError('polygon', 'plan', `Your Polygon/Massive plan does not include this data${said}.`, extra);
  }
  // A missing key was seen answered with 400, an unknown one with 401: the text decides.
  if (status === 401 || /api key/i.test(text)) {
    return providerError('polygon', 'auth', `Polygon/Massive did not accept the API key${said}. Check the key in Settings.`, extra);
  }
  if (status === 429 || /exceeded the maximum requests/i.test(text)) {
    return providerError('polygon', 'rate_limit', `Polygon/Massive is limiting requests${said}.`, extra);
  }
  if (status >= 500) return providerError('polygon', 'server', `Polygon/Massive is having trouble (HTTP ${status})${said}.`, extra);
  if (status === 404) return providerError('polygon', 'not_found', `Polygon/Massive has no such data${said}.`, extra);
  return providerError('polygon', 'invalid_request', `Polygon/Massive rejected the request${said}.`, extra);
}

/** `C:XAUUSD` keeps its colon, as every Polygon client sends it; the rest is escaped. */
function tickerSegment(ticker: string): string {
  return encodeURIComponent(ticker).replace(/%3A/gi, ':');
}

export interface PolygonAdapterDeps extends AdapterDeps {
  /**
   * Where the key travels. `header` (default: `Authorization: Bearer`, as the vendor's
   * Python and Go clients send it) keeps it out of URLs; `query` (`apiKey=`, the
   * OpenAPI scheme and the JS client) for proxies that only pass query strings.
   */
  auth?: 'header' | 'query';
}

/**
 * Polygon.io / Massive: aggregates (bars) with `next_url` pagination, previous close as
 * the latest price, news with sentiment.
 */
export function createPolygonAdapter(deps: PolygonAdapterDeps): ProviderAdapter {
  const { config, logger } = deps;
  const auth = deps.auth ?? 'header';
  const requestsAreCheap = config.rateLimitPerMinute === 0 || config.rateLimitPerMinute >= CHEAP_REQUESTS_PER_MINUTE;
  const pageBars = requestsAreCheap ? UNHURRIED_PAGE_BARS : AGGREGATES_LIMIT;
  const client = new HttpClient({
    ...deps.http,
    provider: 'polygon',
    logger,
    requestsPerMinute: config.rateLimitPerMinute,
    secrets: config.apiKey ? [config.apiKey] : [],
    interpretFailure: interpretPolygonFailure,
  });

  function get<T>(url: URL, schema: z.ZodType<T>, signal: AbortSignal | undefined, limits: RequestLimits): Promise<T> {
    const key = requireKey('polygon', config);
    if (auth === 'query') {
      url.searchParams.set('apiKey', key);
      return client.getJson({ url, schema, signal, ...limits });
    }
    return client.getJson({ url, schema, signal, ...limits, headers: { Authorization: `Bearer ${key}` } });
  }

  /**
   * `next_url` is absolute and names the vendor's host (api.massive.com even when we were
   * configured for api.polygon.io, or a proxy). Only its path and cursor are taken and put
   * on our configured base, so the key never goes to a host the user did not configure.
   */
  function nextPage(nextUrl: string, seen: Set<string>): URL {
    let parsed: URL;
    try {
      parsed = new URL(nextUrl);
    } catch {
      throw badPayload('polygon', 'next_url', `is not a URL ("${nextUrl}")`);
    }
    const url = new URL(`${config.baseUrl.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`);
    // The key is added back by get(); a cursor that repeats would loop forever.
    url.searchParams.delete('apiKey');
    if (seen.has(url.href)) throw badPayload('polygon', 'next_url', 'points back to a page already fetched');
    seen.add(url.href);
    return url;
  }

  async function* fetchBars(request: BarsRequest): AsyncGenerator<BarPage> {
    const ticker = checkBarsRequest('polygon', polygonCapabilities, request);
    const timeframe = request.timeframe as PolygonTimeframe;
    const [multiplier, timespan] = timespans[timeframe];
    if (request.from >= request.to) return;
    // Polygon's `to` is inclusive; ours is not.
    let url: URL | undefined = endpoint(
      config.baseUrl,
      `/v2/aggs/ticker/${tickerSegment(ticker)}/range/${multiplier}/${timespan}/${request.from}/${request.to - 1}`,
      { adjusted: 'true', sort: 'asc', limit: String(pageBars) },
    );
    const seen = new Set<string>();
    while (url) {
      const page: z.infer<typeof aggregatesSchema> = await get(url, aggregatesSchema, request.signal, {
        maxWaitMs: request.maxWaitMs,
        maxAttempts: request.maxAttempts,
      });
      yield { bars: await aggregateBars(page.results ?? [], timeframe, request), source: 'polygon' };
      url = page.next_url ? nextPage(page.next_url, seen) : undefined;
    }
  }

  /** The previous session's close: the latest price every plan (the free one included) serves for all asset classes. */
  async function fetchLatest(instrument: Instrument, signal?: AbortSignal, limits: RequestLimits = {}): Promise<LatestPrice> {
    const ticker = providerSymbol('polygon', instrument);
    const body = await get(endpoint(config.baseUrl, `/v2/aggs/ticker/${tickerSegment(ticker)}/prev`, { adjusted: 'true' }), previousCloseSchema, signal, limits);
    const last = body.results?.at(-1);
    if (!last) throw providerError('polygon', 'not_found', `Polygon/Massive has no previous close for ${instrument.name} (${instrument.symbol}).`);
    return { price: last.c, time: last.t, source: 'polygon' };
  }

  async function searchInstruments(query: string, limits: SearchLimits = {}): Promise<ProviderListing[]> {
    const { signal, ...patience } = limits;
    const url = endpoint(config.baseUrl, '/v3/reference/tickers', { search: query, active: 'true', limit: String(SEARCH_RESULTS) });
    const { results = [] } = await get(url, tickersSchema, signal, patience);
    return results.map((listing) => ({
      ticker: listing.ticker,
      name: listing.name,
      kind: listingKind(listing),
      exchange: listing.primary_exchange ?? null,
      currency: listingCurrency(listing),
    }));
  }

  async function* fetchNews(request: NewsRequest): AsyncGenerator<NewsItem[]> {
    const ticker = request.instrument ? providerSymbol('polygon', request.instrument) : undefined;
    if (request.from >= request.to) return;
    let url: URL | undefined = endpoint(config.baseUrl, '/v2/reference/news', {
      ...(ticker ? { ticker } : {}),
      'published_utc.gte': new Date(request.from).toISOString(),
      'published_utc.lt': new Date(request.to).toISOString(),
      order: 'asc',
      sort: 'published_utc',
      limit: '1000',
    });
    const seen = new Set<string>();
    while (url) {
      const page: z.infer<typeof newsSchema> = await get(url, newsSchema, request.signal, { maxWaitMs: request.maxWaitMs });
      yield (page.results ?? []).map((article) => ({
        provider: 'polygon' as const,
        id: article.id,
        publishedAt: article.published_utc,
        title: article.title,
        url: article.article_url,
        tickers: article.tickers,
        publisher: article.publisher.name,
        // Insights are per ticker; prefer the one about the instrument asked for.
        sentiment: (article.insights?.find((insight) => insight.ticker === ticker) ?? article.insights?.[0])?.sentiment ?? null,
      }));
      url = page.next_url ? nextPage(page.next_url, seen) : undefined;
    }
  }

  return { id: 'polygon', capabilities: polygonCapabilities, fetchBars, fetchLatest, fetchNews, searchInstruments };
}

/**
 * The page's bars inside [from, to), ascending, one per time (the last one given wins).
 * Pages arrive sorted (`sort=asc`), so the bars keep their order and are only re-sorted
 * when the provider broke it or stamped two daily sessions on one date.
 */
async function aggregateBars(results: readonly unknown[], timeframe: PolygonTimeframe, range: { from: number; to: number }): Promise<Bar[]> {
  const bars: Bar[] = [];
  let ordered = true;
  await parseInSlices('polygon', 'results', results, aggregateSchema, (agg) => {
    // Stock days start at midnight New York (04:00/05:00 UTC), forex and crypto days at 00:00 UTC: both are that UTC date.
    const time = timeframe === '1d' ? bucketStart(agg.t, '1d') : agg.t;
    if (time < range.from || time >= range.to) return;
    if (bars.length > 0 && time <= bars[bars.length - 1]!.time) ordered = false;
    bars.push({ time, open: agg.o, high: agg.h, low: agg.l, close: agg.c, volume: agg.v });
  });
  if (ordered) return bars;
  const byTime = new Map<number, Bar>();
  for (const bar of bars) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
