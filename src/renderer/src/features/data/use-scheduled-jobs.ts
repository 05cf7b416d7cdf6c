import type { MethodOutput } from '../../../../shared/contract';
import { api } from '../../api/client';
import { createSharedQuery, useSharedQuery, type SharedQuerySnapshot } from '../../api/shared-query';

/** Next-run times move as schedules fire, so the list is re-read this often besides on every change. */
const JOBS_REFRESH_MS = 15_000;

const scheduledJobs = createSharedQuery(api, 'jobs.list', {}, {
  refreshMs: JOBS_REFRESH_MS,
  // Runs start and end in the background (schedules, run now); last-run and running columns follow them.
  reloadOn: ['job.finished', 'alert.raised'],
});

/** Scheduled jobs and the scheduler's state, one copy for the status bar and the Data screen's tabs. */
export function useScheduledJobs(): SharedQuerySnapshot<MethodOutput<'jobs.list'>> & { changed(): void } {
  return { ...useSharedQuery(scheduledJobs), changed: scheduledJobs.reload };
}
