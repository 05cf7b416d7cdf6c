/**
 * Timeframe arithmetic, without zod (the schema is in timeframe-schema.ts): the chart on the
 * first screen needs these functions, and zod would add about 90 KB to its first load.
 */
import { timeframes } from './choices';

export { timeframes };
export type Timeframe = (typeof timeframes)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Fixed bucket widths in ms; `1M` has none because months differ in length. */
export const fixedTimeframeMs: Readonly<Record<Exclude<Timeframe, '1M'>, number>> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '4h': 4 * HOUR,
  '1d': DAY,
  '1w': 7 * DAY,
};

/** 1970-01-01 was a Thursday; the first Monday 00:00 UTC is four days later. */
export const WEEK_ANCHOR_MS = 4 * DAY;

/** Bars shorter than a day, whose times of day mean something; 1d and longer are UTC-day buckets. */
export function isIntraday(timeframe: Timeframe): boolean {
  return timeframe !== '1d' && timeframe !== '1w' && timeframe !== '1M';
}

/** Nominal length of a timeframe, for spacing heuristics and range planning. */
export function nominalTimeframeMs(timeframe: Timeframe): number {
  return timeframe === '1M' ? 30 * DAY : fixedTimeframeMs[timeframe];
}

/**
 * Whether every bucket of `target` is an exact union of whole `base` buckets, so
 * `target` bars can be aggregated from `base` bars without splitting any of them.
 * Weeks do not nest in months, so 1M is never built from 1w.
 */
export function canAggregate(base: Timeframe, target: Timeframe): boolean {
  if (base === target) return true;
  if (target === '1M') return base !== '1w';
  if (base === '1M') return false;
  const baseMs = fixedTimeframeMs[base];
  const targetMs = fixedTimeframeMs[target];
  if (targetMs <= baseMs || targetMs % baseMs !== 0) return false;
  // A 1w bucket starts on Monday, which is a whole number of base buckets from the epoch
  // only for bases that divide a day.
  return target !== '1w' || DAY % baseMs === 0;
}

/** Open time (UTC epoch ms) of the bucket of `timeframe` that contains `time`. */
export function bucketStart(time: number, timeframe: Timeframe): number {
  if (timeframe === '1M') {
    const d = new Date(time);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const width = fixedTimeframeMs[timeframe];
  const anchor = timeframe === '1w' ? WEEK_ANCHOR_MS : 0;
  const offset = (((time - anchor) % width) + width) % width;
  return time - offset;
}
