import { describe, expect, it } from 'vitest';
import { bucketStart, canAggregate, fixedTimeframeMs, timeframes } from '../../src/shared/timeframes';

const utc = (iso: string) => Date.parse(iso);

describe('bucketStart', () => {
  it('starts weeks on Monday 00:00 UTC, including the epoch week and before 1970', () => {
    expect(bucketStart(utc('2024-06-13T15:30:00Z'), '1w')).toBe(utc('2024-06-10T00:00:00Z')); // Thursday -> Monday
    expect(bucketStart(utc('2024-06-10T00:00:00Z'), '1w')).toBe(utc('2024-06-10T00:00:00Z')); // Monday itself
    expect(bucketStart(utc('2024-06-16T23:59:59Z'), '1w')).toBe(utc('2024-06-10T00:00:00Z')); // Sunday night
    expect(bucketStart(0, '1w')).toBe(utc('1969-12-29T00:00:00Z'));
    expect(bucketStart(utc('1833-01-01T00:00:00Z'), '1w')).toBe(utc('1832-12-31T00:00:00Z'));
  });

  it('uses calendar months, leap years included', () => {
    expect(bucketStart(utc('2024-02-29T12:00:00Z'), '1M')).toBe(utc('2024-02-01T00:00:00Z'));
    expect(bucketStart(utc('1833-03-31T23:00:00Z'), '1M')).toBe(utc('1833-03-01T00:00:00Z'));
  });

  it('floors fixed widths for negative times instead of truncating toward zero', () => {
    expect(bucketStart(utc('1969-12-31T23:59:00Z'), '1h')).toBe(utc('1969-12-31T23:00:00Z'));
    expect(bucketStart(utc('1969-12-31T21:00:00Z'), '4h')).toBe(utc('1969-12-31T20:00:00Z'));
    expect(bucketStart(utc('2024-06-13T15:37:00Z'), '15m')).toBe(utc('2024-06-13T15:30:00Z'));
  });
});

describe('canAggregate', () => {
  it('allows only targets made of whole base buckets', () => {
    expect(canAggregate('1m', '1M')).toBe(true);
    expect(canAggregate('1h', '4h')).toBe(true);
    expect(canAggregate('1d', '1w')).toBe(true);
    expect(canAggregate('1w', '1M')).toBe(false);
    expect(canAggregate('4h', '1w')).toBe(true);
    expect(canAggregate('1d', '1h')).toBe(false);
    expect(canAggregate('1M', '1w')).toBe(false);
    expect(canAggregate('30m', '1h')).toBe(true);
  });

  it('agrees with bucketStart: each base bucket lies inside one target bucket', () => {
    const start = utc('2023-12-25T00:00:00Z');
    const span = 70 * 86_400_000;
    for (const base of timeframes) {
      if (base === '1M') continue;
      const width = fixedTimeframeMs[base];
      // Sample about 500 base buckets across the span, whatever the base width.
      const stride = Math.max(width, Math.floor(span / 500 / width) * width);
      for (const target of timeframes) {
        if (!canAggregate(base, target)) continue;
        for (let t = bucketStart(start, base); t < start + span; t += stride) {
          expect(bucketStart(t + width - 1, target), `${base}->${target} at ${new Date(t).toISOString()}`).toBe(bucketStart(t, target));
        }
      }
    }
  });
});
