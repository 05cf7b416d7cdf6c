import { MAX_INDICATORS_PER_QUERY } from '../../../../shared/indicator-outputs';
import type { IndicatorSpec } from '../../../../shared/indicators';
import { indicatorId } from '../../charts/indicator-catalog';

/** Distinct line colours per theme (`--indicator-0` … in the chart stylesheet). */
export const INDICATOR_COLOR_SLOTS = 6;

/** An indicator on the chart with the colour it keeps while it stays there. */
export interface ActiveIndicator {
  spec: IndicatorSpec;
  slot: number;
}

/**
 * Adds `spec` with the first colour no other indicator uses (so removing one never recolours
 * the rest). The same indicator twice would draw the same line twice, and one query takes at
 * most MAX_INDICATORS_PER_QUERY, so both leave the list as it is.
 */
export function addIndicator(active: readonly ActiveIndicator[], spec: IndicatorSpec): readonly ActiveIndicator[] {
  const id = indicatorId(spec);
  if (active.length >= MAX_INDICATORS_PER_QUERY || active.some((indicator) => indicatorId(indicator.spec) === id)) return active;
  const used = new Set(active.map((indicator) => indicator.slot));
  const free = Array.from({ length: INDICATOR_COLOR_SLOTS }, (_, slot) => slot).find((slot) => !used.has(slot));
  return [...active, { spec, slot: free ?? active.length % INDICATOR_COLOR_SLOTS }];
}

export function removeIndicator(active: readonly ActiveIndicator[], id: string): readonly ActiveIndicator[] {
  return active.filter((indicator) => indicatorId(indicator.spec) !== id);
}
