import { Cron } from 'croner';
import { z } from 'zod';
import type { ProviderId } from '../../../../shared/domain';
import { CRON_MODE, defaultLiveTracking, isKnownTimezone, isWorkspaceJob, jobDefinitionFields, needsProvider, type IngestJob, type LiveTracking, type ScheduledJobKind } from '../../../../shared/scheduler';

const jobDefinitionSchema = z.object(jobDefinitionFields);
export type JobDefinition = z.output<typeof jobDefinitionSchema>;

/** What the job form holds: text as typed, so a half-typed number is not lost. */
export interface JobForm {
  name: string;
  kind: ScheduledJobKind;
  provider: string;
  /** Separated by commas or spaces. */
  symbols: string;
  timeframe: string;
  /** `train`: the registry name it retrains. */
  modelName: string;
  /** `predict`: scored predictions per rolling score. */
  trackingWindow: string;
  onDrift: LiveTracking['onDrift'];
  /** `predict`: rolling scores above naive in a row before a model is flagged. */
  retireAfter: string;
  /** Empty = on demand only. */
  schedule: string;
  timezone: string;
  lookbackDays: string;
  maxAttempts: string;
  backoffSeconds: string;
  timeoutMinutes: string;
  dependsOn: string[];
}

export type JobFormField = keyof JobForm;
export type JobFormErrors = Partial<Record<JobFormField, string>>;

export const jobKindLabels: Record<ScheduledJobKind, string> = {
  poll: 'Latest prices',
  backfill: 'Keep bars current',
  news: 'News',
  predict: 'Forecast with models',
  train: 'Retrain a model',
  backup: 'Back up the workspace',
  drill: 'Restore drill',
  retention: 'Roll up old minute bars',
};

export const emptyJobForm: JobForm = {
  name: '',
  kind: 'backfill',
  provider: '',
  symbols: '',
  timeframe: '',
  modelName: '',
  trackingWindow: String(defaultLiveTracking.window),
  onDrift: defaultLiveTracking.onDrift,
  retireAfter: String(defaultLiveTracking.retireAfter),
  schedule: '*/15 * * * *',
  timezone: 'UTC',
  lookbackDays: '30',
  maxAttempts: '3',
  backoffSeconds: '30',
  timeoutMinutes: '10',
  dependsOn: [],
};

export function jobToForm(job: IngestJob): JobForm {
  return {
    name: job.name,
    kind: job.kind,
    provider: job.provider ?? '',
    symbols: job.symbols.join(', '),
    timeframe: job.timeframe ?? '',
    modelName: job.modelName ?? '',
    trackingWindow: String(job.tracking.window),
    onDrift: job.tracking.onDrift,
    retireAfter: String(job.tracking.retireAfter),
    schedule: job.schedule ?? '',
    timezone: job.timezone,
    lookbackDays: String(job.lookbackDays),
    maxAttempts: String(job.retryPolicy.maxAttempts),
    backoffSeconds: String(job.retryPolicy.backoffMs / 1_000),
    timeoutMinutes: String(job.timeoutMs / 60_000),
    dependsOn: job.dependsOn,
  };
}

/** Each number field: where it lands in the definition, and the unit the form shows it in. */
const numberFields = {
  lookbackDays: { label: 'Look-back', unit: 'days', scale: 1 },
  maxAttempts: { label: 'Attempts', unit: '', scale: 1 },
  backoffSeconds: { label: 'First retry wait', unit: 's', scale: 1_000 },
  timeoutMinutes: { label: 'Time limit', unit: 'min', scale: 60_000 },
  trackingWindow: { label: 'Scoring window', unit: 'predictions', scale: 1 },
  retireAfter: { label: 'Retirement window', unit: 'scores', scale: 1 },
} as const;

