import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../shared/errors';

export type MigrationDialect = 'sqlite' | 'pg';

/** Overrides where `db/migrations` is, for packaged apps and unusual layouts. */
export const MIGRATIONS_DIR_ENV = 'METALYTICS_MIGRATIONS_DIR';

const JOURNAL = path.join('meta', '_journal.json');

/** The directory holding `<dir>/db/migrations`, searched from `start` up to the filesystem root. */
function findUpwards(start: string, dialect: MigrationDialect): string | undefined {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'db', 'migrations', dialect);
    if (fs.existsSync(path.join(candidate, JOURNAL))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The generated migrations of a dialect. This module runs from source (tsx, vitest) and
 * bundled into out/main/index.js, so the folder is found by walking up from this file,
 * then from the working directory, then from Electron's resources directory.
 */
export function migrationsFolder(dialect: MigrationDialect, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[MIGRATIONS_DIR_ENV];
  if (override) {
    const folder = path.resolve(override, dialect);
    if (!fs.existsSync(path.join(folder, JOURNAL))) {
      throw new AppError('INTERNAL', `${MIGRATIONS_DIR_ENV}=${override} has no ${dialect} migrations (expected ${folder}).`);
    }
    return folder;
  }
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd(), resourcesPath].filter(
    (start): start is string => typeof start === 'string',
  );
  for (const start of starts) {
    const found = findUpwards(start, dialect);
    if (found) return found;
  }
  throw new AppError('INTERNAL', `The database migrations were not found; set ${MIGRATIONS_DIR_ENV} to the db/migrations folder.`);
}

/**
 * The tag (`0003_add_news`) of the migration drizzle recorded last. Drizzle stores only
 * each migration's `when` stamp, so the tag comes from the journal.
 */
export function migrationTag(folder: string, appliedAt: number | undefined): string {
  if (appliedAt === undefined) return 'none';
  const journal = JSON.parse(fs.readFileSync(path.join(folder, JOURNAL), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  // A newer app may have migrated this database further than this build knows.
  return journal.entries.find((entry) => entry.when === appliedAt)?.tag ?? `unknown (${appliedAt})`;
}
