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
