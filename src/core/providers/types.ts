import type { Bar, Instrument, instrumentKinds, ProviderId } from '../../shared/domain';
import type { InstrumentCandidate } from '../../shared/providers';
import { isLoopbackHost } from '../../shared/hosts';
import type { Timeframe } from '../../shared/timeframes';
import type { HttpTuning } from '../http/http-client';
import type { Logger } from '../ports';

type InstrumentKind = (typeof instrumentKinds)[number];

export interface ProviderCapabilities {
  assetClasses: readonly InstrumentKind[];
  /** Our timeframes the provider serves natively; others are aggregated from these. */
  timeframes: readonly Timeframe[];
  /** Most bars one request can return. */
  maxBarsPerRequest: number;
  /**
   * How far back each served timeframe reaches, in days from now; null = the provider's
   * full history (no documented limit).
   */
  historyDepthDays: Readonly<Partial<Record<Timeframe, number | null>>>;
  needsKey: boolean;
  /** The free tier's limit, used when neither METALYTICS_<PROVIDER>_RATE_LIMIT nor Settings set one. */
  defaultRateLimitPerMinute: number;
  /** Requests per UTC day on the free tier, when the provider has such a cap. */
  dailyCredits?: number;
}

/** How patient one call is; both default to the HTTP client's own settings. */
export interface RequestLimits {
  /** Longest single rate-limit wait this call accepts before failing with RATE_LIMITED. */
  maxWaitMs?: number;
  /** Attempts per request, the first included: 1 = never retry (a Test button spends one request at most). */
  maxAttempts?: number;
}

export interface BarsRequest extends RequestLimits {
  instrument: Instrument;
  timeframe: Timeframe;
  /** Inclusive, UTC epoch ms. */
  from: number;
  /** Exclusive, UTC epoch ms. */
  to: number;
  signal?: AbortSignal;
}

/**
 * One provider response worth of bars: ascending, UTC bar-open epoch ms, only bars in
 * [from, to). Daily bars are stamped 00:00 UTC of their trading date, whatever the
 * provider's own convention, so daily bars of one instrument from different providers
 * share a key.
 */
export interface BarPage {
  bars: Bar[];
  /** Recorded with each bar as where it came from. */
  source: string;
}

export interface LatestPrice {
  price: number;
  /** When the provider says the price was current (UTC epoch ms). */
  time: number;
  source: string;
}

export interface NewsRequest {
  /** Only news about this instrument; all news when absent. */
  instrument?: Instrument;
  /** Published at or after, UTC epoch ms. */
  from: number;
  /** Published before, UTC epoch ms. */
  to: number;
  signal?: AbortSignal;
  maxWaitMs?: number;
}

/** One article, in the shape of the `news` table. */
export interface NewsItem {
  provider: ProviderId;
  /** The provider's id of the article. */
  id: string;
  publishedAt: number;
  title: string;
  url: string;
  tickers: string[];
  publisher: string;
  /** The provider's sentiment label ("positive", "negative", "neutral"), null when it gave none. */
  sentiment: string | null;
}

export interface ProviderAdapter {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  /**
   * Pages in ascending time order. An empty window yields an empty page rather than an
   * error; an instrument the provider does not carry fails with NOT_FOUND.
   */
  fetchBars(request: BarsRequest): AsyncIterable<BarPage>;
  fetchLatest?(instrument: Instrument, signal?: AbortSignal, limits?: RequestLimits): Promise<LatestPrice>;
  fetchNews?(request: NewsRequest): AsyncIterable<NewsItem[]>;
  /** The provider's symbol lookup: listings matching a ticker or a name, best first as the provider ranks them. */
  searchInstruments?(query: string, limits?: SearchLimits): Promise<ProviderListing[]>;
}

export interface SearchLimits extends RequestLimits {
  signal?: AbortSignal;
}

/** One listing from a provider's lookup; the provider is the adapter's own. */
export type ProviderListing = Omit<InstrumentCandidate, 'provider'>;

export interface ProviderConfig {
  apiKey?: string;
  /** Without a trailing slash, e.g. https://api.massive.com. */
  baseUrl: string;
  /** 0 = no limit of our own. */
  rateLimitPerMinute: number;
}

/** What every adapter factory takes. Create one adapter per provider and share it: it owns the provider's rate limiter. */
export interface AdapterDeps {
  config: ProviderConfig;
  logger: Logger;
  http?: HttpTuning;
}

/** Production addresses and free-tier limits. */
export const providerDefaults: Readonly<Record<ProviderId, { baseUrl: string; rateLimitPerMinute: number }>> = {
  // No published limit; Yahoo throttles automated clients with 429s, so stay modest.
  yahoo: { baseUrl: 'https://query1.finance.yahoo.com', rateLimitPerMinute: 30 },
  // "Our free tier subscriptions come with a limit of 5 API requests per minute."
  polygon: { baseUrl: 'https://api.massive.com', rateLimitPerMinute: 5 },
  // Basic plan: 8 credits per minute (and 800 per day, see the adapter).
  twelvedata: { baseUrl: 'https://api.twelvedata.com', rateLimitPerMinute: 8 },
  // Quota is monthly; responses carry x-ratelimit-limit: 60 per minute.
  metalsapi: { baseUrl: 'https://metals-api.com/api', rateLimitPerMinute: 60 },
};

/** https, or plain http only to this computer (a local proxy, a test server): a key must never cross a network in clear text. */
export function isSecureProviderUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}
