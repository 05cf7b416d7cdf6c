import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { providerVariable, readVariable, secretVariables, type Environment } from '../core/config/environment';
import type { RuntimeConfig } from '../core/config/runtime-config';
import type { Logger, SecretStore, SettingsStore } from '../core/ports';
import { keyInUse } from '../core/providers/provider-config';
import type { SecretName } from '../shared/domain';
import { Redactor } from '../core/logging/redact';
import { serialised } from '../core/settings/serialised';

const PRIVATE_FILE_MODE = 0o600;

/**
 * Replaces `path` in one step (temp file + rename), so a crash mid-write never leaves a
 * half-written settings or secrets file behind.
 */
async function writeFileAtomic(path: string, text: string, mode?: number): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    // The creation mode is filtered by the umask and an existing target keeps nothing: set it exactly.
    if (mode !== undefined) await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Headless secrets: the keys the environment sets first (so a server or a cron job can be
 * configured without writing a key to disk; the database password travels inside
 * METALYTICS_DATABASE_URL instead), else `<dataDir>/secrets.json` readable by
 * the owner only (0600). That file is not encrypted — there is no OS keychain to borrow
 * from on a server — so `isEncryptionAvailable()` answers false and the UI can say where
 * keys live; storing them is still allowed because a 0600 file is the design's headless
 * answer (Electron's store, by contrast, refuses without safeStorage).
 */
export function createHeadlessSecretStore(options: { dataDir: string; providers: RuntimeConfig['providers']; logger: Logger }): SecretStore {
  const { dataDir, providers, logger } = options;
  const file = join(dataDir, 'secrets.json');
  const exclusive = serialised();

  const readFileSecrets = async (): Promise<Partial<Record<SecretName, string>>> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) {
      logger.warn('secrets file was readable by others; restricting it to its owner', { file });
      await chmod(file, PRIVATE_FILE_MODE);
    }
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Partial<Record<SecretName, string>>) : {};
  };

  const update = (change: (secrets: Partial<Record<SecretName, string>>) => void) =>
    exclusive(async () => {
      const secrets = await readFileSecrets();
      change(secrets);
      await mkdir(dataDir, { recursive: true });
      await writeFileAtomic(file, `${JSON.stringify(secrets, null, 2)}\n`, PRIVATE_FILE_MODE);
    });

  const environmentKey = (name: SecretName): string | undefined => (name === 'database' ? undefined : providers[name].apiKey);

  return {
    isEncryptionAvailable: () => false,
    get: async (name) => (await keyInUse(environmentKey(name), async () => (await readFileSecrets())[name]))?.value,
    set: async (name, value) => {
      if (name !== 'database' && environmentKey(name)) {
        logger.warn('stored a secret that an environment variable overrides', { name, variable: providerVariable(name, 'API_KEY') });
      }
      await update((secrets) => {
        secrets[name] = value;
      });
    },
    delete: async (name) => {
      await update((secrets) => {
        delete secrets[name];
      });
    },
  };
}

/** Headless settings: `<dataDir>/settings.json`, replaced atomically; the core validates the contents. */
export function createHeadlessSettingsStore(options: { dataDir: string; logger: Logger }): SettingsStore {
  const { dataDir, logger } = options;
  const file = join(dataDir, 'settings.json');
  const exclusive = serialised();
  return {
    read: async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Keep the damaged file for the user to inspect instead of overwriting it on the next save.
        const kept = `${file}.corrupt-${Date.now()}`;
        await rename(file, kept);
        logger.warn('settings file was not valid JSON; moved it aside and using defaults', { kept });
        return undefined;
      }
    },
    write: (settings) =>
      exclusive(async () => {
        await mkdir(dataDir, { recursive: true });
        // Not secret, but it names the database host and the user's setup: private like the rest.
        await writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, PRIVATE_FILE_MODE);
      }),
  };
}

export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Secret values the environment hands this process, so the logger can mask them wherever they turn up. */
export function environmentSecrets(env: Environment): string[] {
  return secretVariables.map((name) => readVariable(env, name)).filter((value): value is string => value !== undefined);
}

/**
 * Logs to stderr so stdout stays for a command's own output (the serve URL, --json).
 * `text` is for people, `json` (one object per line) for log collectors.
 */
export function createStderrLogger(options: {
  level: LogLevel;
  format: 'text' | 'json';
  write?: (line: string) => void;
  /** Secret values to mask wherever they appear; shapes (URL passwords, keys in query strings) are masked regardless. */
  secrets?: Iterable<string>;
}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const redactor = new Redactor();
  for (const secret of options.secrets ?? []) redactor.addSecret(secret);
  const threshold = logLevels.indexOf(options.level);
  const log = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (logLevels.indexOf(level) < threshold) return;
    const time = new Date().toISOString();
    const safeMessage = redactor.text(message);
    const safeFields = fields ? (redactor.value(fields) as Record<string, unknown>) : {};
    if (options.format === 'json') {
      write(`${JSON.stringify({ time, level, message: safeMessage, ...safeFields })}\n`);
      return;
    }
    const extra = Object.entries(safeFields)
      .map(([field, value]) => `${field}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    write(`${time} ${level.toUpperCase().padEnd(5)} ${safeMessage}${extra ? ` ${extra}` : ''}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
