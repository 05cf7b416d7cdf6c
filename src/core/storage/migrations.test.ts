import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder, migrationTag } from './migrations';

const MIGRATIONS_DIR_ENV = 'METALYTICS_MIGRATIONS_DIR';

const temp: string[] = [];
afterEach(() => {
  for (const dir of temp.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function fakeMigrations(entries: { tag: string; when: number }[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-migrations-'));
  temp.push(root);
  fs.mkdirSync(path.join(root, 'sqlite', 'meta'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sqlite', 'meta', '_journal.json'), JSON.stringify({ entries }));
  return root;
}

describe('migrationsFolder', () => {
  it('finds db/migrations of the repository from the source tree', () => {
    for (const dialect of ['sqlite', 'pg'] as const) {
      const folder = migrationsFolder(dialect);
      expect(folder.endsWith(path.join('db', 'migrations', dialect))).toBe(true);
      expect(fs.existsSync(path.join(folder, 'meta', '_journal.json'))).toBe(true);
    }
  });

  it(`prefers ${MIGRATIONS_DIR_ENV} and says so when it points nowhere useful`, () => {
    const root = fakeMigrations([]);
    expect(migrationsFolder('sqlite', root)).toBe(path.join(root, 'sqlite'));
    expect(() => migrationsFolder('pg', root)).toThrow(MIGRATIONS_DIR_ENV);
  });
});

describe('migrationTag', () => {
  it('names the recorded migration by its journal tag', () => {
    const folder = path.join(fakeMigrations([{ tag: '0000_initial', when: 100 }, { tag: '0001_news', when: 200 }]), 'sqlite');
    expect(migrationTag(folder, 200)).toBe('0001_news');
    expect(migrationTag(folder, undefined)).toBe('none');
    expect(migrationTag(folder, 300)).toBe('unknown (300)');
  });
});
