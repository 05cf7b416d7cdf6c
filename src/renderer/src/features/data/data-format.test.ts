import { describe, expect, it } from 'vitest';
import { formatRateLimit, formatRunDuration, formatSince, formatUntil, formatUtcDateTime } from './data-format';

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

describe('formatSince and formatUntil', () => {
  const now = Date.UTC(2026, 10, 23, 12);
  it('say how far back or ahead a time is, in the largest whole unit', () => {
    expect(formatSince(now - 10_000, now)).toBe('just now');
    expect(formatSince(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatUntil(now + 4 * 60_000, now)).toBe('in 4 min');
    expect(formatUntil(now + 3 * 86_400_000, now)).toBe('in 3 days');
  });

  it('keep past events in the past and due ones ahead, whatever the lag of the clock on screen', () => {
    expect(formatSince(now + 5_000, now)).toBe('just now');
    expect(formatUntil(now - 5_000, now)).toBe('in a moment');
  });
});

describe('formatRateLimit', () => {
  it('reads 0 as no limit and slow limits as a spacing', () => {
    expect(formatRateLimit(0)).toBe('no limit of our own');
    expect(formatRateLimit(5)).toBe('5 requests/min');
    expect(formatRateLimit(0.5)).toBe('1 request every 2 min');
  });
});
