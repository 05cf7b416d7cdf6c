import { describe, expect, it } from 'vitest';
import { methodNames } from '../../src/shared/contract';
import { AppError } from '../../src/shared/errors';
import type { HandlerMap } from '../../src/core/handlers';
import { createInvoke, mergeHandlers, shouldValidateOutput, toErrorPayload } from '../../src/core/invoke';
import type { Logger } from '../../src/core/ports';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A complete map where every method throws, so a test can override the ones it calls. */
function allHandlers(overrides: HandlerMap = {}): HandlerMap {
  const map: Record<string, () => never> = {};
  for (const name of methodNames) map[name] = () => { throw new AppError('INTERNAL', `${name} not under test`); };
  return { ...(map as HandlerMap), ...overrides };
}

describe('mergeHandlers', () => {
  it('refuses a contract method without a handler', () => {
    const { ['bars.query']: _omitted, ...rest } = allHandlers();
    expect(() => mergeHandlers({ everything: rest as HandlerMap })).toThrow(/without a handler: bars\.query/);
  });

  it('refuses a duplicate handler and names both owners', () => {
    expect(() => mergeHandlers({ a: allHandlers(), b: { 'bars.query': async () => ({ bars: [], sourceTimeframe: null, spans: [] }) } })).toThrow(
      /"bars\.query" is registered by both a and b/,
    );
  });

  it('refuses a handler the contract does not list', () => {
    expect(() => mergeHandlers({ a: allHandlers(), b: { 'bars.delete': () => ({}) } as unknown as HandlerMap })).toThrow(/no contract entry/);
  });
});

describe('invoke', () => {
  const invoke = createInvoke(
    mergeHandlers({
      all: allHandlers({
        'bars.query': async (input) => ({ bars: [{ time: input.from ?? 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }], sourceTimeframe: '1m', spans: [{ from: input.from ?? 0, to: input.from ?? 0, timeframe: '1m' }] }),
        'instruments.list': async () => ({ instruments: [{ bogus: true }] }) as never,
        'settings.get': async () => { throw new Error('disk on fire at /secret/path'); },
      }),
    }),
    silent,
    { validateOutput: true },
  );

  it('passes parsed input (symbols upper-cased) and wraps the value', async () => {
    const result = await invoke('bars.query', { symbol: 'xauusd', timeframe: '1h', from: 5 });
    expect(result).toEqual({
      ok: true,
      value: { bars: [{ time: 5, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }], sourceTimeframe: '1m', spans: [{ from: 5, to: 5, timeframe: '1m' }] },
    });
  });

  it.each([
    ['bad timeframe', { symbol: 'XAUUSD', timeframe: '2h' }],
    ['inverted range', { symbol: 'XAUUSD', timeframe: '1h', from: 10, to: 5 }],
    ['negative limit', { symbol: 'XAUUSD', timeframe: '1h', limit: -1 }],
    ['unknown field', { symbol: 'XAUUSD', timeframe: '1h', extra: 1 }],
    ['not an object', 'XAUUSD'],
    ['symbol with spaces', { symbol: 'XAU USD', timeframe: '1h' }],
  ])('answers VALIDATION for %s', async (_label, input) => {
    const result = await invoke('bars.query', input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('VALIDATION');
  });

  it('answers NOT_FOUND for an unknown method', async () => {
    expect(await invoke('bars.drop', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('keeps AppError codes and hides unexpected errors behind INTERNAL', async () => {
    expect(await invoke('demo.load', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'demo.load not under test' } });
    const hidden = await invoke('settings.get', {});
    expect(hidden).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(hidden)).not.toContain('/secret/path');
  });

  it('refuses to send output that breaks the contract', async () => {
    expect(await invoke('instruments.list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('maps AppError details through toErrorPayload', () => {
    expect(toErrorPayload(new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: 1000 }))).toEqual({
      code: 'RATE_LIMITED',
      message: 'slow down',
      details: { retryAfterMs: 1000 },
    });
  });
});

describe('output validation', () => {
  const bar = { time: 5, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };
  const handlers = mergeHandlers({
    all: allHandlers({
      'bars.query': async () => ({ bars: [{ ...bar, rowid: 7 }], sourceTimeframe: '1m', spans: [] }) as never,
      'instruments.list': async () => ({ instruments: [{ bogus: true }] }) as never,
    }),
  });

  it('refuses a reply the contract would strip, since production sends replies as the handler made them', async () => {
    const invoke = createInvoke(handlers, silent, { validateOutput: true });
    expect(await invoke('bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('sends replies unchecked when switched off', async () => {
    const invoke = createInvoke(handlers, silent, { validateOutput: false });
    expect(await invoke('bars.query', { symbol: 'XAUUSD', timeframe: '1m' })).toEqual({ ok: true, value: { bars: [{ ...bar, rowid: 7 }], sourceTimeframe: '1m', spans: [] } });
    expect(await invoke('instruments.list', {})).toEqual({ ok: true, value: { instruments: [{ bogus: true }] } });
  });

  it('still validates input when output validation is off', async () => {
    const invoke = createInvoke(handlers, silent, { validateOutput: false });
    expect(await invoke('bars.query', { symbol: 'XAUUSD', timeframe: '2h' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it.each([
    ['vitest', { VITEST: 'true' }, true],
    ['npm run dev', { NODE_ENV: 'development' }, true],
    ['npm start', { NODE_ENV: 'production' }, false],
    ['the packaged app and metalytics serve', {}, false],
  ])('is on or off for %s', (_label, environment, expected) => {
    expect(shouldValidateOutput(environment)).toBe(expected);
  });
});
