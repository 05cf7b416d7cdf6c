import { describe, expect, it } from 'vitest';
import { formatChangePercent, formatCount, formatPrice, formatVolume, pricePrecision } from './numbers';

describe('pricePrecision', () => {
  it('uses cents for metals and bitcoin, pips near 1 and more for sub-unit quotes', () => {
    expect(pricePrecision(2345.6)).toBe(2);
    expect(pricePrecision(64_000)).toBe(2);
    expect(pricePrecision(29.5)).toBe(2);
    expect(pricePrecision(1.0842)).toBe(4);
    expect(pricePrecision(0.25)).toBe(6);
    expect(pricePrecision(0.00001234)).toBe(8);
    expect(pricePrecision(Number.NaN)).toBe(2);
  });
});

describe('formatPrice', () => {
  it('groups thousands and pads to the precision', () => {
    expect(formatPrice(2345.6, 2, 'en-US')).toBe('2,345.60');
    expect(formatPrice(1.08425, 4, 'en-US')).toBe('1.0843');
    expect(formatPrice(-3, 2, 'en-US')).toBe('-3.00');
  });
});

describe('formatVolume', () => {
  it('is compact for large volumes and keeps fractions of coins', () => {
    expect(formatVolume(0, 'en-US')).toBe('0');
    expect(formatVolume(0.5, 'en-US')).toBe('0.5');
    expect(formatVolume(950, 'en-US')).toBe('950');
    expect(formatVolume(12_345, 'en-US')).toBe('12.35K');
    expect(formatVolume(4_200_000, 'en-US')).toBe('4.2M');
    expect(formatVolume(1_250_000_000, 'en-US')).toBe('1.25B');
  });
});

describe('formatCount', () => {
  it('groups thousands without decimals', () => {
    expect(formatCount(1_234_567, 'en-US')).toBe('1,234,567');
  });
});

describe('formatChangePercent', () => {
  it('signs the change and refuses a zero reference', () => {
    expect(formatChangePercent(100, 101.5, 'en-US')).toBe('+1.50%');
    expect(formatChangePercent(100, 98, 'en-US')).toBe('-2.00%');
    expect(formatChangePercent(100, 100, 'en-US')).toBe('0.00%');
    expect(formatChangePercent(0, 5, 'en-US')).toBeNull();
  });
});
