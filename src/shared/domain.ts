import { z } from 'zod';
import { backupSettingsSchema, retentionSettingsSchema } from './backup-settings';
import { chartLayoutsSchema } from './chart-layout';
import { cacheSettingsSchema } from './cache-settings';
import { compareViewSchema } from './compare-view';
import { timeframeSchema } from './timeframe-schema';
import { badOhlcPolicies, chartTypes, dateFormats, instrumentKinds, jobStatuses, providerIds } from './choices';

export { badOhlcPolicies, dateFormats, instrumentKinds, providerIds };

/** UTC epoch milliseconds; pre-1970 history (gold since 1833) is negative. */
export const epochMsSchema = z.number().int().min(-8_640_000_000_000_000).max(8_640_000_000_000_000);

/** Canonical symbols: XAUUSD, GC=F, BTCUSD, ^GSPC, DEMO.XAUUSD … */
export const symbolSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9.=^:_/-]+$/, 'symbol may contain letters, digits and . = ^ : _ / - only')
  .transform((s) => s.toUpperCase());

export const providerIdSchema = z.enum(providerIds);
export type ProviderId = z.infer<typeof providerIdSchema>;

export const instrumentSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  kind: z.enum(instrumentKinds),
  /** What one unit of price means, e.g. "USD per troy ounce". */
  unit: z.string(),
  currency: z.string(),
  /** Ticker of this instrument at each provider that carries it. */
  providerSymbols: z.partialRecord(providerIdSchema, z.string()),
  /** IANA zone of the exchange it trades on (America/New_York for COMEX and NYSE); absent over the counter and for crypto. */
  exchangeTimeZone: z.string().optional(),
});
export type Instrument = z.infer<typeof instrumentSchema>;

/**
 * The most bars one query answers: beyond it the aggregation would hold the database thread
 * for seconds and the reply run to hundreds of megabytes. Callers page with `limit` and `to`.
 */
export const MAX_BARS_PER_QUERY = 100_000;

/** An optional time range in UTC epoch ms; methods refine it so `from` is not after `to`. */
export const timeRangeFields = {
  from: epochMsSchema.optional(),
  to: epochMsSchema.optional(),
};

export const barSchema = z.object({
  time: epochMsSchema,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});
export type Bar = z.infer<typeof barSchema>;

/**
 * A run of consecutive bars of one reply built from the same stored base timeframe: a
 * symbol stored daily since 2014 and hourly since 2017 answers a daily query with a 1d
 * span and then a 1h span. `from` and `to` are the open times of its first and last bar.
 */
export const barSpanSchema = z.object({
  from: epochMsSchema,
  to: epochMsSchema,
  timeframe: timeframeSchema,
});
export type BarSpan = z.infer<typeof barSpanSchema>;

export const coverageSchema = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  source: z.string(),
  first: epochMsSchema,
  last: epochMsSchema,
  count: z.number().int(),
});
export type Coverage = z.infer<typeof coverageSchema>;

export const databaseModes = ['sqlite', 'postgres', 'timescaledb'] as const;
export const databaseModeSchema = z.enum(databaseModes);
export type DatabaseMode = z.infer<typeof databaseModeSchema>;

export const themeSchema = z.enum(['system', 'dark', 'light']);

export const timeZoneChoices = ['utc', 'local', 'exchange'] as const;
export const timeZoneChoiceSchema = z.enum(timeZoneChoices);
export type TimeZoneChoice = z.infer<typeof timeZoneChoiceSchema>;

export const chartTypeSchema = z.enum(chartTypes);
export type ChartType = z.infer<typeof chartTypeSchema>;

export const providerSettingsSchema = z
  .object({
    /** e.g. a company proxy; a key is never sent to any other host than this one. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'The provider address must be an http:// or https:// URL.' }).max(500).optional(),
    /** 0 = no limit of our own. */
    rateLimitPerMinute: z.number().min(0).max(100_000).optional(),
    /**
     * Where the history of the user's plan starts: 'full' for a plan with the provider's whole
     * history, or the first date (YYYY-MM-DD, UTC) it includes. Absent = learned from the
     * provider's answers. Either way backfills need not probe for it.
     */
    planHistoryStart: z
      .union([z.literal('full'), z.iso.date({ error: 'The date your plan\'s history starts must look like 2023-02-21.' })])
      .optional(),
    /**
     * The address (scheme, host and port) the saved key was confirmed for, by saving it; set by
     * the core, never taken from an update. While the provider's address points elsewhere the
     * key is not sent, so changing the address cannot hand the key to another host.
     */
    keyOrigin: z.string().max(500).optional(),
  })
  .strict();
