import { describe, expect, it, vi } from 'vitest';
import {
  ACCESS_DENIED_MESSAGE,
  TOKEN_STORAGE_KEY,
  createWebClient,
  reconnectDelayMs,
  resultFromResponse,
  takeAccessToken,
  type SocketHandlers,
} from './web-client';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    items,
  };
}

describe('takeAccessToken', () => {
  it('moves the token from the fragment to session storage and strips it from the address bar', () => {
    const storage = memoryStorage();
    const history = { state: null, replaceState: vi.fn() };
    const token = takeAccessToken({ hash: '#token=abc123', pathname: '/', search: '' }, history, storage);
    expect(token).toBe('abc123');
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/');
  });

  it('keeps other fragment parameters and the query string', () => {
    const history = { state: null, replaceState: vi.fn() };
    takeAccessToken({ hash: '#token=t&screen=data', pathname: '/app', search: '?x=1' }, history, memoryStorage());
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/app?x=1#screen=data');
  });

  it('falls back to the token kept from an earlier load of this tab', () => {
    const history = { state: null, replaceState: vi.fn() };
    const token = takeAccessToken({ hash: '', pathname: '/', search: '' }, history, memoryStorage({ [TOKEN_STORAGE_KEY]: 'kept' }));
    expect(token).toBe('kept');
    expect(history.replaceState).not.toHaveBeenCalled();
  });

  it('returns null when there is no token anywhere', () => {
    const history = { state: null, replaceState: vi.fn() };
    expect(takeAccessToken({ hash: '#token=', pathname: '/', search: '' }, history, memoryStorage())).toBeNull();
  });
});

describe('resultFromResponse', () => {
  it('passes the envelope through for successes and contract errors alike', () => {
    expect(resultFromResponse(200, '{"ok":true,"value":{"n":1}}')).toEqual({ ok: true, value: { n: 1 } });
    const notFound = { ok: false, error: { code: 'NOT_FOUND', message: 'No instrument XYZ' } };
    expect(resultFromResponse(200, JSON.stringify(notFound))).toEqual(notFound);
    const unknownMethod = { ok: false, error: { code: 'NOT_FOUND', message: 'Unknown method' } };
    expect(resultFromResponse(400, JSON.stringify(unknownMethod))).toEqual(unknownMethod);
  });

  it('reports a rejected token as AUTH whatever the body says', () => {
    expect(resultFromResponse(401, 'Unauthorized')).toEqual({ ok: false, error: { code: 'AUTH', message: ACCESS_DENIED_MESSAGE } });
  });

  it('turns non-JSON and non-envelope bodies into UNAVAILABLE with the HTTP status', () => {
    const html = resultFromResponse(502, '<html>Bad gateway</html>');
    expect(html.ok).toBe(false);
    if (!html.ok) {
      expect(html.error.code).toBe('UNAVAILABLE');
      expect(html.error.message).toContain('HTTP 502');
    }
    const stray = resultFromResponse(200, '{"ok":false,"error":{"code":"TEAPOT","message":"x"}}');
    expect(stray.ok === false && stray.error.code).toBe('UNAVAILABLE');
    expect(resultFromResponse(200, '{"ok":true}').ok).toBe(false);
  });
});

describe('createWebClient methods', () => {
  it('POSTs the input as JSON with the bearer token to /api/<method>', async () => {
    const fetch = vi.fn(async () => ({ status: 200, text: async () => '{"ok":true,"value":{"instruments":[]}}' }));
    const client = createWebClient({ token: 'tok', baseUrl: 'http://127.0.0.1:9', socketBaseUrl: 'ws://x', fetch });
    const result = await client.methods['bars.query']({ symbol: 'XAUUSD', timeframe: '1d', limit: 2000 });
    expect(result).toEqual({ ok: true, value: { instruments: [] } });
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:9/api/bars.query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok' },
      body: '{"symbol":"XAUUSD","timeframe":"1d","limit":2000}',
    });
  });

  it('sends an empty object for methods without input and no Authorization without a token', async () => {
    const fetch = vi.fn(async () => ({ status: 200, text: async () => '{"ok":true,"value":{}}' }));
    const client = createWebClient({ token: null, socketBaseUrl: 'ws://x', fetch });
    await client.methods['system.status']();
    expect(fetch).toHaveBeenCalledWith('/api/system.status', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
  });

  it('passes on the server refusing a method it does not know, and is never taken for a promise', async () => {
    const refusal = { ok: false, error: { code: 'NOT_FOUND', message: 'Unknown method "no.such".' } };
    const fetch = vi.fn(async () => ({ status: 400, text: async () => JSON.stringify(refusal) }));
    const client = createWebClient({ token: 't', socketBaseUrl: 'ws://x', fetch });
    const methods = client.methods as unknown as Record<string, () => Promise<unknown>>;
    expect(await methods['no.such']!()).toEqual(refusal);
    expect(await Promise.resolve(client.methods)).toBe(client.methods);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('reports a network failure as UNAVAILABLE instead of throwing', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const client = createWebClient({ token: 't', socketBaseUrl: 'ws://x', fetch });
    const result = await client.methods['instruments.list']();
    expect(result.ok === false && result.error.code).toBe('UNAVAILABLE');
  });
});

