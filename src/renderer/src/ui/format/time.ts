import type { UTCTimestamp } from 'lightweight-charts';
import type { Timeframe } from '../../../../shared/timeframes';

/** The core speaks UTC epoch milliseconds; lightweight-charts wants UTC epoch seconds. */
export function toChartTime(epochMs: number): UTCTimestamp {
  return Math.floor(epochMs / 1000) as UTCTimestamp;
}

export function fromChartTime(time: UTCTimestamp): number {
  return time * 1000;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

export function formatUtcDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A bar's open time in UTC at the resolution its timeframe makes meaningful. */
export function formatBarTime(epochMs: number, timeframe: Timeframe): string {
  const d = new Date(epochMs);
  if (timeframe === '1M') return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}`;
  if (timeframe === '1d' || timeframe === '1w') return formatUtcDate(epochMs);
  return `${formatUtcDate(epochMs)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Remaining time of a job, rounded to what a person cares about. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** `<input type="date">` speaks YYYY-MM-DD; the core speaks UTC epoch ms at midnight. */
export function dateInputToEpoch(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2021-02-31 over into March; a typed date must name a real day.
  return new Date(time).toISOString().startsWith(value) ? time : undefined;
}
