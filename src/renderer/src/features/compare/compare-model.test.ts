import { describe, expect, it } from 'vitest';
import type { Coverage, Instrument } from '../../../../shared/domain';
import {
  assignColourSlots,
  canShow,
  choosePairSide,
  compareChoices,
  compareViewKey,
  defaultSelection,
  indexOfTime,
  parseWindow,
  ratioDecimals,
  resolvePair,
  toLinePoints,
  toggleSymbol,
  yearsBefore,
} from './compare-model';
import { compareViewSchema, defaultCompareView } from '../../../../shared/compare-view';

const instrument = (symbol: string, kind: Instrument['kind'] = 'spot'): Instrument => ({
  symbol,
  name: `${symbol} name`,
  kind,
  unit: 'USD',
  currency: 'USD',
  providerSymbols: {},
});
const stored = (symbol: string, timeframe: Coverage['timeframe'], first = 0, last = 1): Coverage => ({
  symbol,
  timeframe,
  source: 'csv',
  first,
  last,
  count: 10,
});
const catalogue = ['XAUUSD', 'XAGUSD', 'XPTUSD', 'BTCUSD'].map((s) => instrument(s));

describe('compareChoices', () => {
  it('lists the catalogue, then stored-only symbols, with stored timeframes and extent', () => {
    const choices = compareChoices(catalogue, [stored('BTCUSD', '1d', 5, 9), stored('BTCUSD', '1h', 2, 8), stored('DEMO.XAUUSD', '1h')]);
    expect(choices.map((c) => c.symbol)).toEqual(['XAUUSD', 'XAGUSD', 'XPTUSD', 'BTCUSD', 'DEMO.XAUUSD']);
    expect(choices[3]).toMatchObject({ stored: ['1h', '1d'], first: 2, last: 9 });
    expect(choices[0]).toMatchObject({ stored: [], first: null, last: null });
    expect(choices[4]!.synthetic).toBe(true);
  });
});

describe('canShow', () => {
  it('allows a timeframe the stored bars aggregate into, not a finer one', () => {
    const [gold] = compareChoices([instrument('XAUUSD')], [stored('XAUUSD', '1d')]);
    expect(canShow(gold, '1w')).toBe(true);
    expect(canShow(gold, '1M')).toBe(true);
    expect(canShow(gold, '4h')).toBe(false);
    expect(canShow(undefined, '1d')).toBe(false);
  });
});

describe('defaultSelection', () => {
  it('prefers gold and silver when both are stored', () => {
    const choices = compareChoices(catalogue, [stored('BTCUSD', '1d'), stored('XAGUSD', '1d'), stored('XAUUSD', '1d')]);
    expect(defaultSelection(choices, ['BTCUSD'])).toEqual(['XAUUSD', 'XAGUSD']);
  });

  it('otherwise takes the first two instruments with data, watchlist first, or the one there is', () => {
    const alphabetical = ['AAPL', 'BTCUSD', 'XAGUSD', 'XAUUSD', 'XPTUSD'].map((s) => instrument(s));
    const goldAndBitcoin = compareChoices(alphabetical, [stored('BTCUSD', '1d'), stored('XAUUSD', '1d'), stored('AAPL', '1d')]);
    expect(defaultSelection(goldAndBitcoin, ['XAUUSD', 'XAGUSD', 'BTCUSD'])).toEqual(['XAUUSD', 'BTCUSD']);
    expect(defaultSelection(goldAndBitcoin, ['BTCUSD'])).toEqual(['BTCUSD', 'AAPL']);
    expect(defaultSelection(goldAndBitcoin, [])).toEqual(['AAPL', 'BTCUSD']);
    expect(defaultSelection(compareChoices(catalogue, [stored('XPTUSD', '1d')]), [])).toEqual(['XPTUSD']);
    expect(defaultSelection(compareChoices(catalogue, []), ['XAUUSD'])).toEqual([]);
  });
});

describe('toggleSymbol', () => {
  it('adds at the end, removes in place and stops at eight', () => {
    expect(toggleSymbol(['A', 'B'], 'C')).toEqual(['A', 'B', 'C']);
    expect(toggleSymbol(['A', 'B', 'C'], 'B')).toEqual(['A', 'C']);
    const eight = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    expect(toggleSymbol(eight, 'I')).toEqual(eight);
  });
});

