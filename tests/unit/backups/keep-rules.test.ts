/**
 * The keep rules on fixed date sequences, as restic's own policy tests do: which backups
 * `--keep-daily/--keep-weekly/--keep-monthly` leave, then what pruning does around them (pins,
 * the last good backup, safety and failed backups).
 */
import { describe, expect, it } from 'vitest';
import { backupsToPrune, FAILED_ROWS_KEPT_DAYS, isOverdue, promisedIntervalMs } from '../../../src/core/backups/backup-catalogue';
import { keptByRules } from '../../../src/core/backups/keep-rules';
import { longestGapMs, CronSchedule } from '../../../src/core/scheduler/cron';
import type { StoredIngestJob } from '../../../src/core/storage/types';
import type { Backup } from '../../../src/shared/backups';
import { defaultLiveTracking } from '../../../src/shared/scheduler';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);
const candidates = (times: string[]) => times.map((time) => ({ id: time, createdAt: at(time) }));
const kept = (times: string[], rules: { daily?: number; weekly?: number; monthly?: number }, timeZone = 'UTC') =>
  [...keptByRules(candidates(times), { daily: 0, weekly: 0, monthly: 0, ...rules }, timeZone)].sort();

/** One backup a day at 10:00 UTC from `first`, `days` of them. */
function daily(first: string, days: number): string[] {
  return Array.from({ length: days }, (_, i) => new Date(at(first) + i * DAY).toISOString());
}

describe('keep rules, restic semantics', () => {
  it('--keep-daily 7 keeps the newest backup of each of the last seven days that have one', () => {
    const times = [...daily('2026-11-01T10:00:00.000Z', 30), '2026-11-30T18:00:00.000Z'];
    expect(kept(times, { daily: 7 })).toEqual([
      '2026-11-24T10:00:00.000Z', '2026-11-25T10:00:00.000Z', '2026-11-26T10:00:00.000Z', '2026-11-27T10:00:00.000Z',
      '2026-11-28T10:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-30T18:00:00.000Z',
    ]);
  });

  it('counts days that have a backup, not calendar days: a gap reaches further back', () => {
    const times = ['2026-11-30T10:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-20T10:00:00.000Z', '2026-11-10T10:00:00.000Z', '2026-11-01T10:00:00.000Z'];
    expect(kept(times, { daily: 3 })).toEqual(['2026-11-20T10:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-30T10:00:00.000Z']);
  });

  it('--keep-weekly 4 keeps the newest of each ISO week, Monday to Sunday, across a year end', () => {
    // 2026-12-28 (Mon) … 2027-01-03 (Sun) is ISO week 2026-W53; 2027-01-04 starts 2027-W1.
    const times = daily('2026-12-14T10:00:00.000Z', 28);
    expect(kept(times, { weekly: 4 })).toEqual([
      '2026-12-20T10:00:00.000Z', '2026-12-27T10:00:00.000Z', '2027-01-03T10:00:00.000Z', '2027-01-10T10:00:00.000Z',
    ]);
  });

  it('--keep-monthly 12 keeps the newest of each month that has a backup', () => {
    const times = [
      ...['01', '02', '03', '05', '08', '09', '10', '11', '12'].map((month) => `2025-${month}-15T10:00:00.000Z`),
      ...['01', '02', '03', '04', '05', '06'].map((month) => `2026-${month}-03T10:00:00.000Z`),
      '2026-06-28T10:00:00.000Z',
    ];
    expect(kept(times, { monthly: 12 })).toEqual([
      '2025-05-15T10:00:00.000Z', '2025-08-15T10:00:00.000Z', '2025-09-15T10:00:00.000Z', '2025-10-15T10:00:00.000Z',
      '2025-11-15T10:00:00.000Z', '2025-12-15T10:00:00.000Z', '2026-01-03T10:00:00.000Z', '2026-02-03T10:00:00.000Z',
      '2026-03-03T10:00:00.000Z', '2026-04-03T10:00:00.000Z', '2026-05-03T10:00:00.000Z', '2026-06-28T10:00:00.000Z',
    ]);
  });

  it('keeps the oldest backup as well while a rule has counts left, as restic does', () => {
    const sameDay = ['2026-11-30T08:00:00.000Z', '2026-11-30T12:00:00.000Z', '2026-11-30T16:00:00.000Z'];
    expect(kept(sameDay, { daily: 7 })).toEqual(['2026-11-30T08:00:00.000Z', '2026-11-30T16:00:00.000Z']);
    // With the count used up before the oldest, the oldest is not kept.
    expect(kept(sameDay, { daily: 1 })).toEqual(['2026-11-30T16:00:00.000Z']);
  });

  it('keeps what any rule keeps: 7 daily, 4 weekly and 12 monthly over a year of daily backups', () => {
    const times = daily('2025-12-01T10:00:00.000Z', 365);
    const result = kept(times, { daily: 7, weekly: 4, monthly: 12 });
    const newest = times.at(-1)!;
    expect(newest).toBe('2026-11-30T10:00:00.000Z');
    // Last 7 days; the Sundays of the 4 newest ISO weeks (the newest, Monday 11-30, already kept); month ends.
    const expected = new Set([
      ...daily('2026-11-24T10:00:00.000Z', 7),
      '2026-11-15T10:00:00.000Z', '2026-11-22T10:00:00.000Z', '2026-11-29T10:00:00.000Z',
      ...['2025-12-31', '2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31'].map((d) => `${d}T10:00:00.000Z`),
    ]);
    expect(result).toEqual([...expected].sort());
    expect(kept(times, {})).toEqual([]);
  });

  it('reads days in the given time zone', () => {
    // 23:30 UTC Monday and 00:30 UTC Tuesday: two days in UTC, one Monday evening in New York.
    const times = ['2026-11-30T23:30:00.000Z', '2026-12-01T00:30:00.000Z'];
    expect(kept(times, { daily: 1 }, 'UTC')).toEqual(['2026-12-01T00:30:00.000Z']);
    expect(kept(times, { daily: 2 }, 'UTC')).toEqual(times);
    expect(kept([...times, '2026-11-29T12:00:00.000Z'], { daily: 2 }, 'America/New_York')).toEqual(['2026-11-29T12:00:00.000Z', '2026-12-01T00:30:00.000Z']);
  });
});

