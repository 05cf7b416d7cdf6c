import { describe, expect, it } from 'vitest';
import { indicatorSpecSchema } from '../../../shared/indicators';
import {
  formatIndicatorValue,
  indicatorCatalog,
  indicatorId,
  indicatorKindsInMenuOrder,
  indicatorLabel,
  indicatorPlacement,
  indicatorWindow,
  outputLabel,
} from './indicator-catalog';

const defaults = Object.fromEntries(indicatorKindsInMenuOrder.map((kind) => [kind, indicatorCatalog[kind].defaults]));

describe('indicator defaults', () => {
  it('are the periods traders expect and valid under the contract', () => {
    expect(indicatorKindsInMenuOrder.map((kind) => indicatorLabel(indicatorCatalog[kind].defaults))).toEqual([
      'SMA 20',
      'EMA 50',
      'WMA 20',
      'BB 20, 2',
      'VWAP',
      'RSI 14',
      'MACD 12, 26, 9',
      'Stoch 14, 3, 3',
      'ATR 14',
      'Volatility 20',
    ]);
    for (const spec of Object.values(defaults)) expect(indicatorSpecSchema.parse(spec)).toEqual(spec);
    expect(new Set(indicatorKindsInMenuOrder).size).toBe(Object.keys(indicatorCatalog).length);
  });

  it('puts averages, bands and VWAP on the prices and oscillators in panes', () => {
    expect(['sma', 'ema', 'wma', 'bbands', 'vwap'].map((k) => indicatorPlacement(k as 'sma'))).toEqual(Array(5).fill('overlay'));
    expect(['rsi', 'macd', 'stoch', 'atr', 'volatility'].map((k) => indicatorPlacement(k as 'rsi'))).toEqual(Array(5).fill('pane'));
  });
});

describe('labels and ids', () => {
  it('write parameters in the order traders do, whatever the key order', () => {
    expect(indicatorLabel({ kind: 'stoch', params: { d: 5, k: 21, smooth: 1 } })).toBe('Stoch 21, 1, 5');
    expect(indicatorId({ kind: 'stoch', params: { d: 5, k: 21, smooth: 1 } })).toBe('stoch-21-1-5');
    expect(indicatorId({ kind: 'bbands', params: { period: 20, stddev: 2.5 } })).toBe('bbands-20-2.5');
    expect(indicatorId({ kind: 'vwap', params: {} })).toBe('vwap');
  });

  it('name outputs only when an indicator has several', () => {
    expect(outputLabel({ kind: 'sma', params: { period: 20 } }, 'value')).toBe('SMA 20');
    expect(outputLabel({ kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } }, 'histogram')).toBe('MACD 12, 26, 9 histogram');
  });
});

describe('formatIndicatorValue', () => {
  it('uses the price precision for price-like values, two decimals for oscillators, percent for volatility', () => {
    expect(formatIndicatorValue('sma', 3843.456, 2)).toBe('3,843.46');
    expect(formatIndicatorValue('macd', 1.23456, 4)).toBe('1.2346');
    expect(formatIndicatorValue('rsi', 54.321, 6)).toBe('54.32');
    expect(formatIndicatorValue('volatility', 0.1834, 2)).toBe('18.34%');
    expect(formatIndicatorValue('rsi', null, 2)).toBe('—');
    expect(formatIndicatorValue('ema', undefined, 2)).toBe('—');
  });
});

describe('indicatorWindow', () => {
  it('counts the bars a value looks back over, chained windows included', () => {
    expect(indicatorWindow({ kind: 'sma', params: { period: 20 } })).toBe(20);
    expect(indicatorWindow({ kind: 'rsi', params: { period: 14 } })).toBe(15);
    expect(indicatorWindow({ kind: 'macd', params: { fast: 12, slow: 26, signal: 9 } })).toBe(34);
    expect(indicatorWindow({ kind: 'stoch', params: { k: 14, smooth: 3, d: 3 } })).toBe(18);
    expect(indicatorWindow({ kind: 'vwap', params: {} })).toBe(1);
  });
});
