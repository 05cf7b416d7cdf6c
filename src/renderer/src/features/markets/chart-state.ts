import { z } from 'zod';
import { MAX_INDICATORS_PER_QUERY, indicatorSpecSchema } from '../../../../shared/indicators';
import { timeframeSchema, type Timeframe } from '../../../../shared/timeframes';
import type { ActiveIndicator } from '../indicators/active-indicators';

/**
 * What this window's chart shows. Kept in sessionStorage, which belongs to one window and
 * survives its reloads, so two windows can chart different things; the `chart` setting is the
 * default a new window starts from.
 */
export interface ChartState {
  symbol?: string;
  timeframe?: Timeframe;
  indicators: readonly ActiveIndicator[];
  logScale: boolean;
  /** Draw the active model's forecast over the prices, where the shown series has one. */
  forecast: boolean;
}

export const CHART_STATE_KEY = 'metalytics.chart';

// Each part falls back on its own, so one stale field never loses the rest.
const storedStateSchema = z.object({
  symbol: z.string().min(1).max(32).optional().catch(undefined),
  timeframe: timeframeSchema.optional().catch(undefined),
  indicators: z
    .array(z.object({ spec: indicatorSpecSchema, slot: z.number().int().min(0).max(100) }))
    .max(MAX_INDICATORS_PER_QUERY)
    .catch([]),
  logScale: z.boolean().catch(false),
  forecast: z.boolean().catch(false),
});

export function readChartState(storage: Pick<Storage, 'getItem'>): ChartState {
  const empty: ChartState = { indicators: [], logScale: false, forecast: false };
  const text = storage.getItem(CHART_STATE_KEY);
  if (text === null) return empty;
  try {
    const parsed = storedStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : empty;
  } catch {
    return empty;
  }
}

export function writeChartState(storage: Pick<Storage, 'setItem'>, state: ChartState): void {
  try {
    storage.setItem(CHART_STATE_KEY, JSON.stringify(state));
  } catch {
    // A full or disabled storage only costs the restore after a reload; the chart works on.
  }
}
