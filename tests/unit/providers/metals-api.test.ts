import { beforeEach, describe, expect, it } from 'vitest';
import { createMetalsApiAdapter } from '../../../src/core/providers/metals-api';
import { fakeClock, fixture } from '../../support/fake-provider-server';
import { collect, customInstrument, DAY, failure, instrument, useFakeProviders } from './kit';

const NOW = Date.UTC(2025, 1, 20, 12, 0, 0);
const TODAY = Date.UTC(2025, 1, 20);
const bed = useFakeProviders(NOW, (state) => {
  state.errorsWithHttp200 = true;
});

const KEY = () => bed.server.state.keys.metalsapi;
const metalsApi = (apiKey: string = KEY()) =>
  createMetalsApiAdapter({
    config: { apiKey, baseUrl: bed.server.baseUrl('metalsapi'), rateLimitPerMinute: 0 },
    logger: bed.logger,
    http: { now: bed.clock.now, sleep: bed.clock.sleep, random: () => 0.5 },
  });

const gold = instrument('XAUUSD');
const lastWeek = { instrument: gold, timeframe: '1d' as const, from: TODAY - 7 * DAY, to: TODAY };

describe('Metals-API documented samples', () => {
  it('reads /latest with base=XAU&symbols=USD as USD per ounce', async () => {
    bed.server.script('metalsapi', { respond: { status: 200, json: fixture('metals-api-latest-xau-usd.json') } });
    expect(await metalsApi().fetchLatest!(gold)).toEqual({ price: 1817.0552439305814, time: 1641990900000, source: 'metalsapi' });
    const [request] = bed.server.requestsTo('metalsapi');
    expect(request!.path).toBe('/api/latest');
    expect(Object.fromEntries(request!.query)).toEqual({ access_key: KEY(), base: 'XAU', symbols: 'USD' });
  });

  it('inverts a rate quoted with base=USD (the documented 1/x)', async () => {
    bed.server.script('metalsapi', {
      respond: { status: 200, json: { success: true, timestamp: 1641990900, date: '2022-01-12', base: 'USD', rates: { XAU: 0.00050428199599603 }, unit: 'per ounce' } },
    });
    expect((await metalsApi().fetchLatest!(gold)).price).toBeCloseTo(1983.0174544, 6);
  });

  it('reads the documented single-symbol /timeseries as close-only daily bars', async () => {
    bed.server.script('metalsapi', { respond: { status: 200, json: fixture('metals-api-timeseries-eur-usd.json') } });
    const euro = customInstrument({ metalsapi: 'EUR' });
    const pages = await collect(metalsApi().fetchBars({ instrument: euro, timeframe: '1d', from: Date.UTC(2012, 4, 1), to: Date.UTC(2012, 4, 4) }));
    expect(pages).toEqual([
      {
        source: 'metalsapi',
        bars: [
          { time: Date.UTC(2012, 4, 1), open: 1.322891, high: 1.322891, low: 1.322891, close: 1.322891, volume: 0 },
          { time: Date.UTC(2012, 4, 2), open: 1.315066, high: 1.315066, low: 1.315066, close: 1.315066, volume: 0 },
          { time: Date.UTC(2012, 4, 3), open: 1.314491, high: 1.314491, low: 1.314491, close: 1.314491, volume: 0 },
        ],
      },
    ]);
    expect(Object.fromEntries(bed.server.requestsTo('metalsapi')[0]!.query)).toEqual({
      access_key: KEY(),
      start_date: '2012-05-01',
      end_date: '2012-05-03',
      base: 'EUR',
      symbols: 'USD',
    });
  });

  it("reads today's bar from the documented /open-high-low-close answer", async () => {
    const day = Date.UTC(2022, 4, 20);
    bed.clock = fakeClock(day + 12 * 3_600_000);
    bed.server.script('metalsapi', { when: (r) => r.path.startsWith('/api/open-high-low-close/'), respond: { status: 200, json: fixture('metals-api-ohlc-xau-usd.json') } });
    const pages = await collect(metalsApi().fetchBars({ instrument: gold, timeframe: '1d', from: day, to: day + DAY }));
    expect(pages).toEqual([
      { source: 'metalsapi', bars: [{ time: day, open: 1841.1889341969709, high: 1851.6666851833336, low: 1816.419890887657, close: 1844.828964194302, volume: 0 }] },
    ]);
    expect(bed.server.requestsTo('metalsapi').map((r) => r.path)).toEqual(['/api/open-high-low-close/2022-05-20']);
  });

  it("refuses the vendor's own OHLC example, which is not valid JSON (trailing comma)", async () => {
    const verbatim = { respond: { status: 200, text: fixture('metals-api-ohlc-doc-verbatim.txt') as string } };
    bed.server.script('metalsapi', verbatim, verbatim);
    const error = await failure(metalsApi().fetchBars({ instrument: gold, timeframe: '1d', from: TODAY, to: TODAY + DAY }));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'bad_payload' });
    expect(bed.server.requestsTo('metalsapi')).toHaveLength(2);
  });
});

