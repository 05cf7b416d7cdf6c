import type { Backup } from '../../../../shared/backups';
import type { EventPayload } from '../../../../shared/contract';
import { formatDuration } from '../../ui/format/time';

export const backupKindLabels: Record<Backup['kind'], string> = {
  manual: 'Manual',
  scheduled: 'Scheduled',
  safety: 'Safety',
};

/** Sizes in the units people read on disks: bytes, kB, MB, GB (powers of 1000, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'] as const;
  let value = bytes / 1_000;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "3 h", "2 days": the age of the last good backup, short enough for the status bar. */
export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/**
 * One line under "Back up now" while it runs: the share done, the size written so far judged
 * from the last backup's size (the archive's own size is known only at its end), and the time left.
 */
export function describeBackupProgress(progress: EventPayload<'backup.progress'>, previousSize: number | null): string {
  const fraction = progress.total !== null && progress.total > 0 ? progress.done / progress.total : null;
  const parts = [fraction === null ? 'Backing up' : `${Math.floor(fraction * 100)}%`];
  if (previousSize !== null && fraction !== null) parts.push(`about ${formatBytes(Math.round(previousSize * fraction))} of ${formatBytes(previousSize)}`);
  parts.push(progress.etaMs === null ? 'estimating time left' : `${formatDuration(progress.etaMs)} left`);
  return parts.join(' · ');
}

/** The smallest passphrase `backups.create` accepts. */
export const MIN_PASSPHRASE_LENGTH = 8;

/** Why the passphrase typed cannot be used yet, or null when it can (empty = no passphrase, no secrets). */
export function passphraseProblem(passphrase: string, repeated: string): string | null {
  if (passphrase === '') return null;
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) return `A passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`;
  if (passphrase !== repeated) return 'The two passphrases differ.';
  return null;
}

export type ScheduleKind = 'backup' | 'drill';

export interface SchedulePreset {
  /** Names the job: "Daily backup". */
  label: string;
  /** Cron, read in the computer's time zone. */
  schedule: string;
  description: string;
}

/** The schedules offered with one click; any other cron can be set in Data › Scheduled jobs. */
export const schedulePresets: Record<ScheduleKind, readonly SchedulePreset[]> = {
  backup: [
    { label: 'Daily', schedule: '0 2 * * *', description: 'daily at 02:00' },
    { label: 'Weekly', schedule: '0 2 * * 0', description: 'weekly, Sunday 02:00' },
  ],
  drill: [
    { label: 'Weekly', schedule: '0 4 * * 0', description: 'weekly, Sunday 04:00' },
    { label: 'Monthly', schedule: '0 4 1 * *', description: 'monthly, on the 1st at 04:00' },
  ],
};
