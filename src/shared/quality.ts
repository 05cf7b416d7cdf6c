import { z } from 'zod';
import { badOhlcPolicySchema, barSpanSchema, epochMsSchema, providerIdSchema, providerIds, runIdFields, symbolSchema, timeRangeFields } from './domain';
import { timeframeSchema } from './timeframe-schema';

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

/** A gap as quality.report gives it: with how much of it rows rejected at import explain. */
const reportedGapSchema = qualityGapSchema.extend({
  /**
   * Missing buckets of the gap that hold a row an import rejected (listed in the report's
   * `rejectedAtImport`). Equal to `missing` when the import alone made the gap, which the
   * source itself does not have; 0 for a gap in the source.
   */
  rejected: z.number().int(),
});
export type ReportedGap = z.infer<typeof reportedGapSchema>;

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

/** A stored bar an import widened or kept as written by its bad-OHLC policy (see import.csv's `badOhlc`). */
const repairedBarSchema = z.object({
  time: epochMsSchema,
  /** The timeframe it is stored in, the import's. */
  timeframe: timeframeSchema,
  policy: badOhlcPolicySchema.exclude(['reject']),
  /** What was wrong and what was done, e.g. "High 12831.31 is below close 12882.17; widened to high 12882.17, low 12790". */
  change: z.string(),
  /** The import run that stored it. */
  runId: z.string(),
});
export type RepairedBar = z.infer<typeof repairedBarSchema>;

/** A row an import rejected whose bucket the reported range still misses. */
const rejectedRowSchema = z.object({
  /** Its open time as the file gave it. */
  time: epochMsSchema,
  /** The import's timeframe. */
  timeframe: timeframeSchema,
  /** 1-based line in the file (the header is line 1). */
  line: z.number().int(),
  reason: z.string(),
  /** Refused by the `reject` bad-OHLC policy: re-importing the file with `badOhlc: widen` or `keep` stores it. */
  badOhlc: z.boolean(),
  file: z.string(),
  /** The import run that rejected it. */
  runId: z.string(),
});
export type RejectedRow = z.infer<typeof rejectedRowSchema>;

export const qualityReportSchema = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  calendar: z.enum(marketCalendarIds),
  bars: z.number().int(),
  /** Which stored timeframe built which of the bars checked, as bars.query says. */
  spans: z.array(barSpanSchema),
  /** Buckets the calendar expects between the first and the last bar of the range. */
  expected: z.number().int(),
  /** Every run of missing buckets, oldest first, whether the source or an import left it empty (see `rejected`). */
  gaps: z.array(reportedGapSchema),
  outliers: z.array(qualityOutlierSchema),
  invalid: z.array(invalidBarSchema),
  /** Bars of the range built from imported bars that were widened or kept: their count is the length. */
  repaired: z.array(repairedBarSchema),
  /** Rows recent imports rejected that leave a bucket of the range empty, oldest first: their count is the length. */
  rejectedAtImport: z.array(rejectedRowSchema),
});

export const qualityRepairInputSchema = z
  .object({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    ...timeRangeFields,
    /** Only these gaps (as quality.report gave them); absent = every gap in the range. */
    gaps: z
      .array(z.object({ from: epochMsSchema, to: epochMsSchema }).refine((gap) => gap.from <= gap.to, { message: 'a gap’s `from` must not be after its `to`' }))
      .min(1)
      .max(1_000)
      .optional(),
    /** Providers to try, in order; absent = every provider that carries the instrument, best first. */
    providers: z.array(providerIdSchema).min(1).max(providerIds.length).optional(),
  })
  .strict();

const repairedGapSchema = z.object({
  from: epochMsSchema,
  to: epochMsSchema,
  /** Buckets the calendar expected in the gap. */
  missing: z.number().int(),
  /** Bars (of the stored timeframe) written into the gap, and by whom; every bar also records its source. */
  filled: z.number().int(),
  filledBy: z.array(z.object({ provider: providerIdSchema, bars: z.number().int() })),
  /** Why providers could not fill it (not carried, no data in the window, an error), one line each. */
  notes: z.array(z.string()),
});

export const qualityRepairResultSchema = z.object({
  ...runIdFields,
  symbol: z.string(),
  timeframe: timeframeSchema,
  /**
   * The stored timeframe bars were fetched and written in: the one quality.report reads this
   * timeframe from (1h gaps of a minute series are filled with minute bars). Null when
   * nothing stored can build the timeframe, so there was nothing to repair.
   */
  storedTimeframe: timeframeSchema.nullable(),
  gaps: z.array(repairedGapSchema),
  filled: z.number().int(),
  /** Bars providers sent that failed validation (never stored). */
  rejected: z.number().int(),
  /** Gaps still open after the repair. */
  remaining: z.number().int(),
});
export type QualityRepairResult = z.infer<typeof qualityRepairResultSchema>;
