import { z } from 'zod';
import { epochMsSchema, jobRunSchema, providerIdSchema, symbolSchema } from './domain';
import { timeframeSchema } from './timeframe-schema';

/**
 * What the scheduler runs. `poll` records spot snapshots (`precious_metals_prices`),
 * `backfill` keeps a series' bars current from its last stored bar, `news` fills `news`.
 * `predict` forecasts with a series' active and shadow models when its bars land and scores
 * them when the actual bars arrive; `train` retrains a registry name from its active version's
 * parameters. `backup` writes and verifies a backup, then applies the keep rules; `drill`
 * restores the latest verified backup into a scratch database and queries it; `retention`
 * rolls minute bars older than the retention setting up into hourly bars.
 */
export const scheduledJobKinds = ['poll', 'backfill', 'news', 'predict', 'train', 'backup', 'drill', 'retention'] as const;
export const scheduledJobKindSchema = z.enum(scheduledJobKinds);
export type ScheduledJobKind = z.infer<typeof scheduledJobKindSchema>;

/** Kinds that work on stored bars, models and backups and call no provider. */
export const providerlessJobKinds = ['predict', 'train', 'backup', 'drill', 'retention'] as const satisfies readonly ScheduledJobKind[];

/** Kinds that work on the whole workspace: they take no symbols, timeframe or model name. */
export const workspaceJobKinds = ['backup', 'drill', 'retention'] as const satisfies readonly ScheduledJobKind[];

export function isWorkspaceJob(kind: ScheduledJobKind): boolean {
  return (workspaceJobKinds as readonly ScheduledJobKind[]).includes(kind);
}

export function needsProvider(kind: ScheduledJobKind): boolean {
  return !(providerlessJobKinds as readonly ScheduledJobKind[]).includes(kind);
}

/** What a `predict` job does with the live scores of the models it tracks. */
export const liveTrackingSchema = z.object({
  /** Scored predictions each rolling score and drift statistic covers (the last N). */
  window: z.number().int().min(5).max(5_000).default(50),
  /** Crossing a drift threshold raises an alert; `retrain` also retrains the model. */
  onDrift: z.enum(['alert', 'retrain']).default('alert'),
  /** Rolling scores in a row with live rel_mae above 1 before a model is flagged for retirement. */
  retireAfter: z.number().int().min(1).max(5_000).default(20),
});
export type LiveTracking = z.infer<typeof liveTrackingSchema>;
export const defaultLiveTracking: LiveTracking = { window: 50, onDrift: 'alert', retireAfter: 20 };

