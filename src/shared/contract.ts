import { z } from 'zod';
import {
  badOhlcPolicySchema,
  barSchema,
  barSpanSchema,
  coverageSchema,
  csvDetectionSchema,
  csvMappingSchema,
  csvSourceSchema,
  databaseModeSchema,
  epochMsSchema,
  instrumentSchema,
  jobKindSchema,
  jobRunSchema,
  jobStatusSchema,
  MAX_BARS_PER_QUERY,
  providerIdSchema,
  rowErrorSchema,
  secretNameSchema,
  secretStatusSchema,
  settingsPatchSchema,
  settingsSchema,
  symbolSchema,
  runIdFields,
  timeRangeFields,
} from './domain';
import { backupMethods } from './backups';
import { backfillCheckpointSchema, backfillListStatusSchema, backfillRunSummarySchema } from './backfill';
import { compareQueryInputSchema, compareQueryOutputSchema } from './compare';
import { MAX_INDICATORS_PER_QUERY } from './indicator-outputs';
import { indicatorResultSchema, indicatorSpecSchema } from './indicators';
import { featureMethods } from './features';
import { modelEvents, modelMethods } from './models';
import { marketOverviewInputSchema, marketOverviewSchema } from './overview';
import { priceAlertMethods } from './price-alerts';
import { drawingEvents, drawingMethods } from './drawings';
import {
  instrumentCandidateSchema,
  instrumentSearchInputSchema,
  instrumentSearchOutcomeSchema,
  providerStatusSchema,
  providerTestInputSchema,
  providerTestResultSchema,
} from './providers';
import { qualityRepairInputSchema, qualityRepairResultSchema, qualityReportInputSchema, qualityReportSchema } from './quality';
import { alertSchema, ingestJobSchema, isKnownTimezone, jobDefinitionFields, jobDefinitionPatchFields, schedulerStateSchema } from './scheduler';
import { secretHealthSchema } from './secret-health';
import { syncMethods, syncStatusSchema } from './sync';
import { timeframeSchema } from './timeframe-schema';

/** More new bars than this at once is a bulk load, announced with bars.changed instead. */
export const MAX_APPENDED_BARS = 1_000;

const emptyInput = z.object({}).strict().default({});

/** The bars a chart asks for; shared by every method that answers with bars. */
const barWindowFields = {
  symbol: symbolSchema,
  timeframe: timeframeSchema,
  ...timeRangeFields,
  /** The most recent N buckets of the range. */
  limit: z.number().int().min(1).max(MAX_BARS_PER_QUERY).optional(),
};
/** What every method answering with bars says of them. */
const barWindowReplyFields = {
  bars: z.array(barSchema),
  /**
   * The stored timeframe the newest bar was aggregated from (the one live bars extend);
   * null when none can produce this one. `spans` says which base built each stretch.
   */
  sourceTimeframe: timeframeSchema.nullable(),
  spans: z.array(barSpanSchema),
};
const rangeIsOrdered = (r: { from?: number; to?: number }) =>
  r.from === undefined || r.to === undefined || r.from <= r.to;
const rangeIssue = { message: '`from` must not be after `to`', path: ['from'] };

/** An instrument's fields as a user enters them: text trimmed and never empty, tickers per provider. */
const instrumentFields = {
  name: z.string().trim().min(1).max(100),
  kind: instrumentSchema.shape.kind,
  /** What one unit of price means, e.g. "USD per troy ounce". */
  unit: z.string().trim().min(1).max(100),
  /** A currency code: USD, EUR, USDT … */
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2,10}$/, 'currency is a code of 2 to 10 letters, e.g. USD')
    .transform((s) => s.toUpperCase()),
  providerSymbols: z.partialRecord(providerIdSchema, z.string().trim().min(1).max(64)),
  /** IANA zone of its exchange (America/New_York); null clears it. */
  exchangeTimeZone: z
    .string()
    .trim()
    .refine(isKnownTimezone, { error: (issue) => `“${String(issue.input)}” is not a time zone; use an IANA name such as America/New_York or Europe/London.` })
    .nullable(),
};

const importTargetFields = {
  source: csvSourceSchema,
  symbol: symbolSchema,
  /** The timeframe the file's rows are; detected from row spacing when absent. */
  timeframe: timeframeSchema.optional(),
  mapping: csvMappingSchema.optional(),
  /** What to do with rows whose high and low do not enclose open and close; `reject` when absent. */
  badOhlc: badOhlcPolicySchema.optional(),
};

/** Something detection could not decide and an import refuses until the named input option gives it. */
const importQuestionSchema = z.object({
  option: z.enum(['dateFormat', 'timeframe']),
  message: z.string(),
  /** The values that fit the file, the likelier first; empty when none does. */
  choices: z.array(z.string()),
});

