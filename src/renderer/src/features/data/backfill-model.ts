import { describePlanStart } from '../../../../shared/backfill';
import type { EventPayload, MethodInput, MethodOutput } from '../../../../shared/contract';
import { providerIds, type ProviderId } from '../../../../shared/domain';
import { timeframes, type Timeframe } from '../../../../shared/timeframes';
import { formatCount } from '../../ui/format/numbers';
import { dateInputToEpoch, formatDuration } from '../../ui/format/time';

export type BackfillCheckpointRow = MethodOutput<'backfill.list'>['checkpoints'][number];
export type JobProgress = EventPayload<'job.progress'>;
type BackfillStartInput = MethodInput<'backfill.start'>;

/**
 * Share of the checkpoint's range covered, 0 to 1. While a run reports progress, its
 * done/total count only the part it started from (a resumed run starts at the checkpoint),
 * so the covered share before that start is added back.
 */
export function backfillFraction(checkpoint: BackfillCheckpointRow, live: JobProgress | undefined): number {
  const span = checkpoint.rangeTo - checkpoint.rangeFrom;
  const run = checkpoint.lastRun;
  if (!live || live.total === null || live.total <= 0 || !run || run.runId !== live.runId || span <= 0) return checkpoint.progress;
  const before = Math.min(1, Math.max(0, (run.startedFrom - checkpoint.rangeFrom) / span));
  const fraction = before + (1 - before) * Math.min(1, live.done / live.total);
  // Progress events are throttled; a fresher checkpoint from a reload never moves the bar back.
  return Math.max(checkpoint.progress, fraction);
}

/** "1,240 bars/s · 2 min left" from a progress event; empty before the first bars arrive. */
export function describeBackfillRate(live: JobProgress, locale?: string): string {
  const parts: string[] = [];
  if (live.rate !== null) parts.push(`${formatCount(live.rate, locale)} ${live.unit}/s`);
  if (live.etaMs !== null) parts.push(`${formatDuration(live.etaMs)} left`);
  return parts.join(' · ');
}

/** "Your plan starts at 2023-02-21 (…)" when the key's plan cut the range short; null when it did not. */
export function describeBackfillPlan(checkpoint: BackfillCheckpointRow): string | null {
  const plan = checkpoint.lastRun?.plan;
  if (!plan) return null;
  const sentence = describePlanStart(plan);
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

/** The same request again: the core finds the checkpoint by provider, symbol, timeframe and range, and resumes it. */
export function resumeBackfillInput(checkpoint: BackfillCheckpointRow): BackfillStartInput {
  return {
    provider: checkpoint.provider,
    symbol: checkpoint.symbol,
    timeframe: checkpoint.timeframe,
    from: checkpoint.rangeFrom,
    to: checkpoint.rangeTo,
  };
}

export type BackfillState = BackfillCheckpointRow['status'];

export function canResume(checkpoint: BackfillCheckpointRow): boolean {
  // `interrupted`: the process that ran it stopped; its checkpoint resumes like a failure's.
  const state = checkpoint.status;
  return state === 'failed' || state === 'cancelled' || state === 'interrupted';
}

export interface BackfillForm {
  provider: string;
  symbol: string;
  timeframe: string;
  /** Date inputs, YYYY-MM-DD in UTC; `to` may be empty for "up to now". */
  from: string;
  to: string;
}

export type BackfillFormErrors = Partial<Record<keyof BackfillForm, string>>;

const isProvider = (value: string): value is ProviderId => (providerIds as readonly string[]).includes(value);
const isTimeframe = (value: string): value is Timeframe => (timeframes as readonly string[]).includes(value);

/**
 * The backfill.start request a filled-in form asks for, or what is wrong with each field.
 * `to` is a date and exclusive, so "to 2024-02-01" stops before that day's first bar.
 */
export function backfillFormToInput(form: BackfillForm): { input: BackfillStartInput; errors: null } | { input: null; errors: BackfillFormErrors } {
  const errors: BackfillFormErrors = {};
  if (!isProvider(form.provider)) errors.provider = 'Choose a provider.';
  const symbol = form.symbol.trim().toUpperCase();
  if (symbol === '') errors.symbol = 'Choose an instrument.';
  if (!isTimeframe(form.timeframe)) errors.timeframe = 'Choose a timeframe.';
  const from = dateInputToEpoch(form.from);
  if (from === undefined) errors.from = 'Enter the first day to fetch.';
  const to = form.to === '' ? undefined : dateInputToEpoch(form.to);
  if (form.to !== '' && to === undefined) errors.to = 'Enter a date, or leave it empty for up to now.';
  if (from !== undefined && to !== undefined && from >= to) errors.to = 'The end must be after the start.';
  if (Object.keys(errors).length > 0 || !isProvider(form.provider) || !isTimeframe(form.timeframe) || from === undefined) {
    return { input: null, errors };
  }
  return { input: { provider: form.provider, symbol, timeframe: form.timeframe, from, ...(to !== undefined && { to }) }, errors: null };
}
