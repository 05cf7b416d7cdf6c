import { z } from 'zod';
import { chartLayoutSizes, MAX_CHARTS_PER_LAYOUT } from './choices';
import { MAX_INDICATORS_PER_QUERY } from './indicator-outputs';
import { indicatorSpecSchema } from './indicators';
import { timeframeSchema } from './timeframe-schema';

export type ChartLayoutSize = (typeof chartLayoutSizes)[number];

// Each field falls back on its own, so one stale field (an indicator retired, a renamed
// timeframe) never loses the rest of a window's charts.
const chartPanelSchema = z.object({
  /** Absent: the `chart` setting's symbol, else the first instrument with data. */
  symbol: z.string().min(1).max(32).optional().catch(undefined),
  timeframe: timeframeSchema.optional().catch(undefined),
  indicators: z
    .array(z.object({ spec: indicatorSpecSchema, slot: z.number().int().min(0).max(100) }))
    .max(MAX_INDICATORS_PER_QUERY)
    .catch([]),
  logScale: z.boolean().catch(false),
  /** Draw the active model's forecast over the prices, where the shown series has one. */
  forecast: z.boolean().catch(false),
});
export type ChartPanelView = z.infer<typeof chartPanelSchema>;

/**
 * The charts of one window: how many show, which one the watchlist and toolbar act on, and
 * what each shows. Panels beyond `charts` are kept, so going from 4 to 1 and back restores them.
 */
export const chartLayoutSchema = z.object({
  charts: z.union([z.literal(1), z.literal(2), z.literal(4)]).catch(1),
  active: z.number().int().min(0).max(MAX_CHARTS_PER_LAYOUT - 1).catch(0),
  panels: z.array(chartPanelSchema).max(MAX_CHARTS_PER_LAYOUT).catch([]),
});
export type ChartLayout = z.infer<typeof chartLayoutSchema>;

/**
 * Names a window across reloads and restarts: `window-1`, `window-2`… in the desktop app (the
 * main process hands out the lowest free number, so the first window is always `window-1`),
 * `browser` for the page `metalytics serve` serves.
 */
const windowIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'A window id is lower-case letters, digits and -, up to 40 characters.');

/** More than any desktop opens at once; stops a runaway client from growing the settings file. */
const MAX_WINDOW_LAYOUTS = 64;

export const chartLayoutsSchema = z
  .record(windowIdSchema, chartLayoutSchema)
  .refine((layouts) => Object.keys(layouts).length <= MAX_WINDOW_LAYOUTS, `Chart layouts are kept for at most ${MAX_WINDOW_LAYOUTS} windows.`);
export type ChartLayouts = z.infer<typeof chartLayoutsSchema>;
