import type { Instrument } from '../../shared/domain';
import type { MarketCalendarId } from '../../shared/quality';
import { fixedTimeframeMs, type Timeframe } from '../../shared/timeframes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/**
 * Every session opening modelled here (09:30 and 18:00 New York) falls on a half hour in UTC
 * too, so checking each bucket at its start and every half hour after finds any trading in it.
 * Closings may fall between (13:45): a bucket that starts before one is checked at its start.
 */
const SESSION_STEP = 30 * MINUTE;

/**
 * When an instrument trades, so gap detection can tell a hole in the data from a closed market.
 * Judged per bar bucket: a bucket is expected when any part of it lies in a trading session.
 */
export interface MarketCalendar {
  readonly id: MarketCalendarId;
  /** Whether a bar of `timeframe` opening at `time` (UTC ms, on the timeframe's grid) should exist. */
  isTradingBar(time: number, timeframe: Timeframe): boolean;
}

/** A UTC calendar date as `YYYY-MM-DD`. */
type IsoDate = string;

const isoDate = (year: number, month: number, day: number): IsoDate =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** Day of week (0 = Sunday) of a date; months are 1-based. */
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** The `n`-th (1-based) `weekday` of a month, or the last one when `n` is -1. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n === -1) {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return last - ((weekdayOf(year, month, last) - weekday + 7) % 7);
  }
  return 1 + ((weekday - weekdayOf(year, month, 1) + 7) % 7) + 7 * (n - 1);
}

/** Gregorian Easter Sunday (anonymous Gregorian computus, Meeus/Jones/Butcher), as [month, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** A fixed-date holiday moved off the weekend: Saturday to Friday, Sunday to Monday. */
function observed(year: number, month: number, day: number): IsoDate {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay();
  if (weekday === 6) date.setUTCDate(day - 1);
  if (weekday === 0) date.setUTCDate(day + 1);
  return date.toISOString().slice(0, 10);
}

export type NyseHolidayName =
  | 'New Year'
  | 'Martin Luther King Jr. Day'
  | "Washington's Birthday"
  | 'Good Friday'
  | 'Memorial Day'
  | 'Juneteenth'
  | 'Independence Day'
  | 'Labor Day'
  | 'Thanksgiving'
  | 'Christmas';

/**
 * NYSE full-day holidays of one year by their published rules, with the weekend observance
 * (Saturday → Friday, Sunday → Monday), except that New Year on a Saturday is not observed:
 * NYSE rule 7.2 keeps the last trading day of the year open (2021-12-31 traded).
 *
 * Valid for 1998–2099: MLK Day is closed since 1998 and Juneteenth since 2022 (the rules
 * below encode both start years), for rules as published up to 2025. Closures announced at
 * short notice are not rules: see `nyseUnscheduledClosures`.
 */
