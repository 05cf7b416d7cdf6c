import { describe, expect, it } from 'vitest';
import { timeframes } from '../../../../shared/timeframes';
import { marketsShortcut, timeframeShortcutKey } from './shortcuts';

const press = (key: string, extra: Partial<Parameters<typeof marketsShortcut>[0]> = {}) =>
  marketsShortcut({ key, ctrlKey: false, metaKey: false, altKey: false, inEditableField: false, ...extra });

describe('marketsShortcut', () => {
  it('maps digits 1–9 to every timeframe in order', () => {
    expect(press('1')).toEqual({ kind: 'timeframe', timeframe: '1m' });
    expect(press('5')).toEqual({ kind: 'timeframe', timeframe: '1h' });
    expect(press('7')).toEqual({ kind: 'timeframe', timeframe: '1d' });
    expect(press('9')).toEqual({ kind: 'timeframe', timeframe: '1M' });
    expect(timeframes.map(timeframeShortcutKey)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('opens instrument search with a slash', () => {
    expect(press('/')).toEqual({ kind: 'search' });
  });

  it('cycles the chart layout with L, with or without Shift, but not while typing or with Ctrl', () => {
    expect(press('l')).toEqual({ kind: 'layout' });
    expect(press('L')).toEqual({ kind: 'layout' });
    expect(press('l', { inEditableField: true })).toBeNull();
    expect(press('l', { ctrlKey: true })).toBeNull();
  });

  it('ignores other keys, modified keys and typing in fields', () => {
    expect(press('0')).toBeNull();
    expect(press('a')).toBeNull();
    expect(press('10')).toBeNull();
    expect(press('1', { ctrlKey: true })).toBeNull();
    expect(press('1', { metaKey: true })).toBeNull();
    expect(press('2', { altKey: true })).toBeNull();
    expect(press('3', { inEditableField: true })).toBeNull();
    expect(press('/', { inEditableField: true })).toBeNull();
  });
});
