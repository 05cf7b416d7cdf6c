import { describe, expect, it } from 'vitest';
import { isTimeOfDay, looksLikeDate, parseDate, parseDecimal } from '../../../src/core/import/csv-values';

describe('parseDate', () => {
  it.each([
    ['1514678400000', 'epoch-ms', Date.UTC(2017, 11, 31)],
    ['1514678400000.0', 'epoch-ms', Date.UTC(2017, 11, 31)],
    ['1514678400', 'epoch-s', Date.UTC(2017, 11, 31)],
    ['1514678400.5', 'epoch-s', Date.UTC(2017, 11, 31) + 500],
    ['2014-09-17', 'YYYY-MM-DD', Date.UTC(2014, 8, 17)],
    ['2014-09-17 13:45', 'YYYY-MM-DD HH:mm', Date.UTC(2014, 8, 17, 13, 45)],
    ['2014-09-17 13:45:10', 'YYYY-MM-DD HH:mm:ss', Date.UTC(2014, 8, 17, 13, 45, 10)],
    ['2017-12-31_01:00:00', 'YYYY-MM-DD_HH:mm:ss', Date.UTC(2017, 11, 31, 1)],
    ['2004.06.11', 'YYYY.MM.DD', Date.UTC(2004, 5, 11)],
    ['2004.06.11 00:00', 'YYYY.MM.DD HH:mm', Date.UTC(2004, 5, 11)],
    ['2004.06.11 23:59:30', 'YYYY.MM.DD HH:mm', Date.UTC(2004, 5, 11, 23, 59, 30)],
    ['1833-01', 'YYYY-MM', Date.UTC(1833, 0, 1)],
    ['03/15/2024', 'MM/DD/YYYY', Date.UTC(2024, 2, 15)],
    ['1/5/2020', 'MM/DD/YYYY', Date.UTC(2020, 0, 5)],
    ['15.03.2024', 'DD.MM.YYYY', Date.UTC(2024, 2, 15)],
    ['2024-03-15T10:20:30Z', 'iso', Date.UTC(2024, 2, 15, 10, 20, 30)],
    ['2024-03-15T10:20:30.250Z', 'iso', Date.UTC(2024, 2, 15, 10, 20, 30, 250)],
    ['2024-03-15T10:20:30+02:00', 'iso', Date.UTC(2024, 2, 15, 8, 20, 30)],
    ['2024-03-15 00:00:00-0530', 'iso', Date.UTC(2024, 2, 15, 5, 30)],
    ['2024-03-15T10:20', 'iso', Date.UTC(2024, 2, 15, 10, 20)],
    ['2020-02-29', 'YYYY-MM-DD', Date.UTC(2020, 1, 29)],
  ] as const)('reads %s as %s in UTC', (value, format, expected) => {
    expect(parseDate(value, format)).toBe(expected);
  });

  it('keeps four-digit years below 100 as written rather than moving them to the 1900s', () => {
    expect(new Date(parseDate('0099-01-01', 'YYYY-MM-DD')!).toISOString()).toBe('0099-01-01T00:00:00.000Z');
  });

  it.each([
    ['2021-02-29', 'YYYY-MM-DD'],
    ['1900-02-29', 'YYYY-MM-DD'],
    ['2020-13-01', 'YYYY-MM-DD'],
    ['2020-04-31', 'YYYY-MM-DD'],
    ['2020-01-01 24:00', 'YYYY-MM-DD HH:mm'],
    ['2020-01-01 10:60:00', 'YYYY-MM-DD HH:mm:ss'],
    ['2020-01-01', 'YYYY-MM-DD HH:mm'],
    ['2020.01.01', 'YYYY-MM-DD'],
    ['13/01/2020', 'MM/DD/YYYY'],
    ['2020-00', 'YYYY-MM'],
    ['abc', 'epoch-ms'],
    ['1.5e12', 'epoch-ms'],
    ['', 'YYYY-MM-DD'],
  ] as const)('refuses %s as %s', (value, format) => {
    expect(parseDate(value, format)).toBeNull();
  });

  it('takes integers for epochs only within plausible years when guessing', () => {
    expect(looksLikeDate('1514678400000', 'epoch-ms')).toBe(true);
    expect(looksLikeDate('1514678400', 'epoch-s')).toBe(true);
    expect(looksLikeDate('37393', 'epoch-s')).toBe(false);
    expect(looksLikeDate('21056800', 'epoch-s')).toBe(false);
    expect(looksLikeDate('1514678400', 'epoch-ms')).toBe(false);
    expect(parseDate('37393', 'epoch-s')).toBe(37_393_000);
  });

  it('recognises a time-of-day cell', () => {
    expect(isTimeOfDay('00:00')).toBe(true);
    expect(isTimeOfDay('23:59:59')).toBe(true);
    expect(isTimeOfDay('24:00')).toBe(false);
    expect(isTimeOfDay('2004.06.11')).toBe(false);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['384', 384],
    ['384.8', 384.8],
    ['-1.5', -1.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1,234.5', 1234.5],
    ['12,345,678', 12_345_678],
    ['$172.62', 172.62],
  ] as const)('reads %s', (text, expected) => {
    expect(parseDecimal(text)).toBe(expected);
  });

  it.each(['', 'abc', '1,23', '1.2.3', 'NaN', 'Infinity', '-inf', '1e999', '0x10', '12 345', '1,234,5'])('refuses %j', (text) => {
    expect(parseDecimal(text)).toBeNull();
  });
});