export function nyseHolidays(year: number): Map<IsoDate, NyseHolidayName> {
  const [easterMonth, easterDay] = easterSunday(year);
  const goodFriday = new Date(Date.UTC(year, easterMonth - 1, easterDay - 2)).toISOString().slice(0, 10);
  const holidays: [IsoDate, NyseHolidayName][] = [
    [isoDate(year, 2, nthWeekday(year, 2, 1, 3)), "Washington's Birthday"],
    [goodFriday, 'Good Friday'],
    [isoDate(year, 5, nthWeekday(year, 5, 1, -1)), 'Memorial Day'],
    [observed(year, 7, 4), 'Independence Day'],
    [isoDate(year, 9, nthWeekday(year, 9, 1, 1)), 'Labor Day'],
    [isoDate(year, 11, nthWeekday(year, 11, 4, 4)), 'Thanksgiving'],
    [observed(year, 12, 25), 'Christmas'],
  ];
  if (weekdayOf(year, 1, 1) !== 6) holidays.push([observed(year, 1, 1), 'New Year']);
  if (year >= 1998) holidays.push([isoDate(year, 1, nthWeekday(year, 1, 1, 3)), 'Martin Luther King Jr. Day']);
  if (year >= 2022) holidays.push([observed(year, 6, 19), 'Juneteenth']);
  return new Map(holidays.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * NYSE 13:00 early closes: the day after Thanksgiving, and 3 July and 24 December when they
 * are trading days before a weekday holiday (no early close when the holiday is a Monday:
 * the Friday before is a normal day, as on 2022-07-01).
 */
export function nyseEarlyClose(year: number, month: number, day: number): boolean {
  if (month === 11) return day === nthWeekday(year, 11, 4, 4) + 1;
  if ((month === 7 && day === 3) || (month === 12 && day === 24)) {
    const weekday = weekdayOf(year, month, day);
    return weekday >= 1 && weekday <= 4;
  }
  return false;
}

/**
 * Days NYSE closed outside its holiday rules since 1998 (attacks, storms, national days of
 * mourning), from its announcements; a closure announced after this list was written shows
 * as a gap until it is added.
 */
const nyseUnscheduledClosures: ReadonlySet<IsoDate> = new Set([
  '2001-09-11',
  '2001-09-12',
  '2001-09-13',
  '2001-09-14',
  '2004-06-11',
  '2007-01-02',
  '2012-10-29',
  '2012-10-30',
  '2018-12-05',
  '2025-01-09',
]);

const holidayCache = new Map<number, Map<IsoDate, NyseHolidayName>>();
function holidayOn(date: IsoDate): NyseHolidayName | undefined {
  const year = Number(date.slice(0, 4));
  let holidays = holidayCache.get(year);
  if (!holidays) {
    holidays = nyseHolidays(year);
    holidayCache.set(year, holidays);
  }
  return holidays.get(date);
}

function isNyseClosed(date: IsoDate): boolean {
  return holidayOn(date) !== undefined || nyseUnscheduledClosures.has(date);
}

/** CME Globex closes metals for these NYSE holidays only. */
const metalsHolidays: ReadonlySet<NyseHolidayName> = new Set(['New Year', 'Good Friday', 'Christmas']);

/**
 * How CME Globex metals trade on a trading day (18:00 New York the evening before to 17:00):
 * - `closed`: New Year, Good Friday, Christmas;
 * - `optional`: the other US holidays (MLK, Presidents, Memorial, Juneteenth, Independence,
 *   Labor Day, Thanksgiving), when Globex halts at 12:00 Chicago (13:00 New York) and spot
 *   feeds often print no bar at all: a bar is welcome, a missing one is no gap;
 * - `early`: the day after Thanksgiving, 24 and 31 December, which close at 12:45 Chicago
 *   (13:45 New York);
 * - `regular`.
 */
type MetalsDay = 'closed' | 'optional' | 'early' | 'regular';

function metalsDay(date: IsoDate): MetalsDay {
  const holiday = holidayOn(date);
  if (holiday !== undefined) return metalsHolidays.has(holiday) ? 'closed' : 'optional';
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const dayAfterThanksgiving = month === 11 && day === nthWeekday(year, 11, 4, 4) + 1;
  return dayAfterThanksgiving || (month === 12 && (day === 24 || day === 31)) ? 'early' : 'regular';
}

/** Wall-clock time in New York: the exchange day of both NYSE and CME Globex follows its DST rules. */
interface LocalTime {
  date: IsoDate;
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const newYorkFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** The start of the `unit`-long period holding `time`, also before 1970. */
const floorTo = (time: number, unit: number) => Math.floor(time / unit) * unit;

function offsetAt(time: number): number {
  const parts = Object.fromEntries(newYorkFormat.formatToParts(time).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return wall - floorTo(time, MINUTE);
}

/**
 * New York's UTC offset in ms at `time`. Formatting dates is slow and scans visit buckets in
 * order, so the offsets at the start and end of the current UTC day are kept: when they agree
 * (every day but the two DST Sundays) the whole day has that offset; on those two days the
 * offset is looked up at the start of the hour, as DST switches only on whole UTC hours.
 */
let cachedDay = NaN;
let cachedDayOffsets: [number, number] = [0, 0];
function newYorkOffset(time: number): number {
  const day = Math.floor(time / DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayOffsets = [offsetAt(day * DAY), offsetAt((day + 1) * DAY - MINUTE)];
  }
  const [start, end] = cachedDayOffsets;
  return start === end ? start : offsetAt(floorTo(time, HOUR));
}

/** The wall-clock date and time `shiftMs` after `time` in New York. */
function newYorkTime(time: number, shiftMs = 0): LocalTime {
  const wall = new Date(time + newYorkOffset(time) + shiftMs);
  return {
    date: wall.toISOString().slice(0, 10),
    weekday: wall.getUTCDay(),
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

const isWeekday = (weekday: number) => weekday >= 1 && weekday <= 5;

/** Whether a UTC day is a weekday that is not a holiday of the calendar. */
function isTradingDay(time: number, isHoliday: (date: IsoDate) => boolean): boolean {
  const date = new Date(time);
  return isWeekday(date.getUTCDay()) && !isHoliday(date.toISOString().slice(0, 10));
}

/**
 * Calendars for intraday buckets check every half hour of the bucket; daily buckets are
 * trading days (a UTC weekday that is not a holiday); weeks and months always hold trading.
 */
function sessionCalendar(
  id: MarketCalendarId,
  isOpenAt: (time: number) => boolean,
  isHoliday: (date: IsoDate) => boolean,
): MarketCalendar {
  return {
    id,
    isTradingBar(time, timeframe) {
      if (timeframe === '1w' || timeframe === '1M') return true;
      if (timeframe === '1d') return isTradingDay(time, isHoliday);
      const width = fixedTimeframeMs[timeframe];
      for (let t = time; t < time + width; t += SESSION_STEP) if (isOpenAt(t)) return true;
      return false;
    },
  };
}

export const cryptoCalendar: MarketCalendar = { id: 'crypto-24x7', isTradingBar: () => true };

/**
 * CME Globex metals: the trading day of date D runs 18:00 New York on D-1 to 17:00 on D, so
 * Sunday 18:00 opens Monday's and Friday 17:00 closes the week (22:00 UTC in summer, 23:00 in
 * winter); 17:00–18:00 is the daily break. Shifting local time by six hours maps each trading
 * day onto its own date, and its local hours onto 0:00–23:00. Holidays and early closes follow
 * `metalsDay`. Spot metals and FX follow the same week; their brokers' daily pause is modelled
 * as CME's.
 */
export const metalsCalendar: MarketCalendar = sessionCalendar(
  'cme-metals-24x5',
  (time) => {
    const tradingDay = newYorkTime(time, 6 * HOUR);
    if (!isWeekday(tradingDay.weekday) || tradingDay.minutes >= 23 * 60) return false;
    switch (metalsDay(tradingDay.date)) {
      case 'closed':
      case 'optional':
        return false;
      case 'early':
        // 13:45 New York is 19:45 on the shifted clock.
        return tradingDay.minutes < 19 * 60 + 45;
      case 'regular':
        return true;
    }
  },
  (date) => {
    const day = metalsDay(date);
    return day === 'closed' || day === 'optional';
  },
);

/** NYSE regular session 09:30–16:00 New York (13:00 on early-close days), weekdays minus holidays. */
export const nyseCalendar: MarketCalendar = sessionCalendar(
  'nyse-regular',
  (time) => {
    const local = newYorkTime(time);
    if (!isWeekday(local.weekday) || isNyseClosed(local.date)) return false;
    const [year, month, day] = local.date.split('-').map(Number) as [number, number, number];
    const close = nyseEarlyClose(year, month, day) ? 13 * 60 : 16 * 60;
    return local.minutes >= 9 * 60 + 30 && local.minutes < close;
  },
  isNyseClosed,
);

/** Demo instruments are named after what they imitate (DEMO.BTCUSD trades 24/7, DEMO.XAUUSD like gold). */
const cryptoSymbol = /BTC|ETH|USDT/;

/** The calendar an instrument trades on, from its kind (and for synthetic ones, its symbol). */
export function calendarFor(instrument: Pick<Instrument, 'symbol' | 'kind'>): MarketCalendar {
  switch (instrument.kind) {
    case 'crypto':
      return cryptoCalendar;
    case 'stock':
    case 'etf':
    case 'index':
      return nyseCalendar;
    case 'spot':
    case 'future':
    case 'fx':
      return metalsCalendar;
    case 'synthetic':
      return cryptoSymbol.test(instrument.symbol) ? cryptoCalendar : metalsCalendar;
  }
}
