/**
 * What the Compare screen shows, kept in settings (`settings.compare`) so that it survives a
 * reinstall and travels in backups. Apart from compare.ts so that the settings schema can
 * hold it without a cycle through domain.ts.
 */
import { z } from 'zod';
import type { Timeframe } from './timeframes';

/** Compare works on bars of an hour and longer: finer bars of different instruments rarely share times. */
export const compareTimeframes = ['1h', '4h', '1d', '1w', '1M'] as const satisfies readonly Timeframe[];
export type CompareTimeframe = (typeof compareTimeframes)[number];

export const DEFAULT_CORRELATION_WINDOW = 30;
export const MAX_COMPARE_SYMBOLS = 8;

const pairSchema = z.object({ first: z.string().max(40), second: z.string().max(40) });

/** Field by field, whatever is missing or malformed takes its default: a view state is never worth an error. */
export const compareViewSchema = z.object({
  /** Null until the user changes the selection, so the default follows newly imported data. */
  symbols: z.array(z.string().max(40)).max(MAX_COMPARE_SYMBOLS).nullable().catch(null),
  timeframe: z.enum(compareTimeframes).catch('1d'),
  /** YYYY-MM-DD or empty for the start of the common history. */
  start: z.union([z.iso.date(), z.literal('')]).catch(''),
  logScale: z.boolean().catch(true),
  ratio: pairSchema.nullable().catch(null),
  correlation: pairSchema.nullable().catch(null),
  /** As typed, so a half-typed window survives a restart; the screen parses it. */
  window: z.string().max(10).catch(String(DEFAULT_CORRELATION_WINDOW)),
});
export type CompareView = z.infer<typeof compareViewSchema>;

export const defaultCompareView: CompareView = {
  symbols: null,
  timeframe: '1d',
  start: '',
  logScale: true,
  ratio: null,
  correlation: null,
  window: String(DEFAULT_CORRELATION_WINDOW),
};