describe('Metals-API ranges', () => {
  it('splits 800 days into requests of at most 365 days, never ending on today, then adds today from OHLC', async () => {
    const from = TODAY - 800 * DAY;
    const pages = await collect(metalsApi().fetchBars({ instrument: gold, timeframe: '1d', from, to: TODAY + DAY }));
    const requests = bed.server.requestsTo('metalsapi');
    expect(requests.map((r) => r.path)).toEqual(['/api/timeseries', '/api/timeseries', '/api/timeseries', '/api/open-high-low-close/2025-02-20']);
    for (const request of requests.slice(0, 3)) {
      const days = (Date.parse(request.query.get('end_date')!) - Date.parse(request.query.get('start_date')!)) / DAY + 1;
      expect(days).toBeLessThanOrEqual(365);
      expect(Date.parse(request.query.get('end_date')!)).toBeLessThan(TODAY);
      expect(request.query.get('symbols')).toBe('USD');
    }
    const bars = pages.flatMap((p) => p.bars);
    expect(bars).toHaveLength(801);
    expect(bars.every((b, i) => i === 0 || b.time - bars[i - 1]!.time === DAY)).toBe(true);
    const today = bars.at(-1)!;
    expect(today.time).toBe(TODAY);
    expect(today.high).toBeGreaterThan(today.low);
    const closeOnly = bars[0]!;
    expect([closeOnly.open, closeOnly.high, closeOnly.low]).toEqual([closeOnly.close, closeOnly.close, closeOnly.close]);
  });

  it('halves a window refused with code 505 (too long for the plan) and carries on', async () => {
    bed.server.script('metalsapi', {
      respond: { status: 200, json: { success: false, error: { code: 505, type: 'time-frame_too_long', info: 'The specified timeframe is too long, exceeding 365 days.' } } },
    });
    const pages = await collect(metalsApi().fetchBars({ instrument: gold, timeframe: '1d', from: TODAY - 100 * DAY, to: TODAY }));
    expect(bed.server.requestsTo('metalsapi').map((r) => [r.query.get('start_date'), r.query.get('end_date')])).toEqual([
      ['2024-11-12', '2025-02-19'],
      ['2024-11-12', '2024-12-31'],
      ['2025-01-01', '2025-02-19'],
    ]);
    expect(pages.flatMap((p) => p.bars)).toHaveLength(100);
  });

  it('turns code 106 (no results) into an empty page', async () => {
    bed.server.script('metalsapi', { respond: { status: 200, json: { success: false, error: { code: 106, type: 'no_results', info: 'The current request did not return any results.' } } } });
    expect(await collect(metalsApi().fetchBars(lastWeek))).toEqual([{ source: 'metalsapi', bars: [] }]);
  });
});

describe.each([true, false])('Metals-API errors (HTTP 200 bodies: %s)', (errorsWithHttp200) => {
  beforeEach(() => {
    bed.server.state.errorsWithHttp200 = errorsWithHttp200;
  });

  it('maps 101 (invalid key) to AUTH and keeps the key out of logs and messages', async () => {
    const wrong = 'ma_wrong_key_777';
    const error = await failure(metalsApi(wrong).fetchBars(lastWeek));
    expect(error.code).toBe('AUTH');
    expect(error.details).toMatchObject({ providerCode: 101 });
    expect(bed.server.requestsTo('metalsapi')[0]!.query.get('access_key')).toBe(wrong);
    expect(JSON.stringify(bed.logger.lines)).not.toContain(wrong);
    expect(JSON.stringify(bed.logger.lines)).toContain('access_key=%5Bredacted%5D');
    expect(error.message).not.toContain(wrong);
  });

  it('maps 104 (monthly quota) to RATE_LIMITED until the 1st of next month, without retrying', async () => {
    bed.server.script('metalsapi', {
      respond: {
        status: errorsWithHttp200 ? 200 : 429,
        json: { success: false, error: { code: 104, type: 'usage_limit_reached', info: 'Your monthly API request volume has been reached. Please upgrade your plan.' } },
      },
    });
    const error = await failure(metalsApi().fetchBars(lastWeek));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({ reason: 'quota', retryAfterMs: Date.UTC(2025, 2, 1) - NOW });
    expect(bed.server.requestsTo('metalsapi')).toHaveLength(1);
  });

  it('maps 201 (unknown base) and 202 (unknown symbol) to NOT_FOUND', async () => {
    const unknownMetal = await failure(metalsApi().fetchBars({ ...lastWeek, instrument: customInstrument({ metalsapi: 'XRH' }) }));
    expect(unknownMetal.code).toBe('NOT_FOUND');
    expect(unknownMetal.details).toMatchObject({ providerCode: 201 });
    const unknownCurrency = await failure(metalsApi().fetchLatest!(customInstrument({ metalsapi: 'XAU' }, 'ZZZ')));
    expect(unknownCurrency.code).toBe('NOT_FOUND');
    expect(unknownCurrency.details).toMatchObject({ providerCode: 202 });
  });

  it('maps 105 (plan) to AUTH and 103 (no such endpoint) to VALIDATION', async () => {
    bed.server.script(
      'metalsapi',
      { respond: { status: errorsWithHttp200 ? 200 : 403, json: { success: false, error: { code: 105, type: 'function_access_restricted' } } } },
      { respond: { status: errorsWithHttp200 ? 200 : 404, json: { success: false, error: { code: 103, type: 'invalid_api_function' } } } },
    );
    const plan = await failure(metalsApi().fetchLatest!(gold));
    expect(plan.code).toBe('AUTH');
    expect(plan.details).toMatchObject({ reason: 'plan' });
    expect((await failure(metalsApi().fetchLatest!(gold))).code).toBe('VALIDATION');
  });
});

describe('Metals-API payload checks', () => {
  it('names the field when a rate turns into a string', async () => {
    bed.server.script('metalsapi', { mutate: (body) => ((body.rates.USD = String(body.rates.USD)), body) });
    const error = await failure(metalsApi().fetchLatest!(gold));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'rates.USD' });
  });

  it('refuses an answer in a base it did not ask for', async () => {
    bed.server.script('metalsapi', { respond: { status: 200, json: fixture('metals-api-latest-btc.json') } });
    const error = await failure(metalsApi().fetchLatest!(gold));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'base' });
  });

  it('refuses daily-only timeframes it does not have', async () => {
    expect((await failure(metalsApi().fetchBars({ ...lastWeek, timeframe: '1h' }))).code).toBe('VALIDATION');
  });
});
