/**
 * Price alert semantics on fixed bar sequences: which bars fire, and when an alert rearms.
 * Bars are fed as the engine feeds them: a baseline from the bars stored at creation, then
 * the new ones, each bar evaluated once more when the next batch starts at it.
 */
import { describe, expect, it } from 'vitest';
import {
  baselineProgress,
  conditionPoints,
  evaluatePoints,
  firingMessage,
  type AlertProgress,
} from '../../../src/core/price-alerts/alert-semantics';
import { rsi, sma } from '../../../src/shared/indicator-math';
import type { Bar } from '../../../src/shared/domain';
import type { PriceAlertCondition, PriceAlertRearm } from '../../../src/shared/price-alerts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 4, 0);
const bars = (closes: readonly number[], start = T0): Bar[] =>
  closes.map((close, i) => ({ time: start + i * HOUR, open: close, high: close, low: close, close, volume: 1 }));

const recross: PriceAlertRearm = { kind: 'recross', hysteresis: 0 };

/**
 * Creates the alert on `before` (the bars stored when it was made) and feeds `after` bar by
 * bar, each evaluation over all bars so far as the engine reads them; returns the closes fired at.
 */
function run(condition: PriceAlertCondition, before: number[], after: number[], rearm: PriceAlertRearm = recross, clock = (i: number) => T0 + i * HOUR) {
  const all = bars([...before, ...after]);
  let progress: AlertProgress = { ...baselineProgress(conditionPoints(condition, all.slice(0, before.length))), lastFiredAt: null, enabled: true };
  const fired: number[] = [];
  for (let i = before.length; i < all.length; i++) {
    const points = conditionPoints(condition, all.slice(0, i + 1));
    // The bar last evaluated is seen again with the new one, as the engine does.
    const next = evaluatePoints(progress, points.slice(Math.max(0, i - 1)), rearm, clock(i));
    progress = next.progress;
    fired.push(...next.firings.map((p) => p.close));
  }
  return { fired, progress };
}

const above2400: PriceAlertCondition = { kind: 'crossAbove', price: 2400 };