/** What a file's rows with inconsistent OHLC amount to, and what each policy does with them. */
const badOhlcSummarySchema = z.object({
  policy: badOhlcPolicySchema,
  rows: z.number().int(),
  /** Of the rows read, 0–1. */
  share: z.number(),
  /** E.g. "1,972 rows (5.3%) have a close outside high–low"; empty when there are none. */
  message: z.string(),
  outcomes: z.object({ reject: z.string(), widen: z.string(), keep: z.string() }),
});

const importSummarySchema = z.object({
  ...runIdFields,
  symbol: z.string(),
  timeframe: timeframeSchema,
  rowsRead: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** The first rejected rows with their 1-based line numbers and reasons. */
  errors: z.array(rowErrorSchema),
  first: epochMsSchema.nullable(),
  last: epochMsSchema.nullable(),
  badOhlc: badOhlcPolicySchema,
  /** Rows stored widened or as written by the bad-OHLC policy; the import run records each, and quality.report lists them. */
  repaired: z.number().int(),
  /** The first of them, with their lines and what was done. */
  repairs: z.array(rowErrorSchema),
});

/**
 * Every method the UI, CLI or a remote client may call. Transports are generic loops over
 * this object; the core refuses to start unless every entry has exactly one handler.
 */
export const methods = {
  'system.status': {
    input: emptyInput,
    output: z.object({
      appVersion: z.string(),
      database: z.object({
        mode: databaseModeSchema,
        online: z.boolean(),
        /** Where the data lives, without any password. */
        location: z.string(),
        schemaVersion: z.string(),
        /** Why the database is refused for writing (a damaged file), with the way out; null when healthy. */
        problem: z.string().nullable(),
      }),
      /** Null while the database is offline: unknown, not zero. */
      instruments: z.number().int().nullable(),
      bars: z.number().int().nullable(),
      startedAt: epochMsSchema,
      /** The team database and this desktop's offline cache. */
      sync: syncStatusSchema,
    }),
  },
  'instruments.list': {
    input: emptyInput,
    output: z.object({ instruments: z.array(instrumentSchema) }),
  },
  /**
   * CONFLICT when the symbol exists. Without a name the symbol is the name; without a unit it
   * is "<currency> per unit"; the currency is USD unless given.
   */
  'instruments.create': {
    input: z
      .object({
        symbol: symbolSchema,
        ...instrumentFields,
        name: instrumentFields.name.optional(),
        unit: instrumentFields.unit.optional(),
        currency: instrumentFields.currency.default('USD'),
        providerSymbols: instrumentFields.providerSymbols.default({}),
        exchangeTimeZone: instrumentFields.exchangeTimeZone.optional(),
      })
      .strict()
      .transform(({ name, unit, exchangeTimeZone, ...given }) => ({
        ...given,
        name: name ?? given.symbol,
        unit: unit ?? `${given.currency} per unit`,
        ...(exchangeTimeZone ? { exchangeTimeZone } : {}),
      })),
    output: instrumentSchema,
  },
  /** Absent fields keep their value; `providerSymbols`, when given, replaces the whole mapping. NOT_FOUND for an unknown symbol. */
  'instruments.update': {
    input: z.object(instrumentFields).partial().extend({ symbol: symbolSchema }).strict(),
    output: instrumentSchema,
  },
  /**
   * Refused (CONFLICT, with `details.bars`) while the instrument holds bars, unless
   * `deleteBars`: then its bars, rollups, coverage and backfill checkpoints go with it.
   * A built-in instrument deleted stays deleted. NOT_FOUND for an unknown symbol.
   */
  'instruments.delete': {
    input: z.object({ symbol: symbolSchema, deleteBars: z.boolean().default(false) }).strict(),
    output: z.object({ symbol: z.string(), deletedBars: z.number().int() }),
  },
  /**
   * Symbol lookup at the providers that offer one (Yahoo, Polygon/Massive, Twelve Data), each
   * within its own rate budget. A provider that fails (no key, rate limited, unreachable, an
   * unreadable reply) is reported in `providers` and the others still answer.
   */
  'instruments.search': {
    input: instrumentSearchInputSchema,
    output: z.object({ candidates: z.array(instrumentCandidateSchema), providers: z.array(instrumentSearchOutcomeSchema) }),
  },
  'bars.query': {
    input: z
      .object(barWindowFields)
      .strict()
      .refine(rangeIsOrdered, rangeIssue),
    output: z.object(barWindowReplyFields),
  },
  /** Bars with indicator series aligned to them; older history before the window is read for warm-up. */
  'indicators.query': {
    input: z
      .object({
        ...barWindowFields,
        indicators: z.array(indicatorSpecSchema).min(1).max(MAX_INDICATORS_PER_QUERY),
      })
      .strict()
      .refine(rangeIsOrdered, rangeIssue),
    output: z.object({
      ...barWindowReplyFields,
      /** In request order; every series has one value per bar, null during warm-up. */
      indicators: z.array(indicatorResultSchema),
    }),
  },
  'bars.coverage': {
    input: z.object({ symbol: symbolSchema.optional() }).strict().default({}),
    output: z.object({ coverage: z.array(coverageSchema) }),
  },
  /** Gaps (against the instrument's trading calendar), return outliers and broken OHLC in stored bars. */
  'quality.report': {
    input: qualityReportInputSchema.refine(rangeIsOrdered, rangeIssue),
    output: qualityReportSchema,
  },
  /**
   * Re-fetches the gaps quality.report finds, falling back to other providers that carry the
   * instrument; runs as a 'repair' job (progress, jobs.cancel) and answers when it is done.
   */
  'quality.repair': {
    input: qualityRepairInputSchema.refine(rangeIsOrdered, rangeIssue),
    output: qualityRepairResultSchema,
  },
  'compare.query': {
    input: compareQueryInputSchema.refine(rangeIsOrdered, rangeIssue),
    output: compareQueryOutputSchema,
  },
  /** Last price, the day's change and a sparkline per watchlist symbol; see overviewItemSchema for "the day". */
  'market.overview': {
    input: marketOverviewInputSchema,
    output: marketOverviewSchema,
  },
  'import.preview': {
    input: z.object(importTargetFields).strict(),
    output: z.object({
      detection: csvDetectionSchema,
      timeframe: timeframeSchema.nullable(),
      rowsRead: z.number().int(),
      validRows: z.number().int(),
      sample: z.array(barSchema),
      errors: z.array(rowErrorSchema),
      errorCount: z.number().int(),
      first: epochMsSchema.nullable(),
      last: epochMsSchema.nullable(),
      /** The detection as a complete mapping: sent back as `mapping` (edited or not), it reads the file the same way. */
      mapping: csvMappingSchema,
      /** How many columns the rows have, so a column can be picked by number in a file without a header. */
      columnCount: z.number().int(),
      /** What the import needs decided first; it refuses while any is open. */
      questions: z.array(importQuestionSchema),
      badOhlc: badOhlcSummarySchema,
      /** Rows the policy would widen or keep, first ones with what it would do. */
      repaired: z.number().int(),
      repairs: z.array(rowErrorSchema),
    }),
  },
  'import.csv': {
    input: z.object(importTargetFields).strict(),
    output: importSummarySchema,
  },
  /** Starts a backfill job and answers at once; progress arrives as job.progress events. */
  'backfill.start': {
    input: z
      .object({
        provider: providerIdSchema,
        symbol: symbolSchema,
        timeframe: timeframeSchema,
        from: epochMsSchema,
        /** Exclusive; absent = now, or the end of an unfinished backfill from the same `from`. */
        to: epochMsSchema.optional(),
      })
      .strict()
      .refine((r) => r.to === undefined || r.from < r.to, { message: '`from` must be before `to`', path: ['from'] }),
    output: z.object({ ...runIdFields, checkpointId: z.string() }),
  },
  'backfill.list': {
    input: emptyInput,
    output: z.object({
      checkpoints: z.array(
        backfillCheckpointSchema.extend({
          status: backfillListStatusSchema,
          /** Share of the range covered, 0 to 1. */
          progress: z.number(),
          lastRun: backfillRunSummarySchema.nullable(),
        }),
      ),
    }),
  },
  /** Every provider with where its key comes from (never the key), limits, what it serves and any configuration error. */
  'providers.list': {
    input: emptyInput,
    output: z.object({ providers: z.array(providerStatusSchema) }),
  },
  /** One cheap real request to the provider; a failure is answered with ok: false, not raised. */
  'providers.test': {
    input: providerTestInputSchema,
    output: providerTestResultSchema,
  },
  'demo.load': {
    input: emptyInput,
    output: z.object({ symbols: z.array(z.string()), bars: z.number().int() }),
  },
  'settings.get': {
    input: emptyInput,
    output: settingsSchema,
  },
  'settings.update': {
    input: settingsPatchSchema.strict(),
    output: settingsSchema,
  },
  'secrets.list': {
    input: emptyInput,
    output: z.object({ secrets: z.array(secretStatusSchema), encryptionAvailable: z.boolean() }),
  },
  'secrets.set': {
    input: z.object({ name: secretNameSchema, value: z.string().trim().min(1).max(4096) }).strict(),
    output: secretStatusSchema,
  },
  'secrets.delete': {
    input: z.object({ name: secretNameSchema }).strict(),
    output: secretStatusSchema,
  },
  /** Saved secrets the keyring of this session cannot open (it changed, or there is none), so the user can enter them again. */
  'secrets.health': {
    input: emptyInput,
    output: secretHealthSchema,
  },
  'jobs.runs': {
    input: z
      .object({ kind: jobKindSchema.optional(), limit: z.number().int().min(1).max(1000).default(50) })
      .strict()
      .default({ limit: 50 }),
    output: z.object({ runs: z.array(jobRunSchema) }),
  },
  /** Scheduled ingest jobs with their next and last runs, and whether this host fires schedules. */
  'jobs.list': {
    input: emptyInput,
    output: z.object({ jobs: z.array(ingestJobSchema), scheduler: schedulerStateSchema }),
  },
  'jobs.create': {
    input: z.object(jobDefinitionFields).strict(),
    output: ingestJobSchema,
  },
  /** Absent fields keep their value; takes effect on the running scheduler at once. */
  'jobs.update': {
    input: z.object({ id: z.string().min(1), ...jobDefinitionPatchFields }).strict(),
    output: ingestJobSchema,
  },
  'jobs.pause': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: ingestJobSchema,
  },
  'jobs.resume': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: ingestJobSchema,
  },
  /** Refused (CONFLICT) while other jobs depend on it; cancels its run in progress. */
  'jobs.delete': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ id: z.string(), deleted: z.boolean() }),
  },
  /** Starts a run at once, paused or not; `runId` is that run, as in job.progress events. CONFLICT while one runs. */
  'jobs.runNow': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ id: z.string(), ...runIdFields }),
  },
  'alerts.list': {
    input: z
      .object({ unacknowledgedOnly: z.boolean().default(false), limit: z.number().int().min(1).max(1000).default(100) })
      .strict()
      .default({ unacknowledgedOnly: false, limit: 100 }),
    output: z.object({ alerts: z.array(alertSchema), unacknowledged: z.number().int() }),
  },
  /** Without `ids`, every unacknowledged alert. */
  'alerts.acknowledge': {
    input: z.object({ ids: z.array(z.number().int()).min(1).max(1000).optional() }).strict().default({}),
    output: z.object({ acknowledged: z.number().int() }),
  },
  /** Cancels a run of any kind; `jobId` is the name `runId` had before 0.2, accepted until 0.3. */
  'jobs.cancel': {
    input: z
      .object({ runId: z.string().min(1).optional(), jobId: z.string().min(1).optional() })
      .strict()
      .refine((r) => (r.runId === undefined) !== (r.jobId === undefined), { message: 'Give `runId` (or its old name `jobId`), once' })
      .transform((r) => ({ runId: (r.runId ?? r.jobId) as string })),
    output: z.object({ ...runIdFields, cancelled: z.boolean() }),
  },
  ...modelMethods,
  ...featureMethods,
  ...backupMethods,
  ...priceAlertMethods,
  ...drawingMethods,
  ...syncMethods,
} as const;

