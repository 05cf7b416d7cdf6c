import { providerIds, secretNames, type ProviderId } from '../../shared/domain';

/**
 * Every environment variable Metalytics reads, in one list, so the README and .env.example (checked by tests)
 * and the shells cannot drift from what is read. Only the shells read the environment, each
 * through this module; the core receives the result as a typed RuntimeConfig.
 */

/** The shells: the Electron desktop app, the one-shot CLI commands, and `metalytics serve`. */
export type Shell = 'desktop' | 'cli' | 'serve';

export interface EnvironmentVariable {
  readonly name: string;
  readonly meaning: string;
  readonly readBy: readonly Shell[];
}

const everyShell = ['desktop', 'cli', 'serve'] as const;
const headless = ['cli', 'serve'] as const;

const appVariables = [
  { name: 'METALYTICS_DATA_DIR', meaning: 'the data folder', readBy: everyShell },
  { name: 'METALYTICS_DATABASE_URL', meaning: 'the Postgres URL, password included; it wins over the database chosen in Settings', readBy: everyShell },
  { name: 'METALYTICS_MIGRATIONS_DIR', meaning: 'the folder holding db/migrations/<dialect>, for unusual layouts', readBy: everyShell },
  {
    name: 'METALYTICS_SQLITE_NATIVE_BINDING',
    meaning: "the better-sqlite3 native module to load instead of the package's own (the desktop app sets it up from a checkout)",
    readBy: everyShell,
  },
  {
    name: 'METALYTICS_TFJS_BACKEND',
    meaning: 'the TensorFlow.js backend models train on first: tensorflow (tfjs-node), wasm or cpu; a slower one is taken when it cannot start',
    readBy: everyShell,
  },
  { name: 'METALYTICS_TOKEN', meaning: 'the access token of serve; unset, a random one per run', readBy: ['serve'] },
  { name: 'METALYTICS_METRICS_TOKEN', meaning: 'a second token that opens only /metrics of a serve other machines can reach', readBy: ['serve'] },
  { name: 'METALYTICS_IMPORT_DIR', meaning: 'the only folder serve imports files from by path', readBy: ['serve'] },
  { name: 'PORT', meaning: 'the port of serve', readBy: ['serve'] },
  { name: 'METALYTICS_LOG_LEVEL', meaning: 'debug, info, warn, error or silent', readBy: headless },
  { name: 'METALYTICS_LOG_FORMAT', meaning: 'text or json log lines on stderr', readBy: headless },
  { name: 'XDG_CONFIG_HOME', meaning: "the OS's settings folder on Linux, holding the default data folder", readBy: headless },
  { name: 'APPDATA', meaning: "the OS's application data folder on Windows, holding the default data folder", readBy: headless },
  { name: 'ELECTRON_RENDERER_URL', meaning: "electron-vite dev's renderer server, loaded instead of the built renderer", readBy: ['desktop'] },
  { name: 'NODE_ENV', meaning: 'development (electron-vite dev sets it) checks every reply against the contract', readBy: everyShell },
  { name: 'VITEST', meaning: 'set by the test runner, which checks every reply against the contract', readBy: everyShell },
] as const satisfies readonly EnvironmentVariable[];

type ProviderSetting = 'API_KEY' | 'BASE_URL' | 'RATE_LIMIT';
type ProviderVariableName = `METALYTICS_${Uppercase<ProviderId>}_${ProviderSetting}`;
export type VariableName = (typeof appVariables)[number]['name'] | ProviderVariableName;

/** The providers that take a key: those with a secret of their own (keyless Yahoo has none). */
export const keyedProviders: readonly ProviderId[] = providerIds.filter((provider) => (secretNames as readonly string[]).includes(provider));

export function providerVariable(provider: ProviderId, setting: ProviderSetting): ProviderVariableName {
  return `METALYTICS_${provider.toUpperCase() as Uppercase<ProviderId>}_${setting}`;
}

const providerVariables: EnvironmentVariable[] = providerIds.flatMap((provider) => [
  ...(keyedProviders.includes(provider)
    ? [{ name: providerVariable(provider, 'API_KEY'), meaning: `the ${provider} key; it wins over the key saved in Settings`, readBy: everyShell }]
    : []),
  { name: providerVariable(provider, 'BASE_URL'), meaning: `the ${provider} address; it wins over Settings`, readBy: everyShell },
  { name: providerVariable(provider, 'RATE_LIMIT'), meaning: `${provider} requests per minute (0 = no limit of our own); it wins over Settings`, readBy: everyShell },
]);

export const environmentVariables: readonly EnvironmentVariable[] = [...appVariables, ...providerVariables];

export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable's value, trimmed; an unset and a blank variable mean the same: not configured. */
export function readVariable(env: Environment, name: VariableName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Variables whose values are secrets, so a logger can mask them wherever they turn up. */
export const secretVariables: readonly VariableName[] = [...keyedProviders.map((provider) => providerVariable(provider, 'API_KEY')), 'METALYTICS_TOKEN'];
