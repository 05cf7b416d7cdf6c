import fs from 'node:fs';
import os from 'node:os';
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

function journalTags(folder: string): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, JOURNAL), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}

/** Where `tag` stands among this build's migrations of `dialect`: its index, or null when this build does not know it (a newer one). */
export function migrationIndex(dialect: MigrationDialect, tag: string, migrationsDir?: string): { index: number | null; latest: string } {
  const tags = journalTags(migrationsFolder(dialect, migrationsDir));
  const index = tags.indexOf(tag);
  return { index: index === -1 ? null : index, latest: tags.at(-1) ?? 'none' };
}

/**
 * A migrations folder (for `migrationsDir`) holding both dialects' migrations up to and
 * including `tag` only: a database built from it is at that version, as an older backup's
 * was. A temporary copy, removed by `cleanup`.
 */
export function migrationsUpTo(tag: string, migrationsDir?: string): { migrationsDir: string; cleanup: () => void } {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-migrations-'));
  try {
    for (const dialect of ['sqlite', 'pg'] as const) {
      const source = migrationsFolder(dialect, migrationsDir);
      const target = path.join(copy, dialect);
      fs.cpSync(source, target, { recursive: true });
      const journalFile = path.join(target, JOURNAL);
      const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
      const end = journal.entries.findIndex((entry) => entry.tag === tag);
      if (end === -1) throw new AppError('VALIDATION', `This version of Metalytics has no database migration ${tag}.`);
      fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, end + 1) }));
    }
  } catch (error) {
    fs.rmSync(copy, { recursive: true, force: true });
    throw error;
  }
  return { migrationsDir: copy, cleanup: () => fs.rmSync(copy, { recursive: true, force: true }) };
}
