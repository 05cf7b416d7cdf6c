import { describe, expect, it } from 'vitest';
import { createPolygonAdapter } from '../../../src/core/providers/polygon';
import { fixture } from '../../support/fake-provider-server';
import { collect, customInstrument, DAY, failure, HOUR, instrument, MINUTE, useFakeProviders } from './kit';

const NOW = Date.UTC(2025, 1, 20, 12, 0, 0);
const bed = useFakeProviders(NOW, (state) => {
  state.polygonPageSize = 50_000;
  state.polygonNewsPageSize = 1000;
});

const KEY = () => bed.server.state.keys.polygon;
/** The free plan's 5 requests a minute; waits take no real time on the fake clock. */
const FREE_PLAN_RATE = 5;
const polygon = (options: { auth?: 'header' | 'query'; apiKey?: string | null; rateLimitPerMinute?: number } = {}) =>
  createPolygonAdapter({
    config: {
      apiKey: options.apiKey === null ? undefined : (options.apiKey ?? KEY()),
      baseUrl: bed.server.baseUrl('polygon'),
      rateLimitPerMinute: options.rateLimitPerMinute ?? 0,
    },
    logger: bed.logger,
    auth: options.auth,
    http: { now: bed.clock.now, sleep: bed.clock.sleep, random: () => 0.5 },
  });

describe('Polygon/Massive documented samples', () => {
  it('reads the AAPL daily aggregates, stamping each day 00:00 UTC of its date', async () => {
    bed.server.script('polygon', { respond: { status: 200, json: fixture('polygon-aggs-aapl-1d-2005-04-01.json') } });
    const from = Date.UTC(2005, 3, 1);
    const to = Date.UTC(2005, 3, 5);
    const pages = await collect(polygon({ rateLimitPerMinute: FREE_PLAN_RATE }).fetchBars({ instrument: instrument('AAPL'), timeframe: '1d', from, to }));
    expect(pages).toEqual([
      {
        source: 'polygon',
        bars: [
          { time: Date.UTC(2005, 3, 1), open: 1.5032, high: 1.5064, low: 1.4489, close: 1.4604, volume: 642646396 },
          { time: Date.UTC(2005, 3, 4), open: 1.4639, high: 1.4754, low: 1.4343, close: 1.4675, volume: 578172308 },
        ],
      },
    ]);
    const [request] = bed.server.requestsTo('polygon');
    expect(request!.path).toBe(`/v2/aggs/ticker/AAPL/range/1/day/${from}/${to - 1}`);
    expect(Object.fromEntries(request!.query)).toEqual({ adjusted: 'true', sort: 'asc', limit: '50000' });
    expect(request!.headers.authorization).toBe(`Bearer ${KEY()}`);
  });

  it('follows the documented next_url onto the configured base, not the vendor host', async () => {
    bed.server.script('polygon', { respond: { status: 200, json: fixture('polygon-aggs-aapl-next-url.json') } });
    const pages = await collect(
      polygon().fetchBars({ instrument: instrument('AAPL'), timeframe: '1d', from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 11) }),
    );
    expect(pages[0]!.bars).toEqual([
      { time: Date.UTC(2020, 0, 2), open: 74.06, high: 75.15, low: 73.7975, close: 75.0875, volume: 135647456 },
      { time: Date.UTC(2020, 0, 3), open: 74.2875, high: 75.145, low: 74.125, close: 74.3575, volume: 146535512 },
    ]);
    const second = bed.server.requestsTo('polygon')[1]!;
    expect(second.path).toBe('/v2/aggs/ticker/AAPL/range/1/day/1578114000000/2020-01-10');
    expect(second.query.get('cursor')).toBe('bGltaXQ9MiZzb3J0PWFzYw');
    // The fake serves the rest: weekdays 6–10 January, after the two sample days.
    expect(pages.flatMap((p) => p.bars).map((b) => new Date(b.time).getUTCDate())).toEqual([2, 3, 6, 7, 8, 9, 10]);
  });

  it('reads the documented forex aggregates', async () => {
    bed.server.script('polygon', { respond: { status: 200, json: fixture('polygon-aggs-eurusd.json') } });
    const eurusd = customInstrument({ polygon: 'C:EURUSD' });
    const [page] = await collect(polygon().fetchBars({ instrument: eurusd, timeframe: '1d', from: Date.UTC(2021, 6, 22), to: Date.UTC(2021, 6, 23) }));
    expect(page!.bars).toEqual([{ time: 1626912000000, open: 1.17921, high: 1.18305, low: 1.1756, close: 1.17721, volume: 125329 }]);
    expect(bed.server.requestsTo('polygon')[0]!.path).toMatch(/^\/v2\/aggs\/ticker\/C:EURUSD\//);
  });

  it('takes the latest price from the previous close', async () => {
    bed.server.script('polygon', { respond: { status: 200, json: fixture('polygon-prev-xauusd.json') } });
    expect(await polygon().fetchLatest!(instrument('XAUUSD'))).toEqual({ price: 2559.15, time: 1726703999999, source: 'polygon' });
    expect(bed.server.requestsTo('polygon')[0]!.path).toBe('/v2/aggs/ticker/C:XAUUSD/prev');

    bed.server.script('polygon', { respond: { status: 200, json: fixture('polygon-prev-aapl.json') } });
    expect(await polygon().fetchLatest!(instrument('AAPL'))).toEqual({ price: 156.8, time: 1651003200000, source: 'polygon' });
  });
});

