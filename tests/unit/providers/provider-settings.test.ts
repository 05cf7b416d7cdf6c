import { describe, expect, it } from 'vitest';
import { providersFromEnvironment } from '../../../src/core/config/runtime-config';
import { ProviderRegistry } from '../../../src/core/providers/registry';
import type { ProviderId, ProviderSettings } from '../../../src/shared/domain';
import { silentLogger } from '../../support/silent-logger';

const noSecrets = { get: async () => undefined };

function registryWith(env: Record<string, string>, saved: Partial<Record<ProviderId, ProviderSettings>>) {
  return new ProviderRegistry(providersFromEnvironment(env), noSecrets, silentLogger(), undefined, async () => saved);
}

describe('provider address and rate limit from Settings', () => {
  it('uses the saved address and rate limit when no METALYTICS_* variable is set', async () => {
    const status = await registryWith({}, { polygon: { baseUrl: 'https://proxy.example.com/massive/', rateLimitPerMinute: 100 } }).status('polygon');
    expect(status.baseUrl).toBe('https://proxy.example.com/massive');
    expect(status.rateLimitPerMinute).toBe(100);
    expect(status.configError).toBeNull();
  });

  it('lets the environment win, variable by variable, and ignores blank variables', async () => {
    const registry = registryWith(
      { METALYTICS_TWELVEDATA_RATE_LIMIT: '0', METALYTICS_TWELVEDATA_BASE_URL: '  ' },
      { twelvedata: { baseUrl: 'http://127.0.0.1:9999', rateLimitPerMinute: 55 } },
    );
    const status = await registry.status('twelvedata');
    expect(status.rateLimitPerMinute).toBe(0);
    expect(status.baseUrl).toBe('http://127.0.0.1:9999');
  });

  it('keeps the defaults for providers with nothing saved', async () => {
    const status = await registryWith({}, { polygon: { rateLimitPerMinute: 100 } }).status('yahoo');
    expect(status.baseUrl).toBe('https://query1.finance.yahoo.com');
    expect(status.rateLimitPerMinute).toBe(30);
  });

  it('builds a new adapter when the saved address changes, since that is another service and budget', async () => {
    const saved: Partial<Record<ProviderId, ProviderSettings>> = { yahoo: { baseUrl: 'http://127.0.0.1:1' } };
    const registry = new ProviderRegistry(providersFromEnvironment({}), noSecrets, silentLogger(), undefined, async () => saved);
    const first = await registry.adapter('yahoo');
    expect(await registry.adapter('yahoo')).toBe(first);
    saved.yahoo = { baseUrl: 'http://127.0.0.1:2' };
    expect(await registry.adapter('yahoo')).not.toBe(first);
  });
});