/** The definition's path of an issue → the form field that shows it. */
function fieldOf(path: readonly PropertyKey[]): JobFormField {
  const [head, next] = path;
  if (head === 'retryPolicy') return next === 'backoffMs' ? 'backoffSeconds' : 'maxAttempts';
  if (head === 'timeoutMs') return 'timeoutMinutes';
  if (head === 'tracking') return next === 'retireAfter' ? 'retireAfter' : next === 'onDrift' ? 'onDrift' : 'trackingWindow';
  return head as JobFormField;
}

function issueMessage(field: JobFormField, issue: z.core.$ZodIssue): string {
  if (field in numberFields && (issue.code === 'too_small' || issue.code === 'too_big')) {
    const { label, unit, scale } = numberFields[field as keyof typeof numberFields];
    const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum) / scale;
    return `${label} must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound}${unit ? ` ${unit}` : ''}.`;
  }
  if (field in numberFields) return `${numberFields[field as keyof typeof numberFields].label} must be a whole number.`;
  if (field === 'name') return issue.code === 'too_big' ? 'Keep the name under 100 characters.' : 'Give the job a name.';
  if (field === 'provider') return 'Choose a provider.';
  if (field === 'timezone') return 'Give a time zone, such as UTC or America/New_York.';
  if (field === 'schedule') return 'Keep the schedule under 120 characters.';
  if (field === 'modelName') return 'Keep the model name under 100 characters.';
  if (field === 'symbols') return issue.code === 'too_big' && issue.origin === 'array' ? 'At most 50 instruments per job.' : issue.message;
  return issue.message;
}

const timezoneProblem = (timezone: string) => `“${timezone}” is not a time zone; use a name like Europe/London.`;

/**
 * The next `count` times a schedule fires after `after`, or in one sentence why it cannot:
 * an unknown time zone is named as such rather than through the cron library's own error.
 */
export function previewSchedule(schedule: string, timezone: string, after: number, count = 3): { runs: number[]; error: null } | { runs: null; error: string } {
  if (!isKnownTimezone(timezone)) return { runs: null, error: timezoneProblem(timezone) };
  try {
    // Without a function to call, croner only evaluates the pattern; nothing is scheduled here.
    const cron = new Cron(schedule, { timezone, mode: CRON_MODE, paused: true });
    const runs = cron.nextRuns(count, new Date(after)).map((date) => date.getTime());
    return runs.length > 0 ? { runs, error: null } : { runs: null, error: 'No date matches this schedule, so it never fires.' };
  } catch (error) {
    return { runs: null, error: `Not a cron expression: ${(error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, '')}` };
  }
}

const DAY_MS = 86_400_000;
/** Runs looked at; a schedule firing more often in the quota's window is extrapolated from them. */
const SAMPLED_RUNS = 60;

/**
 * Plans whose quota a schedule can exhaust although our per-minute limiter paces every
 * request: Metals-API counts a month (the free plan about 50), Twelve Data a day (800 on Basic).
 */
const quotas: Partial<Record<ProviderId, { requests: number; windowDays: number; plan: string }>> = {
  metalsapi: { requests: 50, windowDays: 30, plan: 'Metals-API’s free plan allows about 50 requests a month' },
  twelvedata: { requests: 800, windowDays: 1, plan: 'Twelve Data’s Basic plan allows 800 credits a day' },
};

/** How often the schedule fires in the `windowDays` after `now`: counted, or extrapolated from the next SAMPLED_RUNS. */
function runsWithin(schedule: string, timezone: string, now: number, windowDays: number): number | null {
  const preview = previewSchedule(schedule, timezone, now, SAMPLED_RUNS);
  if (preview.error !== null) return null;
  const windowMs = windowDays * DAY_MS;
  const last = preview.runs.at(-1)!;
  if (preview.runs.length < SAMPLED_RUNS || last >= now + windowMs) return preview.runs.filter((time) => time < now + windowMs).length;
  return Math.round((preview.runs.length * windowMs) / (last - now));
}

/**
 * A sentence when the schedule alone, one request per instrument and run, would use more
 * of the provider's quota than its free plan has; null when it fits or the provider has none.
 */