describe('Polygon/Massive paging', () => {
  const tenHours = { instrument: instrument('BTCUSD'), timeframe: '1h' as const, from: NOW - 2 * DAY, to: NOW - 2 * DAY + 10 * HOUR };

  it.each(['query', 'header'] as const)('follows next_url across pages with the key in the %s', async (auth) => {
    bed.server.state.polygonPageSize = 3;
    const pages = await collect(polygon({ auth }).fetchBars(tenHours));
    expect(pages.map((p) => p.bars.length)).toEqual([3, 3, 3, 1]);
    const times = pages.flatMap((p) => p.bars.map((b) => b.time));
    expect(times).toEqual(Array.from({ length: 10 }, (_, i) => tenHours.from + i * HOUR));

    const requests = bed.server.requestsTo('polygon');
    expect(requests).toHaveLength(4);
    for (const request of requests) {
      if (auth === 'query') {
        expect(request.query.get('apiKey')).toBe(KEY());
        expect(request.headers.authorization).toBeUndefined();
      } else {
        expect(request.rawUrl).not.toContain(KEY());
        expect(request.headers.authorization).toBe(`Bearer ${KEY()}`);
      }
    }
    expect(requests.slice(1).every((r) => r.query.has('cursor'))).toBe(true);
    expect(JSON.stringify(bed.logger.lines)).not.toContain(KEY());
  });

  it('yields an empty page for an unknown ticker (results omitted) and for an empty window', async () => {
    const unknown = customInstrument({ polygon: 'C:XRHUSD' });
    expect(await collect(polygon().fetchBars({ ...tenHours, instrument: unknown }))).toEqual([{ source: 'polygon', bars: [] }]);
    const saturday = Date.UTC(2025, 1, 15);
    expect(await collect(polygon().fetchBars({ instrument: instrument('AAPL'), timeframe: '1m', from: saturday, to: saturday + 60 * MINUTE }))).toEqual([
      { source: 'polygon', bars: [] },
    ]);
  });

  it('refuses a next_url that leads back to a page already fetched', async () => {
    const loop = { ...fixture('polygon-aggs-aapl-next-url.json'), next_url: 'https://api.massive.com/v2/aggs/ticker/AAPL/range/1/day/1/2?cursor=same' };
    bed.server.script('polygon', { respond: { status: 200, json: loop } }, { respond: { status: 200, json: loop } });
    const error = await failure(polygon().fetchBars(tenHours));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'next_url' });
    expect(bed.server.requestsTo('polygon')).toHaveLength(2);
  });
});

