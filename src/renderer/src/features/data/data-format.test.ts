import { describe, expect, it } from 'vitest';
import { formatRateLimit, formatRelative, formatRunDuration, formatUtcDateTime } from './data-format';

describe('formatUtcDateTime', () => {
  it('shows date and minute in UTC', () => {
    expect(formatUtcDateTime(Date.UTC(2026, 10, 23, 7, 5, 59))).toBe('2026-11-23 07:05 UTC');
  });
});

describe('formatRunDuration', () => {
  it('uses the unit that keeps the figure readable', () => {
    expect(formatRunDuration(850)).toBe('850 ms');
    expect(formatRunDuration(2_460)).toBe('2.4 s');
    expect(formatRunDuration(42_000)).toBe('42 s');
    expect(formatRunDuration(185_000)).toBe('3 min 5 s');
    expect(formatRunDuration(180_000)).toBe('3 min');
    expect(formatRunDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatRunDuration(7_200_000)).toBe('2 h');
  });
});

describe('formatRelative', () => {
  const now = Date.UTC(2026, 10, 23, 12);
  it('says how far ahead or back a time is', () => {
    expect(formatRelative(now + 10_000, now)).toBe('in a moment');
    expect(formatRelative(now - 10_000, now)).toBe('just now');
    expect(formatRelative(now + 4 * 60_000, now)).toBe('in 4 min');
    expect(formatRelative(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatRelative(now + 3 * 86_400_000, now)).toBe('in 3 days');
  });
});

describe('formatRateLimit', () => {
  it('reads 0 as no limit and slow limits as a spacing', () => {
    expect(formatRateLimit(0)).toBe('no limit of our own');
    expect(formatRateLimit(5)).toBe('5 requests/min');
    expect(formatRateLimit(0.5)).toBe('1 request every 2 min');
  });
});
