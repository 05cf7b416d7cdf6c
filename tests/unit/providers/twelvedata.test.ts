import { beforeEach, describe, expect, it } from 'vitest';
import { createTwelveDataAdapter } from '../../../src/core/providers/twelvedata';
import { fixture } from '../../support/fake-provider-server';
import { collect, customInstrument, DAY, failure, HOUR, instrument, MINUTE, useFakeProviders } from './kit';

const NOW = Date.UTC(2025, 1, 20, 12, 0, 30);
const bed = useFakeProviders(NOW, (state) => {
  state.errorsWithHttp200 = true;
});

const KEY = () => bed.server.state.keys.twelvedata;
const twelveData = (config: { apiKey?: string; rateLimitPerMinute?: number } = {}) =>
  createTwelveDataAdapter({
    config: { apiKey: KEY(), baseUrl: bed.server.baseUrl('twelvedata'), rateLimitPerMinute: 0, ...config },
    logger: bed.logger,
    http: { now: bed.clock.now, sleep: bed.clock.sleep, random: () => 0.5 },
  });

const gold = instrument('XAUUSD');
const hourRange = { instrument: gold, timeframe: '1h' as const, from: NOW - DAY - 30_000, to: NOW - 30_000 };

describe('Twelve Data documented samples', () => {
  it('reverses the newest-first AAPL minutes and turns the strings into numbers', async () => {
    bed.server.script('twelvedata', { respond: { status: 200, json: fixture('twelvedata-time-series-aapl-1min.json') } });
    const from = Date.UTC(2022, 1, 7, 15, 57);
    const pages = await collect(twelveData().fetchBars({ instrument: instrument('AAPL'), timeframe: '1m', from, to: from + 3 * MINUTE }));
    expect(pages).toEqual([
      {
        source: 'twelvedata',
        bars: [
          { time: Date.UTC(2022, 1, 7, 15, 57), open: 171.12, high: 171.36, low: 171.12, close: 171.27, volume: 337196 },
          { time: Date.UTC(2022, 1, 7, 15, 58), open: 171.27499, high: 171.45, low: 171.27, close: 171.41, volume: 374529 },
          { time: Date.UTC(2022, 1, 7, 15, 59), open: 171.42, high: 171.75999, low: 171.41, close: 171.71001, volume: 863231 },
        ],
      },
    ]);
    const [request] = bed.server.requestsTo('twelvedata');
    expect(request!.path).toBe('/time_series');
    expect(Object.fromEntries(request!.query)).toEqual({
      symbol: 'AAPL',
      interval: '1min',
      start_date: '2022-02-07 15:57:00',
      end_date: '2022-02-07 15:59:59',
      timezone: 'UTC',
      outputsize: '5000',
      format: 'JSON',
    });
    expect(request!.headers.authorization).toBe(`apikey ${KEY()}`);
    expect(request!.rawUrl).not.toContain(KEY());
  });

  it('reads metal bars without volume as volume 0, also without a status field', async () => {
    bed.server.script('twelvedata', { respond: { status: 200, json: fixture('twelvedata-time-series-xauusd-5min.json') } });
    const at = Date.UTC(2022, 10, 3, 2, 25);
    const [five] = await collect(twelveData().fetchBars({ instrument: gold, timeframe: '5m', from: at, to: at + 5 * MINUTE }));
    expect(five!.bars).toEqual([{ time: at, open: 1647.10999, high: 1647.48999, low: 1646.97998, close: 1647.41003, volume: 0 }]);

    bed.server.script('twelvedata', { respond: { status: 200, json: fixture('twelvedata-time-series-xauusd-1h.json') } });
    const hour = Date.UTC(2026, 0, 3, 23);
    const [one] = await collect(twelveData().fetchBars({ instrument: gold, timeframe: '1h', from: hour, to: hour + HOUR }));
    expect(one!.bars).toEqual([{ time: hour, open: 4330.48907, high: 4330.68336, low: 4330.43095, close: 4330.47347, volume: 0 }]);
  });

  it('reads date-only daily bars as 00:00 UTC', async () => {
    bed.server.script('twelvedata', { respond: { status: 200, json: fixture('twelvedata-time-series-eurusd-1day.json') } });
    const eurusd = customInstrument({ twelvedata: 'EUR/USD' });
    const [page] = await collect(twelveData().fetchBars({ instrument: eurusd, timeframe: '1d', from: Date.UTC(2024, 3, 11), to: Date.UTC(2024, 3, 16) }));
    expect(page!.bars.map((b) => [b.time, b.close])).toEqual([
      [Date.UTC(2024, 3, 11), 1.07265],
      [Date.UTC(2024, 3, 12), 1.064],
      [Date.UTC(2024, 3, 15), 1.0635],
    ]);
  });

  it('takes the latest price from /price, timed when it arrived', async () => {
    const latest = await twelveData().fetchLatest!(gold);
    expect(latest.source).toBe('twelvedata');
    expect(latest.time).toBe(NOW);
    expect(latest.price).toBeGreaterThan(1000);
    expect(Object.fromEntries(bed.server.requestsTo('twelvedata')[0]!.query)).toEqual({ symbol: 'XAU/USD', format: 'JSON' });
  });
});

