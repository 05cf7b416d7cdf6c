import { describe, expect, it } from 'vitest';
import { parseBackfillDate } from '../../../src/cli/options';
import { validateBar } from '../../../src/core/bars/validate-bar';
import { backfillCheckpointId, planBackfillChunks } from '../../../src/core/backfill/backfill';
import type { ProviderCapabilities } from '../../../src/core/providers/types';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

const capabilities: ProviderCapabilities = {
  assetClasses: ['spot'],
  timeframes: ['1m', '1d'],
  maxBarsPerRequest: 1000,
  historyDepthDays: { '1m': 30, '1d': null },
  needsKey: false,
  defaultRateLimitPerMinute: 0,
};

describe('planBackfillChunks', () => {
  it('cuts the range into windows of one request worth of bars, the last one short', () => {
    const from = Date.UTC(2025, 0, 1);
    const chunks = planBackfillChunks(capabilities, '1m', from, from + 2500 * MINUTE, from + DAY);
    expect(chunks).toEqual([
      { start: from, end: from + 1000 * MINUTE },
      { start: from + 1000 * MINUTE, end: from + 2000 * MINUTE },
      { start: from + 2000 * MINUTE, end: from + 2500 * MINUTE },
    ]);
  });

  it('starts no earlier than the provider keeps the timeframe, and nothing when the range ends before', () => {
    const now = Date.UTC(2025, 5, 1);
    expect(planBackfillChunks(capabilities, '1m', now - 40 * DAY, now - 30 * DAY + 10 * MINUTE, now)).toEqual([
      { start: now - 30 * DAY, end: now - 30 * DAY + 10 * MINUTE },
    ]);
    expect(planBackfillChunks(capabilities, '1m', now - 40 * DAY, now - 35 * DAY, now)).toEqual([]);
    expect(planBackfillChunks(capabilities, '1d', Date.UTC(1990, 0, 1), Date.UTC(1990, 0, 3), now)).toHaveLength(1);
  });
});

it('derives the checkpoint id from provider, symbol, timeframe and range only', () => {
  expect(backfillCheckpointId('polygon', 'XAUUSD', '1m', 1, 2)).toBe(backfillCheckpointId('polygon', 'XAUUSD', '1m', 1, 2));
  expect(backfillCheckpointId('polygon', 'XAUUSD', '1m', 1, 2)).not.toBe(backfillCheckpointId('polygon', 'XAUUSD', '1m', 1, 3));
});

describe('validateBar', () => {
  const good = { time: 10, open: 2, high: 3, low: 1, close: 2.5, volume: 0 };
  it('accepts a consistent bar after the previous one', () => {
    expect(validateBar(good, 9)).toBeNull();
  });
  it('names what is wrong', () => {
    expect(validateBar(good, 10)).toMatch(/not after the previous bar/);
    expect(validateBar({ ...good, open: 0 }, 0)).toBe('Open 0 is not a positive price');
    expect(validateBar({ ...good, close: Number.NaN }, 0)).toBe('Close NaN is not a finite number');
    expect(validateBar({ ...good, volume: -1 }, 0)).toBe('Volume -1 is negative');
    expect(validateBar({ ...good, high: 2.4 }, 0)).toBe('High 2.4 is below close 2.5');
    expect(validateBar({ ...good, low: 2.2 }, 0)).toBe('Low 2.2 is above open 2');
  });
});

describe('parseBackfillDate', () => {
  it('reads UTC dates, a --to date including its whole day, and date-times with a zone', () => {
    expect(parseBackfillDate('from')('2025-01-31')).toBe(Date.UTC(2025, 0, 31));
    expect(parseBackfillDate('to')('2025-01-31')).toBe(Date.UTC(2025, 1, 1));
    expect(parseBackfillDate('to')('2025-01-31T12:30:00Z')).toBe(Date.UTC(2025, 0, 31, 12, 30));
    expect(parseBackfillDate('from')('2025-01-31T12:30:00+01:00')).toBe(Date.UTC(2025, 0, 31, 11, 30));
  });
  it('refuses text that is not a date, and a date-time without a zone', () => {
    expect(() => parseBackfillDate('from')('yesterday')).toThrow(/UTC date/);
    expect(() => parseBackfillDate('from')('2025-01-31T12:00')).toThrow(/UTC date/);
  });
});
