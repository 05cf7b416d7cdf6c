import { describe, expect, it } from 'vitest';
import { describeBackupProgress, formatAge, formatBytes, passphraseProblem } from './backup-view';

const progress = (done: number, etaMs: number | null) => ({ runId: 'r', jobId: 'r', kind: 'backup' as const, done, total: 100, unit: '%', rate: null, etaMs });

describe('backup view', () => {
  it('writes sizes as disks show them', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 kB');
    expect(formatBytes(12_345_678)).toBe('12 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.5 GB');
  });

  it('says how old the last good backup is in the largest whole unit', () => {
    expect(formatAge(20_000)).toBe('just now');
    expect(formatAge(5 * 60_000)).toBe('5 min ago');
    expect(formatAge(3 * 3_600_000 + 59 * 60_000)).toBe('3 h ago');
    expect(formatAge(47 * 3_600_000)).toBe('47 h ago');
    expect(formatAge(3 * 86_400_000)).toBe('3 days ago');
  });

  it('gives progress with a size judged from the last backup and the time left', () => {
    expect(describeBackupProgress(progress(40, 90_000), 10_000_000)).toBe('40% · about 4.0 MB of 10 MB · 2 min left');
    expect(describeBackupProgress(progress(5, null), null)).toBe('5% · estimating time left');
  });

  it('takes no passphrase, or one long enough typed twice alike', () => {
    expect(passphraseProblem('', '')).toBeNull();
    expect(passphraseProblem('short', 'short')).toMatch(/at least 8/);
    expect(passphraseProblem('long enough', 'long enougj')).toBe('The two passphrases differ.');
    expect(passphraseProblem('long enough', 'long enough')).toBeNull();
  });
});