export function quotaWarning(provider: ProviderId, schedule: string, timezone: string, instruments: number, now: number): string | null {
  const quota = quotas[provider];
  if (!quota) return null;
  const runs = runsWithin(schedule, timezone, now, quota.windowDays);
  if (runs === null) return null;
  const requests = runs * Math.max(1, instruments);
  if (requests <= quota.requests) return null;
  const per = quota.windowDays === 1 ? 'a day' : 'a month';
  return `${quota.plan}; this schedule makes about ${requests.toLocaleString('en-US')} ${per}. Runs fail once it is spent, unless your plan has more.`;
}

/**
 * The definition jobs.create/jobs.update receive, checked with the same schema the core
 * uses, plus what the schema cannot know: a backfill needs a timeframe and instruments,
 * a forecast job a timeframe, a retrain job a model name, the schedule must be a cron
 * expression and the zone a real one. Forecast and retrain jobs send no provider. Anything
 * else the core rejects (an instrument the provider does not carry) comes back as its own message.
 */
export function jobFormToDefinition(form: JobForm, now: number): { definition: JobDefinition; errors: null } | { definition: null; errors: JobFormErrors } {
  const number = (text: string, scale: number) => (text.trim() === '' ? Number.NaN : Number(text) * scale);
  const candidate = {
    name: form.name,
    kind: form.kind,
    provider: needsProvider(form.kind) ? form.provider : null,
    symbols: isWorkspaceJob(form.kind) ? [] : form.symbols.split(/[\s,]+/).filter((symbol) => symbol !== ''),
    timeframe: (form.kind === 'backfill' || form.kind === 'predict') && form.timeframe !== '' ? form.timeframe : null,
    modelName: form.kind === 'train' && form.modelName.trim() !== '' ? form.modelName : null,
    tracking:
      form.kind === 'predict'
        ? { window: number(form.trackingWindow, 1), onDrift: form.onDrift, retireAfter: number(form.retireAfter, 1) }
        : defaultLiveTracking,
    schedule: form.schedule.trim() === '' ? null : form.schedule.trim(),
    timezone: form.timezone.trim(),
    lookbackDays: number(form.lookbackDays, 1),
    retryPolicy: { maxAttempts: number(form.maxAttempts, 1), backoffMs: number(form.backoffSeconds, 1_000) },
    timeoutMs: number(form.timeoutMinutes, 60_000),
    dependsOn: form.dependsOn,
  };
  const errors: JobFormErrors = {};
  const parsed = jobDefinitionSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      errors[field] ??= issueMessage(field, issue);
    }
  }
  if (form.kind === 'backfill' && form.timeframe === '') errors.timeframe ??= 'Choose the timeframe to keep current.';
  if (form.kind === 'predict' && form.timeframe === '') errors.timeframe ??= 'Choose the timeframe of the series to forecast.';
  if (form.kind === 'train' && candidate.modelName === null) errors.modelName ??= 'Name the model to retrain, as the Models screen lists it.';
  if (form.kind !== 'news' && !isWorkspaceJob(form.kind) && candidate.symbols.length === 0) errors.symbols ??= 'Name at least one instrument.';
  if (!isKnownTimezone(candidate.timezone)) errors.timezone ??= timezoneProblem(candidate.timezone);
  else if (candidate.schedule !== null) {
    const preview = previewSchedule(candidate.schedule, candidate.timezone, now, 1);
    if (preview.error !== null) errors.schedule ??= preview.error;
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { definition: null, errors };
  return { definition: parsed.data, errors: null };
}

export const scheduleExamples: ReadonlyArray<{ schedule: string; label: string }> = [
  { schedule: '*/15 * * * *', label: 'every 15 minutes' },
  { schedule: '0 * * * *', label: 'every hour' },
  { schedule: '30 22 * * 1-5', label: 'weekdays 22:30' },
  { schedule: '0 6 * * *', label: 'daily 06:00' },
];
