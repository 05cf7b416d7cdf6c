/**
 * A database as an older version of the app left it: the generated migrations up to a tag,
 * applied by drizzle's migrator as start-up applies them, then rows written by the test's own
 * SQL for the tables as they were at that version. None of today's storage code runs, so a
 * column a later migration adds cannot break the seeding, and the data is what that version
 * held rather than what today's code would write.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import pg from 'pg';
import { migrationsFolder, migrationsUpTo, type MigrationDialect } from '../../src/core/storage/migrations';

/** The tag of the migration just before `tag` in this build, whatever number others' migrations took. */
export function migrationBefore(dialect: MigrationDialect, tag: string): string {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(dialect), 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  if (index < 1) throw new Error(`${tag} is not a migration after another one in the ${dialect} journal`);
  return journal.entries[index - 1]!.tag;
}

/** One statement with its positional parameters (`?` on SQLite, `$1` on Postgres). */
export interface SeedStatement {
  text: string;
  rows: readonly (readonly unknown[])[];
}

/** The SQLite file at `file` migrated up to `tag`, then seeded in one transaction. */
export function buildOlderSqlite(file: string, tag: string, seed: readonly SeedStatement[]): void {
  const older = migrationsUpTo(tag);
  const db = new Database(file);
  try {
    migrateSqlite(drizzleSqlite({ client: db }), { migrationsFolder: path.join(older.migrationsDir, 'sqlite') });
    db.transaction(() => {
      for (const statement of seed) {
        const prepared = db.prepare(statement.text);
        for (const row of statement.rows) prepared.run(...row);
      }
    })();
  } finally {
    db.close();
    older.cleanup();
  }
}

/** The Postgres database at `url` migrated up to `tag` (its record in `drizzle`, as start-up keeps it), then seeded in one transaction. */
export async function buildOlderPostgres(url: string, tag: string, seed: readonly SeedStatement[]): Promise<void> {
  const older = migrationsUpTo(tag);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migratePg(drizzlePg({ client }), { migrationsFolder: path.join(older.migrationsDir, 'pg'), migrationsSchema: 'drizzle' });
    await client.query('BEGIN');
    for (const statement of seed) for (const row of statement.rows) await client.query(statement.text, [...row]);
    await client.query('COMMIT');
  } finally {
    await client.end();
    older.cleanup();
  }
}