export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

/** Everything the user can change; secrets are never here (see the secret store). */
export const settingsSchema = z.object({
  theme: themeSchema.default('system'),
  watchlist: z.array(z.string()).max(200).default(['XAUUSD', 'XAGUSD', 'GC=F', 'BTCUSD', 'AAPL']),
  /** Postgres connection without its password; absent means the embedded SQLite database. */
  databaseUrl: z.string().max(500).optional(),
  /**
   * host:port the "database" secret was saved for (empty: saved with no address); set by the
   * core, never taken from an update. The password is sent to no other host.
   */
  databasePasswordHost: z.string().max(300).optional(),
  chart: z
    .object({
      symbol: z.string().optional(),
      timeframe: timeframeSchema.default('1d'),
      // No default: a patch that names only the symbol and timeframe must not reset it. Absent = candles.
      type: chartTypeSchema.optional(),
    })
    .default({ timeframe: '1d' }),
  /**
   * Per provider, the address and requests per minute the desktop app uses; the
   * METALYTICS_<PROVIDER>_BASE_URL and _RATE_LIMIT variables win over these. Keys are secrets.
   */
  providers: z.partialRecord(providerIdSchema, providerSettingsSchema).default({}),
  backups: backupSettingsSchema.default({ keep: { daily: 7, weekly: 4, monthly: 12 }, safetyDays: 30 }),
  retention: retentionSettingsSchema.default({ minuteBarsDays: null }),
  /** The zone intraday bar times are shown in: UTC, this computer's, or the instrument's exchange's. */
  timeZone: timeZoneChoiceSchema.default('utc'),
  /** The Compare screen's instruments, start, panes and scale; absent until it is first changed. */
  compare: compareViewSchema.optional(),
  /** Each window's Markets charts (1, 2 or 4, each with its own symbol and timeframe), by window id. */
  chartLayouts: chartLayoutsSchema.default({}),
  /** What a team desktop keeps in its offline cache; unused without a Postgres database. */
  cache: cacheSettingsSchema.prefault({}),
});
export type Settings = z.infer<typeof settingsSchema>;
export const settingsPatchSchema = settingsSchema.partial();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const secretNames = ['polygon', 'twelvedata', 'metalsapi', 'database'] as const;
export const secretNameSchema = z.enum(secretNames);
export type SecretName = z.infer<typeof secretNameSchema>;
export const secretStatusSchema = z.object({
  name: secretNameSchema,
  hasKey: z.boolean(),
  /** Last four characters, so the user can tell keys apart; never more. */
  last4: z.string().max(4).optional(),
});

export const jobKinds = ['import', 'demo', 'backfill', 'repair', 'poll', 'news', 'train', 'predict', 'features', 'backup', 'restore', 'retention', 'drill'] as const;
export const jobKindSchema = z.enum(jobKinds);
export const jobStatusSchema = z.enum(jobStatuses);
export const jobRunSchema = z.object({
  id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  description: z.string(),
  startedAt: epochMsSchema,
  finishedAt: epochMsSchema.nullable(),
  rows: z.number().int(),
  error: z.string().nullable(),
  /** The scheduled job (see scheduler.ts) this run belongs to; null for one-off runs. */
  ingestJobId: z.string().nullable(),
});
export type JobRun = z.infer<typeof jobRunSchema>;

/**
 * The run a reply or event speaks of. Until 0.2 "job" named both a scheduled job and a run,
 * and replies called the run `jobId`; that field stays, with the same value, for one release.
 */
export const runIdFields = {
  runId: z.string(),
  /** @deprecated since 0.2, removed in 0.3: the same as `runId`. */
  jobId: z.string(),
};
export function runIds(runId: string): { runId: string; jobId: string } {
  return { runId, jobId: runId };
}

/** Where CSV text comes from: a path on the core's machine (CLI, Electron dialog) or uploaded text (browser). */
export const csvSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.object({
    kind: z.literal('text'),
    fileName: z.string().min(1).max(255),
    text: z.string().max(256 * 1024 * 1024),
  }),
]);
export type CsvSource = z.infer<typeof csvSourceSchema>;

/**
 * The local path an import request asks the core to read (a `{ kind: 'path' }` source), if
 * any, before the input is validated: each transport checks it against what it allows.
 */
export function requestedCsvPath(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const source = (input as { source?: unknown }).source;
  if (typeof source !== 'object' || source === null) return null;
  const { kind, path: filePath } = source as { kind?: unknown; path?: unknown };
  return kind === 'path' && typeof filePath === 'string' ? filePath : null;
}

