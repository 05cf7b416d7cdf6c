import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient, type HttpClientOptions } from '../../../src/core/http/http-client';
import { providerError } from '../../../src/core/providers/provider-errors';
import { redactUrl } from '../../../src/core/logging/redact';
import type { Logger } from '../../../src/core/ports';
import { AppError } from '../../../src/shared/errors';
import { fakeClock, FakeProviderServer, type FakeClock } from '../../support/fake-provider-server';

const okSchema = z.object({ ok: z.literal(true), n: z.number() });
const SECRET = 'sk_live_SUPER_SECRET_KEY_42';

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}
function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let server: FakeProviderServer;
let clock: FakeClock;
let logger: ReturnType<typeof recordingLogger>;

beforeAll(async () => {
  server = await FakeProviderServer.start();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  // A whole second, so HTTP dates (second precision) convert exactly.
  clock = fakeClock(Date.UTC(2025, 1, 20, 12, 0, 0));
  logger = recordingLogger();
});

function client(options: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    provider: 'polygon',
    logger,
    requestsPerMinute: 0,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...options,
  });
}

const url = (path = '/bars') => new URL(`${server.baseUrl('plain')}${path}`);
const get = (c: HttpClient, extra: { signal?: AbortSignal; maxWaitMs?: number } = {}) => c.getJson({ url: url(), schema: okSchema, ...extra });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the request to fail');
}