function backup(id: string, createdAt: number, overrides: Partial<Backup> = {}): Backup {
  return {
    id, createdAt, finishedAt: createdAt + 1_000, kind: 'scheduled', status: 'verified', path: `/b/${id}.mlbackup`, sizeBytes: 1, sha256: null,
    schemaVersion: '0008_backup_catalogue', appVersion: '0.1.0', encrypted: false, verifiedAt: createdAt + 1_000, error: null, pinned: false, ...overrides,
  };
}

describe('pruning around the rules', () => {
  const now = at('2026-11-30T12:00:00.000Z');
  const settings = { keep: { daily: 2, weekly: 0, monthly: 0 }, safetyDays: 30 };
  const pruned = (backups: Backup[], rules = settings) => backupsToPrune(backups, rules, now, 'UTC').map((b) => b.id).sort();

  it('prunes what the rules do not keep, never a pinned backup', () => {
    const backups = [backup('d0', now - HOUR), backup('d1', now - DAY), backup('d2', now - 2 * DAY), backup('d3', now - 3 * DAY, { pinned: true, kind: 'manual' }), backup('d4', now - 4 * DAY)];
    // Daily 2 is used by d0 and d1; d4 would be kept as the oldest only with counts left; the pinned d3 stands outside the rules.
    expect(pruned(backups)).toEqual(['d2', 'd4']);
    expect(pruned(backups.map((b) => ({ ...b, pinned: true })))).toEqual([]);
  });

  it('always keeps the newest verified backup, even with every rule at zero', () => {
    const backups = [backup('new', now - HOUR), backup('old', now - DAY), backup('failed', now - 10 * 60_000, { status: 'failed', verifiedAt: null })];
    expect(pruned(backups, { ...settings, keep: { daily: 0, weekly: 0, monthly: 0 } })).toEqual(['old']);
  });

  it('keeps safety backups for safetyDays whatever the rules, then prunes them', () => {
    const backups = [
      backup('newest', now - HOUR),
      backup('safety-young', now - 29 * DAY, { kind: 'safety' }),
      backup('safety-old', now - 31 * DAY, { kind: 'safety' }),
      backup('safety-old-pinned', now - 40 * DAY, { kind: 'safety', pinned: true }),
    ];
    expect(pruned(backups)).toEqual(['safety-old']);
    expect(pruned(backups, { ...settings, safetyDays: 60 })).toEqual([]);
  });

  it('keeps a failed backup row for a while, never one that was good once, and never one still being written', () => {
    const backups = [
      backup('good', now - HOUR),
      backup('failed-recent', now - DAY, { status: 'failed', verifiedAt: null }),
      backup('failed-old', now - (FAILED_ROWS_KEPT_DAYS + 1) * DAY, { status: 'failed', verifiedAt: null }),
      // Verified once, then failed a later verification (a wrong passphrase does that): the user decides.
      backup('good-once', now - (FAILED_ROWS_KEPT_DAYS + 5) * DAY, { status: 'failed' }),
      backup('running', now - 2 * DAY, { status: 'running', verifiedAt: null }),
    ];
    expect(pruned(backups)).toEqual(['failed-old']);
  });
});

