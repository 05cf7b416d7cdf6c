import { providerIds, type ProviderId } from '../../shared/domain';
import { keyedProviders, providerVariable, readVariable, type Environment } from './environment';

/**
 * What the environment sets for one provider. Settings fill in what it leaves unset, read on
 * every use so a saved change applies at once (see providerEndpoint).
 */
export interface ProviderEnvironment {
  apiKey?: string;
  /**
   * Address and rate limit (requests per minute, 0 = no limit of our own) as written: they are
   * checked where they meet Settings, like a saved address, so a malformed one disables only
   * its provider, whose status says why, instead of stopping the app.
   */
  baseUrl?: string;
  rateLimit?: string;
}

/** The one configuration a shell resolves and hands the core in CorePorts. */
export interface RuntimeConfig {
  /** Where the SQLite database, model artifacts and backups live. */
  dataDir: string;
  /** Postgres URL (password included); absent = SQLite in dataDir. */
  databaseUrl?: string;
  /** The folder holding db/migrations/<dialect>; absent, it is searched for from the app's own files. */
  migrationsDir?: string;
  /** The better-sqlite3 native module to load; absent, the package's own. */
  sqliteNativeBinding?: string;
  /**
   * The TensorFlow.js backend to try first (tensorflow, wasm or cpu), as written; the model
   * worker checks it and ignores an unknown name. Absent, the fastest that starts.
   */
  tfjsBackend?: string;
  providers: Readonly<Record<ProviderId, ProviderEnvironment>>;
}

/** What the environment says of the configuration; each shell adds what it knows itself (the data folder, the database chosen in Settings). */
export function configFromEnvironment(env: Environment): Omit<RuntimeConfig, 'dataDir'> {
  return {
    databaseUrl: readVariable(env, 'METALYTICS_DATABASE_URL'),
    migrationsDir: readVariable(env, 'METALYTICS_MIGRATIONS_DIR'),
    sqliteNativeBinding: readVariable(env, 'METALYTICS_SQLITE_NATIVE_BINDING'),
    tfjsBackend: readVariable(env, 'METALYTICS_TFJS_BACKEND'),
    providers: providersFromEnvironment(env),
  };
}

/** Each provider's variables; see configFromEnvironment. */
export function providersFromEnvironment(env: Environment): Record<ProviderId, ProviderEnvironment> {
  const entries = providerIds.map((provider): [ProviderId, ProviderEnvironment] => [
    provider,
    {
      apiKey: keyedProviders.includes(provider) ? readVariable(env, providerVariable(provider, 'API_KEY')) : undefined,
      baseUrl: readVariable(env, providerVariable(provider, 'BASE_URL')),
      rateLimit: readVariable(env, providerVariable(provider, 'RATE_LIMIT')),
    },
  ]);
  return Object.fromEntries(entries) as Record<ProviderId, ProviderEnvironment>;
}
