import { describe, expect, it } from 'vitest';
import { ProviderRegistry } from '../../../src/core/ingest/provider-registry';
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
    const registry = new ProviderRegistry({ METALYTICS_POLYGON_API_KEY: 'env-key-0001' }, secrets, silentLogger());
    await registry.adapter('polygon');
    expect(secrets.asked).toEqual([]);
  });

  it('falls back to the key saved in Settings, and shares one adapter while the key stays the same', async () => {
    const values: Partial<Record<SecretName, string>> = { twelvedata: 'stored-key-0001' };
    const secrets = secretsFrom(values);
    const registry = new ProviderRegistry({}, secrets, silentLogger());
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
    const registry = new ProviderRegistry({}, secrets, silentLogger());
    expect((await registry.adapter('yahoo')).id).toBe('yahoo');
    expect(secrets.asked).toEqual([]);
  });
});