function backupJob(schedule: string | null, overrides: Partial<StoredIngestJob> = {}): StoredIngestJob {
  return {
    id: `job-${schedule}`, name: 'Nightly backup', kind: 'backup', provider: null, symbols: [], timeframe: null, modelName: null, tracking: defaultLiveTracking,
    schedule, timezone: 'UTC', lookbackDays: 30, retryPolicy: { maxAttempts: 3, backoffMs: 30_000 }, timeoutMs: 10 * 60_000, dependsOn: [],
    enabled: true, createdAt: 0, updatedAt: 0, ...overrides,
  };
}

describe('what a backup schedule promises, and overdue', () => {
  // Monday 2026-11-30, 01:00 UTC.
  const mondayNight = at('2026-11-30T01:00:00.000Z');
  const weekdays = backupJob('0 2 * * 1-5');

  it('a weekday schedule promises its weekend: the longest gap between firings, three days', () => {
    expect(promisedIntervalMs([weekdays], mondayNight)).toEqual({ intervalMs: 3 * DAY, graceMs: 10 * 60_000 });
    expect(longestGapMs(new CronSchedule('0 3 1 * *', 'UTC'), mondayNight)).toBe(31 * DAY);
  });

  it('a schedule firing every minute on weekdays still finds its weekend, to within the hour', () => {
    const gap = longestGapMs(new CronSchedule('* * * * 1-5', 'UTC'), mondayNight)!;
    expect(gap).toBeGreaterThan(47 * HOUR);
    expect(gap).toBeLessThanOrEqual(48 * HOUR + 60_000);
  });

  it('is not overdue on a Monday morning after Friday night\'s backup, and is on Tuesday without one', () => {
    const promise = promisedIntervalMs([weekdays], mondayNight);
    const friday = { createdAt: at('2026-11-27T02:00:05.000Z') };
    expect(isOverdue(friday, promise, mondayNight)).toBe(false);
    expect(isOverdue(friday, promise, at('2026-11-30T02:09:00.000Z'))).toBe(false);
    expect(isOverdue(friday, promise, at('2026-11-30T02:15:00.000Z'))).toBe(true);
    expect(isOverdue({ createdAt: at('2026-11-30T02:00:03.000Z') }, promise, at('2026-12-01T01:00:00.000Z'))).toBe(false);
  });

  it('the shortest promise of the enabled schedules wins; paused and on-demand jobs and other kinds promise nothing', () => {
    const hourly = backupJob('0 * * * *', { id: 'hourly' });
    expect(promisedIntervalMs([weekdays, hourly], mondayNight)?.intervalMs).toBe(HOUR);
    expect(promisedIntervalMs([weekdays, { ...hourly, enabled: false }], mondayNight)?.intervalMs).toBe(3 * DAY);
    expect(promisedIntervalMs([backupJob(null), { ...hourly, kind: 'drill' }], mondayNight)).toBeNull();
  });

  it('with no backup at all it is overdue only while a schedule exists', () => {
    expect(isOverdue(undefined, promisedIntervalMs([weekdays], mondayNight), mondayNight)).toBe(true);
    expect(isOverdue(undefined, null, mondayNight)).toBe(false);
  });
});
