import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabaseUrl } from '../../src/core/settings/database-url';
import { createTestCore, invokeFailure, type TestCore } from '../support/test-core';

describe('settings and secrets through the core', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = await createTestCore();
  });

  afterAll(() => test?.cleanup());

  it('stores a database address without a password and reports it back', async () => {
    const settings = await test.call('settings.update', { databaseUrl: 'postgres://metal@db.example:5432/metalytics' });
    expect(settings.databaseUrl).toBe('postgres://metal@db.example:5432/metalytics');
  });

  it('refuses a database address with a password, and changes nothing', async () => {
    const error = await invokeFailure(test.core, 'settings.update', { databaseUrl: 'postgres://metal:hunter22@db.example:5432/m' });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/"database" secret/);
    expect(JSON.stringify(error)).not.toContain('hunter22');
    expect((await test.call('settings.get', {})).databaseUrl).toBe('postgres://metal@db.example:5432/metalytics');
  });

  it('gives the UI only whether a key is set and its last four characters', async () => {
    await test.call('secrets.set', { name: 'polygon', value: 'pk_live_1234567890' });
    const { secrets } = await test.call('secrets.list', {});
    expect(secrets.find((s) => s.name === 'polygon')).toEqual({ name: 'polygon', hasKey: true, last4: '7890' });
    expect(JSON.stringify(secrets)).not.toContain('pk_live');
  });

  it('keeps each provider\'s saved address and rate limit, and providers.list reports what is in use', async () => {
    await test.call('settings.update', { providers: { polygon: { baseUrl: 'https://proxy.example.com/massive', rateLimitPerMinute: 100 } } });
    const settings = await test.call('settings.update', { providers: { twelvedata: { rateLimitPerMinute: 0 } } });
    expect(settings.providers).toEqual({
      // The key saved above stays with the address it was saved for.
      polygon: { baseUrl: 'https://proxy.example.com/massive', rateLimitPerMinute: 100, keyOrigin: 'https://api.massive.com' },
      twelvedata: { rateLimitPerMinute: 0 },
    });
    const { providers } = await test.call('providers.list', {});
    expect(providers.find((p) => p.id === 'polygon')).toMatchObject({ baseUrl: 'https://proxy.example.com/massive', rateLimitPerMinute: 100 });
    expect(providers.find((p) => p.id === 'twelvedata')?.rateLimitPerMinute).toBe(0);
  });

  it('refuses a provider address that is not http(s), and changes nothing', async () => {
    const error = await invokeFailure(test.core, 'settings.update', { providers: { polygon: { baseUrl: 'file:///etc/passwd' } } });
    expect(error.code).toBe('VALIDATION');
    expect((await test.call('settings.get', {})).providers.polygon?.baseUrl).toBe('https://proxy.example.com/massive');
  });

  it('keeps each window\'s chart layout apart, and refuses a window id that is not one', async () => {
    const four = {
      charts: 4 as const,
      active: 2,
      panels: [
        { symbol: 'XAUUSD', timeframe: '1d' as const, indicators: [], logScale: false, forecast: false },
        { symbol: 'BTCUSD', timeframe: '1h' as const, indicators: [{ spec: { kind: 'rsi' as const, params: { period: 14 } }, slot: 0 }], logScale: true, forecast: false },
      ],
    };
    await test.call('settings.update', { chartLayouts: { 'window-1': four } });
    const settings = await test.call('settings.update', { chartLayouts: { browser: { charts: 1, active: 0, panels: [] } } });
    expect(settings.chartLayouts).toEqual({ 'window-1': four, browser: { charts: 1, active: 0, panels: [] } });

    const error = await invokeFailure(test.core, 'settings.update', { chartLayouts: { 'Window One!': four } });
    expect(error.code).toBe('VALIDATION');
    expect((await test.call('settings.get', {})).chartLayouts['window-1']).toEqual(four);
  });

  it('keeps every layout saved at the same moment by several windows', async () => {
    const layout = (symbol: string) => ({ charts: 2 as const, active: 1, panels: [{ symbol, indicators: [], logScale: false, forecast: false }] });
    await Promise.all(['window-3', 'window-4', 'window-5'].map((id) => test.call('settings.update', { chartLayouts: { [id]: layout(id.toUpperCase()) } })));
    const { chartLayouts } = await test.call('settings.get', {});
    expect(['window-3', 'window-4', 'window-5'].map((id) => chartLayouts[id]?.panels[0]?.symbol)).toEqual(['WINDOW-3', 'WINDOW-4', 'WINDOW-5']);
  });

  it('keeps a layout, a backup folder and a key binding written at the same moment by different calls', async () => {
    const folder = path.join(test.dataDir, 'elsewhere');
    await Promise.all([
      test.call('settings.update', { chartLayouts: { 'window-6': { charts: 1, active: 0, panels: [] } } }),
      test.call('backups.setFolder', { folder }),
      test.call('secrets.set', { name: 'polygon', value: 'pk_test_bound_0123456789' }),
    ]);
    const settings = await test.call('settings.get', {});
    expect(settings.chartLayouts['window-6']).toEqual({ charts: 1, active: 0, panels: [] });
    expect(settings.backups.folder).toBe(folder);
    expect(settings.providers.polygon?.keyOrigin).toBeDefined();
  });
});

