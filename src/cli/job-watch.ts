import type { Core } from '../core/create-core';
import type { EventPayload } from '../shared/contract';
import type { JobRun } from '../shared/domain';
import { formatCount, formatDuration, type CliOutput } from './format';

const PLAIN_PROGRESS_INTERVAL_MS = 1000;

/**
 * Job progress on stderr: one line redrawn in place on a terminal, otherwise a plain line
 * at most once a second so logs of cron runs stay short.
 */
export function createProgressReporter(output: CliOutput, label: string, now: () => number = Date.now) {
  let drawn = false;
  let lastPlain = -Infinity;
  return {
    update(progress: EventPayload<'job.progress'>): void {
      const { done, total, unit, rate, etaMs } = progress;
      const parts = [total !== null ? `${formatCount(done)} / ${formatCount(total)} ${unit}` : `${formatCount(done)} ${unit}`];
      if (total) parts[0] += ` (${Math.floor((done / total) * 100)}%)`;
      if (rate !== null) parts.push(`${formatCount(Math.round(rate))} ${unit}/s`);
      if (etaMs !== null && etaMs >= 1000 && total !== null && done < total) parts.push(`about ${formatDuration(etaMs)} left`);
      const line = `${label}: ${parts.join(', ')}`;
      if (output.errIsTTY) {
        output.err(`\r\x1b[K${line}`);
        drawn = true;
        return;
      }
      const finished = total !== null && done >= total;
      if (finished || now() - lastPlain >= PLAIN_PROGRESS_INTERVAL_MS) {
        lastPlain = now();
        output.err(`${line}\n`);
      }
    },
    /** Ends the in-place line so what follows starts on its own. */
    finish(): void {
      if (drawn) output.err('\n');
      drawn = false;
    },
  };
}

/**
 * What a command that runs one long job shows and handles meanwhile: the job's progress on
 * stderr, and Ctrl-C, which cancels the job cleanly (the run is recorded as cancelled, a
 * backfill's checkpoint stays resumable) while a second Ctrl-C quits at once.
 */
export function watchJobProgress(core: Core, output: CliOutput, job: { kind: JobRun['kind']; label: string; noun: string }) {
  const reporter = createProgressReporter(output, job.label);
  let followed: string | undefined;
  const unsubscribe = core.events.subscribe((message) => {
    if (message.name !== 'job.progress' || message.payload.kind !== job.kind) return;
    if (followed === undefined || message.payload.runId === followed) reporter.update(message.payload);
  });

  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    reporter.finish();
    output.err(`Cancelling ${job.noun}… (press Ctrl-C again to quit at once)\n`);
    core.jobs.cancelAll();
  };
  process.on('SIGINT', onInterrupt);

  return {
    finish: reporter.finish,
    /** Shows only this job's progress from now on, once its id is known. */
    follow(runId: string): void {
      followed = runId;
    },
    dispose(): void {
      process.off('SIGINT', onInterrupt);
      unsubscribe();
      reporter.finish();
    },
  };
}
