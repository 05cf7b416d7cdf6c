/**
 * The ≥1 GiB SQLite workspace the backup figures read, built once through the storage's own
 * bulk path (upsertBars, with its rollups) and kept in a cache folder under the OS temp
 * folder, so later runs reuse it rather than spend minutes filling it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '../../src/core/storage/open-storage';
import { silentLogger } from '../support/silent-logger';
import { syntheticMinuteBars } from './stats';

/** Minute bars per symbol, so the database holds several realistic series rather than one. */
const SYMBOLS = ['XAUUSD', 'XAGUSD', 'BTCUSD', 'EURUSD'];
const CHUNK = 10_000;
/** Written last: a folder without it is a build that was interrupted, and is built again. */
const COMPLETE = 'complete';

/** The data folder of a workspace holding `bars` 1m bars (built on first use), and its database file. */
export async function cachedBackupWorkspace(bars: number): Promise<{ dataDir: string; file: string; built: boolean }> {
  const name = `metalytics-bench-backup-cache-${bars}`;
  const dataDir = path.join(os.tmpdir(), name);
  const file = path.join(dataDir, 'metalytics.db');
  if (fs.existsSync(path.join(dataDir, COMPLETE))) return { dataDir, file, built: false };
  // Caches of other sizes are from earlier settings: a GiB each is too much to leave behind.
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (entry.startsWith('metalytics-bench-backup-cache-')) fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
  fs.mkdirSync(dataDir, { mode: 0o755 });
  const storage = await openStorage({ dataDir, logger: silentLogger() });
  try {
    const perSymbol = Math.ceil(bars / SYMBOLS.length);
    for (const [index, symbol] of SYMBOLS.entries()) {
      const count = Math.min(perSymbol, bars - index * perSymbol);
      for (const chunk of syntheticMinuteBars(Date.UTC(2005, 0, 3), count, CHUNK)) {
        await storage.marketData.upsertBars({ symbol, timeframe: '1m', source: 'bench', bars: chunk });
      }
    }
  } finally {
    await storage.close();
  }
  fs.writeFileSync(path.join(dataDir, COMPLETE), '');
  return { dataDir, file, built: true };
}