describe('price alert semantics', () => {
  it('fires once per crossing, not on every bar beyond the level', () => {
    expect(run(above2400, [2390], [2395, 2405, 2410, 2420, 2415]).fired).toEqual([2405]);
  });

  it('fires again after the price has gone back below the level and crossed again', () => {
    expect(run(above2400, [2390], [2405, 2399, 2401, 2398, 2402]).fired).toEqual([2405, 2401, 2402]);
  });

  it('with hysteresis, rearms only once the price is back by that much', () => {
    const rearm: PriceAlertRearm = { kind: 'recross', hysteresis: 5 };
    // 2399 is back by 1 only: still fired; 2394 is back by 6: armed, and 2401 fires again.
    expect(run(above2400, [2390], [2405, 2399, 2401, 2394, 2401], rearm).fired).toEqual([2405, 2401]);
    expect(run(above2400, [2390], [2405, 2399, 2401, 2396, 2401], rearm).fired).toEqual([2405]);
  });

  it('with a cooldown, fires at a new crossing only once the cooldown has passed', () => {
    const rearm: PriceAlertRearm = { kind: 'cooldown', minutes: 150 };
    // Hourly bars: crossings at hours 1, 3 and 5; the one at 3 is within 150 minutes of the first.
    expect(run(above2400, [2390], [2405, 2395, 2405, 2395, 2405], rearm).fired).toEqual([2405, 2405]);
    const { progress } = run(above2400, [2390], [2405, 2395, 2405, 2395, 2405], rearm);
    expect(progress.lastFiredAt).toBe(T0 + 5 * HOUR);
  });

  it('fires once and disables itself with the once rule', () => {
    const { fired, progress } = run(above2400, [2390], [2405, 2395, 2405], { kind: 'once' });
    expect(fired).toEqual([2405]);
    expect(progress).toMatchObject({ enabled: false, state: 'fired' });
  });

  it('counts a gap across the level as a crossing, both ways', () => {
    expect(run(above2400, [2350, 2360], [2450]).fired).toEqual([2450]);
    expect(run({ kind: 'crossBelow', price: 2400 }, [2450, 2440], [2350, 2340]).fired).toEqual([2350]);
  });

  it('does not fire for an alert created when the price is already beyond the level, until it crosses', () => {
    const created = run(above2400, [2390, 2410], [2420, 2430]);
    expect(created.fired).toEqual([]);
    expect(created.progress).toMatchObject({ state: 'armed', beyond: true });
    expect(run(above2400, [2390, 2410], [2420, 2395, 2405]).fired).toEqual([2405]);
  });

  it('treats a close exactly at the level as reaching it', () => {
    expect(run(above2400, [2399], [2400]).fired).toEqual([2400]);
    expect(run({ kind: 'crossBelow', price: 2400 }, [2401], [2400]).fired).toEqual([2400]);
  });

  it('seeing the same bar again fires nothing more', () => {
    const condition = above2400;
    const series = bars([2390, 2405]);
    const start: AlertProgress = { ...baselineProgress(conditionPoints(condition, series.slice(0, 1))), lastFiredAt: null, enabled: true };
    const once = evaluatePoints(start, conditionPoints(condition, series), recross, T0);
    // The engine reads again from the newest bar it evaluated.
    const again = evaluatePoints(once.progress, conditionPoints(condition, series).slice(1), recross, T0);
    expect(once.firings).toHaveLength(1);
    expect(again.firings).toEqual([]);
  });

  it('a still-forming bar that moves across the level fires when it is stored again', () => {
    const condition = above2400;
    const start: AlertProgress = { ...baselineProgress(conditionPoints(condition, bars([2390, 2395]))), lastFiredAt: null, enabled: true };
    // The newest bar, first stored at 2395, is replaced by the same hour at 2403.
    const updated = evaluatePoints(start, conditionPoints(condition, bars([2390, 2403])).slice(1), recross, T0);
    expect(updated.firings.map((p) => p.close)).toEqual([2403]);
  });

  it('fires on a percentage move within a window of bars, up, down or either way', () => {
    const up: PriceAlertCondition = { kind: 'percentMove', percent: 3, bars: 3, direction: 'up' };
    // 104 against the lowest of 101, 100.5, 101 is +3.5%; then 102.5 and 102 are +2% and +1% against theirs.
    expect(run(up, [100, 101, 100.5], [101, 104, 102.5, 102]).fired).toEqual([104]);
    // A slow drift of 1% per bar never moves 3% within 2 bars.
    expect(run({ ...up, bars: 2 }, [100, 101], [102, 103, 104, 105]).fired).toEqual([]);
    const down: PriceAlertCondition = { kind: 'percentMove', percent: 3, bars: 2, direction: 'down' };
    expect(run(down, [100, 100], [99, 96.5, 96]).fired).toEqual([96.5]);
    const either: PriceAlertCondition = { kind: 'percentMove', percent: 3, bars: 1, direction: 'either' };
    expect(run(either, [100, 100], [104, 104, 100]).fired).toEqual([104, 100]);
  });

  it('fires when RSI crosses a level, on the values the indicator code computes', () => {
    const closes = [...Array.from({ length: 20 }, (_, i) => 100 + (i % 2 ? 1 : -1)), ...Array.from({ length: 16 }, (_, i) => 100 + i)];
    const condition: PriceAlertCondition = { kind: 'indicatorLevel', indicator: { kind: 'rsi', params: { period: 14 } }, direction: 'above', level: 70 };
    const line = rsi(Float64Array.from(closes), 14);
    const firstAbove = line.findIndex((value) => value >= 70);
    expect(firstAbove).toBeGreaterThan(20);
    const { fired } = run(condition, closes.slice(0, 20), closes.slice(20));
    expect(fired).toEqual([closes[firstAbove]]);
    // RSI 30 from above: the same rise never goes below it.
    expect(run({ ...condition, direction: 'below', level: 30 }, closes.slice(0, 20), closes.slice(20)).fired).toEqual([]);
  });

  it('fires when a fast SMA crosses above a slow one (a golden cross), once', () => {
    const closes = [...Array.from({ length: 12 }, (_, i) => 120 - i * 2), ...Array.from({ length: 12 }, (_, i) => 98 + i * 3)];
    const condition: PriceAlertCondition = {
      kind: 'indicatorCross',
      fast: { kind: 'sma', params: { period: 3 } },
      slow: { kind: 'sma', params: { period: 8 } },
      direction: 'above',
    };
    const fast = sma(Float64Array.from(closes), 3);
    const slow = sma(Float64Array.from(closes), 8);
    const cross = closes.findIndex((_, i) => i > 8 && fast[i]! >= slow[i]! && fast[i - 1]! < slow[i - 1]!);
    const { fired } = run(condition, closes.slice(0, 10), closes.slice(10));
    expect(fired).toEqual([closes[cross]]);
    expect(run({ ...condition, direction: 'below' }, closes.slice(0, 10), closes.slice(10)).fired).toEqual([]);
  });

  it('waits while an indicator warms up, then takes its side without firing', () => {
    const condition: PriceAlertCondition = { kind: 'indicatorLevel', indicator: { kind: 'sma', params: { period: 3 } }, direction: 'above', level: 50 };
    const start = baselineProgress(conditionPoints(condition, bars([60])));
    expect(start).toMatchObject({ state: 'waiting', beyond: null });
    const { fired, progress } = run(condition, [60], [60, 60, 61]);
    expect(fired).toEqual([]);
    expect(progress).toMatchObject({ state: 'armed', beyond: true });
  });

  it('names the symbol, the level and the bar in its message', () => {
    const [point] = conditionPoints(above2400, bars([2412.3], Date.UTC(2026, 11, 4, 14)));
    expect(firingMessage({ symbol: 'XAUUSD', timeframe: '1h', condition: { kind: 'crossAbove', price: 2400 } }, point!)).toBe(
      'XAUUSD crossed above 2,400.00 (close 2,412.30 at 2026-12-04 14:00 UTC)',
    );
    const [fx] = conditionPoints({ kind: 'crossBelow', price: 1.08345 }, bars([1.0831]));
    expect(firingMessage({ symbol: 'EURUSD', timeframe: '1h', condition: { kind: 'crossBelow', price: 1.08345 } }, fx!)).toMatch(/^EURUSD crossed below 1\.08345 \(close 1\.0831 at /);
  });
});
