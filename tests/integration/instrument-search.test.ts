/**
 * instruments.search through a real core against the fake provider server speaking Yahoo's
 * /v1/finance/search, Polygon's /v3/reference/tickers and Twelve Data's /symbol_search:
 * listings in our terms, and each provider's failure (rate limit, unreadable reply, no key,
 * our own rate budget) reported beside the others' answers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeProviderServer } from '../support/fake-provider-server';
import { createTestCore, type TestCore } from '../support/test-core';

const NOW = Date.UTC(2025, 1, 20, 12);

const polygonRateLimited = {
  status: 'ERROR',
  request_id: '6a7e466379af0a71039d60cc78e72282',
  error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
};

let fake: FakeProviderServer;

beforeAll(async () => {
  fake = await FakeProviderServer.start({ now: NOW });
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake?.close();
});

describe('instruments.search with every lookup configured', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = await createTestCore({
      now: () => NOW,
      environment: {
        ...fake.environment('yahoo', 'polygon', 'twelvedata'),
        METALYTICS_METALSAPI_BASE_URL: fake.baseUrl('metalsapi'),
      },
    });
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  it('finds a listing at each provider with a lookup, in our kinds, exchanges and currencies', async () => {
    const { candidates, providers } = await test.call('instruments.search', { query: 'microsoft' });

    // Metals-API has no lookup, so it is not asked.
    expect(providers).toEqual([
      { provider: 'yahoo', ok: true, found: 1, errorCode: null, message: null, retryAfterMs: null },
      { provider: 'polygon', ok: true, found: 1, errorCode: null, message: null, retryAfterMs: null },
      { provider: 'twelvedata', ok: true, found: 1, errorCode: null, message: null, retryAfterMs: null },
    ]);
    expect(candidates).toEqual([
      { provider: 'yahoo', ticker: 'MSFT', name: 'Microsoft Corporation', kind: 'stock', exchange: 'NASDAQ', currency: null },
      { provider: 'polygon', ticker: 'MSFT', name: 'Microsoft Corporation', kind: 'stock', exchange: 'XNAS', currency: 'USD' },
      { provider: 'twelvedata', ticker: 'MSFT', name: 'Microsoft Corporation', kind: 'stock', exchange: 'NASDAQ', currency: 'USD' },
    ]);
    expect(fake.requestsTo('metalsapi')).toEqual([]);

    // Each request as the vendor documents it, the key where each adapter puts it.
    const [yahoo] = fake.requestsTo('yahoo');
    expect(yahoo?.path).toBe('/v1/finance/search');
    expect(yahoo?.query.get('q')).toBe('microsoft');
    const [polygon] = fake.requestsTo('polygon');
    expect(polygon?.path).toBe('/v3/reference/tickers');
    expect(Object.fromEntries(polygon!.query)).toMatchObject({ search: 'microsoft', active: 'true' });
    expect(polygon?.headers.authorization).toBe(`Bearer ${fake.state.keys.polygon}`);
    const [twelveData] = fake.requestsTo('twelvedata');
    expect(twelveData?.path).toBe('/symbol_search');
    expect(twelveData?.query.get('symbol')).toBe('microsoft');
    expect(twelveData?.rawUrl).not.toContain(fake.state.keys.twelvedata);
  });

  it('reads an ETF as an ETF at every provider', async () => {
    const { candidates } = await test.call('instruments.search', { query: 'GLD' });
    expect(candidates.map((c) => [c.provider, c.ticker, c.kind])).toEqual([
      ['yahoo', 'GLD', 'etf'],
      ['polygon', 'GLD', 'etf'],
      ['twelvedata', 'GLD', 'etf'],
    ]);
  });

  it('asks only the provider named', async () => {
    const { candidates, providers } = await test.call('instruments.search', { query: 'apple', provider: 'twelvedata' });
    expect(providers.map((p) => p.provider)).toEqual(['twelvedata']);
    expect(candidates).toEqual([{ provider: 'twelvedata', ticker: 'AAPL', name: 'Apple Inc.', kind: 'stock', exchange: 'NASDAQ', currency: 'USD' }]);
    expect(fake.requestsTo('yahoo')).toEqual([]);
    expect(fake.requestsTo('polygon')).toEqual([]);
  });

  it('says so when the provider named has no lookup', async () => {
    const { providers } = await test.call('instruments.search', { query: 'gold', provider: 'metalsapi' });
    expect(providers).toEqual([
      expect.objectContaining({ provider: 'metalsapi', ok: false, errorCode: 'VALIDATION', message: expect.stringContaining('no symbol lookup') }),
    ]);
  });

  it('reports a rate-limited provider and still answers with the others', async () => {
    fake.script('polygon', { respond: { status: 429, json: polygonRateLimited } });
    const { candidates, providers } = await test.call('instruments.search', { query: 'msft' });
    expect(providers.find((p) => p.provider === 'polygon')).toMatchObject({ ok: false, found: 0, errorCode: 'RATE_LIMITED', message: expect.stringContaining('limiting requests') });
    expect(candidates.map((c) => c.provider)).toEqual(['yahoo', 'twelvedata']);
    // One attempt: a lookup is waited for in a dialog, so a 429 is answered, not retried.
    expect(fake.requestsTo('polygon')).toHaveLength(1);
  });

  it('reports an unreadable reply as that provider\'s failure', async () => {
    fake.script('yahoo', { fault: 'malformed' });
    fake.script('twelvedata', { mutate: (body) => ({ ...body, data: body.data.map((listing: object) => ({ ...listing, symbol: 42 })) }) });
    const { candidates, providers } = await test.call('instruments.search', { query: 'msft' });
    expect(providers.find((p) => p.provider === 'yahoo')).toMatchObject({ ok: false, errorCode: 'UNAVAILABLE', message: expect.stringContaining('cannot read') });
    expect(providers.find((p) => p.provider === 'twelvedata')).toMatchObject({ ok: false, errorCode: 'UNAVAILABLE', message: expect.stringContaining('data[0].symbol') });
    expect(candidates).toEqual([expect.objectContaining({ provider: 'polygon', ticker: 'MSFT' })]);
  });

  it('answers an empty list, not an error, when nothing matches', async () => {
    const { candidates, providers } = await test.call('instruments.search', { query: 'zzzz' });
    expect(candidates).toEqual([]);
    expect(providers.every((p) => p.ok)).toBe(true);
  });
});

describe('instruments.search without a key and within our own rate budget', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = await createTestCore({
      now: () => NOW,
      environment: {
        METALYTICS_YAHOO_BASE_URL: fake.baseUrl('yahoo'),
        METALYTICS_POLYGON_BASE_URL: fake.baseUrl('polygon'),
        METALYTICS_POLYGON_API_KEY: fake.state.keys.polygon,
        // The free plan's pace: the second lookup within a minute would wait far longer than a dialog does.
        METALYTICS_POLYGON_RATE_LIMIT: '1',
        METALYTICS_TWELVEDATA_BASE_URL: fake.baseUrl('twelvedata'),
        METALYTICS_METALSAPI_BASE_URL: fake.baseUrl('metalsapi'),
      },
    });
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  it('asks for the missing key without sending anything, and stays inside the rate budget it shares with backfills', async () => {
    const first = await test.call('instruments.search', { query: 'msft' });
    expect(first.providers.find((p) => p.provider === 'twelvedata')).toMatchObject({ ok: false, errorCode: 'AUTH', message: expect.stringContaining('needs an API key') });
    expect(fake.requestsTo('twelvedata')).toEqual([]);
    expect(first.providers.find((p) => p.provider === 'polygon')).toMatchObject({ ok: true, found: 1 });

    const second = await test.call('instruments.search', { query: 'msft' });
    expect(second.providers.find((p) => p.provider === 'polygon')).toMatchObject({ ok: false, errorCode: 'RATE_LIMITED' });
    expect(second.providers.find((p) => p.provider === 'polygon')!.retryAfterMs).toBeGreaterThan(5_000);
    expect(second.candidates.map((c) => c.provider)).toEqual(['yahoo']);
    expect(fake.requestsTo('polygon')).toHaveLength(1);
  });
});
