import { describe, expect, it } from 'vitest';
import { providersFromEnvironment } from '../../../src/core/config/runtime-config';
import { providerEndpoint } from '../../../src/core/providers/provider-config';
import type { ProviderConfig } from '../../../src/core/providers/types';
import type { ProviderId } from '../../../src/shared/domain';

/** What the environment alone gives a provider: its key from the environment layer, its address and limit through providerEndpoint. */
function providerConfigFromEnv(env: Record<string, string>, provider: ProviderId): ProviderConfig {
  const environment = providersFromEnvironment(env)[provider];
  return { ...(environment.apiKey !== undefined && { apiKey: environment.apiKey }), ...providerEndpoint(provider, environment, undefined) };
}

describe('providerConfigFromEnv', () => {
  it('defaults to the production address and the free-tier limit, without a key', () => {
    expect(providerConfigFromEnv({}, 'yahoo')).toEqual({ baseUrl: 'https://query1.finance.yahoo.com', rateLimitPerMinute: 30 });
    expect(providerConfigFromEnv({}, 'polygon')).toEqual({ baseUrl: 'https://api.massive.com', rateLimitPerMinute: 5 });
    expect(providerConfigFromEnv({}, 'twelvedata')).toEqual({ baseUrl: 'https://api.twelvedata.com', rateLimitPerMinute: 8 });
    expect(providerConfigFromEnv({}, 'metalsapi')).toEqual({ baseUrl: 'https://metals-api.com/api', rateLimitPerMinute: 60 });
  });

  it('reads METALYTICS_<PROVIDER>_API_KEY, _BASE_URL and _RATE_LIMIT', () => {
    const env = {
      METALYTICS_POLYGON_API_KEY: ' pk_123 ',
      METALYTICS_POLYGON_BASE_URL: 'https://api.polygon.io/',
      METALYTICS_POLYGON_RATE_LIMIT: '100',
    };
    expect(providerConfigFromEnv(env, 'polygon')).toEqual({ apiKey: 'pk_123', baseUrl: 'https://api.polygon.io', rateLimitPerMinute: 100 });
    expect(providerConfigFromEnv({ METALYTICS_METALSAPI_API_KEY: 'ma', METALYTICS_METALSAPI_BASE_URL: 'http://127.0.0.1:9/metalsapi/api' }, 'metalsapi')).toEqual({
      apiKey: 'ma',
      baseUrl: 'http://127.0.0.1:9/metalsapi/api',
      rateLimitPerMinute: 60,
    });
  });

  it('takes 0 as unlimited and blank values as unset', () => {
    expect(providerConfigFromEnv({ METALYTICS_TWELVEDATA_RATE_LIMIT: '0' }, 'twelvedata').rateLimitPerMinute).toBe(0);
    expect(providerConfigFromEnv({ METALYTICS_TWELVEDATA_API_KEY: '  ', METALYTICS_TWELVEDATA_RATE_LIMIT: '' }, 'twelvedata')).toEqual({
      baseUrl: 'https://api.twelvedata.com',
      rateLimitPerMinute: 8,
    });
  });

  it('reads exactly those names: other providers and near-miss spellings are ignored', () => {
    const env = { METALYTICS_POLYGON_API_KEY: 'pk', METALYTICS_TWELVEDATA_APIKEY: 'td', TWELVEDATA_API_KEY: 'td' };
    expect(providerConfigFromEnv(env, 'twelvedata').apiKey).toBeUndefined();
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => providerConfigFromEnv({ METALYTICS_YAHOO_RATE_LIMIT: 'fast' }, 'yahoo')).toThrow(/METALYTICS_YAHOO_RATE_LIMIT/);
    expect(() => providerConfigFromEnv({ METALYTICS_YAHOO_RATE_LIMIT: '-1' }, 'yahoo')).toThrow(/METALYTICS_YAHOO_RATE_LIMIT/);
    expect(() => providerConfigFromEnv({ METALYTICS_POLYGON_BASE_URL: 'api.polygon.io' }, 'polygon')).toThrow(/METALYTICS_POLYGON_BASE_URL/);
    expect(() => providerConfigFromEnv({ METALYTICS_POLYGON_BASE_URL: 'ftp://x' }, 'polygon')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('provider addresses from the environment', () => {
  it('refuse plain http to another host, so a key never crosses a network in clear text, and allow it to this computer', () => {
    expect(() => providerConfigFromEnv({ METALYTICS_POLYGON_BASE_URL: 'http://proxy.example.com' }, 'polygon')).toThrow(/https:\/\/ \(http:\/\/ only for this computer\)/);
    expect(providerConfigFromEnv({ METALYTICS_POLYGON_BASE_URL: 'http://127.0.0.1:8080/' }, 'polygon').baseUrl).toBe('http://127.0.0.1:8080');
    expect(providerConfigFromEnv({ METALYTICS_POLYGON_BASE_URL: 'https://proxy.example.com' }, 'polygon').baseUrl).toBe('https://proxy.example.com');
  });
});
