import { formatUtcDate } from '../../format/time';

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

/** "in 4 min", "3 h ago": how far a time is from now, in the largest unit that is at least one. */
export function formatRelative(epochMs: number, now: number): string {
  const delta = epochMs - now;
  const seconds = Math.round(Math.abs(delta) / 1_000);
  if (seconds < 45) return delta >= 0 ? 'in a moment' : 'just now';
  const minutes = Math.round(seconds / 60);
  const hours = Math.round(minutes / 60);
  const days = Math.round(hours / 24);
  const amount = minutes < 60 ? `${minutes} min` : hours < 48 ? `${hours} h` : `${days} days`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** Requests per minute as a person reads a limit; 0 means we impose none. */
export function formatRateLimit(perMinute: number): string {
  if (perMinute === 0) return 'no limit of our own';
  if (perMinute < 1) return `1 request every ${formatRunDuration(60_000 / perMinute)}`;
  return `${Number.isInteger(perMinute) ? perMinute : perMinute.toFixed(1)} requests/min`;
}