/** True when `timezone` is an IANA zone this runtime knows (UTC, Europe/London, America/New_York). */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * How schedules are read, by the scheduler and by the form that previews them: five fields
 * (minute hour day month weekday), or six with seconds first (croner's option).
 */
export const CRON_MODE = '5-or-6-parts';

export const retryPolicySchema = z.object({
  /** Attempts in all, the first included. Only transient errors are retried, never AUTH, VALIDATION or NOT_FOUND. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Wait before the second attempt; doubled for each later one, with full jitter. */
  backoffMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** What a user declares; the scheduler owns everything else about a job. */
export const jobDefinitionFields = {
  name: z.string().trim().min(1).max(100),
  kind: scheduledJobKindSchema,
  /** `predict` and `train` call no provider and take null (or leave it out); the other kinds need one. */
  provider: providerIdSchema.nullable().default(null),
  /** `news` may leave it empty for all of the provider's news. */
  symbols: z.array(symbolSchema).max(50),
  /** `backfill`: the stored timeframe to keep current; `predict`: the series' timeframe. `poll`, `news` and `train`: null. */
  timeframe: timeframeSchema.nullable().default(null),
  /** `train`: the registry name retrained for each of `symbols`. Other kinds: null. */
  modelName: z.string().trim().min(1).max(100).nullable().default(null),
  /** `predict`: scoring window, drift response and retirement; other kinds keep the defaults. */
  tracking: liveTrackingSchema.default(defaultLiveTracking),
  /** Cron expression (5 fields, or 6 with seconds); null = on demand only. */
  schedule: z.string().trim().min(1).max(120).nullable(),
  /** IANA zone the schedule is read in, e.g. America/New_York. */
  timezone: z.string().trim().min(1).max(64).default('UTC'),
  /** `backfill` and `news`: how far back the first run reaches when nothing is stored yet. */
  lookbackDays: z.number().int().min(1).max(36_500).default(30),
  retryPolicy: retryPolicySchema.default({ maxAttempts: 3, backoffMs: 30_000 }),
  /** A run taking longer is cancelled and recorded as failed. */
  timeoutMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
  /** Ingest job ids; this job runs after each of them has succeeded, and not while one's latest run failed. */
  dependsOn: z.array(z.string().min(1)).max(20).default([]),
};

/** `jobs.update`: any field of the definition; an absent field keeps its value, so none has a default here. */
export const jobDefinitionPatchFields = {
  name: jobDefinitionFields.name.optional(),
  kind: jobDefinitionFields.kind.optional(),
  provider: jobDefinitionFields.provider.unwrap().optional(),
  symbols: jobDefinitionFields.symbols.optional(),
  timeframe: jobDefinitionFields.timeframe.unwrap().optional(),
  modelName: jobDefinitionFields.modelName.unwrap().optional(),
  tracking: liveTrackingSchema.optional(),
  schedule: jobDefinitionFields.schedule.optional(),
  timezone: jobDefinitionFields.timezone.unwrap().optional(),
  lookbackDays: jobDefinitionFields.lookbackDays.unwrap().optional(),
  retryPolicy: retryPolicySchema.optional(),
  timeoutMs: jobDefinitionFields.timeoutMs.unwrap().optional(),
  dependsOn: jobDefinitionFields.dependsOn.unwrap().optional(),
};

export const ingestJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: scheduledJobKindSchema,
  provider: providerIdSchema.nullable(),
  symbols: z.array(z.string()),
  timeframe: timeframeSchema.nullable(),
  modelName: z.string().nullable(),
  tracking: liveTrackingSchema,
  schedule: z.string().nullable(),
  timezone: z.string(),
  lookbackDays: z.number().int(),
  retryPolicy: retryPolicySchema,
  timeoutMs: z.number().int(),
  dependsOn: z.array(z.string()),
  /** False when paused: the schedule is kept but does not fire; run-now still works. */
  enabled: z.boolean(),
  createdAt: epochMsSchema,
  updatedAt: epochMsSchema,
  /** Next time the schedule fires; null when paused, on demand only, or the scheduler is stopped. */
  nextRunAt: epochMsSchema.nullable(),
  lastRun: jobRunSchema.nullable(),
  /** The run in progress, if any. */
  runningRunId: z.string().nullable(),
  /** @deprecated since 0.2, removed in 0.3: the same as `runningRunId`. */
  runningJobId: z.string().nullable(),
});
export type IngestJob = z.infer<typeof ingestJobSchema>;

export const schedulerStateSchema = z.object({
  /** `stopped` in one-shot CLI commands, which never fire schedules. */
  state: z.enum(['running', 'stopped']),
  /** Jobs waiting for their provider's turn. */
  queued: z.number().int(),
});
export type SchedulerState = z.infer<typeof schedulerStateSchema>;

export const alertSeveritySchema = z.enum(['info', 'warning', 'error']);
export const alertSchema = z.object({
  id: z.number().int(),
  createdAt: epochMsSchema,
  severity: alertSeveritySchema,
  /** What raised it, e.g. `job:<ingest job id>`. */
  source: z.string(),
  message: z.string(),
  acknowledgedAt: epochMsSchema.nullable(),
});
export type Alert = z.infer<typeof alertSchema>;
