import type { SecretName } from '../shared/domain';
import type { SecretHealth } from '../shared/secret-health';
import type { RuntimeConfig } from './config/runtime-config';

/**
 * Capabilities the shells lend the core. Electron passes safeStorage and electron-store;
 * headless Node passes environment variables and files in the data directory.
 */
export interface SecretStore {
  /** False when secrets cannot be stored encrypted; `set` then refuses rather than write plaintext. */
  isEncryptionAvailable(): boolean;
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** Which saved secrets this session cannot open, and why; only stores sealed by an OS keyring have this. */
  health?(): Promise<SecretHealth>;
}

/** Raw settings persistence; the core validates and fills defaults. */
export interface SettingsStore {
  read(): Promise<unknown>;
  write(settings: unknown): Promise<void>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface CorePorts {
  /** Resolved by the shell from its environment, flags and settings file; the core never reads process.env. */
  config: RuntimeConfig;
  appVersion: string;
  secrets: SecretStore;
  settings: SettingsStore;
  logger: Logger;
  /** Injected for tests; defaults to Date.now. */
  now?: () => number;
}
