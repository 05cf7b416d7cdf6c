import path from 'node:path';
import type { Logger } from '../ports';
import { openSqliteStorage } from './sqlite-storage';
import type { Storage } from './types';

const SQLITE_FILE_NAME = 'metalytics.db';

/**
 * The one entry to storage: Postgres when a URL is configured, otherwise the embedded
 * SQLite database in the data directory. Either way the schema is migrated before this
 * resolves; an unreachable Postgres rejects with UNAVAILABLE. The Postgres side loads on first
 * use (see loadPg).
 */
export async function openStorage(opts: {
  dataDir: string;
  databaseUrl?: string;
  logger: Logger;
  /** See RuntimeConfig.migrationsDir. */
  migrationsDir?: string;
  /** The SQLite driver build to load; see RuntimeConfig.sqliteNativeBinding. */
  sqliteNativeBinding?: string;
  /** Postgres only: the schema holding the tables (a restored workspace's); `public` when absent. */
  schema?: string;
}): Promise<Storage> {
  const { migrationsDir, schema } = opts;
  if (opts.databaseUrl) {
    const { openPostgresStorage } = await import('./pg-storage');
    return openPostgresStorage(opts.databaseUrl, opts.logger, { migrationsDir, schema });
  }
  return openSqliteStorage(path.resolve(opts.dataDir, SQLITE_FILE_NAME), opts.logger, { nativeBinding: opts.sqliteNativeBinding, migrationsDir });
}
