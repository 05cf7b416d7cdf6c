import type { EventPayload } from '../../../shared/contract';
import { formatCount } from './format/numbers';
import { formatDuration } from './format/time';

type JobKind = EventPayload<'job.progress'>['kind'];

const jobNames: Record<JobKind, string> = {
  import: 'Importing CSV',
  demo: 'Loading demo data',
  backfill: 'Backfilling history',
  repair: 'Repairing gaps',
  poll: 'Fetching latest prices',
  news: 'Fetching news',
  train: 'Training a model',
  predict: 'Predicting',
  features: 'Materialising features',
  backup: 'Backing up',
  restore: 'Restoring',
  retention: 'Applying data retention',
  drill: 'Running a restore drill',
};

export function jobName(kind: JobKind): string {
  return jobNames[kind];
}

/** One line for the status bar, e.g. "Importing CSV · 45% · 12,000 / 26,000 bars · 2 min left". */
export function describeJobProgress(progress: EventPayload<'job.progress'>, locale?: string): string {
  const parts = [jobNames[progress.kind]];
  if (progress.total !== null && progress.total > 0) {
    parts.push(`${Math.floor((progress.done / progress.total) * 100)}%`);
    parts.push(`${formatCount(progress.done, locale)} / ${formatCount(progress.total, locale)} ${progress.unit}`);
  } else {
    parts.push(`${formatCount(progress.done, locale)} ${progress.unit}`);
  }
  if (progress.etaMs !== null) parts.push(`${formatDuration(progress.etaMs)} left`);
  return parts.join(' · ');
}

export function describeJobFinished(finished: EventPayload<'job.finished'>, locale?: string): string {
  const name = jobNames[finished.kind];
  switch (finished.status) {
    case 'succeeded':
      return `${name}: done, ${formatCount(finished.rows, locale)} rows`;
    case 'cancelled':
      return `${name}: cancelled`;
    case 'failed':
      return `${name}: failed${finished.error ? ` — ${finished.error}` : ''}`;
    case 'running':
      return `${name}: running`;
  }
}
