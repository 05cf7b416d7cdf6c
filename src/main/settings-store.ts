import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import Store from 'electron-store';
import type { Logger, SettingsStore } from '../core/ports';

type RawSettings = Record<string, unknown>;

function openStore(dataDir: string): Store<RawSettings> {
  // Private to the user like metalytics.db and the secrets; electron-store's default is 0666 less the umask.
  return new Store<RawSettings>({ name: 'settings', cwd: dataDir, configFileMode: 0o600 });
}

/**
 * Settings persisted with electron-store in the data directory. The core validates and fills
 * defaults, so this only moves plain objects. A file that is not valid JSON is kept aside
 * for inspection instead of stopping the app from starting.
 */
export function createSettingsStore(dataDir: string, logger: Logger): SettingsStore {
  let store: Store<RawSettings>;
  try {
    store = openStore(dataDir);
  } catch (error) {
    const file = path.join(dataDir, 'settings.json');
    if (!existsSync(file)) throw error;
    const aside = path.join(dataDir, `settings.corrupt-${Date.now()}.json`);
    renameSync(file, aside);
    logger.warn('settings file was unreadable; starting with defaults', { keptAt: aside });
    store = openStore(dataDir);
  }

  return {
    read: async () => store.store,
    write: async (settings) => {
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
        throw new TypeError('settings must be a plain object');
      }
      store.store = settings as RawSettings;
    },
  };
}
