import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../shared/errors';

export type MigrationDialect = 'sqlite' | 'pg';

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
 * The generated migrations of a dialect, in `<migrationsDir>/<dialect>` when the shell names
 * the folder (METALYTICS_MIGRATIONS_DIR; the desktop app always names where it keeps them).
 * Otherwise this module runs from source (the CLI through tsx, vitest), so the folder is found
 * by walking up from this file, then from the working directory.
 */
export function migrationsFolder(dialect: MigrationDialect, migrationsDir?: string): string {
  if (migrationsDir) {
    const folder = path.resolve(migrationsDir, dialect);
    if (!fs.existsSync(path.join(folder, JOURNAL))) {
      throw new AppError('INTERNAL', `METALYTICS_MIGRATIONS_DIR=${migrationsDir} has no ${dialect} migrations (expected ${folder}).`);
    }
    return folder;
  }
  for (const start of [path.dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    const found = findUpwards(start, dialect);
    if (found) return found;
  }
  throw new AppError('INTERNAL', `The database migrations were not found; set METALYTICS_MIGRATIONS_DIR to the db/migrations folder.`);
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
