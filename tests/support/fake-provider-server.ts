import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sleep } from '../../src/core/http/http-client';
import { instrumentCatalogue } from '../../src/core/instruments/catalogue';
import type { Instrument, ProviderId } from '../../src/shared/domain';

/**
 * A real HTTP server on 127.0.0.1 that answers like Yahoo, Polygon/Massive, Twelve Data
 * and Metals-API do in /work/shared/providers/*.md: same paths, parameters, key
 * placement, body shapes (strings vs numbers, newest-first, omitted `results`, `next_url`
 * on the vendor's host), documented limits (Yahoo intraday depth, Metals-API 365 days)
 * and documented error bodies. Prices are synthetic and deterministic; the verbatim doc
 * samples live in ./provider-fixtures and are served through `script`.
 *
 * Every request is recorded. Scripted steps replace or spoil the next matching answers:
 * any status/body, a hang (for timeouts), a reset connection, truncated or malformed
 * JSON, a mutated body (a field changing type), extra headers.
 */

export type FakeProvider = ProviderId | 'plain';

export interface RecordedRequest {
  provider: FakeProvider;
  /** Path below the provider's prefix, decoded: `/v8/finance/chart/GC=F`. */
  path: string;
  query: URLSearchParams;
  /** The request line's URL exactly as received. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

export type Step = { when?: (request: RecordedRequest) => boolean } & (
  | { respond: FakeResponse }
  | { fault: 'hang' | 'reset' | 'truncated' | 'malformed' }
  /** The route's own JSON answer, changed (e.g. a number turned into a string). */
  | { mutate: (json: any) => unknown } // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are edited freely
  | { addHeaders: Record<string, string> }
);

export interface FakeProviderState {
  /** The server's "now": today's date for Metals-API, the depth rules of Yahoo. */
  now: number;
  keys: { polygon: string; twelvedata: string; metalsapi: string };
  /** Aggregates per Polygon page before a `next_url`, to exercise paging on small ranges. */
  polygonPageSize: number;
  polygonNewsPageSize: number;
  /** Polygon news served by /v2/reference/news. */
  polygonNews: unknown[];
  /** Twelve Data and Metals-API errors arrive both with HTTP 200 and with a real status; pick one. */
  errorsWithHttp200: boolean;
  /**
   * The first day the Polygon key's plan includes: aggregates asked from before it are refused
   * with NOT_AUTHORIZED, as Polygon/Massive answers a plan without that history. Null = a plan
   * with every bar (the default).
   */
  polygonHistoryStart: number | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const fixtureDir = new URL('./provider-fixtures/', import.meta.url);

/** A documented sample: parsed JSON for `.json`, the exact text otherwise. */
export function fixture(name: string): any {  // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are edited freely by tests
  const text = readFileSync(new URL(name, fixtureDir), 'utf8');
  return name.endsWith('.json') ? JSON.parse(text) : text;
}

export interface FakeClock {
  now: () => number;
  /** Advances the clock instead of waiting, and records each wait. */
  sleep: Sleep;
  sleeps: number[];
  advance(ms: number): void;
}

/** Injected time for the HTTP client: backoff and rate-limit waits take no real time and are asserted exactly. */
export function fakeClock(start: number): FakeClock {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleeps,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      time += ms;
    },
    advance: (ms) => {
      time += ms;
    },
  };
}

/**
 * Listings the lookups (Yahoo search, Polygon tickers, Twelve Data symbol_search) find beyond
 * the built-in catalogue, each with the vendor's own ticker, exchange code and type; the
 * server also serves bars for them, so an instrument added from a lookup can be backfilled.
 */
export interface FakeListing {
  name: string;
  kind: 'stock' | 'etf';
  currency: string;
  tickers: { yahoo: string; polygon: string; twelvedata: string };
  yahoo: { exchange: string; exchDisp: string; quoteType: string; typeDisp: string };
  polygon: { primary_exchange: string; type: string };
  twelvedata: { exchange: string; mic_code: string; instrument_type: string };
}