class FakeSocket {
  closed = false;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  open() {
    this.handlers.onOpen();
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose();
  }
  receive(message: unknown) {
    this.handlers.onMessage(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

function eventHarness() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const client = createWebClient({
    token: 'a b',
    socketBaseUrl: 'ws://127.0.0.1:7',
    fetch: vi.fn(),
    openSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    setTimer: (callback, ms) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
    random: () => 1,
  });
  return { client, sockets, timers };
}

describe('createWebClient events', () => {
  it('shares one socket among subscribers and routes messages by event name', () => {
    const { client, sockets } = eventHarness();
    const progress = vi.fn();
    const changed = vi.fn();
    client.on('job.progress', progress);
    client.on('bars.changed', changed);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.url).toBe('ws://127.0.0.1:7/api/events?token=a%20b');

    const payload = { symbol: 'XAUUSD', timeframe: '1d', from: 0, to: 1 };
    sockets[0]?.receive({ name: 'bars.changed', payload });
    sockets[0]?.receive('not json');
    sockets[0]?.receive({ name: 'no.such.event', payload: {} });
    expect(changed).toHaveBeenCalledWith(payload);
    expect(progress).not.toHaveBeenCalled();
  });

  it('keeps delivering to other listeners when one throws', () => {
    const { client, sockets } = eventHarness();
    const good = vi.fn();
    client.on('settings.changed', () => {
      throw new Error('broken screen');
    });
    client.on('settings.changed', good);
    sockets[0]?.receive({ name: 'settings.changed', payload: { theme: 'dark' } });
    expect(good).toHaveBeenCalledOnce();
  });

  it('reconnects with growing delays and resets them after a successful open', () => {
    const { client, sockets, timers } = eventHarness();
    client.on('job.finished', vi.fn());
    sockets[0]?.close();
    expect(timers.map((t) => t.ms)).toEqual([500]);
    timers[0]?.callback();
    sockets[1]?.close();
    expect(timers.map((t) => t.ms)).toEqual([500, 1000]);
    timers[1]?.callback();
    sockets[2]?.open();
    sockets[2]?.close();
    expect(timers.map((t) => t.ms)).toEqual([500, 1000, 500]);
  });

  it('closes the socket and stops retrying when the last listener leaves', () => {
    const { client, sockets, timers } = eventHarness();
    const offA = client.on('job.progress', vi.fn());
    const offB = client.on('job.finished', vi.fn());
    offA();
    expect(sockets[0]?.closed).toBe(false);
    offB();
    expect(sockets[0]?.closed).toBe(true);
    expect(timers).toHaveLength(0);

    client.on('job.progress', vi.fn());
    expect(sockets).toHaveLength(2);
  });

  it('tells resume listeners once a dropped stream is open again, never on the first open', () => {
    const { client, sockets, timers } = eventHarness();
    const resumed = vi.fn();
    client.onResume(resumed);
    client.on('bars.appended', vi.fn());
    sockets[0]?.open();
    expect(resumed).not.toHaveBeenCalled();

    sockets[0]?.close();
    timers[0]?.callback();
    sockets[1]?.close();
    timers[1]?.callback();
    expect(resumed).not.toHaveBeenCalled();
    sockets[2]?.open();
    expect(resumed).toHaveBeenCalledOnce();

    const off = client.onResume(() => {
      throw new Error('broken screen');
    });
    sockets[2]?.close();
    timers[2]?.callback();
    sockets[3]?.open();
    expect(resumed).toHaveBeenCalledTimes(2);
    off();
  });

  it('cancels a pending reconnect when everyone unsubscribes', () => {
    const { client, sockets, timers } = eventHarness();
    const off = client.on('job.progress', vi.fn());
    sockets[0]?.close();
    off();
    expect(timers[0]?.cleared).toBe(true);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles up to a ceiling of thirty seconds and jitters downwards by at most half', () => {
    expect(reconnectDelayMs(0, () => 1)).toBe(500);
    expect(reconnectDelayMs(3, () => 1)).toBe(4000);
    expect(reconnectDelayMs(20, () => 1)).toBe(30_000);
    expect(reconnectDelayMs(20, () => 0)).toBe(15_000);
  });
});
