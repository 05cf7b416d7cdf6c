import { describe, expect, it } from 'vitest';
import { createYahooAdapter } from '../../../src/core/providers/yahoo';
import { fixture } from '../../support/fake-provider-server';
import { collect, customInstrument, DAY, failure, instrument, MINUTE, useFakeProviders } from './kit';

const NOW = Date.UTC(2025, 1, 20, 12, 0, 0);
const bed = useFakeProviders(NOW);

const yahoo = () =>
  createYahooAdapter({
    config: { baseUrl: bed.server.baseUrl('yahoo'), rateLimitPerMinute: 0 },
    logger: bed.logger,
    http: { now: bed.clock.now, sleep: bed.clock.sleep, random: () => 0.5 },
  });

const bars = async (...args: Parameters<ReturnType<typeof yahoo>['fetchBars']>) => (await collect(yahoo().fetchBars(...args))).flatMap((p) => p.bars);

describe('Yahoo Finance documented samples', () => {
  it('reads GC=F daily: the 05:00 UTC (midnight New York) bar becomes its trading date', async () => {
    bed.server.script('yahoo', { respond: { status: 200, json: fixture('yahoo-chart-gc-f-1d-2020-01-01.json') } });
    const pages = await collect(yahoo().fetchBars({ instrument: instrument('GC=F'), timeframe: '1d', from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 3) }));
    expect(pages).toEqual([
      { source: 'yahoo', bars: [{ time: Date.UTC(2020, 0, 2), open: 1518.0999755859375, high: 1528.699951171875, low: 1518, close: 1524.5, volume: 214 }] },
    ]);
    const [request] = bed.server.requestsTo('yahoo');
    expect(request!.path).toBe('/v8/finance/chart/GC=F');
    expect(request!.rawUrl).toContain('/chart/GC%3DF?');
    expect(Object.fromEntries(request!.query)).toMatchObject({ interval: '1d', includePrePost: 'false', period1: String((Date.UTC(2020, 0, 1) - DAY) / 1000) });
  });

  it('reads BTC-USD daily bars stamped 00:00 UTC', async () => {
    bed.server.script('yahoo', { respond: { status: 200, json: fixture('yahoo-chart-btc-usd-1d-2020-01-01.json') } });
    const result = await bars({ instrument: instrument('BTCUSD'), timeframe: '1d', from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 4) });
    expect(result.map((b) => b.time)).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    expect(result[2]).toEqual({ time: Date.UTC(2020, 0, 3), open: 6984.4287109375, high: 7413.71533203125, low: 6914.99609375, close: 7344.88427734375, volume: 28111481032 });
  });

  it('turns the documented empty window (no timestamp, quote: [{}]) into an empty page', async () => {
    bed.server.script('yahoo', { respond: { status: 200, json: fixture('yahoo-chart-aapl-1m-weekend-empty.json') } });
    const pages = await collect(yahoo().fetchBars({ instrument: instrument('AAPL'), timeframe: '1m', from: Date.UTC(2025, 1, 1), to: Date.UTC(2025, 1, 2) }));
    expect(pages).toEqual([{ source: 'yahoo', bars: [] }]);
  });

  it('takes the latest price from meta.regularMarketPrice', async () => {
    bed.server.script('yahoo', { respond: { status: 200, json: fixture('yahoo-chart-gc-f-1d-2020-01-01.json') } });
    expect(await yahoo().fetchLatest!(instrument('GC=F'))).toEqual({ price: 2952.5, time: 1740051311000, source: 'yahoo' });
    expect(Object.fromEntries(bed.server.requestsTo('yahoo')[0]!.query)).toMatchObject({ range: '1d', interval: '1d' });
  });
});

