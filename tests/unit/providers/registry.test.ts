import { describe, expect, it } from 'vitest';
import { providersFromEnvironment } from '../../../src/core/config/runtime-config';
import { ProviderRegistry } from '../../../src/core/providers/registry';
import type { SecretName } from '../../../src/shared/domain';
import { silentLogger } from '../../support/silent-logger';

function secretsFrom(values: Partial<Record<SecretName, string>>) {
  const asked: SecretName[] = [];
  return {
    asked,
    get: async (name: SecretName) => {
      asked.push(name);
      return values[name];
    },
  };
}

describe('ProviderRegistry', () => {
  it('takes the key from the environment first and does not read the secret store then', async () => {
    const secrets = secretsFrom({ polygon: 'stored-key-0001' });
    const registry = new ProviderRegistry(providersFromEnvironment({ METALYTICS_POLYGON_API_KEY: 'env-key-0001' }), secrets, silentLogger());
    await registry.adapter('polygon');
    expect(secrets.asked).toEqual([]);
  });

  it('falls back to the key saved in Settings, and shares one adapter while the key stays the same', async () => {
    const values: Partial<Record<SecretName, string>> = { twelvedata: 'stored-key-0001' };
    const secrets = secretsFrom(values);
    const registry = new ProviderRegistry(providersFromEnvironment({}), secrets, silentLogger());
    const first = await registry.adapter('twelvedata');
    expect(secrets.asked).toEqual(['twelvedata']);
    expect(await registry.adapter('twelvedata')).toBe(first);

    values.twelvedata = 'stored-key-0002';
    const replaced = await registry.adapter('twelvedata');
    expect(replaced).not.toBe(first);
    expect(await registry.adapter('twelvedata')).toBe(replaced);
  });

  it('never asks for a key for keyless Yahoo', async () => {
    const secrets = secretsFrom({});
    const registry = new ProviderRegistry(providersFromEnvironment({}), secrets, silentLogger());
    expect((await registry.adapter('yahoo')).id).toBe('yahoo');
    expect(secrets.asked).toEqual([]);
  });

  describe('status', () => {
    it('names where the key comes from and shows only its last four characters', async () => {
      const registry = new ProviderRegistry(
        providersFromEnvironment({ METALYTICS_POLYGON_API_KEY: '  env-key-polygon-0001  ' }),
        secretsFrom({ polygon: 'stored-key-polygon-0002', twelvedata: 'stored-key-twelve-0003' }),
        silentLogger(),
      );
      const [yahoo, polygon, twelvedata, metalsapi] = await registry.statuses();
      expect(yahoo).toMatchObject({ id: 'yahoo', needsKey: false, keySource: null, last4: null });
      expect(polygon).toMatchObject({ keySource: 'environment', last4: '0001', baseUrl: 'https://api.massive.com', rateLimitPerMinute: 5 });
      expect(twelvedata).toMatchObject({ keySource: 'secret-store', last4: '0003', dailyCredits: 800 });
      expect(metalsapi).toMatchObject({ keySource: null, last4: null, configError: null });
    });

    it('keeps the last four characters of a short key to itself', async () => {
      const registry = new ProviderRegistry(providersFromEnvironment({ METALYTICS_POLYGON_API_KEY: 'abcd1234' }), secretsFrom({}), silentLogger());
      expect(await registry.status('polygon')).toMatchObject({ keySource: 'environment', last4: null });
    });

    it('turns a malformed variable or an unreadable saved key into configError and still describes the provider', async () => {
      const secrets = {
        get: async () => {
          throw new Error('the keychain is locked');
        },
      };
      const registry = new ProviderRegistry(providersFromEnvironment({ METALYTICS_TWELVEDATA_BASE_URL: 'ftp://example.com' }), secrets, silentLogger());
      expect(await registry.status('twelvedata')).toMatchObject({
        configError: 'METALYTICS_TWELVEDATA_BASE_URL must start with https:// or http://. The key saved in Settings could not be read: the keychain is locked',
        keySource: null,
        baseUrl: 'https://api.twelvedata.com',
        timeframes: ['1m', '5m', '15m', '30m', '1h', '1d'],
      });
    });

    it('drops the free-tier daily cap when the rate limit declares a paid plan', async () => {
      const registry = new ProviderRegistry(providersFromEnvironment({ METALYTICS_TWELVEDATA_RATE_LIMIT: '55' }), secretsFrom({}), silentLogger());
      expect(await registry.status('twelvedata')).toMatchObject({ rateLimitPerMinute: 55, dailyCredits: null });
    });
  });
});