export const dateFormatSchema = z.enum(dateFormats);
export type DateFormat = z.infer<typeof dateFormatSchema>;

/** Which column (by header name or 0-based index) holds each field; close-only files map just time and close. */
const columnRefSchema = z.union([z.string().min(1), z.number().int().min(0)]);
const csvDelimiterSchema = z.enum([',', ';', '\t', '|']);
/** An optional field's column, or null for "not in the file": detection then does not look for one. */
const optionalColumnRefSchema = columnRefSchema.nullable();
/** The character between a number's whole part and its fraction. */
export const decimalSeparatorSchema = z.enum(['.', ',']);
/** The furthest time zones from UTC: −12:00 and +14:00. */
const utcOffsetMinutesSchema = z.number().int().min(-720).max(840);
export const csvMappingSchema = z.object({
  delimiter: csvDelimiterSchema.optional(),
  hasHeader: z.boolean().optional(),
  dateFormat: dateFormatSchema.optional(),
  decimalSeparator: decimalSeparatorSchema.optional(),
  /**
   * The offset from UTC of times written without a zone (local-time exports): +120 reads
   * "2024-01-02 10:00" as 08:00 UTC. Epochs and ISO times with a zone are not shifted.
   */
  utcOffsetMinutes: utcOffsetMinutesSchema.optional(),
  time: columnRefSchema.optional(),
  /** A separate time-of-day column (MetaTrader's and Stooq's <TIME>), read with the date; needs a date-time dateFormat. */
  timeOfDay: optionalColumnRefSchema.optional(),
  /** Without open, high and low (null) the file is read as close-only: each bar is flat at its close. */
  open: optionalColumnRefSchema.optional(),
  high: optionalColumnRefSchema.optional(),
  low: optionalColumnRefSchema.optional(),
  close: columnRefSchema.optional(),
  /** Without volume (null) bars get volume 0, as in close-only files. */
  volume: optionalColumnRefSchema.optional(),
});
export type CsvMapping = z.infer<typeof csvMappingSchema>;

/**
 * What an import does with rows whose high and low do not enclose their open and close:
 * leave them out (`reject`), widen high and low to take them in (`widen`), or store them
 * as written (`keep`). Repaired and kept rows are recorded with the import run, and
 * quality.report lists them.
 */
export const badOhlcPolicySchema = z.enum(badOhlcPolicies);
export type BadOhlcPolicy = z.infer<typeof badOhlcPolicySchema>;

export const rowErrorSchema = z.object({ line: z.number().int(), reason: z.string() });
export type RowError = z.infer<typeof rowErrorSchema>;

/**
 * How a file splits into columns, known before detection looks for dates and prices: the
 * `details` of the VALIDATION error import.preview gives when that search fails, so a UI
 * can offer the columns to map by hand.
 */
export const csvFileShapeSchema = z.object({
  delimiter: csvDelimiterSchema,
  hasHeader: z.boolean(),
  /** The header row's names; empty without a header. */
  headers: z.array(z.string()),
  columnCount: z.number().int(),
  /** The first data rows as written, split into cells. */
  sampleRows: z.array(z.array(z.string())),
});
export type CsvFileShape = z.infer<typeof csvFileShapeSchema>;

export const csvDetectionSchema = z.object({
  delimiter: z.string(),
  hasHeader: z.boolean(),
  headers: z.array(z.string()),
  dateFormat: dateFormatSchema,
  /**
   * The formats the dates could be in: `[dateFormat]`, or more when the data cannot decide
   * (slash dates with no day above 12: month-first or day-first). Then `dateFormat` is only
   * the first guess, and an import refuses until the mapping gives one.
   */
  dateFormatChoices: z.array(dateFormatSchema),
  decimalSeparator: decimalSeparatorSchema,
  /** The offset times without a zone are read in (the mapping's, else 0); for ISO times with a zone, the first one's. */
  utcOffsetMinutes: utcOffsetMinutesSchema,
  columns: z.object({
    time: z.number().int(),
    timeOfDay: z.number().int().nullable(),
    open: z.number().int().nullable(),
    high: z.number().int().nullable(),
    low: z.number().int().nullable(),
    close: z.number().int(),
    volume: z.number().int().nullable(),
  }),
  /** Timeframe guessed from the spacing of the rows, when it matches one. */
  timeframe: timeframeSchema.nullable(),
  /** The typical (median) time between neighbouring rows of the first thousand; null with fewer than two times. */
  spacingMs: z.number().nullable(),
});
