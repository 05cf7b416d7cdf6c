import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { openStorage } from '../../src/core/storage/open-storage';
import { describeStorageContract } from './storage-contract';
import { silentLogger } from '../support/silent-logger';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describeStorageContract(
  'SQLite',
  async () => {
    // A data directory that does not exist yet: opening must create it.
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metalytics-sqlite-')), 'data');
    dirs.push(path.dirname(dataDir));
    let raw: Database.Database | undefined;
    return {
      open: (options) => openStorage({ dataDir, logger: silentLogger(), ...options }),
      sql: async (text, params = []) => {
        raw ??= new Database(path.join(dataDir, 'metalytics.db'));
        const statement = raw.prepare(text);
        return statement.reader ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
      },
      dispose: async () => {
        raw?.close();
      },
    };
  },
  { mode: 'sqlite', migrationsDialect: 'sqlite', location: /metalytics-sqlite-.*[/\\]data[/\\]metalytics\.db$/ },
);
