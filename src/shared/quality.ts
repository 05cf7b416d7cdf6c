import { z } from 'zod';
import { epochMsSchema, symbolSchema, timeRangeFields } from './domain';
import { timeframeSchema } from './timeframes';

/**
 * Trading calendars gap detection knows: crypto trades 24/7; metals, FX and their futures
 * follow CME Globex (Sunday 18:00 to Friday 17:00 New York, daily break 17:00–18:00);
 * stocks, ETFs and indices NYSE regular hours and holidays.
 */
const marketCalendarIds = ['crypto-24x7', 'cme-metals-24x5', 'nyse-regular'] as const;
export type MarketCalendarId = (typeof marketCalendarIds)[number];

/** Robust z-score beyond which a log return is flagged: rare enough that real fat tails stay quiet. */
export const DEFAULT_OUTLIER_Z = 8;

export const qualityReportInputSchema = z
  .object({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    ...timeRangeFields,
  })
  .strict();

/** A run of expected bar buckets with no bar; closures of the market inside the run are not counted. */
const qualityGapSchema = z.object({
  /** Open time of the first missing bucket. */
  from: epochMsSchema,
  /** Open time of the last missing bucket. */
  to: epochMsSchema,
  missing: z.number().int(),
});
export type QualityGap = z.infer<typeof qualityGapSchema>;

const qualityOutlierSchema = z.object({
  time: epochMsSchema,
  close: z.number(),
  /** ln(close / previous close). */
  logReturn: z.number(),
  /** (logReturn − median) / (1.4826 · MAD) over the reported range. */
  zScore: z.number(),
});
export type QualityOutlier = z.infer<typeof qualityOutlierSchema>;

const invalidBarSchema = z.object({ time: epochMsSchema, reason: z.string() });
export type InvalidBar = z.infer<typeof invalidBarSchema>;

export const qualityReportSchema = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  calendar: z.enum(marketCalendarIds),
  bars: z.number().int(),
  /** Buckets the calendar expects between the first and the last bar of the range. */
  expected: z.number().int(),
  gaps: z.array(qualityGapSchema),
  outliers: z.array(qualityOutlierSchema),
  invalid: z.array(invalidBarSchema),
});
