import { useApiEvent, useApiQuery, type QueryState } from '../../api/hooks';
import type { MethodOutput } from '../../../../shared/contract';
import { createRevision } from './revision';

/** Next-run times move as schedules fire, so the list is re-read this often besides on every change. */
const JOBS_REFRESH_MS = 15_000;

const jobsRevision = createRevision();

/** Scheduled jobs and the scheduler's state, shared by the status bar and the Data screen. */
export function useScheduledJobs(): QueryState<MethodOutput<'jobs.list'>> & { changed(): void } {
  const query = useApiQuery('jobs.list', {}, { refreshMs: JOBS_REFRESH_MS });
  const { reload } = query;
  jobsRevision.useReloadOnBump(reload);
  // Runs start and end in the background (schedules, run now); last-run and running columns follow them.
  useApiEvent('job.finished', reload);
  useApiEvent('alert.raised', reload);
  return { ...query, changed: jobsRevision.bump };
}
