import type { ProviderId } from '../../shared/domain';
import type { HttpTuning } from '../http/http-client';
import type { Logger } from '../ports';
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
 * Configuration comes from METALYTICS_<PROVIDER>_* (keys move to the secret store later).
 */
export class ProviderRegistry {
  private readonly adapters = new Map<ProviderId, ProviderAdapter>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly logger: Logger,
    private readonly http?: HttpTuning,
  ) {}

  adapter(provider: ProviderId): ProviderAdapter {
    let adapter = this.adapters.get(provider);
    if (!adapter) {
      adapter = factories[provider]({
        config: providerConfigFromEnv(this.env, provider),
        logger: this.logger,
        ...(this.http ? { http: this.http } : {}),
      });
      this.adapters.set(provider, adapter);
    }
    return adapter;
  }
}