describe('Polygon/Massive news', () => {
  it('pages through news and keeps the sentiment of the ticker asked about', async () => {
    bed.server.state.polygonNewsPageSize = 1;
    const pages = await collect(polygon().fetchNews!({ from: Date.UTC(2022, 0, 1), to: Date.UTC(2025, 0, 1) }));
    expect(pages).toHaveLength(2);
    expect(pages.flat()).toEqual([
      {
        provider: 'polygon',
        id: 'JeJEhAVoKaqJ2zF9nzQYMg07UlEeWlis6Dsop33TPQY',
        publishedAt: Date.UTC(2022, 3, 28, 17, 8),
        title: 'Theres a big hole in the Feds theory of inflation\u2014incomes are falling at a record 10.9 rate',
        url: 'https://www.marketwatch.com/story/theres-a-big-hole-in-the-feds-theory-of-inflationincomes-are-falling-at-a-record-10-9-rate-11651165705',
        tickers: ['MSFT', 'TSN', 'NFLX', 'AMZN'],
        publisher: 'MarketWatch',
        sentiment: null,
      },
      expect.objectContaining({ id: '8ec638777ca03b553ae516761c2a22ba2fdd2f37befae3ab6fdab74e9e5193eb', publisher: 'Investing.com', tickers: ['UBS'], sentiment: 'positive' }),
    ]);
    const [first, second] = bed.server.requestsTo('polygon');
    expect(Object.fromEntries(first!.query)).toMatchObject({ 'published_utc.gte': '2022-01-01T00:00:00.000Z', 'published_utc.lt': '2025-01-01T00:00:00.000Z', order: 'asc', sort: 'published_utc' });
    expect(second!.query.has('cursor')).toBe(true);
  });

  it('asks for one ticker when given an instrument', async () => {
    const pages = await collect(polygon().fetchNews!({ instrument: customInstrument({ polygon: 'NFLX' }), from: Date.UTC(2022, 0, 1), to: Date.UTC(2025, 0, 1) }));
    expect(pages.flat().map((n) => n.tickers)).toEqual([['MSFT', 'TSN', 'NFLX', 'AMZN']]);
    expect(bed.server.requestsTo('polygon')[0]!.query.get('ticker')).toBe('NFLX');
  });
});

