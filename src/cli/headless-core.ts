import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createCore, type Core } from '../core/create-core';
import type { Logger, SecretStore, SettingsStore } from '../core/ports';
import { isAppError } from '../shared/errors';
import { createHeadlessSecretStore, createHeadlessSettingsStore, redactText } from '../server/headless-ports';
import { CliError, exitCodeFor, exitCodes } from './exit-codes';

export function readAppVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

/**
 * The Postgres URL to open: an explicit one (flag or environment) wins; otherwise the one
 * chosen in Settings, which is stored without its password, completed with the `database`
 * secret — the same pairing the desktop app uses. Undefined means SQLite in the data dir.
 */
async function resolveDatabaseUrl(explicit: string | undefined, settings: SettingsStore, secrets: SecretStore): Promise<string | undefined> {
  if (explicit) return explicit;
  const stored = await settings.read();
  const fromSettings = stored && typeof stored === 'object' ? (stored as { databaseUrl?: unknown }).databaseUrl : undefined;
  if (typeof fromSettings !== 'string' || fromSettings === '') return undefined;
  const password = await secrets.get('database');
  if (!password) return fromSettings;
  const url = new URL(fromSettings);
  if (!url.password) url.password = password;
  return url.toString();
}

/**
 * Builds the one core a CLI process uses, from files in the data directory and the
 * environment. Failures to open become a CliError with a sentence and an exit code.
 */
export async function openHeadlessCore(options: {
  dataDir: string;
  databaseUrl: string | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<Core> {
  const { dataDir, env, logger } = options;
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new CliError(`Cannot create the data folder ${dataDir}: ${(error as Error).message}`, exitCodes.failure);
  }
  const secrets = createHeadlessSecretStore({ dataDir, env, logger });
  const settings = createHeadlessSettingsStore({ dataDir, logger });
  try {
    const databaseUrl = await resolveDatabaseUrl(options.databaseUrl, settings, secrets);
    return await createCore({ dataDir, databaseUrl, appVersion: readAppVersion(), secrets, settings, logger });
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message, exitCodeFor(error.code));
    const message = redactText(error instanceof Error ? error.message : String(error));
    throw new CliError(`Could not open the Metalytics workspace in ${dataDir}: ${message}`, exitCodes.failure);
  }
}
