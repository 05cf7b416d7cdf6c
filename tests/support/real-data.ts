import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real vendor files in `../shared/data` beside the project (see its README). Tests read
 * them in place: the app ships no third-party data, so they are never copied into the repo.
 */
export const realDataFiles = ['xauusd-1d-mt4.csv', 'btc-usd-1d-yahoo.csv', 'btcusdt-1h.csv', 'gold-monthly.csv'] as const;
export type RealDataFile = (typeof realDataFiles)[number];

const realDataDir = new URL('../../../shared/data/', import.meta.url);

export function realDataPath(file: RealDataFile): string {
  return fileURLToPath(new URL(file, realDataDir));
}

export function readRealData(file: RealDataFile): string {
  return readFileSync(realDataPath(file), 'utf8');
}