export const fakeListings: readonly FakeListing[] = [
  {
    name: 'Microsoft Corporation',
    kind: 'stock',
    currency: 'USD',
    tickers: { yahoo: 'MSFT', polygon: 'MSFT', twelvedata: 'MSFT' },
    yahoo: { exchange: 'NMS', exchDisp: 'NASDAQ', quoteType: 'EQUITY', typeDisp: 'Equity' },
    polygon: { primary_exchange: 'XNAS', type: 'CS' },
    twelvedata: { exchange: 'NASDAQ', mic_code: 'XNAS', instrument_type: 'Common Stock' },
  },
  {
    name: 'SPDR Gold Shares',
    kind: 'etf',
    currency: 'USD',
    tickers: { yahoo: 'GLD', polygon: 'GLD', twelvedata: 'GLD' },
    yahoo: { exchange: 'PCX', exchDisp: 'NYSEArca', quoteType: 'ETF', typeDisp: 'ETF' },
    polygon: { primary_exchange: 'ARCX', type: 'ETF' },
    twelvedata: { exchange: 'NYSE', mic_code: 'ARCX', instrument_type: 'ETF' },
  },
  {
    name: 'Apple Inc.',
    kind: 'stock',
    currency: 'USD',
    tickers: { yahoo: 'AAPL', polygon: 'AAPL', twelvedata: 'AAPL' },
    yahoo: { exchange: 'NMS', exchDisp: 'NASDAQ', quoteType: 'EQUITY', typeDisp: 'Equity' },
    polygon: { primary_exchange: 'XNAS', type: 'CS' },
    twelvedata: { exchange: 'NASDAQ', mic_code: 'XNAS', instrument_type: 'Common Stock' },
  },
];

/** Listings whose ticker or name contains the query, as the vendors match a typed prefix or word. */
function matchingListings(query: string, provider: 'yahoo' | 'polygon' | 'twelvedata'): FakeListing[] {
  const wanted = query.trim().toLowerCase();
  if (!wanted) return [];
  return fakeListings.filter((listing) => listing.tickers[provider].toLowerCase().includes(wanted) || listing.name.toLowerCase().includes(wanted));
}

function instrumentFor(provider: ProviderId, ticker: string): Instrument | undefined {
  const known = instrumentCatalogue.find((instrument) => instrument.providerSymbols[provider] === ticker);
  if (known || provider === 'metalsapi') return known;
  const listing = fakeListings.find((candidate) => candidate.tickers[provider] === ticker);
  return listing && { symbol: ticker, name: listing.name, kind: listing.kind, unit: `${listing.currency} per share`, currency: listing.currency, providerSymbols: listing.tickers };
}

const weekdaysOnly = (instrument: Instrument) => instrument.kind === 'stock' || instrument.kind === 'etf';
const isWeekend = (time: number) => [0, 6].includes(new Date(time).getUTCDay());

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Deterministic OHLCV for a symbol at a bar time: a slow wave around a per-symbol level. */
export function syntheticBar(symbol: string, time: number, stepMs: number) {
  const seed = [...symbol].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  const level = symbol.includes('XAU') || symbol.startsWith('GC') ? 2000 : symbol.includes('BTC') ? 60_000 : 50 + (seed % 400);
  const at = (t: number) => level * (1 + 0.02 * Math.sin(t / (6 * HOUR) + seed));
  const open = round(at(time), 4);
  const close = round(at(time + stepMs), 4);
  return {
    open,
    close,
    high: round(Math.max(open, close) + level * 0.001, 4),
    low: round(Math.min(open, close) - level * 0.001, 4),
    volume: 1000 + (Math.floor(time / stepMs) % 500),
  };
}

