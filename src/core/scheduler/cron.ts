import { Cron } from 'croner';
import { AppError } from '../../shared/errors';
import { CRON_MODE, isKnownTimezone } from '../../shared/scheduler';

export function checkTimezone(timezone: string): void {
  if (!isKnownTimezone(timezone)) {
    throw new AppError('VALIDATION', `"${timezone}" is not a time zone; use a name such as UTC, Europe/London or America/New_York.`);
  }
}

/**
 * A parsed schedule: 5 fields (minute hour day-of-month month day-of-week) or 6 with
 * seconds first, read in `timezone`, so "0 9 * * 1-5" is 09:00 New York time on weekdays
 * through both daylight-saving changes. A time that does not exist on a spring-forward day
 * runs at the first time after the gap; one that occurs twice in autumn runs once.
 */
export class CronSchedule {
  private readonly cron: Cron;

  constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {
    checkTimezone(timezone);
    try {
      // No callback: croner only computes times here; the scheduler owns the timers.
      this.cron = new Cron(expression, { timezone, mode: CRON_MODE, paused: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
      throw new AppError(
        'VALIDATION',
        `The schedule "${expression}" is not a cron expression (${reason}). Use five fields, minute hour day month weekday: "*/15 * * * *" is every 15 minutes, "30 22 * * 1-5" is 22:30 on weekdays.`,
      );
    }
    if (this.cron.nextRun() === null) {
      throw new AppError('VALIDATION', `The schedule "${expression}" never fires (no date matches it).`);
    }
  }

  /** The first time strictly after `after` (UTC epoch ms) the schedule fires; null when it never will again. */
  nextAfter(after: number): number | null {
    return this.cron.nextRun(new Date(after))?.getTime() ?? null;
  }
}

const DAY_MS = 86_400_000;
/** Firings walked one by one: enough for a year of a daily schedule, or a weekend of an hourly one. */
const WALKED_FIRINGS = 200;
/** A schedule's cycle is at least a week: a weekday schedule's longest gap is its weekend. */
const CYCLE_MS = 8 * DAY_MS;
const PROBE_STEP_MS = 3_600_000;

/**
 * The longest wait between two consecutive firings of `schedule` over its next cycle from
 * `from`: what a schedule promises at worst, so "0 2 * * 1-5" promises three days, not one.
 * The first firings are walked one by one; a schedule that fires so often that they span less
 * than a week is probed hourly over the week as well (walking a minute schedule's week would
 * take ten thousand steps), which finds its night and weekend gaps to within the hour.
 */
export function longestGapMs(schedule: CronSchedule, from: number): number | null {
  const first = schedule.nextAfter(from);
  if (first === null) return null;
  let longest = 0;
  let at = first;
  for (let walked = 0; walked < WALKED_FIRINGS && at - first < 366 * DAY_MS; walked++) {
    const next = schedule.nextAfter(at);
    if (next === null) break;
    longest = Math.max(longest, next - at);
    at = next;
  }
  if (at - first < CYCLE_MS) {
    for (let probe = at; probe < first + CYCLE_MS; probe += PROBE_STEP_MS) {
      const next = schedule.nextAfter(probe);
      if (next !== null) longest = Math.max(longest, next - probe);
    }
  }
  return longest > 0 ? longest : null;
}
