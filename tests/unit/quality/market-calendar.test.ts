import { describe, expect, it } from 'vitest';
import {
  calendarFor,
  cryptoCalendar,
  easterSunday,
  metalsCalendar,
  nyseCalendar,
  nyseEarlyClose,
  nyseHolidays,
} from '../../../src/core/quality/market-calendar';

const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('nyseHolidays', () => {
  // The NYSE's published holiday list (nyse.com/markets/hours-calendars) for 2024 and 2025.
  it('matches the published 2024 list', () => {
    expect([...nyseHolidays(2024).keys()]).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ]);
  });

  it('matches the published 2025 list', () => {
    expect([...nyseHolidays(2025).keys()]).toEqual([
      '2025-01-01',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ]);
  });

  it('names Good Friday from the Easter computus', () => {
    expect(nyseHolidays(2024).get('2024-03-29')).toBe('Good Friday');
    expect(nyseHolidays(2025).get('2025-04-18')).toBe('Good Friday');
    expect(easterSunday(2019)).toEqual([4, 21]);
    expect(easterSunday(2038)).toEqual([4, 25]);
    expect(easterSunday(2285)).toEqual([3, 22]);
  });

  it('observes weekend holidays on the nearest weekday, but not New Year on a Saturday', () => {
    // Juneteenth 2022 fell on a Sunday: observed Monday 20 June.
    expect(nyseHolidays(2022).get('2022-06-20')).toBe('Juneteenth');
    // Christmas 2021 on a Saturday: closed Friday 24 December.
    expect(nyseHolidays(2021).get('2021-12-24')).toBe('Christmas');
    // Christmas 2022 on a Sunday: closed Monday 26 December.
    expect(nyseHolidays(2022).get('2022-12-26')).toBe('Christmas');
    // Independence Day 2026 on a Saturday: closed Friday 3 July.
    expect(nyseHolidays(2026).get('2026-07-03')).toBe('Independence Day');
    // 1 January 2022 was a Saturday and Friday 31 December 2021 traded.
    expect(nyseHolidays(2021).has('2021-12-31')).toBe(false);
    expect([...nyseHolidays(2022).values()]).not.toContain('New Year');
    // New Year 2023 on a Sunday: closed Monday 2 January.
    expect(nyseHolidays(2023).get('2023-01-02')).toBe('New Year');
  });

  it('has no Juneteenth before 2022', () => {
    expect([...nyseHolidays(2021).values()]).not.toContain('Juneteenth');
    expect(nyseHolidays(2021).size).toBe(9);
  });

  it('knows the early closes', () => {
    expect(nyseEarlyClose(2024, 7, 3)).toBe(true);
    expect(nyseEarlyClose(2024, 11, 29)).toBe(true);
    expect(nyseEarlyClose(2024, 12, 24)).toBe(true);
    expect(nyseEarlyClose(2022, 7, 1)).toBe(false);
    expect(nyseEarlyClose(2025, 11, 28)).toBe(true);
    expect(nyseEarlyClose(2025, 11, 27)).toBe(false);
  });
});

describe('nyseCalendar', () => {
  it('expects hourly buckets overlapping 09:30–16:00 New York, following DST', () => {
    // Summer (EDT, UTC-4): 09:30–16:00 is 13:30–20:00 UTC.
    expect(nyseCalendar.isTradingBar(utc('2024-07-10T12:00'), '1h')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-07-10T13:00'), '1h')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-07-10T19:00'), '1h')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-07-10T20:00'), '1h')).toBe(false);
    // Winter (EST, UTC-5): 14:30–21:00 UTC.
    expect(nyseCalendar.isTradingBar(utc('2024-01-10T13:00'), '1h')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-01-10T14:00'), '1h')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-01-10T20:00'), '1h')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-01-10T21:00'), '1h')).toBe(false);
  });

  it('switches on the DST Sundays: the Monday after 10 March 2024 opens at 13:30 UTC, after 3 November at 14:30', () => {
    expect(nyseCalendar.isTradingBar(utc('2024-03-08T14:00'), '30m')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-03-08T14:30'), '30m')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-03-11T13:00'), '30m')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-03-11T13:30'), '30m')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-11-01T13:30'), '30m')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-11-04T13:30'), '30m')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-11-04T14:30'), '30m')).toBe(true);
  });

  it('closes on holidays, weekends and at 13:00 on early-close days', () => {
    expect(nyseCalendar.isTradingBar(utc('2024-03-29T15:00'), '1h')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-03-29T00:00'), '1d')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2024-03-28T00:00'), '1d')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-03-30T00:00'), '1d')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2025-06-19T00:00'), '1d')).toBe(false);
    // Friday 29 November 2024 closes at 13:00 EST = 18:00 UTC.
    expect(nyseCalendar.isTradingBar(utc('2024-11-29T17:30'), '30m')).toBe(true);
    expect(nyseCalendar.isTradingBar(utc('2024-11-29T18:00'), '30m')).toBe(false);
    // Unscheduled: the national day of mourning for President Carter closed NYSE, not CME metals.
    expect(nyseCalendar.isTradingBar(utc('2025-01-09T00:00'), '1d')).toBe(false);
    expect(nyseCalendar.isTradingBar(utc('2025-01-09T15:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2025-01-09T00:00'), '1d')).toBe(true);
    // Weeks and months always hold trading.
    expect(nyseCalendar.isTradingBar(utc('2024-12-23T00:00'), '1w')).toBe(true);
  });
});