/** Bar open times of one step inside [start, end), skipping weekends for stocks; `offset` shifts daily stamps. */
function barTimes(instrument: Instrument, stepMs: number, start: number, end: number, offset = 0): number[] {
  const times: number[] = [];
  for (let t = Math.ceil((start - offset) / stepMs) * stepMs + offset; t < end; t += stepMs) {
    if (weekdaysOnly(instrument) && isWeekend(t - offset)) continue;
    times.push(t);
  }
  return times;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse => ({ status, json: body, headers });
const requestId = (n: number) => n.toString(16).padStart(32, '0');

export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  readonly state: FakeProviderState;
  private readonly steps: { provider: FakeProvider; step: Step }[] = [];

  private readonly server: Server;

  private constructor(state: FakeProviderState) {
    this.state = state;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(overrides: Partial<FakeProviderState> = {}): Promise<FakeProviderServer> {
    const fake = new FakeProviderServer({
      now: Date.UTC(2025, 1, 20, 12, 0, 0),
      keys: { polygon: 'pk_fake_POLYGON_SECRET_1234', twelvedata: 'td_fake_TWELVE_SECRET_5678', metalsapi: 'ma_fake_METALS_SECRET_9012' },
      polygonPageSize: 50_000,
      polygonNewsPageSize: 1000,
      polygonNews: [fixture('polygon-news-nflx.json').results[0], fixture('polygon-news-insights.json').results[0]],
      errorsWithHttp200: true,
      polygonHistoryStart: null,
      ...overrides,
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What the adapter's base URL should be: the provider's prefix on this server. */
  baseUrl(provider: FakeProvider): string {
    return provider === 'metalsapi' ? `${this.origin}/metalsapi/api` : `${this.origin}/${provider}`;
  }

  /**
   * The variables that point the app at this server for each provider: its address, its key
   * (Yahoo needs none) and no rate limit of our own, so tests wait on nothing but the server.
   */
  environment(...providers: ProviderId[]): Record<string, string> {
    const variables: Record<string, string> = {};
    for (const provider of providers) {
      const prefix = `METALYTICS_${provider.toUpperCase()}`;
      variables[`${prefix}_BASE_URL`] = this.baseUrl(provider);
      if (provider !== 'yahoo') variables[`${prefix}_API_KEY`] = this.state.keys[provider];
      variables[`${prefix}_RATE_LIMIT`] = '0';
    }
    return variables;
  }

  /** The next requests to `provider` (matching each step's `when`) get these steps, in order. */
  script(provider: FakeProvider, ...steps: Step[]): void {
    for (const step of steps) this.steps.push({ provider, step });
  }

  requestsTo(provider: FakeProvider): RecordedRequest[] {
    return this.requests.filter((request) => request.provider === provider);
  }

  reset(): void {
    this.requests.length = 0;
    this.steps.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, this.origin);
    const [, prefix = '', ...rest] = url.pathname.split('/');
    const provider = (['yahoo', 'polygon', 'twelvedata', 'metalsapi', 'plain'] as const).find((p) => p === prefix);
    if (!provider) {
      res.writeHead(404).end();
      return;
    }
    const request: RecordedRequest = {
      provider,
      path: `/${rest.map(decodeURIComponent).join('/')}`,
      query: url.searchParams,
      rawUrl,
      headers: req.headers,
    };
    this.requests.push(request);

    const index = this.steps.findIndex((s) => s.provider === provider && (s.step.when?.(request) ?? true));
    const step = index >= 0 ? this.steps.splice(index, 1)[0]!.step : undefined;
    if (step && 'fault' in step && step.fault === 'hang') return; // never answers; the client's timeout or abort ends it
    if (step && 'fault' in step && step.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const answer = step && 'respond' in step ? step.respond : this.route(request);
    let body = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
    const headers: Record<string, string> = {
      'content-type': answer.text === undefined ? 'application/json;charset=utf-8' : 'text/plain',
      ...answer.headers,
    };
    if (step && 'mutate' in step) body = JSON.stringify(step.mutate(JSON.parse(body)));
    if (step && 'addHeaders' in step) Object.assign(headers, step.addHeaders);
    if (step && 'fault' in step && step.fault === 'truncated') body = body.slice(0, Math.floor(body.length / 2));
    // A trailing comma, the very mistake in Metals-API's own OHLC example.
    if (step && 'fault' in step && step.fault === 'malformed') body = `${body.slice(0, -1)},}`;
    res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  private route(request: RecordedRequest): FakeResponse {
    switch (request.provider) {
      case 'yahoo':
        return this.yahoo(request);
      case 'polygon':
        return this.polygon(request);
      case 'twelvedata':
        return this.twelveData(request);
      case 'metalsapi':
        return this.metalsApi(request);
      case 'plain':
        return json(200, { ok: true, n: this.requestsTo('plain').length });
    }
  }

  // ---- Yahoo: /v8/finance/chart/{symbol} -------------------------------------------

  private yahoo(request: RecordedRequest): FakeResponse {
    if (request.path === '/v1/finance/search') return this.yahooSearch(request);
    const match = /^\/v8\/finance\/chart\/([^/]+)$/.exec(request.path);
    const symbol = match?.[1] ?? '';
    const instrument = instrumentFor('yahoo', symbol);
    if (!match || !instrument) {
      return json(404, { chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } });
    }
    const q = request.query;
    const interval = q.get('interval') ?? '1d';
    const now = this.state.now;
    let period1: number;
    let period2: number;
    if (q.get('range') === '1d') {
      period1 = now - DAY;
      period2 = now;
    } else {
      period1 = Number(q.get('period1')) * 1000;
      period2 = Number(q.get('period2')) * 1000;
    }
    const unprocessable = (description: string) => json(422, { chart: { result: null, error: { code: 'Unprocessable Entity', description } } });
    const within = (days: number) =>
      unprocessable(
        `${interval} data not available for startTime=${period1 / 1000} and endTime=${period2 / 1000}. The requested range must be within the last ${days} days.`,
      );
    const steps: Record<string, number> = { '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '30m': 30 * MINUTE, '60m': HOUR, '1h': HOUR, '1d': DAY };
    const step = steps[interval];
    if (!step) return unprocessable(`Invalid interval ${interval}`);
    if (interval === '1m' && period2 - period1 > 8 * DAY) {
      return unprocessable('Only 8 days worth of 1m granularity data are allowed to be fetched per request.');
    }
    if (interval === '1m' && period1 < now - 30 * DAY) return within(30);
    if (['5m', '15m', '30m'].includes(interval) && period1 < now - 60 * DAY) return within(60);
    if ((interval === '60m' || interval === '1h') && period1 < now - 730 * DAY) return within(730);

    const crypto = instrument.kind === 'crypto';
    // Daily bars: midnight New York (05:00 UTC) for exchange-traded symbols, 00:00 UTC for crypto.
    const offset = interval === '1d' && !crypto ? 5 * HOUR : 0;
    const times = barTimes(instrument, step, period1, Math.min(period2, now), offset);
    const bars = times.map((t) => syntheticBar(symbol, t, step));
    const lastClose = bars.at(-1)?.close ?? syntheticBar(symbol, now, step).close;
    const meta = {
      currency: 'USD',
      symbol,
      exchangeName: crypto ? 'CCC' : 'CMX',
      instrumentType: crypto ? 'CRYPTOCURRENCY' : instrument.kind === 'future' ? 'FUTURE' : 'EQUITY',
      firstTradeDate: 967608000,
      regularMarketTime: Math.floor(now / 1000),
      gmtoffset: crypto ? 0 : -18000,
      timezone: crypto ? 'UTC' : 'EST',
      exchangeTimezoneName: crypto ? 'UTC' : 'America/New_York',
      regularMarketPrice: lastClose,
      dataGranularity: interval,
      range: q.get('range') ?? '',
      validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
    };
    const indicators =
      bars.length === 0
        ? { quote: [{}] } // the documented empty window: no timestamp key, quote: [{}]
        : {
            quote: [
              {
                open: bars.map((b) => b.open),
                volume: bars.map((b) => b.volume),
                close: bars.map((b) => b.close),
                low: bars.map((b) => b.low),
                high: bars.map((b) => b.high),
              },
            ],
            adjclose: [{ adjclose: bars.map((b) => b.close) }],
          };
    const result = bars.length === 0 ? { meta, indicators } : { meta, timestamp: times.map((t) => t / 1000), indicators };
    return json(200, { chart: { result: [result], error: null } }, { 'cache-control': 'public, max-age=10, stale-while-revalidate=20', server: 'ATS' });
  }

  /** /v1/finance/search as Yahoo answers it: listings in `quotes`, with news and other modules beside them. */
  private yahooSearch(request: RecordedRequest): FakeResponse {
    const quotes = matchingListings(request.query.get('q') ?? '', 'yahoo')
      .slice(0, Number(request.query.get('quotesCount') ?? 7))
      .map((listing, index) => ({
        exchange: listing.yahoo.exchange,
        shortname: listing.name,
        quoteType: listing.yahoo.quoteType,
        symbol: listing.tickers.yahoo,
        index: 'quotes',
        score: 20_000 - index,
        typeDisp: listing.yahoo.typeDisp,
        longname: listing.name,
        exchDisp: listing.yahoo.exchDisp,
        isYahooFinance: true,
      }));
    return json(200, {
      explains: [],
      count: quotes.length,
      quotes,
      news: [],
      nav: [],
      lists: [],
      researchReports: [],
      screenerFieldResults: [],
      totalTime: 21,
      timeTakenForQuotes: 410,
      timeTakenForNews: 0,
      timeTakenForAlgowatchlist: 400,
      timeTakenForPredefinedScreener: 400,
      timeTakenForCrunchbase: 0,
      timeTakenForNav: 400,
      timeTakenForResearchReports: 0,
      timeTakenForScreenerField: 0,
      timeTakenForCulturalAssets: 0,
      timeTakenForSearchLists: 0,
    });
  }

  // ---- Polygon/Massive -----------------------------------------------------------------

  private polygon(request: RecordedRequest): FakeResponse {
    const id = requestId(this.requests.length);
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const key = request.query.get('apiKey') ?? bearer;
    if (!key) return json(401, { status: 'ERROR', request_id: id, error: 'API Key was not provided' });
    if (key !== this.state.keys.polygon) return json(401, { status: 'ERROR', request_id: id, error: 'Unknown API Key' });

    const aggs = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(minute|hour|day)\/([^/]+)\/([^/]+)$/.exec(request.path);
    if (aggs) return this.polygonAggregates(request, id, aggs);
    const prev = /^\/v2\/aggs\/ticker\/([^/]+)\/prev$/.exec(request.path);
    if (prev) {
      const ticker = prev[1]!;
      const instrument = instrumentFor('polygon', ticker);
      if (!instrument) return json(200, { ticker, queryCount: 0, resultsCount: 0, adjusted: true, status: 'OK', request_id: id });
      const t = Math.floor(this.state.now / DAY) * DAY - 1; // forex-style stamp: 23:59:59.999 of the previous day
      const bar = syntheticBar(ticker, t - DAY + 1, DAY);
      const result = { T: ticker, v: bar.volume, vw: bar.close, o: bar.open, c: bar.close, h: bar.high, l: bar.low, t, n: bar.volume };
      return json(200, { ticker, queryCount: 1, resultsCount: 1, adjusted: true, results: [result], status: 'OK', request_id: id, count: 1 });
    }
    if (request.path === '/v2/reference/news') return this.polygonNews(request, id);
    if (request.path === '/v3/reference/tickers') return this.polygonTickers(request, id);
    return json(404, { status: 'ERROR', request_id: id, error: 'Not found' });
  }

  private polygonAggregates(request: RecordedRequest, id: string, match: RegExpExecArray): FakeResponse {
    const [, ticker = '', multiplier = '1', timespan = 'day', fromText = '', toText = ''] = match;
    const parseEdge = (text: string, endOfDay: boolean) =>
      /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) + (endOfDay ? DAY - 1 : 0) : Number(text);
    const from = parseEdge(fromText, false);
    const to = parseEdge(toText, true);
    if (this.state.polygonHistoryStart !== null && from < this.state.polygonHistoryStart) {
      return json(403, {
        status: 'NOT_AUTHORIZED',
        request_id: id,
        message: "Your plan doesn't include this data timeframe. Please upgrade your plan at https://polygon.io/pricing",
      });
    }
    const instrument = instrumentFor('polygon', ticker);
    const empty = { ticker, queryCount: 0, resultsCount: 0, adjusted: true, status: 'OK', request_id: id };
    if (!instrument) return json(200, empty); // unknown ticker: `results` omitted, not an error
    const unit = { minute: MINUTE, hour: HOUR, day: DAY }[timespan as 'minute' | 'hour' | 'day'];
    const step = Number(multiplier) * unit;
    // Stock days start at midnight New York; forex and crypto days at 00:00 UTC.
    const offset = timespan === 'day' && weekdaysOnly(instrument) ? 5 * HOUR : 0;
    const times = barTimes(instrument, step, from, Math.min(to + 1, this.state.now), offset);
    // A followed next_url carries the first request's limit in its cursor, as the spec's example does (`limit=2&sort=asc`).
    const cursorText = request.query.get('cursor');
    const cursorLimit = cursorText ? new URLSearchParams(Buffer.from(cursorText, 'base64url').toString()).get('limit') : null;
    const requestedLimit = Number(request.query.get('limit') ?? cursorLimit ?? 5000);
    const limit = Math.min(requestedLimit, this.state.polygonPageSize);
    const page = times.slice(0, limit);
    if (page.length === 0) return json(200, empty);
    const results = page.map((t) => {
      const bar = syntheticBar(ticker, t, step);
      return { v: bar.volume, vw: round((bar.high + bar.low) / 2, 4), o: bar.open, c: bar.close, h: bar.high, l: bar.low, t, n: 1 };
    });
    const body: Record<string, unknown> = { ticker, queryCount: results.length, resultsCount: results.length, adjusted: true, results, status: 'OK', request_id: id, count: results.length };
    const next = times[limit];
    if (next !== undefined) {
      // As in the spec's example: the vendor's absolute URL, the window moved on, a cursor, no key.
      const cursor = Buffer.from(`limit=${requestedLimit}&sort=asc`).toString('base64url');
      body.next_url = `https://api.massive.com/v2/aggs/ticker/${ticker}/range/${multiplier}/${timespan}/${next}/${toText}?cursor=${cursor}`;
    }
    return json(200, body);
  }

  /** /v3/reference/tickers?search=…: stocks say `currency_name: "usd"`. */
  private polygonTickers(request: RecordedRequest, id: string): FakeResponse {
    const results = matchingListings(request.query.get('search') ?? '', 'polygon')
      .slice(0, Number(request.query.get('limit') ?? 100))
      .map((listing) => ({
        ticker: listing.tickers.polygon,
        name: listing.name,
        market: 'stocks',
        locale: 'us',
        primary_exchange: listing.polygon.primary_exchange,
        type: listing.polygon.type,
        active: true,
        currency_name: listing.currency.toLowerCase(),
        composite_figi: 'BBG000BPH459',
        share_class_figi: 'BBG001S5TD05',
        last_updated_utc: new Date(this.state.now).toISOString(),
      }));
    return json(200, { results, status: 'OK', request_id: id, count: results.length });
  }

  private polygonNews(request: RecordedRequest, id: string): FakeResponse {
    const cursorText = request.query.get('cursor');
    const cursor = cursorText
      ? (JSON.parse(Buffer.from(cursorText, 'base64url').toString()) as Record<string, string>)
      : Object.fromEntries(request.query.entries());
    const offset = Number(cursor.offset ?? 0);
    const limit = Math.min(Number(cursor.limit ?? 10), this.state.polygonNewsPageSize);
    type Article = { published_utc: string; tickers?: string[] };
    const matching = (this.state.polygonNews as Article[])
      .filter((a) => !cursor.ticker || a.tickers?.includes(cursor.ticker))
      .filter((a) => !cursor['published_utc.gte'] || Date.parse(a.published_utc) >= Date.parse(cursor['published_utc.gte']))
      .filter((a) => !cursor['published_utc.lt'] || Date.parse(a.published_utc) < Date.parse(cursor['published_utc.lt']))
      .sort((a, b) => Date.parse(a.published_utc) - Date.parse(b.published_utc));
    const results = matching.slice(offset, offset + limit);
    const body: Record<string, unknown> = { results, status: 'OK', request_id: id, count: results.length };
    if (offset + limit < matching.length) {
      const next = Buffer.from(JSON.stringify({ ...cursor, offset: String(offset + limit) })).toString('base64url');
      body.next_url = `https://api.massive.com:443/v2/reference/news?cursor=${next}`;
    }
    return json(200, body);
  }

  // ---- Twelve Data ---------------------------------------------------------------------

  private twelveDataError(code: number, message: string, extra: Record<string, unknown> = {}): FakeResponse {
    return json(this.state.errorsWithHttp200 ? 200 : code, { code, message, status: 'error', ...extra });
  }

  private twelveData(request: RecordedRequest): FakeResponse {
    const q = request.query;
    const headerKey = /^apikey (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if ((q.get('apikey') ?? headerKey) !== this.state.keys.twelvedata) {
      return this.twelveDataError(
        401,
        '**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer',
      );
    }
    const symbol = q.get('symbol') ?? '';
    if (request.path === '/symbol_search') return this.twelveDataSymbolSearch(symbol, Number(q.get('outputsize') ?? 30));
    const instrument = instrumentFor('twelvedata', symbol);
    const interval = q.get('interval') ?? '';
    if (!instrument) {
      return this.twelveDataError(400, `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`, {
        meta: { symbol, interval, exchange: '' },
      });
    }
    const credits = { 'api-credits-used': '1', 'api-credits-left': '7' };
    if (request.path === '/price') return json(200, { price: syntheticBar(symbol, this.state.now, MINUTE).close.toFixed(5) }, credits);
    if (request.path !== '/time_series') return this.twelveDataError(404, 'Not found');

    const steps: Record<string, number> = { '1min': MINUTE, '5min': 5 * MINUTE, '15min': 15 * MINUTE, '30min': 30 * MINUTE, '1h': HOUR, '1day': DAY };
    const step = steps[interval];
    if (!step) {
      return this.twelveDataError(400, `Invalid **interval** provided: ${interval}. Supported intervals: 1min, 5min, 15min, 30min, 45min, 1h, 2h, 4h, 8h, 1day, 1week, 1month`);
    }
    // Stocks are read and written in New York time unless timezone=UTC (a fixed -5 h is enough for a fake).
    const exchangeOffset = q.get('timezone') === 'UTC' || !weekdaysOnly(instrument) ? 0 : -5 * HOUR;
    const parse = (text: string | null, fallback: number) =>
      text ? Date.parse(`${text.length === 10 ? `${text} 00:00:00` : text}Z`.replace(' ', 'T')) - exchangeOffset : fallback;
    const start = parse(q.get('start_date'), 0);
    const end = parse(q.get('end_date'), this.state.now);
    const outputsize = Number(q.get('outputsize') ?? 30);
    // Newest first, and outputsize keeps the newest values of the window.
    const times = barTimes(instrument, step, start, Math.min(end + 1, this.state.now)).reverse().slice(0, outputsize);
    if (q.get('order')?.toLowerCase() === 'asc') times.reverse();
    if (times.length === 0) return this.twelveDataError(400, 'No data is available on the specified dates. Try setting different start/end dates.');
    const format = (t: number) => {
      const iso = new Date(t + exchangeOffset).toISOString();
      return interval === '1day' ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
    };
    const hasVolume = weekdaysOnly(instrument);
    const values = times.map((t) => {
      const bar = syntheticBar(symbol, t, step);
      const value: Record<string, string> = {
        datetime: format(t),
        open: bar.open.toFixed(5),
        high: bar.high.toFixed(5),
        low: bar.low.toFixed(5),
        close: bar.close.toFixed(5),
      };
      if (hasVolume) value.volume = String(bar.volume);
      return value;
    });
    const meta = hasVolume
      ? { symbol, interval, currency: 'USD', exchange_timezone: 'America/New_York', exchange: 'NASDAQ', mic_code: 'XNAS', type: 'Common Stock' }
      : instrument.kind === 'crypto'
        ? { symbol, interval, currency_base: 'Bitcoin', currency_quote: 'US Dollar', exchange: 'Coinbase Pro', type: 'Digital Currency' }
        : { symbol, interval, currency_base: 'Gold Spot', currency_quote: 'US Dollar', type: 'Precious Metal' };
    return json(200, { meta, values, status: 'ok' }, credits);
  }

  private twelveDataSymbolSearch(query: string, outputsize: number): FakeResponse {
    const data = matchingListings(query, 'twelvedata')
      .slice(0, outputsize)
      .map((listing) => ({
        symbol: listing.tickers.twelvedata,
        instrument_name: listing.name,
        exchange: listing.twelvedata.exchange,
        mic_code: listing.twelvedata.mic_code,
        exchange_timezone: 'America/New_York',
        instrument_type: listing.twelvedata.instrument_type,
        country: 'United States',
        currency: listing.currency,
      }));
    return json(200, { data, status: 'ok' }, { 'api-credits-used': '1', 'api-credits-left': '7' });
  }

  // ---- Metals-API ----------------------------------------------------------------------

  private metalsError(code: number, type: string, info: string): FakeResponse {
    const status = this.state.errorsWithHttp200 ? 200 : code === 101 ? 401 : code === 104 ? 429 : 400;
    return json(status, { success: false, error: { code, type, info } });
  }

  private metalsApi(request: RecordedRequest): FakeResponse {
    const q = request.query;
    if (q.get('access_key') !== this.state.keys.metalsapi) {
      return this.metalsError(101, 'invalid_access_key', 'You have not supplied a valid API Access Key. [Technical Support: support@apilayer.com]');
    }
    const headers = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '58', 'cache-control': 'no-cache, private' };
    const base = q.get('base') ?? 'USD';
    const symbols = (q.get('symbols') ?? '').split(',').filter(Boolean);
    const metals = instrumentCatalogue.flatMap((i) => (i.providerSymbols.metalsapi ? [i.providerSymbols.metalsapi] : []));
    const known = [...metals, 'USD'];
    if (!known.includes(base)) return this.metalsError(201, 'invalid_base_currency', 'An invalid base currency has been entered.');
    if (symbols.length === 0 || symbols.some((s) => !known.includes(s))) {
      return this.metalsError(202, 'invalid_currency_codes', 'One or more invalid symbols have been specified.');
    }
    const usdPerOunce = (metal: string, time: number) => syntheticBar(metal, time, DAY).close;
    /** Rates of `base` in each symbol: USD per ounce for a metal base, ounces per USD for a USD base. */
    const ratesAt = (time: number) =>
      Object.fromEntries(symbols.map((s) => [s, base === 'USD' ? 1 / usdPerOunce(s, time) : s === 'USD' ? usdPerOunce(base, time) : usdPerOunce(base, time) / usdPerOunce(s, time)]));
    const today = Math.floor(this.state.now / DAY) * DAY;
    const date = (t: number) => new Date(t).toISOString().slice(0, 10);

    if (request.path === '/api/latest') {
      return json(200, { success: true, timestamp: Math.floor(this.state.now / 1000), date: date(today), base, rates: ratesAt(this.state.now), unit: 'per ounce' }, headers);
    }
    if (request.path === '/api/timeseries') {
      if (symbols.length > 1) return this.metalsError(202, 'invalid_currency_codes', 'Only one symbol per request is allowed.');
      const start = Date.parse(`${q.get('start_date')}T00:00:00Z`);
      const end = Date.parse(`${q.get('end_date')}T00:00:00Z`);
      if (Number.isNaN(start)) return this.metalsError(502, 'invalid_start_date', 'An invalid start date has been specified.');
      if (Number.isNaN(end) || end >= today) return this.metalsError(503, 'invalid_end_date', 'An invalid end date has been specified.');
      if (end < start) return this.metalsError(504, 'invalid_time_frame', 'An invalid timeframe has been specified.');
      if ((end - start) / DAY + 1 > 365) return this.metalsError(505, 'time-frame_too_long', 'The specified timeframe is too long, exceeding 365 days.');
      const rates: Record<string, unknown> = {};
      for (let t = start; t <= end; t += DAY) rates[date(t)] = ratesAt(t);
      return json(200, { success: true, timeseries: true, start_date: date(start), end_date: date(end), base, rates, unit: 'per ounce' }, headers);
    }
    const ohlc = /^\/api\/open-high-low-close\/(\d{4}-\d{2}-\d{2})$/.exec(request.path);
    if (ohlc) {
      const day = Date.parse(`${ohlc[1]}T00:00:00Z`);
      if (day > today) return this.metalsError(302, 'invalid_date', 'An invalid date has been specified.');
      const [symbol = 'USD'] = symbols;
      const metal = base === 'USD' ? symbol : base;
      const bar = syntheticBar(metal, day, DAY);
      const quote = (usd: number) => (base === 'USD' ? 1 / usd : usd);
      const rates = base === 'USD'
        ? { open: quote(bar.open), high: quote(bar.low), low: quote(bar.high), close: quote(bar.close) }
        : { open: bar.open, high: bar.high, low: bar.low, close: bar.close };
      return json(200, { success: true, timestamp: Math.floor(this.state.now / 1000), date: ohlc[1], base, symbol, rates, unit: 'per ounce' }, headers);
    }
    return this.metalsError(103, 'invalid_api_function', 'This API Function does not exist.');
  }
}
