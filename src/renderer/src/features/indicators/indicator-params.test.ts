import { describe, expect, it } from 'vitest';
import { checkIndicatorParams } from './indicator-params';

describe('checkIndicatorParams', () => {
  it('accepts valid params and returns the spec', () => {
    expect(checkIndicatorParams('bbands', { period: 10, stddev: 1.5 })).toEqual({ ok: true, spec: { kind: 'bbands', params: { period: 10, stddev: 1.5 } } });
  });

  it('names the field that is out of range or not whole', () => {
    expect(checkIndicatorParams('sma', { period: 0 })).toEqual({ ok: false, message: 'Period must be between 1 and 1000.' });
    expect(checkIndicatorParams('rsi', { period: 14.5 })).toEqual({ ok: false, message: 'Period must be a whole number.' });
    expect(checkIndicatorParams('ema', { period: Number.NaN })).toEqual({ ok: false, message: 'Period needs a number.' });
    expect(checkIndicatorParams('volatility', { period: 1 })).toEqual({ ok: false, message: 'Period must be between 2 and 1000.' });
  });

  it('passes on the contract rule that MACD fast is shorter than slow', () => {
    const check = checkIndicatorParams('macd', { fast: 26, slow: 12, signal: 9 });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toMatch(/^The fast period must be shorter than the slow period\.$/);
  });
});