describe('Twelve Data paging', () => {
  it('walks forward in windows of 5000 bars, so outputsize never cuts a window short', async () => {
    const from = NOW - 30_000 - 12 * DAY;
    const to = NOW - 30_000 - 2 * DAY;
    const pages = await collect(twelveData().fetchBars({ instrument: gold, timeframe: '1m', from, to }));
    const requests = bed.server.requestsTo('twelvedata');
    expect(requests).toHaveLength(3); // 14 400 minutes / 5000
    for (const request of requests) {
      const span = Date.parse(`${request.query.get('end_date')}Z`) - Date.parse(`${request.query.get('start_date')}Z`);
      expect(span).toBeLessThan(5000 * MINUTE);
    }
    const times = pages.flatMap((p) => p.bars.map((b) => b.time));
    expect(times).toHaveLength(14_400);
    expect(times[0]).toBe(from);
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === MINUTE)).toBe(true);
  });

  it('turns "No data is available on the specified dates" (a weekend) into an empty page', async () => {
    const saturday = Date.UTC(2025, 1, 15);
    const pages = await collect(twelveData().fetchBars({ instrument: instrument('AAPL'), timeframe: '1h', from: saturday, to: saturday + DAY }));
    expect(pages).toEqual([{ source: 'twelvedata', bars: [] }]);
  });

  it('waits for the next minute when Api-Credits-Left reaches 0', async () => {
    bed.server.script('twelvedata', { addHeaders: { 'api-credits-used': '8', 'api-credits-left': '0' } });
    const adapter = twelveData();
    await adapter.fetchLatest!(gold);
    await adapter.fetchLatest!(gold);
    expect(bed.clock.sleeps).toEqual([30_000]);
  });

  it('stops at the free plan’s 800 credits a day with RATE_LIMITED until UTC midnight', async () => {
    const adapter = twelveData({ rateLimitPerMinute: 8 });
    for (let i = 0; i < 800; i++) await adapter.fetchLatest!(gold);
    const error = await failure(adapter.fetchLatest!(gold));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({ reason: 'quota', retryAfterMs: Date.UTC(2025, 1, 21) - bed.clock.now() });
    expect(bed.server.requestsTo('twelvedata')).toHaveLength(800);
    // Spaced 7.5 s apart by the 8-per-minute bucket.
    expect(bed.clock.sleeps.every((ms) => ms === 7500)).toBe(true);
  });
});