describe('Polygon/Massive errors', () => {
  const day = { instrument: instrument('XAUUSD'), timeframe: '1d' as const, from: NOW - 5 * DAY, to: NOW };

  it('maps an unknown key (401) to AUTH without retrying', async () => {
    const error = await failure(polygon({ apiKey: 'wrong-key-123' }).fetchBars(day));
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('Unknown API Key');
    expect(bed.server.requestsTo('polygon')).toHaveLength(1);
  });

  it('maps "API Key was not provided" to AUTH whatever the status (it was seen as 400)', async () => {
    bed.server.script('polygon', { respond: { status: 400, json: { status: 'ERROR', request_id: 'x', error: 'API Key was not provided' } } });
    expect((await failure(polygon().fetchBars(day))).code).toBe('AUTH');
  });

  it('fails with AUTH before any request when no key is configured', async () => {
    const error = await failure(polygon({ apiKey: null }).fetchBars(day));
    expect(error.code).toBe('AUTH');
    expect(error.message).toMatch(/needs an API key/);
    expect(bed.server.requestsTo('polygon')).toHaveLength(0);
  });

  it('maps NOT_AUTHORIZED (plan) to AUTH with reason plan', async () => {
    bed.server.script('polygon', {
      respond: {
        status: 403,
        json: { status: 'NOT_AUTHORIZED', request_id: '1e2a4e1c68224da666232d16699b7fd7', message: "Your plan doesn't include this data timeframe. Please upgrade your plan at https://polygon.io/pricing" },
      },
    });
    const error = await failure(polygon().fetchBars(day));
    expect(error.code).toBe('AUTH');
    expect(error.details).toMatchObject({ reason: 'plan', providerCode: 'NOT_AUTHORIZED' });
    expect(error.message).toContain("doesn't include this data timeframe");
  });

  it('retries the documented 429 and ends with RATE_LIMITED', async () => {
    const tooMany = {
      respond: {
        status: 429,
        json: {
          status: 'ERROR',
          request_id: 'a'.repeat(32),
          error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
        },
      },
    };
    bed.server.script('polygon', tooMany, tooMany);
    expect((await collect(polygon().fetchBars(day))).flatMap((p) => p.bars)).toHaveLength(5);

    bed.server.script('polygon', tooMany, tooMany, tooMany, tooMany);
    const error = await failure(polygon().fetchBars(day));
    expect(error.code).toBe('RATE_LIMITED');
  });

  it('maps an ERROR body with a 5xx to UNAVAILABLE after retries', async () => {
    const broken = { respond: { status: 500, json: { status: 'ERROR', request_id: 'x', error: 'Internal error' } } };
    bed.server.script('polygon', broken, broken, broken, broken);
    const error = await failure(polygon().fetchBars(day));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'server' });
    expect(bed.server.requestsTo('polygon')).toHaveLength(4);
  });

  it('names the field when a number turns into a string', async () => {
    bed.server.script('polygon', { mutate: (body) => ((body.results[0].o = String(body.results[0].o)), body) });
    const error = await failure(polygon().fetchBars(day));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'results[0].o' });
  });

  it('names the element deep inside a full 50,000-bar page, which is checked a slice at a time', async () => {
    bed.server.script('polygon', { mutate: (body) => ((body.results[43_210].t = 1.5), body) });
    const from = Date.UTC(2025, 0, 1);
    const adapter = polygon({ rateLimitPerMinute: FREE_PLAN_RATE });
    const error = await failure(adapter.fetchBars({ instrument: instrument('XAUUSD'), timeframe: '1m', from, to: from + 50_000 * MINUTE }));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'results[43210].t' });
  });

  it('asks for the largest pages while requests are scarce, and for 10,000 bars when they are not', async () => {
    const from = Date.UTC(2025, 0, 1);
    const to = from + 30_000 * MINUTE;
    const pagesAt = async (rateLimitPerMinute: number) => {
      bed.server.reset();
      const pages = await collect(polygon({ rateLimitPerMinute }).fetchBars({ instrument: instrument('XAUUSD'), timeframe: '1m', from, to }));
      // Later pages follow next_url, whose cursor carries the limit.
      return { sizes: pages.map((page) => page.bars.length), limit: bed.server.requestsTo('polygon')[0]!.query.get('limit') };
    };
    expect(await pagesAt(FREE_PLAN_RATE)).toEqual({ sizes: [30_000], limit: '50000' });
    expect(await pagesAt(0)).toEqual({ sizes: [10_000, 10_000, 10_000], limit: '10000' });
    expect(await pagesAt(120)).toEqual({ sizes: [10_000, 10_000, 10_000], limit: '10000' });
  });

  it('puts aggregates that arrive out of order back in order, the last of a repeated time winning', async () => {
    const from = Date.UTC(2025, 0, 6);
    bed.server.script('polygon', {
      mutate: (body) => {
        const [a, b, c] = body.results;
        body.results = [b, a, { ...c, t: b.t, o: 1 }, c];
        return body;
      },
    });
    const [page] = await collect(polygon().fetchBars({ instrument: instrument('XAUUSD'), timeframe: '1m', from, to: from + 3 * MINUTE }));
    expect(page!.bars.map((bar) => [bar.time, bar.open === 1])).toEqual([
      [from, false],
      [from + MINUTE, true],
      [from + 2 * MINUTE, false],
    ]);
  });

  it('maps an empty previous close to NOT_FOUND', async () => {
    expect((await failure(polygon().fetchLatest!(customInstrument({ polygon: 'C:XRHUSD' })))).code).toBe('NOT_FOUND');
  });

  it('says NOT_FOUND for an instrument it does not carry', async () => {
    const error = await failure(polygon().fetchBars({ ...day, instrument: instrument('GC=F') }));
    expect(error.message).toBe('Polygon/Massive does not carry Gold futures (COMEX, front month) (GC=F).');
  });
});
