import type { ArchiveManifest } from '../../../shared/backups';
import type { Logger } from '../../ports';

/** Where a restore puts the database: a new SQLite file, or a new schema in the configured Postgres database. */
export type RestoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

/** Tables a restore keeps from the live database rather than taking the archive's (restore-switch carries them over). */
export { CATALOGUE_TABLES } from '../archive/table-digest';

export interface RestoredWorkspace {
  manifest: ArchiveManifest;
  /** As loaded into the target. */
  tables: { name: string; rows: number }[];
  /** Caller-owned folder holding what is not in the database. */
  stagingDir: string;
  /** The model artifact files extracted, laid out as under `<dataDir>/models`; null when the archive has none. */
  modelsDir: string | null;
  /** The archive's settings.json, parsed. */
  settings: unknown;
  /** Only with the right passphrase; null when the archive holds none or no passphrase was given. */
  secrets: Record<string, string> | null;
}

export interface RestoreOptions {
  /** Opens the archive's sealed secrets; a wrong one refuses the whole restore. */
  passphrase?: string;
  /** See RuntimeConfig.sqliteNativeBinding. */
  sqliteNativeBinding?: string;
  /** See RuntimeConfig.migrationsDir. */
  migrationsDir?: string;
  logger: Logger;
  /** An empty folder the caller owns (and removes); the extracted files go there. */
  stagingDir: string;
  /** The share of the work done, 0 to 1. */
  progress(fraction: number): void;
  throwIfCancelled(): void;
}