describe.each([true, false])('Twelve Data errors (HTTP 200 bodies: %s)', (errorsWithHttp200) => {
  beforeEach(() => {
    bed.server.state.errorsWithHttp200 = errorsWithHttp200;
  });

  it('maps the invalid-key body to AUTH without retrying', async () => {
    const error = await failure(twelveData({ apiKey: 'bad-key-000' }).fetchBars(hourRange));
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('apikey parameter is incorrect');
    expect(error.message).not.toContain('**');
    expect(bed.server.requestsTo('twelvedata')).toHaveLength(1);
  });

  it('maps "symbol not found" to NOT_FOUND', async () => {
    const error = await failure(twelveData().fetchBars({ ...hourRange, instrument: customInstrument({ twelvedata: 'NOTFOUND' }) }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details).toMatchObject({ reason: 'not_found', providerCode: 400 });
  });

  it('maps an invalid parameter to VALIDATION and a plan refusal to AUTH (plan)', async () => {
    const status = errorsWithHttp200 ? 200 : 400;
    bed.server.script(
      'twelvedata',
      { respond: { status, json: { code: 400, message: 'Invalid **interval** provided: 0.99min. Supported intervals: 1min, 5min', status: 'error' } } },
      {
        respond: {
          status: errorsWithHttp200 ? 200 : 403,
          json: { code: 403, message: '**symbol** WTI/USD is not available with your plan. You may select the appropriate plan at https://twelvedata.com/pricing', status: 'error' },
        },
      },
    );
    expect((await failure(twelveData().fetchBars(hourRange))).code).toBe('VALIDATION');
    const plan = await failure(twelveData().fetchBars(hourRange));
    expect(plan.code).toBe('AUTH');
    expect(plan.details).toMatchObject({ reason: 'plan' });
  });

  it('waits out "credits for the current minute" until the next minute, then succeeds', async () => {
    bed.server.script('twelvedata', {
      respond: {
        status: errorsWithHttp200 ? 200 : 429,
        json: {
          code: 429,
          message: 'You have run out of API credits for the current minute. 12 API credits were used, with the current limit being 8. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing',
          status: 'error',
        },
      },
    });
    const pages = await collect(twelveData().fetchBars(hourRange));
    expect(pages.flatMap((p) => p.bars)).toHaveLength(24);
    expect(bed.clock.sleeps).toEqual([30_000]);
  });

  it('stops at "credits for the day" with RATE_LIMITED until UTC midnight, and asks no more that day', async () => {
    bed.server.script('twelvedata', {
      respond: {
        status: errorsWithHttp200 ? 200 : 429,
        json: {
          code: 429,
          message: 'You have run out of API credits for the day. 800 API credits were used, with the current limit being 800. Wait for the next day or consider switching to a higher tier plan at https://twelvedata.com/pricing',
          status: 'error',
        },
      },
    });
    const adapter = twelveData();
    const error = await failure(adapter.fetchBars(hourRange));
    expect(error.code).toBe('RATE_LIMITED');
    const untilMidnight = Date.UTC(2025, 1, 21) - NOW;
    expect(error.details).toMatchObject({ reason: 'quota', retryAfterMs: untilMidnight });
    const again = await failure(adapter.fetchLatest!(gold));
    expect(again.details).toMatchObject({ retryAfterMs: untilMidnight });
    expect(bed.server.requestsTo('twelvedata')).toHaveLength(1);
  });
});

describe('Twelve Data payload checks', () => {
  it('names the field when a string number becomes a JSON number', async () => {
    bed.server.script('twelvedata', { mutate: (body) => ((body.values[0].open = Number(body.values[0].open)), body) });
    const error = await failure(twelveData().fetchBars(hourRange));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'values[0].open' });
  });

  it('refuses a price that is not a number in a string', async () => {
    bed.server.script('twelvedata', { respond: { status: 200, json: { price: 'n/a' } } });
    const error = await failure(twelveData().fetchLatest!(gold));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'price' });
  });

  it('fails with AUTH before any request when no key is configured', async () => {
    const adapter = createTwelveDataAdapter({ config: { baseUrl: bed.server.baseUrl('twelvedata'), rateLimitPerMinute: 0 }, logger: bed.logger });
    expect((await failure(adapter.fetchBars(hourRange))).code).toBe('AUTH');
    expect(bed.server.requestsTo('twelvedata')).toHaveLength(0);
  });
});
