import { mkdir } from 'node:fs/promises';
import type { RuntimeConfig } from '../core/config/runtime-config';
import { createCore, type Core } from '../core/create-core';
import type { Logger } from '../core/ports';
import { databaseUrlFromSettings } from '../core/settings/database-url';
import { isAppError } from '../shared/errors';
import { redactText } from '../core/logging/redact';
import { createHeadlessSecretStore, createHeadlessSettingsStore } from '../server/headless-ports';
import { CliError, exitCodeFor, exitCodes } from './exit-codes';
import { readAppVersion } from './package-root';

/**
 * Builds the one core a CLI process uses, from the command's configuration and files in the
 * data directory. Failures to open become a CliError with a sentence and an exit code.
 */
export async function openHeadlessCore(options: {
  config: RuntimeConfig;
  /** See shouldValidateOutput. */
  validateOutput: boolean;
  logger: Logger;
}): Promise<Core> {
  const { config, validateOutput, logger } = options;
  const { dataDir } = config;
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new CliError(`Cannot create the data folder ${dataDir}: ${(error as Error).message}`, exitCodes.failure);
  }
  const secrets = createHeadlessSecretStore({ dataDir, providers: config.providers, logger });
  const settings = createHeadlessSettingsStore({ dataDir, logger });
  try {
    // The desktop app's rule, so both shells open the same database from the same settings.
    const databaseUrl = await databaseUrlFromSettings(await settings.read(), config.databaseUrl, () => secrets.get('database'));
    return await createCore({ config: { ...config, databaseUrl }, appVersion: readAppVersion(), secrets, settings, logger }, { validateOutput });
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message, exitCodeFor(error.code));
    const message = redactText(error instanceof Error ? error.message : String(error));
    throw new CliError(`Could not open the Metalytics workspace in ${dataDir}: ${message}`, exitCodes.failure);
  }
}
