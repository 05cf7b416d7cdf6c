import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../src/shared/providers';
import { FakeProviderServer, syntheticBar } from '../support/fake-provider-server';
import { createTestCore, memorySecretStore, type TestCore } from '../support/test-core';

const NOW = Date.UTC(2025, 1, 20, 12);
const MINUTE = 60_000;
const SAVED_TWELVEDATA_KEY = 'td_saved_in_settings_7777';

/** The documented 429 bodies (../shared/providers/*.md). */
const polygonRateLimited = {
  status: 'ERROR',
  request_id: '6a7e466379af0a71039d60cc78e72282',
  error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
};
const twelveDataOutOfCredits = {
  code: 429,
  message:
    'You have run out of API credits for the current minute. 12 API credits were used, with the current limit being 8. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing',
  status: 'error',
};

describe('providers.list and providers.test against the fake provider server', () => {
  let fake: FakeProviderServer;
  let test: TestCore;
  const byId = (providers: ProviderStatus[], id: ProviderStatus['id']) => providers.find((p) => p.id === id)!;

  beforeAll(async () => {
    fake = await FakeProviderServer.start({ now: NOW, keys: { polygon: 'pk_fake_POLYGON_SECRET_1234', twelvedata: SAVED_TWELVEDATA_KEY, metalsapi: 'ma_fake_METALS_SECRET_9012' } });
    const secrets = memorySecretStore();
    // Polygon: a saved key AND an environment key, which must win. Twelve Data: a saved key only. Metals-API: none.
    await secrets.set('polygon', 'pk_saved_but_overridden_0000');
    await secrets.set('twelvedata', SAVED_TWELVEDATA_KEY);
    test = await createTestCore({
      now: () => NOW,
      secrets,
      environment: {
        ...fake.environment('yahoo', 'polygon'),
        METALYTICS_TWELVEDATA_BASE_URL: fake.baseUrl('twelvedata'),
        METALYTICS_TWELVEDATA_RATE_LIMIT: '0',
        METALYTICS_METALSAPI_BASE_URL: fake.baseUrl('metalsapi'),
        METALYTICS_METALSAPI_RATE_LIMIT: 'sixty',
      },
    });
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await test?.cleanup();
    await fake?.close();
  });

  it('lists every provider with where its key comes from, its last four characters and never the key', async () => {
    const { providers } = await test.call('providers.list', {});
    expect(providers.map((p) => p.id)).toEqual(['yahoo', 'polygon', 'twelvedata', 'metalsapi']);

    expect(byId(providers, 'yahoo')).toMatchObject({ needsKey: false, keySource: null, last4: null, configError: null, baseUrl: fake.baseUrl('yahoo') });
    expect(byId(providers, 'polygon')).toMatchObject({
      name: 'Polygon/Massive',
      needsKey: true,
      keySource: 'environment',
      last4: fake.state.keys.polygon.slice(-4),
      rateLimitPerMinute: 0,
      dailyCredits: null,
      supportsLatest: true,
      supportsNews: true,
      configError: null,
    });
    expect(byId(providers, 'twelvedata')).toMatchObject({
      keySource: 'secret-store',
      last4: '7777',
      // No limit of our own declares a paid plan: no free-tier daily cap either.
      rateLimitPerMinute: 0,
      dailyCredits: null,
      supportsNews: false,
      timeframes: ['1m', '5m', '15m', '30m', '1h', '1d'],
    });

    const text = JSON.stringify(providers);
    for (const secret of [fake.state.keys.polygon, 'pk_saved_but_overridden_0000', SAVED_TWELVEDATA_KEY]) expect(text).not.toContain(secret);
  });

  it('shows a malformed METALYTICS_* variable as that provider’s configError, not as a failed list', async () => {
    const { providers } = await test.call('providers.list', {});
    const metals = byId(providers, 'metalsapi');
    expect(metals.configError).toBe('METALYTICS_METALSAPI_RATE_LIMIT must be a number of requests per minute (0 = unlimited), not "sixty".');
    // Still says what it would serve and that it has no key.
    expect(metals).toMatchObject({ keySource: null, last4: null, needsKey: true, timeframes: ['1d'], rateLimitPerMinute: 60 });

    const tested = await test.call('providers.test', { provider: 'metalsapi' });
    expect(tested).toMatchObject({ ok: false, errorCode: 'VALIDATION', message: metals.configError, sample: null });
    expect(fake.requestsTo('metalsapi')).toHaveLength(0);
  });

  it('tests a working provider with one request and reports the price and latency', async () => {
    const tested = await test.call('providers.test', { provider: 'twelvedata' });
    const price = Number(syntheticBar('XAU/USD', NOW, MINUTE).close.toFixed(5));
    expect(tested).toMatchObject({ provider: 'twelvedata', ok: true, errorCode: null, retryAfterMs: null, sample: { symbol: 'XAUUSD', price } });
    // /price carries no time: it is when the answer arrived.
    expect(Math.abs(tested.sample!.time - Date.now())).toBeLessThan(60_000);
    expect(tested.latencyMs).toBeGreaterThanOrEqual(0);
    expect(tested.message).toMatch(/^Twelve Data answered in \d+ ms: XAUUSD /);
    expect(fake.requestsTo('twelvedata').map((r) => r.path)).toEqual(['/price']);
    expect(fake.requestsTo('twelvedata')[0]!.headers.authorization).toBe(`apikey ${SAVED_TWELVEDATA_KEY}`);
  });

  it('tests keyless Yahoo with gold futures by default, and any instrument it carries when asked', async () => {
    expect(await test.call('providers.test', { provider: 'yahoo' })).toMatchObject({ ok: true, sample: { symbol: 'GC=F' } });
    expect(await test.call('providers.test', { provider: 'yahoo', symbol: 'btcusd' })).toMatchObject({ ok: true, sample: { symbol: 'BTCUSD' } });
    expect(fake.requestsTo('yahoo').map((r) => r.path)).toEqual(['/v8/finance/chart/GC=F', '/v8/finance/chart/BTC-USD']);
  });

  it('answers a rejected key with AUTH and the provider’s reason, in one request and without the key', async () => {
    fake.script('twelvedata', {
      respond: {
        status: 401,
        json: {
          code: 401,
          message:
            '**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer',
          status: 'error',
        },
      },
    });
    const tested = await test.call('providers.test', { provider: 'twelvedata' });
    expect(tested).toMatchObject({ ok: false, errorCode: 'AUTH', sample: null, retryAfterMs: null });
    expect(tested.message).toMatch(/^Twelve Data did not accept the API key\. Check the key in Settings\. \(Twelve Data said: "apikey parameter is incorrect/);
    expect(tested.message).not.toContain(SAVED_TWELVEDATA_KEY);
    expect(fake.requestsTo('twelvedata')).toHaveLength(1);
  });

  it('answers a 429 with RATE_LIMITED and the wait, never retrying it', async () => {
    fake.script('polygon', { respond: { status: 429, json: polygonRateLimited } });
    const polygon = await test.call('providers.test', { provider: 'polygon' });
    // Without Retry-After, a minute: every provider here counts its limit per minute.
    expect(polygon).toMatchObject({ ok: false, errorCode: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect(polygon.message).toBe(`Polygon/Massive is limiting requests (Polygon/Massive said: "${polygonRateLimited.error}"). Try again in 60 s.`);
    expect(fake.requestsTo('polygon')).toHaveLength(1);

    // Twelve Data's minute credits come back at the next minute of the wall clock.
    fake.script('twelvedata', { respond: { status: 429, json: twelveDataOutOfCredits } });
    const twelve = await test.call('providers.test', { provider: 'twelvedata' });
    expect(twelve).toMatchObject({ ok: false, errorCode: 'RATE_LIMITED' });
    expect(twelve.retryAfterMs).toBeGreaterThan(0);
    expect(twelve.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(twelve.message).toMatch(/^Twelve Data's credits for this minute are used up\. \(Twelve Data said: "You have run out of API credits .*"\) Try again in \d+ s\.$/);
    expect(fake.requestsTo('twelvedata')).toHaveLength(1);
  });

  it('does not send a Test while the provider asked to hold off, and says when it may go', async () => {
    fake.script('polygon', { respond: { status: 429, json: polygonRateLimited, headers: { 'retry-after': '30' } } });
    expect(await test.call('providers.test', { provider: 'polygon' })).toMatchObject({ ok: false, errorCode: 'RATE_LIMITED', retryAfterMs: 30_000 });
    const held = await test.call('providers.test', { provider: 'polygon' });
    expect(held).toMatchObject({ ok: false, errorCode: 'RATE_LIMITED' });
    expect(held.retryAfterMs).toBeGreaterThan(25_000);
    expect(held.message).toMatch(/^No request was sent: Polygon\/Massive asked Metalytics to pause for \d+ s; try again then\.$/);
    expect(fake.requestsTo('polygon')).toHaveLength(1);
  });

  it('answers a server failure with UNAVAILABLE after one attempt, and a symbol the provider lacks with NOT_FOUND without a request', async () => {
    fake.script('yahoo', { respond: { status: 503, text: 'Service Unavailable' } });
    expect(await test.call('providers.test', { provider: 'yahoo' })).toMatchObject({ ok: false, errorCode: 'UNAVAILABLE' });
    expect(fake.requestsTo('yahoo')).toHaveLength(1);

    const lacking = await test.call('providers.test', { provider: 'yahoo', symbol: 'XAUUSD' });
    expect(lacking).toMatchObject({ ok: false, errorCode: 'NOT_FOUND', message: 'Yahoo Finance does not carry Gold spot (XAUUSD).' });
    expect(fake.requestsTo('yahoo')).toHaveLength(1);
  });

  it('reports a payload of the wrong shape as UNAVAILABLE naming the field', async () => {
    fake.script('yahoo', {
      mutate: (body: { chart: { result: { meta: Record<string, unknown> }[] } }) => {
        body.chart.result[0]!.meta.regularMarketPrice = '2952.5';
        return body;
      },
    });
    const tested = await test.call('providers.test', { provider: 'yahoo' });
    expect(tested).toMatchObject({ ok: false, errorCode: 'UNAVAILABLE' });
    expect(tested.message).toMatch(/^The provider sent a response Metalytics cannot read: Yahoo Finance field "chart\.result\[0\]\.meta\.regularMarketPrice" is not as documented/);
    expect(fake.requestsTo('yahoo')).toHaveLength(1);
  });

  it('refuses an unknown symbol as a caller error', async () => {
    const result = await test.core.invoke('providers.test', { provider: 'yahoo', symbol: 'NOPE' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('providers without keys', () => {
  it('says a key is needed, without sending anything', async () => {
    const fake = await FakeProviderServer.start({ now: NOW });
    const test = await createTestCore({ now: () => NOW, environment: { METALYTICS_POLYGON_BASE_URL: fake.baseUrl('polygon') } });
    try {
      const listed = await test.call('providers.list', {});
      expect(byIdOf(listed, 'polygon')).toMatchObject({ keySource: null, last4: null, configError: null, rateLimitPerMinute: 5, dailyCredits: null });
      expect(byIdOf(listed, 'twelvedata')).toMatchObject({ keySource: null, rateLimitPerMinute: 8, dailyCredits: 800, baseUrl: 'https://api.twelvedata.com' });
      const tested = await test.call('providers.test', { provider: 'polygon' });
      expect(tested).toMatchObject({ ok: false, errorCode: 'AUTH' });
      expect(tested.message).toBe('Polygon/Massive needs an API key: add it in Settings (or set METALYTICS_POLYGON_API_KEY).');
      expect(fake.requests).toHaveLength(0);
    } finally {
      await test.cleanup();
      await fake.close();
    }
  });
});

function byIdOf(list: { providers: ProviderStatus[] }, id: ProviderStatus['id']): ProviderStatus {
  return list.providers.find((p) => p.id === id)!;
}
