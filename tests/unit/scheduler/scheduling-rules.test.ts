import { describe, expect, it } from 'vitest';
import { CronSchedule } from '../../../src/core/scheduler/cron';
import { isKnownTimezone } from '../../../src/shared/scheduler';
import { checkDependencies, findCycle } from '../../../src/core/scheduler/dependencies';
import { sentimentScore } from '../../../src/core/scheduler/executors';
import { isTransient, MAX_RETRY_DELAY_MS, retryDelayMs, shouldRetry } from '../../../src/core/scheduler/retry';
import { AppError } from '../../../src/shared/errors';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('cron schedules in a time zone', () => {
  it('reads weekday mornings in New York across the March daylight-saving change', () => {
    const schedule = new CronSchedule('0 9 * * 1-5', 'America/New_York');
    // Friday 7 March 2025 is EST (UTC−5); Monday 10 March is EDT (UTC−4).
    expect(iso(schedule.nextAfter(Date.UTC(2025, 2, 7, 12)))).toBe('2025-03-07T14:00:00.000Z');
    expect(iso(schedule.nextAfter(Date.UTC(2025, 2, 7, 14)))).toBe('2025-03-10T13:00:00.000Z');
  });

  it('runs a time skipped by spring-forward once after the gap, and a repeated autumn time once', () => {
    const schedule = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    // 30 March 2025: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist.
    expect(iso(schedule.nextAfter(Date.UTC(2025, 2, 29, 12)))).toBe('2025-03-30T01:00:00.000Z');
    // 26 October 2025: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET); it fires once.
    const autumn = schedule.nextAfter(Date.UTC(2025, 9, 25, 12))!;
    expect(iso(autumn)).toBe('2025-10-26T00:30:00.000Z');
    expect(iso(schedule.nextAfter(autumn))).toBe('2025-10-27T01:30:00.000Z');
  });

  it('accepts six fields with seconds, and runs every quarter hour in UTC', () => {
    expect(iso(new CronSchedule('*/15 * * * *', 'UTC').nextAfter(Date.UTC(2025, 0, 1, 10, 7)))).toBe('2025-01-01T10:15:00.000Z');
    expect(iso(new CronSchedule('30 * * * * *', 'UTC').nextAfter(Date.UTC(2025, 0, 1, 10, 7, 30)))).toBe('2025-01-01T10:08:30.000Z');
  });

  it('refuses malformed expressions, unknown zones and dates that never come', () => {
    expect(() => new CronSchedule('every monday', 'UTC')).toThrow(AppError);
    expect(() => new CronSchedule('* * * *', 'UTC')).toThrow(/not a cron expression/);
    expect(() => new CronSchedule('0 0 30 2 *', 'UTC')).toThrow(/never fires/);
    expect(() => new CronSchedule('0 9 * * *', 'Europe/Atlantis')).toThrow(/not a time zone/);
    expect(isKnownTimezone('Asia/Tokyo')).toBe(true);
    expect(isKnownTimezone('Asia/Atlantis')).toBe(false);
  });
});

describe('retry decisions', () => {
  const policy = { maxAttempts: 4, backoffMs: 10_000 };

  it('retries only transient errors, within the attempts', () => {
    for (const code of ['RATE_LIMITED', 'UNAVAILABLE', 'CONFLICT'] as const) expect(isTransient(new AppError(code, 'x')), code).toBe(true);
    for (const code of ['AUTH', 'VALIDATION', 'NOT_FOUND', 'CANCELLED', 'INTERNAL'] as const) expect(isTransient(new AppError(code, 'x')), code).toBe(false);
    expect(isTransient(new TypeError('bug'))).toBe(false);
    expect(shouldRetry(policy, 3, new AppError('UNAVAILABLE', 'x'))).toBe(true);
    expect(shouldRetry(policy, 4, new AppError('UNAVAILABLE', 'x'))).toBe(false);
    expect(shouldRetry(policy, 1, new AppError('AUTH', 'x'))).toBe(false);
  });

  it('draws the wait uniformly below a ceiling that doubles per attempt', () => {
    const error = new AppError('UNAVAILABLE', 'x');
    expect(retryDelayMs(policy, 1, error, () => 0)).toBe(0);
    expect(retryDelayMs(policy, 1, error, () => 0.999)).toBe(9_990);
    expect(retryDelayMs(policy, 2, error, () => 0.5)).toBe(10_000);
    expect(retryDelayMs(policy, 3, error, () => 0.5)).toBe(20_000);
    expect(retryDelayMs({ maxAttempts: 10, backoffMs: 3_600_000 }, 10, error, () => 0.999)).toBeLessThan(MAX_RETRY_DELAY_MS);
  });

  it('never retries sooner than the provider asked', () => {
    const limited = new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: 45_000 });
    expect(retryDelayMs(policy, 1, limited, () => 0.1)).toBe(45_000);
    expect(retryDelayMs(policy, 4, limited, () => 0.9)).toBe(72_000);
  });
});

describe('dependencies', () => {
  const job = (id: string, dependsOn: string[] = []) => ({ id, name: id.toUpperCase(), dependsOn });

  it('finds cycles of any length and accepts diamonds', () => {
    expect(findCycle([job('a', ['b']), job('b', ['c']), job('c', ['a'])])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle([job('a', ['b', 'c']), job('b', ['d']), job('c', ['d']), job('d')])).toBeNull();
    expect(() => checkDependencies([job('a', ['b', 'c']), job('b', ['d']), job('c', ['d']), job('d')])).not.toThrow();
  });

  it('refuses a cycle, a self-dependency and an unknown job with VALIDATION', () => {
    expect(() => checkDependencies([job('a', ['b']), job('b', ['a'])])).toThrow('These jobs would wait for each other forever: "A" → "B" → "A".');
    expect(() => checkDependencies([job('a', ['a'])])).toThrow('"A" cannot depend on itself.');
    expect(() => checkDependencies([job('a', ['zz'])])).toThrow('"A" depends on a job that does not exist (zz).');
  });
});

describe('news sentiment', () => {
  it('maps provider labels to the -1 … 1 column and leaves unknown ones empty', () => {
    expect(['positive', 'Neutral', 'negative', 'bullish', 'bearish', 'mixed', null].map(sentimentScore)).toEqual([1, 0, -1, 1, -1, null, null]);
  });
});
