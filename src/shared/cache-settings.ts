import { z } from 'zod';
import { timeframeSchema } from './timeframe-schema';

/** How far back the cache keeps a series: days back from now, or null for all of its history. */
const cacheDaysSchema = z.number().int().min(1).max(100_000).nullable();

/** Stored timeframes to keep (the bases bars are stored in, 1m, 1h, 1d); coarser ones are built from them. */
const cacheTimeframesSchema = z.array(timeframeSchema).max(9);

/** One instrument's share of the offline cache, as the sync engine fills it. */
export const cacheScopeEntrySchema = z.object({
  symbol: z.string(),
  timeframes: cacheTimeframesSchema,
  days: cacheDaysSchema,
});
export type CacheScopeEntry = z.infer<typeof cacheScopeEntrySchema>;

/**
 * What a team desktop keeps in its local SQLite cache for offline work: the watchlist with the
 * default timeframes and depth, plus or overriding per instrument.
 */
export const cacheSettingsSchema = z.object({
  scope: z
    .object({
      watchlist: z.boolean().default(true),
      defaultTimeframes: cacheTimeframesSchema.default(['1d', '1h']),
      defaultDays: cacheDaysSchema.default(365),
      instruments: z.record(z.string().trim().min(1).max(32), z.object({ timeframes: cacheTimeframesSchema, days: cacheDaysSchema })).default({}),
    })
    .prefault({}),
});
