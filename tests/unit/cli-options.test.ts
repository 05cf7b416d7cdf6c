import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir, resolvePort, resolveToken } from '../../src/cli/config';
import { exitCodeFor } from '../../src/cli/exit-codes';
import { formatTable } from '../../src/cli/format';
import { buildImportInput, parseColumnMap } from '../../src/cli/import-command';
import { parseDelimiter, parsePort, parseUtcOffset } from '../../src/cli/options';
import { createProgressReporter } from '../../src/cli/job-watch';
import { exposureWarnings } from '../../src/cli/serve-command';

describe('data folder', () => {
  it('matches what Electron names userData for "Metalytics" on each OS', () => {
    expect(defaultDataDir('linux', {}, '/home/ann')).toBe('/home/ann/.config/Metalytics');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann')).toBe('/xdg/Metalytics');
    expect(defaultDataDir('darwin', {}, '/Users/ann')).toBe('/Users/ann/Library/Application Support/Metalytics');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann')).toMatch(/Roaming[\\/]Metalytics$/);
  });

  it('prefers the flag, then METALYTICS_DATA_DIR', () => {
    expect(resolveDataDir('/flag', { METALYTICS_DATA_DIR: '/env' })).toBe('/flag');
    expect(resolveDataDir(undefined, { METALYTICS_DATA_DIR: '/env' })).toBe('/env');
  });
});

describe('port and token', () => {
  it('accepts 0..65535 and nothing else', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8787')).toBe(8787);
    for (const bad of ['-1', '65536', '80.5', 'http', '']) expect(() => parsePort(bad)).toThrow(/0 to 65535/);
  });

  it('takes --port, then PORT, then 8787', () => {
    expect(resolvePort(9000, { PORT: '9100' })).toBe(9000);
    expect(resolvePort(undefined, { PORT: '9100' })).toBe(9100);
    expect(resolvePort(undefined, {})).toBe(8787);
    expect(() => resolvePort(undefined, { PORT: 'abc' })).toThrow(/PORT="abc"/);
  });

  it('uses METALYTICS_TOKEN or a fresh URL-safe random token', () => {
    expect(resolveToken({ METALYTICS_TOKEN: 'fixed' })).toBe('fixed');
    const token = resolveToken({});
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(resolveToken({})).not.toBe(token);
  });
});