describe('assignColourSlots', () => {
  it('keeps each symbol its colour when another is removed, and gives a newcomer the lowest free one', () => {
    const first = assignColourSlots({}, ['XAUUSD', 'XAGUSD', 'BTCUSD']);
    expect(first).toEqual({ XAUUSD: 0, XAGUSD: 1, BTCUSD: 2 });
    const removed = assignColourSlots(first, ['XAUUSD', 'BTCUSD']);
    expect(removed).toEqual({ XAUUSD: 0, BTCUSD: 2 });
    expect(assignColourSlots(removed, ['XAUUSD', 'BTCUSD', 'XPTUSD'])).toEqual({ XAUUSD: 0, BTCUSD: 2, XPTUSD: 1 });
  });
});

describe('resolvePair', () => {
  it('keeps a valid choice and falls back to the first two usable symbols', () => {
    expect(resolvePair({ first: 'B', second: 'A' }, ['A', 'B', 'C'])).toEqual({ first: 'B', second: 'A' });
    expect(resolvePair({ first: 'B', second: 'Z' }, ['A', 'B', 'C'])).toEqual({ first: 'A', second: 'B' });
    expect(resolvePair({ first: 'A', second: 'A' }, ['A', 'B'])).toEqual({ first: 'A', second: 'B' });
    expect(resolvePair(null, ['A'])).toBeNull();
  });
});

describe('choosePairSide', () => {
  it('sets one side, and swaps the two when it takes the other side’s symbol', () => {
    const pair = { first: 'XAUUSD', second: 'XAGUSD' };
    expect(choosePairSide(pair, 'first', 'BTCUSD')).toEqual({ first: 'BTCUSD', second: 'XAGUSD' });
    expect(choosePairSide(pair, 'second', 'BTCUSD')).toEqual({ first: 'XAUUSD', second: 'BTCUSD' });
    expect(choosePairSide(pair, 'first', 'XAGUSD')).toEqual({ first: 'XAGUSD', second: 'XAUUSD' });
    expect(choosePairSide(pair, 'second', 'XAUUSD')).toEqual({ first: 'XAGUSD', second: 'XAUUSD' });
  });
});

describe('parseWindow', () => {
  it('accepts whole numbers from 2 to 1000 only', () => {
    expect(parseWindow('30')).toBe(30);
    expect(parseWindow(' 2 ')).toBe(2);
    for (const text of ['', '1', '1001', '2.5', '-3', 'abc', '1e2']) expect(parseWindow(text), text).toBeNull();
  });
});

describe('dates', () => {
  it('steps back whole years', () => {
    expect(yearsBefore(Date.UTC(2022, 2, 1, 15), 5)).toBe('2017-03-01');
  });
});

describe('chart points', () => {
  it('turns nulls into whitespace on the same time axis, in seconds', () => {
    expect(toLinePoints([1_000, 2_000, 3_000], [null, 1.5, 2])).toEqual([{ time: 1 }, { time: 2, value: 1.5 }, { time: 3, value: 2 }]);
  });

  it('finds a time by binary search', () => {
    expect(indexOfTime([10, 20, 30], 20)).toBe(1);
    expect(indexOfTime([10, 20, 30], 25)).toBe(-1);
  });

  it('refits the view for new instruments, timeframe or start, not for a new ratio or window', () => {
    const key = (input: object) => compareViewKey(JSON.stringify(input));
    const base = { symbols: ['A', 'B'], timeframe: '1d', from: 5 };
    expect(key({ ...base, correlation: { a: 'A', b: 'B', window: 30 } })).toBe(key({ ...base, ratio: { numerator: 'B', denominator: 'A' } }));
    expect(key({ ...base, from: 6 })).not.toBe(key(base));
    expect(compareViewKey(null)).toBe('');
  });
});

describe('compareViewSchema', () => {
  it('keeps valid fields and replaces damaged ones with defaults', () => {
    expect(compareViewSchema.parse({})).toEqual(defaultCompareView);
    expect(compareViewSchema.parse({ symbols: ['XAUUSD', 'BTCUSD'], timeframe: '5m', window: '60', start: '12/31/2020' })).toEqual({
      ...defaultCompareView,
      symbols: ['XAUUSD', 'BTCUSD'],
      window: '60',
    });
    expect(compareViewSchema.parse({ start: '2020-12-31', logScale: false }).start).toBe('2020-12-31');
  });
});

describe('ratioDecimals', () => {
  it('keeps four significant figures at the ratio’s size', () => {
    expect(ratioDecimals(87.531234)).toBe(2);
    expect(ratioDecimals(13.2)).toBe(2);
    expect(ratioDecimals(1.2345)).toBe(3);
    expect(ratioDecimals(0.0757)).toBe(5);
    expect(ratioDecimals(1234.5)).toBe(0);
    expect(ratioDecimals(-87.5)).toBe(2);
    expect(ratioDecimals(0)).toBe(2);
    expect(ratioDecimals(1e-12)).toBe(8);
  });
});
