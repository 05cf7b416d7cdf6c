import type { Bar } from '../../shared/domain';

/**
 * Why high/low do not enclose open/close, or null when they do. The values are compared
 * as numbers and shown as the caller's text, so the CSV importer can quote the file.
 */
export function ohlcInconsistency(
  open: number,
  high: number,
  low: number,
  close: number,
  // Scalars rather than an object: the importer calls this for every row of large files.
  openShown: string,
  highShown: string,
  lowShown: string,
  closeShown: string,
): string | null {
  if (high < low) return `High ${highShown} is below low ${lowShown}`;
  if (high < open) return `High ${highShown} is below open ${openShown}`;
  if (high < close) return `High ${highShown} is below close ${closeShown}`;
  if (low > open) return `Low ${lowShown} is above open ${openShown}`;
  if (low > close) return `Low ${lowShown} is above close ${closeShown}`;
  return null;
}

const priceFields = [
  ['open', 'Open'],
  ['high', 'High'],
  ['low', 'Low'],
  ['close', 'Close'],
] as const;

/**
 * The import rules for a bar that arrives as numbers (from a provider): finite positive
 * prices, a non-negative volume, consistent OHLC, and a time after `previousTime`.
 * Returns why the bar is rejected, or null. Runs for every bar of a backfill, 50,000 per
 * page, so the numbers are only turned into text for a bar that is rejected.
 */
export function validateBar(bar: Bar, previousTime: number): string | null {
  if (!(bar.time > previousTime)) return `Time ${new Date(bar.time).toISOString()} is not after the previous bar`;
  for (const [field, name] of priceFields) {
    const value = bar[field];
    if (!Number.isFinite(value)) return `${name} ${value} is not a finite number`;
    if (value <= 0) return `${name} ${value} is not a positive price`;
  }
  if (!Number.isFinite(bar.volume)) return `Volume ${bar.volume} is not a finite number`;
  if (bar.volume < 0) return `Volume ${bar.volume} is negative`;
  const { open, high, low, close } = bar;
  if (high >= low && high >= open && high >= close && low <= open && low <= close) return null;
  return ohlcInconsistency(open, high, low, close, String(open), String(high), String(low), String(close));
}
