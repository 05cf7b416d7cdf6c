import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readVariable, type Environment } from '../core/config/environment';
import { configFromEnvironment, type RuntimeConfig } from '../core/config/runtime-config';
import { logLevels, type LogLevel } from '../server/headless-ports';
import { CliError, exitCodes } from './exit-codes';
import { DEFAULT_PORT, parsePort } from './options';

const APP_FOLDER = 'Metalytics';

/**
 * The folder Electron's `app.getPath('userData')` names for "Metalytics" on each OS, so
 * the desktop app and the headless server share one workspace by default.
 */
export function defaultDataDir(platform: NodeJS.Platform, env: Environment, home: string = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER);
  if (platform === 'win32') return join(readVariable(env, 'APPDATA') ?? join(home, 'AppData', 'Roaming'), APP_FOLDER);
  return join(readVariable(env, 'XDG_CONFIG_HOME') ?? join(home, '.config'), APP_FOLDER);
}

/** `--data-dir`, else METALYTICS_DATA_DIR, else the OS app-data folder. */
export function resolveDataDir(flag: string | undefined, env: Environment): string {
  return resolve(flag ?? readVariable(env, 'METALYTICS_DATA_DIR') ?? defaultDataDir(process.platform, env));
}

/**
 * A command's configuration from its flags and the environment. `databaseUrl` is
 * `--database-url`, else METALYTICS_DATABASE_URL; undefined leaves the choice to Settings
 * (SQLite by default), made when the workspace opens.
 */
export function resolveHeadlessConfig(flags: { dataDir?: string; databaseUrl?: string }, env: Environment): RuntimeConfig {
  const fromEnvironment = configFromEnvironment(env);
  return { ...fromEnvironment, dataDir: resolveDataDir(flags.dataDir, env), databaseUrl: flags.databaseUrl ?? fromEnvironment.databaseUrl };
}

/** `--port`, else PORT, else 8787. */
export function resolvePort(flag: number | undefined, env: Environment): number {
  if (flag !== undefined) return flag;
  const fromEnv = readVariable(env, 'PORT');
  if (fromEnv === undefined) return DEFAULT_PORT;
  try {
    return parsePort(fromEnv);
  } catch {
    throw new CliError(`PORT="${fromEnv}" is not a port: use a whole number from 0 to 65535.`, exitCodes.usage);
  }
}

/** METALYTICS_TOKEN when set (stable links across restarts), else a fresh random one per run. */
export function resolveToken(env: Environment): string {
  return readVariable(env, 'METALYTICS_TOKEN') ?? randomBytes(24).toString('base64url');
}

/** METALYTICS_METRICS_TOKEN: a token that opens only /metrics of a remote `serve`; unset, the API token alone. */
export function resolveMetricsToken(env: Environment): string | undefined {
  return readVariable(env, 'METALYTICS_METRICS_TOKEN');
}

/** METALYTICS_IMPORT_DIR: the folder whose files `serve` may import by path; unset, none. */
export function resolveImportDir(env: Environment): string | undefined {
  const dir = readVariable(env, 'METALYTICS_IMPORT_DIR');
  return dir === undefined ? undefined : resolve(dir);
}

/** METALYTICS_LOG_LEVEL and METALYTICS_LOG_FORMAT (`text` or `json`). */
export function resolveLogSettings(env: Environment, defaultLevel: LogLevel): { level: LogLevel; format: 'text' | 'json' } {
  const level = readVariable(env, 'METALYTICS_LOG_LEVEL')?.toLowerCase();
  const format = readVariable(env, 'METALYTICS_LOG_FORMAT')?.toLowerCase();
  if (level !== undefined && !(logLevels as readonly string[]).includes(level)) {
    throw new CliError(`METALYTICS_LOG_LEVEL="${level}" is not one of ${logLevels.join(', ')}.`, exitCodes.usage);
  }
  if (format !== undefined && format !== 'text' && format !== 'json') {
    throw new CliError(`METALYTICS_LOG_FORMAT="${format}" is not text or json.`, exitCodes.usage);
  }
  return { level: (level as LogLevel | undefined) ?? defaultLevel, format: format ?? 'text' };
}
