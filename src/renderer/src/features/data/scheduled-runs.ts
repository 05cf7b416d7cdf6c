import type { IngestJob } from '../../../../shared/scheduler';

// Apart from job-form.ts, which parses cron patterns with croner: the status bar shows this on
// every screen and should not load the parser with the first screen.
/** The soonest time any job's schedule fires; null when none is due (all paused, on demand, or the scheduler is stopped). */
export function nextScheduledRun(jobs: readonly Pick<IngestJob, 'nextRunAt'>[]): number | null {
  const times = jobs.flatMap((job) => (job.nextRunAt === null ? [] : [job.nextRunAt]));
  return times.length === 0 ? null : Math.min(...times);
}