describe('keys and the database password go only to the host they were saved for (issue 16, defect 3)', () => {
  let test: TestCore;
  const KEY = 'pk_live_do_not_send_me_0123456789';

  beforeAll(async () => {
    test = await createTestCore();
  });

  afterAll(() => test?.cleanup());

  /** A host that records what it is sent; it stands in for the attacker's. */
  async function recordingHost() {
    const seen: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.url} ${JSON.stringify(req.headers)}`);
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"status":"ERROR"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((done) => server.close(done)) };
  }

  it('refuses a clear-text provider address that is not this computer: the http://attacker attack', async () => {
    await test.call('secrets.set', { name: 'polygon', value: KEY });
    const error = await invokeFailure(test.core, 'settings.update', { providers: { polygon: { baseUrl: 'http://attacker' } } });
    expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/https:\/\//) });
    expect((await test.call('settings.get', {})).providers.polygon?.baseUrl).toBeUndefined();
  });

  it('does not send the key to a new provider address until the key is saved again', async () => {
    const attacker = await recordingHost();
    try {
      await test.call('settings.update', { providers: { polygon: { baseUrl: attacker.url, keyOrigin: attacker.url } } });
      await test.core.invoke('providers.test', { provider: 'polygon' });
      expect(attacker.seen.join('\n')).not.toContain(KEY);
      const { providers } = await test.call('providers.list', {});
      expect(providers.find((p) => p.id === 'polygon')?.configError).toMatch(/Save the key again/);

      // Saving the key again is the user confirming it for this address.
      await test.call('secrets.set', { name: 'polygon', value: KEY });
      attacker.seen.length = 0;
      await test.core.invoke('providers.test', { provider: 'polygon' });
      expect(attacker.seen.join('\n')).toContain(KEY);
    } finally {
      await attacker.close();
    }
  });

  it('refuses password-like query parameters in the database address', async () => {
    for (const url of ['postgres://metal@db.example/m?password=hunter22', 'postgres://metal@db.example/m?sslmode=require&sslpassword=hunter22', 'postgres://db.example/m?PWD=hunter22']) {
      const error = await invokeFailure(test.core, 'settings.update', { databaseUrl: url });
      expect(error.code).toBe('VALIDATION');
      expect(JSON.stringify(error)).not.toContain('hunter22');
    }
  });

  it('binds the stored database password to the host it was saved for', async () => {
    await test.call('settings.update', { databaseUrl: 'postgres://metal@db.example:5432/metalytics' });
    await test.call('secrets.set', { name: 'database', value: 'hunter22' });
    const resolve = async () => {
      const settings = await test.call('settings.get', {});
      return resolveDatabaseUrl({ environmentUrl: undefined, settingsUrl: settings.databaseUrl, password: 'hunter22', passwordHost: settings.databasePasswordHost });
    };
    expect(await resolve()).toBe('postgres://metal:hunter22@db.example:5432/metalytics');

    await test.call('settings.update', { databaseUrl: 'postgres://metal@attacker.example:5432/metalytics', databasePasswordHost: 'attacker.example:5432' });
    expect(await resolve()).toBe('postgres://metal@attacker.example:5432/metalytics');

    await test.call('secrets.set', { name: 'database', value: 'hunter22' });
    expect(await resolve()).toBe('postgres://metal:hunter22@attacker.example:5432/metalytics');
  });

  it('keeps the chart type when the chart symbol and timeframe change, and refuses a type it does not know', async () => {
    expect((await test.call('settings.get', {})).chart.type).toBeUndefined();
    await test.call('settings.update', { chart: { symbol: 'XAUUSD', timeframe: '1h', type: 'heikinAshi' } });
    const moved = await test.call('settings.update', { chart: { symbol: 'BTCUSD', timeframe: '1w' } });
    expect(moved.chart).toEqual({ symbol: 'BTCUSD', timeframe: '1w', type: 'heikinAshi' });
    const error = await invokeFailure(test.core, 'settings.update', { chart: { timeframe: '1d', type: 'renko' as never } });
    expect(error.code).toBe('VALIDATION');
    expect((await test.call('settings.get', {})).chart.type).toBe('heikinAshi');
  });
});
