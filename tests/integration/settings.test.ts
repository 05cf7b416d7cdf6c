import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      polygon: { baseUrl: 'https://proxy.example.com/massive', rateLimitPerMinute: 100 },
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
});