const jobProgressSchema = z.object({
  ...runIdFields,
  kind: jobKindSchema,
  done: z.number(),
  total: z.number().nullable(),
  unit: z.string(),
  /** Units per second over the job so far. */
  rate: z.number().nullable(),
  etaMs: z.number().nullable(),
});

/** Everything the core pushes to listeners (renderer windows, WebSocket clients). */
export const events = {
  'job.progress': jobProgressSchema,
  /** The job.progress of a backup run, under the name the Backups screen listens to. */
  'backup.progress': jobProgressSchema,
  'job.finished': z.object({
    ...runIdFields,
    kind: jobKindSchema,
    status: jobStatusSchema,
    rows: z.number().int(),
    error: z.string().nullable(),
  }),
  /** Stored bars changed in bulk (import, demo); charts showing this symbol re-query. */
  'bars.changed': z.object({
    symbol: z.string(),
    timeframe: timeframeSchema,
    from: epochMsSchema,
    to: epochMsSchema,
  }),
  /**
   * New bars at the live end of a stored series (a scheduled update, the tail of a backfill),
   * ascending, at most MAX_APPENDED_BARS; the last may replace a still-forming bar already
   * sent. A chart on this timeframe merges them in place; others re-query their tail.
   */
  'bars.appended': z.object({
    symbol: z.string(),
    timeframe: timeframeSchema,
    source: z.string(),
    bars: z.array(barSchema).min(1).max(MAX_APPENDED_BARS),
  }),
  'alert.raised': alertSchema,
  'settings.changed': settingsSchema,
  /** An instrument was created, edited or deleted (from this window or another client of the same core); instrument lists re-read. */
  'instruments.changed': z.object({ symbol: z.string(), change: z.enum(['created', 'updated', 'deleted']) }),
  /** The team database went away or came back, a sync ended, or the changes waiting to be sent changed: system.status's `sync`. */
  'sync.changed': syncStatusSchema,
  ...modelEvents,
  ...drawingEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export type EventMessage = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}