describe('retries', () => {
  it('retries a burst of 5xx with jittered exponential backoff, then succeeds', async () => {
    server.script('plain', { respond: { status: 503, text: 'busy' } }, { respond: { status: 502, json: {} } }, { respond: { status: 500, json: {} } });
    const value = await get(client({ backoffBaseMs: 1000 }));
    expect(value).toEqual({ ok: true, n: 4 });
    expect(server.requestsTo('plain')).toHaveLength(4);
    // Full jitter with random() = 0.5: half of 1 s, 2 s, 4 s.
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('gives up after maxAttempts with UNAVAILABLE naming the status', async () => {
    server.script('plain', ...Array.from({ length: 3 }, () => ({ respond: { status: 500, json: {} } })));
    const error = await failure(get(client({ maxAttempts: 3 })));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'server', status: 500 });
    expect(server.requestsTo('plain')).toHaveLength(3);
  });

  it('makes one attempt only when the request asks for one, even for a transient failure or a short Retry-After', async () => {
    server.script('plain', { respond: { status: 503, json: {} } }, { respond: { status: 429, json: {}, headers: { 'retry-after': '2' } } });
    const c = client();
    const unavailable = await failure(c.getJson({ url: url(), schema: okSchema, maxAttempts: 1 }));
    expect(unavailable.details).toMatchObject({ reason: 'server', status: 503 });
    const limited = await failure(c.getJson({ url: url(), schema: okSchema, maxAttempts: 1 }));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.details).toMatchObject({ reason: 'rate_limit', retryAfterMs: 2000 });
    expect(server.requestsTo('plain')).toHaveLength(2);
    expect(clock.sleeps).toEqual([]);
  });

  it('never retries 401 (AUTH) or 404 (NOT_FOUND)', async () => {
    server.script('plain', { respond: { status: 401, json: {} } });
    expect((await failure(get(client()))).code).toBe('AUTH');
    expect(server.requestsTo('plain')).toHaveLength(1);

    server.script('plain', { respond: { status: 404, json: {} } });
    expect((await failure(get(client()))).code).toBe('NOT_FOUND');
    expect(server.requestsTo('plain')).toHaveLength(2);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a reset connection', async () => {
    server.script('plain', { fault: 'reset' });
    expect(await get(client())).toMatchObject({ ok: true });
    expect(server.requestsTo('plain')).toHaveLength(2);
  });

  it('reports a connection that keeps resetting as UNAVAILABLE (network)', async () => {
    server.script('plain', { fault: 'reset' }, { fault: 'reset' });
    const error = await failure(get(client({ maxAttempts: 2 })));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'network' });
    expect(error.message).toMatch(/Could not reach Polygon\/Massive/);
  });

  it('times out a hanging request and retries it', async () => {
    server.script('plain', { fault: 'hang' });
    expect(await get(client({ timeoutMs: 150 }))).toMatchObject({ ok: true });
    expect(server.requestsTo('plain')).toHaveLength(2);
  });

  it('reports a request that keeps hanging as UNAVAILABLE (timeout)', async () => {
    server.script('plain', { fault: 'hang' });
    const started = Date.now();
    const error = await failure(get(client({ timeoutMs: 150, maxAttempts: 1 })));
    expect(error.details).toMatchObject({ reason: 'timeout' });
    expect(error.message).toMatch(/did not answer within/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('unreadable and unexpected bodies', () => {
  it('retries truncated JSON once, then succeeds', async () => {
    server.script('plain', { fault: 'truncated' });
    expect(await get(client())).toMatchObject({ ok: true });
    expect(server.requestsTo('plain')).toHaveLength(2);
  });

  it('fails after the one retry when the JSON stays truncated or malformed', async () => {
    server.script('plain', { fault: 'truncated' }, { fault: 'malformed' });
    const error = await failure(get(client()));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'bad_payload' });
    expect(error.message).toMatch(/^The provider sent a response Metalytics cannot read/);
    expect(server.requestsTo('plain')).toHaveLength(2);
  });

  it('does not retry a well-formed body of the wrong shape and names the field', async () => {
    server.script('plain', { mutate: (body) => ({ ...body, n: String(body.n) }) });
    const error = await failure(get(client()));
    expect(error.details).toMatchObject({ reason: 'bad_payload', field: 'n' });
    expect(error.message).toContain('field "n"');
    expect(server.requestsTo('plain')).toHaveLength(1);
  });

  it('lets the provider interpreter read error bodies sent with HTTP 200', async () => {
    server.script('plain', { respond: { status: 200, json: { status: 'error', code: 401 } } });
    const interpretFailure: HttpClientOptions['interpretFailure'] = ({ body }) =>
      (body as { status?: string }).status === 'error' ? providerError('polygon', 'auth', 'refused') : undefined;
    expect((await failure(get(client({ interpretFailure })))).code).toBe('AUTH');
  });
});

describe('429 and Retry-After', () => {
  it('waits the seconds of Retry-After, then retries', async () => {
    server.script('plain', { respond: { status: 429, json: {}, headers: { 'retry-after': '7' } } });
    expect(await get(client())).toMatchObject({ ok: true });
    expect(clock.sleeps).toEqual([7000]);
  });

  it('waits until the HTTP date of Retry-After', async () => {
    const date = new Date(clock.now() + 12_000).toUTCString();
    server.script('plain', { respond: { status: 429, json: {}, headers: { 'retry-after': date } } });
    expect(await get(client())).toMatchObject({ ok: true });
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('backs off without Retry-After and restarts the token bucket from empty', async () => {
    server.script('plain', { respond: { status: 429, text: 'Edge: Too Many Requests' } });
    expect(await get(client({ requestsPerMinute: 60, backoffBaseMs: 1000 }))).toMatchObject({ ok: true });
    // 500 ms of jittered backoff, then the drained bucket needs the rest of one 1 s token.
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it('fails with RATE_LIMITED and retryAfterMs when Retry-After exceeds what the caller waits', async () => {
    server.script('plain', { respond: { status: 429, json: {}, headers: { 'retry-after': '120' } } });
    const c = client();
    const error = await failure(get(c, { maxWaitMs: 60_000 }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({ reason: 'rate_limit', retryAfterMs: 120_000 });
    expect(server.requestsTo('plain')).toHaveLength(1);

    // The pause binds later requests too, without touching the network.
    const next = await failure(get(c, { maxWaitMs: 60_000 }));
    expect(next.details).toMatchObject({ retryAfterMs: 120_000 });
    expect(server.requestsTo('plain')).toHaveLength(1);
  });

  it('pauses until X-RateLimit-Reset when X-RateLimit-Remaining reaches 0', async () => {
    const reset = Math.floor(clock.now() / 1000) + 30;
    server.script('plain', { addHeaders: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    const c = client();
    await get(c);
    await get(c);
    expect(clock.sleeps).toEqual([30_000]);
  });
});

describe('rate limiter', () => {
  it('spaces requests 60/N seconds apart', async () => {
    const c = client({ requestsPerMinute: 60 });
    for (let i = 0; i < 4; i++) await get(c);
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
  });

  it('does not wait at all when the limit is 0 (unlimited)', async () => {
    const c = client({ requestsPerMinute: 0 });
    for (let i = 0; i < 4; i++) await get(c);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails with RATE_LIMITED when the spacing is longer than the caller waits', async () => {
    const c = client({ requestsPerMinute: 1 });
    await get(c);
    const error = await failure(get(c, { maxWaitMs: 10_000 }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterMs: 60_000 });
    expect(error.message).toMatch(/1 requests per minute/);
  });

  it('stops at the daily credit limit until the next UTC day, with retryAfterMs', async () => {
    const c = client({ dailyCredits: 2 });
    await get(c);
    await get(c);
    const error = await failure(get(c));
    expect(error.code).toBe('RATE_LIMITED');
    const untilMidnight = Date.UTC(2025, 1, 21) - clock.now();
    expect(error.details).toMatchObject({ reason: 'quota', retryAfterMs: untilMidnight });
    expect(error.message).toMatch(/daily allowance of 2 requests .* used up; fetching can resume in 12 h 0 min/);
    expect(server.requestsTo('plain')).toHaveLength(2);

    clock.advance(untilMidnight);
    expect(await get(c)).toMatchObject({ ok: true });
  });
});

describe('cancellation', () => {
  it('cancels promptly while waiting out a Retry-After', async () => {
    server.script('plain', { respond: { status: 429, json: {}, headers: { 'retry-after': '30' } } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    // Real timers: the wait is a real 30 s sleep that the abort must cut short.
    const c = new HttpClient({ provider: 'polygon', logger, requestsPerMinute: 0 });
    const error = await failure(get(c, { signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cancels promptly while waiting for a token', async () => {
    const c = new HttpClient({ provider: 'polygon', logger, requestsPerMinute: 1 });
    await get(c);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    expect((await failure(get(c, { signal: controller.signal }))).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cancels a request in flight as CANCELLED, not as a timeout', async () => {
    server.script('plain', { fault: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failure(get(client({ timeoutMs: 10_000 }), { signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
  });

  it('does not start a request that is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(get(client(), { signal: controller.signal }))).code).toBe('CANCELLED');
    expect(server.requestsTo('plain')).toHaveLength(0);
  });
});

describe('secrets', () => {
  it('sends the key but never logs it or puts it into an error', async () => {
    server.script(
      'plain',
      { respond: { status: 503, json: {} } },
      { fault: 'reset' },
      { respond: { status: 400, json: { message: `bad key ${SECRET}` } } },
    );
    const interpretFailure: HttpClientOptions['interpretFailure'] = ({ status, body }) =>
      status === 400 ? providerError('polygon', 'invalid_request', `Provider said: ${(body as { message: string }).message}`) : undefined;
    const c = client({ secrets: [SECRET], interpretFailure });
    const error = await failure(
      c.getJson({ url: new URL(`${server.baseUrl('plain')}/bars?apiKey=${SECRET}&access_key=${SECRET}`), headers: { Authorization: `Bearer ${SECRET}` }, schema: okSchema }),
    );
    // It did go to the server…
    const sent = server.requestsTo('plain');
    expect(sent).toHaveLength(3);
    expect(sent[0]!.query.get('apiKey')).toBe(SECRET);
    expect(sent[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    // …and nowhere else.
    expect(logger.lines.length).toBeGreaterThan(3);
    expect(JSON.stringify(logger.lines)).not.toContain(SECRET);
    expect(JSON.stringify(logger.lines)).toContain('apiKey=%5Bredacted%5D');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.details)).not.toContain(SECRET);
  });

  it('does not follow a redirect, which would carry a query-string key to another host', async () => {
    server.script('plain', { respond: { status: 302, json: {}, headers: { location: 'http://127.0.0.1:9/elsewhere' } } });
    const error = await failure(get(client()));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ reason: 'blocked', status: 302 });
    expect(server.requestsTo('plain')).toHaveLength(1);
  });

  it('redacts every key parameter spelling and URL credentials', () => {
    const redacted = redactUrl('https://user:pw@example.com/a?apiKey=1&apikey=2&access_key=3&token=4&api_key=5&symbol=XAU');
    expect(redacted).not.toMatch(/=[1-5](&|$)/);
    expect(redacted).not.toContain('pw');
    expect(redacted).toContain('symbol=XAU');
  });
});
