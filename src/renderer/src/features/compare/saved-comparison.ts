import { z } from 'zod';
import { MAX_COMPARE_SYMBOLS } from '../../../../shared/compare';
import { compareTimeframes, DEFAULT_WINDOW } from './compare-model';

/**
 * What the Compare screen was showing, kept in this window's local storage so switching
 * screens or restarting brings the same comparison back. It is a view state, not a setting:
 * nothing else in the app depends on it, and a damaged copy just means the defaults.
 */
const pairSchema = z.object({ first: z.string(), second: z.string() });

export const savedComparisonSchema = z.object({
  /** Null until the user changes the selection, so the default follows newly imported data. */
  symbols: z.array(z.string()).max(MAX_COMPARE_SYMBOLS).nullable().catch(null),
  timeframe: z.enum(compareTimeframes).catch('1d'),
  /** YYYY-MM-DD or empty for the start of the common history. */
  start: z.string().catch(''),
  logScale: z.boolean().catch(true),
  ratio: pairSchema.nullable().catch(null),
  correlation: pairSchema.nullable().catch(null),
  window: z.string().catch(String(DEFAULT_WINDOW)),
});
export type SavedComparison = z.infer<typeof savedComparisonSchema>;

export const STORAGE_KEY = 'metalytics.compare';

export const defaultComparison: SavedComparison = {
  symbols: null,
  timeframe: '1d',
  start: '',
  logScale: true,
  ratio: null,
  correlation: null,
  window: String(DEFAULT_WINDOW),
};

/** The saved comparison, field by field: whatever is missing or malformed takes its default. */
export function readSavedComparison(text: string | null): SavedComparison {
  if (text === null) return defaultComparison;
  try {
    const parsed = savedComparisonSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : defaultComparison;
  } catch {
    return defaultComparison;
  }
}
