import { isIntraday, type Timeframe } from '../../../../shared/timeframes';
import type { TimeZoneChoice } from '../../../../shared/domain';

/** The zone bar times are shown in: an IANA id and how the screen names it. */
export interface DisplayZone {
  id: string;
  label: string;
}

export const UTC_ZONE: DisplayZone = { id: 'UTC', label: 'UTC' };

/** "America/New_York" → "New York": the city is what traders call an exchange's time. */
const cityOf = (zone: string) => (zone.split('/').at(-1) ?? zone).replaceAll('_', ' ');

/**
 * Where the user's choice points for one instrument. An instrument without an exchange (spot
 * metals trade over the counter, crypto never closes) shows UTC under "exchange".
 */
export function displayZone(choice: TimeZoneChoice, exchangeTimeZone: string | undefined, localZone: string): DisplayZone {
  if (choice === 'local') return localZone === 'UTC' ? UTC_ZONE : { id: localZone, label: `local (${cityOf(localZone)})` };
  if (choice === 'exchange' && exchangeTimeZone !== undefined) return { id: exchangeTimeZone, label: cityOf(exchangeTimeZone) };
  return UTC_ZONE;
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading in `zone` at an instant; Intl knows each zone's DST history. */
function wallClock(epochMs: number, zone: string): WallClock {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(epochMs)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const date = (clock: WallClock) => `${pad(clock.year, 4)}-${pad(clock.month)}-${pad(clock.day)}`;
const time = (clock: WallClock) => `${pad(clock.hour)}:${pad(clock.minute)}`;

/**
 * A bar's open time as the chart, legend and exports show it. Intraday bars read in the chosen
 * zone; daily, weekly and monthly bars keep their UTC buckets (a 1d bar is the UTC day, whatever
 * the zone), so they always show their UTC date.
 */
export function formatZonedBarTime(epochMs: number, timeframe: Timeframe, zone: DisplayZone): string {
  const clock = wallClock(epochMs, isIntraday(timeframe) ? zone.id : 'UTC');
  if (timeframe === '1M') return `${pad(clock.year, 4)}-${pad(clock.month)}`;
  if (!isIntraday(timeframe)) return date(clock);
  return `${date(clock)} ${time(clock)}`;
}

/**
 * ISO 8601 with the zone's offset at that instant (2025-03-10T09:30:00.000-04:00); in UTC
 * exactly `Date.toISOString()`, as exports always wrote it.
 */
export function zonedIso(epochMs: number, zone: DisplayZone): string {
  if (zone.id === 'UTC') return new Date(epochMs).toISOString();
  const clock = wallClock(epochMs, zone.id);
  const wholeSeconds = Math.floor(epochMs / 1000) * 1000;
  const offsetMinutes = Math.round((Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second) - wholeSeconds) / 60_000);
  const stamp = `${date(clock)}T${time(clock)}:${pad(clock.second)}.${pad(epochMs - wholeSeconds, 3)}`;
  if (offsetMinutes === 0) return `${stamp}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${stamp}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "14:02": the wall-clock time in the zone, as the status bar says when the app went offline or last synced. */
export function formatZonedClock(epochMs: number, zone: DisplayZone): string {
  return time(wallClock(epochMs, zone.id));
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** What lightweight-charts asks a tick label for (its TickMarkType: year, month, day of month, time, time with seconds). */
export type TickKind = 'year' | 'month' | 'day' | 'time';

/**
 * A time-axis label in the zone. The chart places ticks at UTC boundaries; in another zone a
 * "day" tick falls at that zone's evening or morning, so it shows its wall-clock time too
 * rather than pass off 20:00 as the start of a day.
 */
export function formatZonedTick(epochMs: number, kind: TickKind, zone: DisplayZone): string {
  const clock = wallClock(epochMs, zone.id);
  if (kind === 'year') return String(clock.year);
  if (kind === 'month') return monthNames[clock.month - 1]!;
  if (kind === 'day') return clock.hour === 0 && clock.minute === 0 ? String(clock.day) : `${clock.day} ${time(clock)}`;
  return time(clock);
}
