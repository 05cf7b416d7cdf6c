import { formatUtcDate } from '../../ui/format/time';

const pad = (value: number) => String(value).padStart(2, '0');

/** A moment in the Data screen's tables: minutes are enough, and UTC like every other time in the app. */
export function formatUtcDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${formatUtcDate(epochMs)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** How long a run took: runs last from milliseconds (a cached poll) to hours (a deep backfill). */
export function formatRunDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** A span in the largest unit that is at least one: "4 min", "3 h", "2 days". */
function spanText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const hours = Math.round(minutes / 60);
  if (minutes < 60) return `${minutes} min`;
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** Under this, "just now" and "in a moment" are closer to the truth than a count. */
const MOMENT_MS = 45_000;

/**
 * How long ago something happened. The clock on screen ticks every half minute, so an
 * event it has not caught up with yet is "just now", never in the future.
 */
export function formatSince(epochMs: number, now: number): string {
  const ago = now - epochMs;
  return ago < MOMENT_MS ? 'just now' : `${spanText(ago)} ago`;
}

/** How long until something is due; one already due is "in a moment" until it happens. */
export function formatUntil(epochMs: number, now: number): string {
  const ahead = epochMs - now;
  return ahead < MOMENT_MS ? 'in a moment' : `in ${spanText(ahead)}`;
}

/** Requests per minute as a person reads a limit; 0 means we impose none. */
export function formatRateLimit(perMinute: number): string {
  if (perMinute === 0) return 'no limit of our own';
  if (perMinute < 1) return `1 request every ${formatRunDuration(60_000 / perMinute)}`;
  return `${Number.isInteger(perMinute) ? perMinute : perMinute.toFixed(1)} requests/min`;
}