describe('Yahoo Finance paging and limits', () => {
  it('fetches 20 days of 1m bars in windows Yahoo accepts (8 days at most), contiguous and ascending', async () => {
    const from = NOW - 25 * DAY;
    const to = NOW - 5 * DAY;
    const pages = await collect(yahoo().fetchBars({ instrument: instrument('BTCUSD'), timeframe: '1m', from, to }));
    expect(pages).toHaveLength(3);
    for (const request of bed.server.requestsTo('yahoo')) {
      expect(Number(request.query.get('period2')) - Number(request.query.get('period1'))).toBeLessThanOrEqual(8 * 86_400);
    }
    const times = pages.flatMap((p) => p.bars.map((b) => b.time));
    expect(times).toHaveLength(20 * 1440);
    expect(times[0]).toBe(from);
    expect(times.at(-1)).toBe(to - MINUTE);
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === MINUTE)).toBe(true);
  });

  it('clamps 1m requests to the 30 days Yahoo keeps instead of earning a 422', async () => {
    const pages = await collect(yahoo().fetchBars({ instrument: instrument('BTCUSD'), timeframe: '1m', from: NOW - 90 * DAY, to: NOW - 28 * DAY }));
    const first = bed.server.requestsTo('yahoo')[0]!;
    expect(Number(first.query.get('period1')) * 1000).toBeGreaterThanOrEqual(NOW - 30 * DAY);
    expect(pages.flatMap((p) => p.bars).length).toBeGreaterThan(0);
    expect(bed.logger.lines.some((l) => l.message.includes('keeps only recent intraday bars'))).toBe(true);
  });

  it('asks for nothing when the whole range is older than Yahoo keeps', async () => {
    expect(await collect(yahoo().fetchBars({ instrument: instrument('BTCUSD'), timeframe: '5m', from: NOW - 400 * DAY, to: NOW - 300 * DAY }))).toEqual([]);
    expect(bed.server.requestsTo('yahoo')).toHaveLength(0);
  });

  it('skips bars with null prices instead of making zero bars, and reads a null volume as 0', async () => {
    bed.server.script('yahoo', {
      mutate: (body) => {
        const quote = body.chart.result[0].indicators.quote[0];
        quote.close[1] = null;
        quote.volume[2] = null;
        return body;
      },
    });
    const from = NOW - 2 * DAY;
    const result = await bars({ instrument: instrument('BTCUSD'), timeframe: '1h', from, to: from + 4 * 3_600_000 });
    expect(result.map((b) => (b.time - from) / 3_600_000)).toEqual([0, 2, 3]);
    expect(result[1]!.volume).toBe(0);
    expect(result.every((b) => b.close > 0)).toBe(true);
  });
});

describe('Yahoo Finance errors', () => {
  const btcDay = { instrument: instrument('BTCUSD'), timeframe: '1d' as const, from: NOW - 10 * DAY, to: NOW };

  it('maps the documented 404 body to NOT_FOUND', async () => {
    const error = await failure(yahoo().fetchBars({ ...btcDay, instrument: customInstrument({ yahoo: 'INVALID.BO' }) }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('No data found, symbol may be delisted');
    expect(bed.server.requestsTo('yahoo')).toHaveLength(1);
  });

  it('maps a 422 (range Yahoo will not serve) to VALIDATION with its text', async () => {
    bed.server.script('yahoo', {
      respond: {
        status: 422,
        json: { chart: { result: null, error: { code: 'Unprocessable Entity', description: '5m data not available for startTime=1700000000 and endTime=1705000000. The requested range must be within the last 60 days.' } } },
      },
    });
    const error = await failure(yahoo().fetchBars(btcDay));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('within the last 60 days');
  });

  it('retries the plain-text 429 with backoff and ends with RATE_LIMITED', async () => {
    const tooMany = { respond: { status: 429, text: 'Edge: Too Many Requests' } };
    bed.server.script('yahoo', tooMany, tooMany, tooMany, tooMany);
    const error = await failure(yahoo().fetchBars(btcDay));
    expect(error.code).toBe('RATE_LIMITED');
    // No Retry-After from Yahoo: the error still says when to come back.
    expect(error.details).toMatchObject({ retryAfterMs: 60_000 });
    expect(bed.server.requestsTo('yahoo')).toHaveLength(4);
    expect(bed.clock.sleeps).toHaveLength(3);
  });

  it('does not treat a 403 as a key problem and does not retry it', async () => {
    bed.server.script('yahoo', { respond: { status: 403, text: 'Forbidden' } });
    const error = await failure(yahoo().fetchBars(btcDay));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'blocked' });
    expect(bed.server.requestsTo('yahoo')).toHaveLength(1);
  });

  it('recovers from a 5xx burst', async () => {
    bed.server.script('yahoo', { respond: { status: 502, text: 'Bad Gateway' } }, { respond: { status: 503, text: '' } });
    expect((await bars(btcDay)).length).toBe(10);
  });

  it('names the field when a price turns into a string, and never yields NaN', async () => {
    bed.server.script('yahoo', { mutate: (body) => ((body.chart.result[0].indicators.quote[0].close[0] = '1524.5'), body) });
    const error = await failure(yahoo().fetchBars(btcDay));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'chart.result[0].indicators.quote[0].close[0]' });
  });

  it('refuses arrays that do not match the timestamps', async () => {
    bed.server.script('yahoo', { mutate: (body) => (body.chart.result[0].indicators.quote[0].open.pop(), body) });
    const error = await failure(yahoo().fetchBars(btcDay));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'chart.result[0].indicators.quote[0].open' });
  });

  it('says NOT_FOUND without a request for an instrument Yahoo does not carry', async () => {
    const error = await failure(yahoo().fetchBars({ ...btcDay, instrument: instrument('XAUUSD') }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Yahoo Finance does not carry Gold spot (XAUUSD).');
    expect(bed.server.requestsTo('yahoo')).toHaveLength(0);
  });

  it('refuses a timeframe it does not serve', async () => {
    expect((await failure(yahoo().fetchBars({ ...btcDay, timeframe: '4h' }))).code).toBe('VALIDATION');
  });
});
