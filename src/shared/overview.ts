import { z } from 'zod';
import { epochMsSchema, symbolSchema } from './domain';
import { timeframeSchema } from './timeframe-schema';

/** A watchlist holds at most 200 symbols (see settings), so one overview call covers it. */
export const MAX_OVERVIEW_SYMBOLS = 200;

export const marketOverviewInputSchema = z
  .object({ symbols: z.array(symbolSchema).min(1).max(MAX_OVERVIEW_SYMBOLS) })
  .strict();

/**
 * One instrument's day at a glance. "The day" is the UTC day of the symbol's last stored bar
 * (today for live data, an earlier day for imported history): `previousClose` is the close of
 * the last bar before that day's 00:00 UTC at the finest stored timeframe (for daily data, the
 * previous daily bar). Every field is null when the symbol has no bars.
 */
export const overviewItemSchema = z.object({
  symbol: z.string(),
  last: z.object({ time: epochMsSchema, close: z.number() }).nullable(),
  previousClose: z.number().nullable(),
  /** Open time of the bar `previousClose` comes from, so a gap in the history (a holiday, a hole) can be shown. */
  previousTime: epochMsSchema.nullable(),
  /** `last.close - previousClose`; null without a previous day. */
  change: z.number().nullable(),
  /** The change in percent of `previousClose` (2.5 means +2.5 %). */
  changePercent: z.number().nullable(),
  /** Closes of the most recent bars, oldest first: hourly when intraday bars exist, else daily or coarser. */
  sparkline: z
    .object({
      timeframe: timeframeSchema,
      closes: z.array(z.number()),
      from: epochMsSchema,
      to: epochMsSchema,
    })
    .nullable(),
});
export type OverviewItem = z.infer<typeof overviewItemSchema>;

export const marketOverviewSchema = z.object({ items: z.array(overviewItemSchema) });
