import type { ProviderId } from '../../shared/domain';
import type { HttpTuning } from '../http/http-client';
import type { Logger, SecretStore } from '../ports';
import { createMetalsApiAdapter } from '../providers/metals-api';
import { createPolygonAdapter } from '../providers/polygon';
import { createTwelveDataAdapter } from '../providers/twelvedata';
import { providerConfigFromEnv, type AdapterDeps, type ProviderAdapter } from '../providers/types';
import { createYahooAdapter } from '../providers/yahoo';

const factories: Readonly<Record<ProviderId, (deps: AdapterDeps) => ProviderAdapter>> = {
  yahoo: createYahooAdapter,
  polygon: createPolygonAdapter,
  twelvedata: createTwelveDataAdapter,
  metalsapi: createMetalsApiAdapter,
};

/**
 * One adapter per provider for the whole core, built on first use: each owns its
 * provider's rate limiter, so every job calling that provider shares the same budget.
 * Address and rate limit come from METALYTICS_<PROVIDER>_*; the key from
 * METALYTICS_<PROVIDER>_API_KEY when set, else from the secret store (the key saved in
 * Settings). A changed key builds a new adapter, since it is another account and budget.
 */
export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, { apiKey: string | undefined; adapter: ProviderAdapter }>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly secrets: Pick<SecretStore, 'get'>,
    private readonly logger: Logger,
    private readonly http?: HttpTuning,
  ) {}

  async adapter(provider: ProviderId): Promise<ProviderAdapter> {
    const config = providerConfigFromEnv(this.env, provider);
    // Yahoo is keyless; the others' keys live under the provider's own secret name.
    const apiKey = config.apiKey ?? (provider === 'yahoo' ? undefined : await this.secrets.get(provider));
    const cached = this.adapters.get(provider);
    if (cached && cached.apiKey === apiKey) return cached.adapter;
    const adapter = factories[provider]({
      config: { ...config, apiKey },
      logger: this.logger,
      ...(this.http ? { http: this.http } : {}),
    });
    this.adapters.set(provider, { apiKey, adapter });
    return adapter;
  }
}
