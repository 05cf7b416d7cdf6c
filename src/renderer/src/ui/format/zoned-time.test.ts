import { describe, expect, it } from 'vitest';
import { displayZone, formatZonedBarTime, formatZonedClock, formatZonedTick, UTC_ZONE, zonedIso } from './zoned-time';

const newYork = displayZone('exchange', 'America/New_York', 'Europe/Berlin');
const at = (iso: string) => Date.parse(iso);

describe('displayZone', () => {
  it('names the exchange by its city, the local zone as local, and falls back to UTC', () => {
    expect(newYork).toEqual({ id: 'America/New_York', label: 'New York' });
    expect(displayZone('local', 'America/New_York', 'Europe/Berlin')).toEqual({ id: 'Europe/Berlin', label: 'local (Berlin)' });
    expect(displayZone('exchange', undefined, 'Europe/Berlin')).toEqual(UTC_ZONE);
    expect(displayZone('utc', 'America/New_York', 'Europe/Berlin')).toEqual(UTC_ZONE);
  });
});

describe('formatZonedBarTime across New York’s DST change', () => {
  it('reads hourly bars on the exchange clock, an hour apart in UTC but two on the wall on 2025-03-09', () => {
    // 06:00 UTC is 01:00 EST; 07:00 UTC is 03:00 EDT: 02:00 does not exist that night.
    expect(formatZonedBarTime(at('2025-03-09T06:00:00Z'), '1h', newYork)).toBe('2025-03-09 01:00');
    expect(formatZonedBarTime(at('2025-03-09T07:00:00Z'), '1h', newYork)).toBe('2025-03-09 03:00');
    // In November 01:00 comes twice: 05:00 UTC (EDT) and 06:00 UTC (EST).
    expect(formatZonedBarTime(at('2025-11-02T05:00:00Z'), '1h', newYork)).toBe('2025-11-02 01:00');
    expect(formatZonedBarTime(at('2025-11-02T06:00:00Z'), '1h', newYork)).toBe('2025-11-02 01:00');
    expect(zonedIso(at('2025-11-02T05:00:00Z'), newYork)).toBe('2025-11-02T01:00:00.000-04:00');
    expect(zonedIso(at('2025-11-02T06:00:00Z'), newYork)).toBe('2025-11-02T01:00:00.000-05:00');
  });

  it('keeps daily, weekly and monthly bars on their UTC buckets whatever the zone', () => {
    expect(formatZonedBarTime(at('2025-03-10T00:00:00Z'), '1d', newYork)).toBe('2025-03-10');
    expect(formatZonedBarTime(at('2025-03-10T00:00:00Z'), '1w', newYork)).toBe('2025-03-10');
    expect(formatZonedBarTime(at('2025-03-01T00:00:00Z'), '1M', newYork)).toBe('2025-03');
  });

  it('writes exports in UTC exactly as before', () => {
    expect(zonedIso(at('2025-09-30T00:00:00Z'), UTC_ZONE)).toBe('2025-09-30T00:00:00.000Z');
    expect(zonedIso(at('2025-07-01T13:30:00Z'), newYork)).toBe('2025-07-01T09:30:00.000-04:00');
  });
});

describe('formatZonedTick', () => {
  it('labels a UTC-midnight day tick with its wall time where the zone is not at midnight', () => {
    expect(formatZonedTick(at('2025-03-10T00:00:00Z'), 'day', UTC_ZONE)).toBe('10');
    expect(formatZonedTick(at('2025-03-10T00:00:00Z'), 'day', newYork)).toBe('9 20:00');
    expect(formatZonedTick(at('2025-03-10T14:30:00Z'), 'time', newYork)).toBe('10:30');
    expect(formatZonedTick(at('2025-03-01T00:00:00Z'), 'month', UTC_ZONE)).toBe('Mar');
    expect(formatZonedTick(at('2025-01-01T00:00:00Z'), 'year', UTC_ZONE)).toBe('2025');
  });
});

describe('formatZonedClock', () => {
  it('reads the hour and minute in the zone, either side of the New York DST change', () => {
    expect(formatZonedClock(at('2025-03-07T14:02:59Z'), UTC_ZONE)).toBe('14:02');
    expect(formatZonedClock(at('2025-03-07T14:02:00Z'), newYork)).toBe('09:02');
    expect(formatZonedClock(at('2025-03-10T14:02:00Z'), newYork)).toBe('10:02');
  });
});