describe('import options', () => {
  it('reads --map pairs, comma-separated or repeated, with numeric indexes', () => {
    expect(parseColumnMap(['time=Date,close=Price', 'volume=5'])).toEqual({ time: 'Date', close: 'Price', volume: 5 });
    expect(parseColumnMap(['close=4,volume=none,timeOfDay=None'])).toEqual({ close: 4, volume: null, timeOfDay: null });
    // Time and close cannot be absent, so "none" there is a header name.
    expect(parseColumnMap(['close=none'])).toEqual({ close: 'none' });
    expect(() => parseColumnMap(['price=Close'])).toThrow(/not a bar field/);
    expect(() => parseColumnMap(['time'])).toThrow(/field=column/);
  });

  it('names delimiters the way people type them', () => {
    expect(parseDelimiter(';')).toBe(';');
    expect(parseDelimiter('tab')).toBe('\t');
    expect(() => parseDelimiter(':')).toThrow();
  });

  it('builds the contract input with an absolute path and only the mapping given', () => {
    expect(buildImportInput('data.csv', { symbol: 'XAUUSD', map: [] })).toEqual({
      source: { kind: 'path', path: expect.stringMatching(/^\/.*data\.csv$/) },
      symbol: 'XAUUSD',
    });
    expect(buildImportInput('/d/g.csv', { symbol: 'GC=F', timeframe: '1M', delimiter: ';', dateFormat: 'YYYY-MM', map: ['time=Date'] })).toEqual({
      source: { kind: 'path', path: '/d/g.csv' },
      symbol: 'GC=F',
      timeframe: '1M',
      mapping: { delimiter: ';', dateFormat: 'YYYY-MM', time: 'Date' },
    });
  });

  it('reads --utc-offset as minutes east of UTC', () => {
    expect(parseUtcOffset('+02:00')).toBe(120);
    expect(parseUtcOffset('-0530')).toBe(-330);
    expect(parseUtcOffset('0')).toBe(0);
    expect(() => parseUtcOffset('+15:00')).toThrow();
    expect(() => parseUtcOffset('CET')).toThrow();
  });

  it('passes the decimal separator, offset, time-of-day column and bad-OHLC policy into the input', () => {
    expect(
      buildImportInput('/d/mt5.csv', { symbol: 'XAUUSD', decimalSeparator: ',', utcOffset: 120, map: ['time=0,timeofday=1'], badOhlc: 'widen' }),
    ).toEqual({
      source: { kind: 'path', path: '/d/mt5.csv' },
      symbol: 'XAUUSD',
      mapping: { decimalSeparator: ',', utcOffsetMinutes: 120, time: 0, timeOfDay: 1 },
      badOhlc: 'widen',
    });
    expect(buildImportInput('/d/a.csv', { symbol: 'XAUUSD', map: [], badOhlc: 'reject' })).toEqual({ source: { kind: 'path', path: '/d/a.csv' }, symbol: 'XAUUSD' });
  });

  it('maps contract errors to the documented exit codes', () => {
    expect(exitCodeFor('VALIDATION')).toBe(2);
    expect(exitCodeFor('NOT_FOUND')).toBe(3);
    expect(exitCodeFor('UNAVAILABLE')).toBe(4);
    expect(exitCodeFor('INTERNAL')).toBe(1);
  });
});

describe('progress output', () => {
  const event = (done: number) => ({ runId: 'j', jobId: 'j', kind: 'import' as const, done, total: 200, unit: 'rows', rate: 100, etaMs: (200 - done) * 10 });

  it('redraws one line on a terminal', () => {
    let text = '';
    const reporter = createProgressReporter({ out() {}, err: (t) => (text += t), errIsTTY: true }, 'Importing a.csv');
    reporter.update(event(50));
    reporter.update(event(200));
    reporter.finish();
    expect(text).toBe('\r\x1b[KImporting a.csv: 50 / 200 rows (25%), 100 rows/s, about 2 s left\r\x1b[KImporting a.csv: 200 / 200 rows (100%), 100 rows/s\n');
  });

  it('writes plain lines at most once a second elsewhere, and always the last', () => {
    const lines: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({ out() {}, err: (t) => lines.push(t), errIsTTY: false }, 'Importing', () => now);
    reporter.update(event(10));
    now = 500;
    reporter.update(event(20));
    now = 1200;
    reporter.update(event(30));
    reporter.update(event(200));
    reporter.finish();
    expect(lines.map((l) => l.match(/: (\d+) \//)?.[1])).toEqual(['10', '30', '200']);
  });
});

describe('tables', () => {
  it('aligns text left and numbers right', () => {
    expect(formatTable(['SYMBOL', 'BARS'], [['XAUUSD', '5,383'], ['GC=F', '12']], new Set([1]))).toBe(
      '  SYMBOL   BARS\n  XAUUSD  5,383\n  GC=F       12\n',
    );
  });
});

describe('serve start-up warnings', () => {
  it('names a TLS-terminating reverse proxy when other machines can reach the server, and says nothing on loopback', () => {
    expect(exposureWarnings({ host: '127.0.0.1', behindProxy: false })).toEqual([]);
    const remote = exposureWarnings({ host: '0.0.0.0', behindProxy: false });
    expect(remote.join(' ')).toMatch(/plain HTTP/);
    expect(remote.join(' ')).toMatch(/reverse proxy that terminates TLS/);
    expect(exposureWarnings({ host: '127.0.0.1', behindProxy: true }).join(' ')).toMatch(/X-Forwarded-For/);
  });
});