describe('metalsCalendar', () => {
  it('opens Sunday 18:00 New York: 22:00 UTC in summer, 23:00 in winter', () => {
    expect(metalsCalendar.isTradingBar(utc('2024-07-07T21:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-07-07T22:00'), '1h')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-01-07T22:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-01-07T23:00'), '1h')).toBe(true);
  });

  it('closes Friday 17:00 New York and breaks 17:00–18:00 on other days', () => {
    expect(metalsCalendar.isTradingBar(utc('2024-07-12T20:00'), '1h')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-07-12T21:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-07-13T12:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-07-10T21:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-07-10T22:00'), '1h')).toBe(true);
    // Winter: the break is 22:00–23:00 UTC.
    expect(metalsCalendar.isTradingBar(utc('2024-01-10T21:00'), '1h')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-01-10T22:00'), '1h')).toBe(false);
    // A 4h bucket that holds the break still holds trading.
    expect(metalsCalendar.isTradingBar(utc('2024-07-10T20:00'), '4h')).toBe(true);
  });

  it('reopens at 22:00 UTC on 10 March 2024, the Sunday clocks go forward at 07:00 UTC', () => {
    expect(metalsCalendar.isTradingBar(utc('2024-03-08T21:00'), '1h')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-03-08T22:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-03-10T21:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-03-10T22:00'), '1h')).toBe(true);
  });

  it('follows the DST switch on the weekend of 3 November 2024', () => {
    expect(metalsCalendar.isTradingBar(utc('2024-11-01T20:00'), '1h')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-11-01T21:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-11-03T22:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-11-03T23:00'), '1h')).toBe(true);
  });

  it('expects weekday daily bars, except on New Year, Good Friday and Christmas and the US holidays Globex halts early', () => {
    expect(metalsCalendar.isTradingBar(utc('2024-07-12T00:00'), '1d')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-07-13T00:00'), '1d')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-07-14T00:00'), '1d')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-12-25T00:00'), '1d')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-03-29T00:00'), '1d')).toBe(false);
    // US holidays on which Globex metals trade until 12:00 Chicago: a bar is welcome, none is no gap.
    for (const holiday of ['2024-01-15', '2024-02-19', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2004-07-05']) {
      expect(metalsCalendar.isTradingBar(utc(`${holiday}T00:00`), '1d'), holiday).toBe(false);
    }
    // Juneteenth became a holiday in 2022.
    expect(metalsCalendar.isTradingBar(utc('2021-06-18T00:00'), '1d')).toBe(true);
    // Early closes are trading days.
    expect(metalsCalendar.isTradingBar(utc('2024-11-29T00:00'), '1d')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-12-24T00:00'), '1d')).toBe(true);
    // Intraday: the holiday session is optional from its evening open on; the day after opens as usual.
    expect(metalsCalendar.isTradingBar(utc('2024-07-04T14:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-07-04T22:00'), '1h')).toBe(true);
    // Early closes at 13:45 New York (18:45 UTC in winter): the bucket that starts before it is expected.
    expect(metalsCalendar.isTradingBar(utc('2024-11-29T18:30'), '15m')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-11-29T18:45'), '15m')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-11-29T18:00'), '1h')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-12-24T19:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-12-31T18:30'), '30m')).toBe(true);
    expect(metalsCalendar.isTradingBar(utc('2024-12-31T19:00'), '30m')).toBe(false);
    // Christmas Day's trading session (from 24 December 18:00 New York) is closed.
    expect(metalsCalendar.isTradingBar(utc('2024-12-25T15:00'), '1h')).toBe(false);
    expect(metalsCalendar.isTradingBar(utc('2024-12-25T23:00'), '1h')).toBe(true);
  });
});

describe('calendarFor', () => {
  it('picks the calendar from the kind, and from the symbol for demo instruments', () => {
    expect(calendarFor({ symbol: 'BTCUSDT', kind: 'crypto' })).toBe(cryptoCalendar);
    expect(calendarFor({ symbol: 'XAUUSD', kind: 'spot' })).toBe(metalsCalendar);
    expect(calendarFor({ symbol: 'GC=F', kind: 'future' })).toBe(metalsCalendar);
    expect(calendarFor({ symbol: 'AAPL', kind: 'stock' })).toBe(nyseCalendar);
    expect(calendarFor({ symbol: 'GLD', kind: 'etf' })).toBe(nyseCalendar);
    expect(calendarFor({ symbol: 'DEMO.XAUUSD', kind: 'synthetic' })).toBe(metalsCalendar);
    expect(calendarFor({ symbol: 'DEMO.BTCUSD', kind: 'synthetic' })).toBe(cryptoCalendar);
    expect(cryptoCalendar.isTradingBar(utc('2024-07-13T12:00'), '1h')).toBe(true);
  });
});
