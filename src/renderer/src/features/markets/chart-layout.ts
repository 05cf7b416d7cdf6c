import type { ChartLayout, ChartLayoutSize, ChartLayouts, ChartPanelView } from '../../../../shared/chart-layout';
import { MAX_CHARTS_PER_LAYOUT, chartLayoutSizes } from '../../../../shared/choices';

export const singleChart: ChartLayout = { charts: 1, active: 0, panels: [] };

const blankPanel: ChartPanelView = { indicators: [], logScale: false, forecast: false };

/** The layout this window saved, or one chart (the `chart` setting's) when it saved none. */
export function savedLayout(layouts: ChartLayouts | undefined, windowId: string): ChartLayout {
  return layouts?.[windowId] ?? singleChart;
}

/** What panel `index` shows; a panel never set shows the defaults (the `chart` setting's symbol). */
function panelAt(layout: ChartLayout, index: number): ChartPanelView {
  return layout.panels[index] ?? blankPanel;
}

/** The panels on screen, in reading order. */
export function shownPanels(layout: ChartLayout): ChartPanelView[] {
  return Array.from({ length: layout.charts }, (_, index) => panelAt(layout, index));
}

export function replacePanel(layout: ChartLayout, index: number, change: (panel: ChartPanelView) => ChartPanelView): ChartLayout {
  const panels = Array.from({ length: Math.max(layout.panels.length, index + 1) }, (_, i) => panelAt(layout, i));
  panels[index] = change(panels[index]!);
  return { ...layout, panels };
}

export function activatePanel(layout: ChartLayout, index: number): ChartLayout {
  if (index === layout.active || index < 0 || index >= layout.charts) return layout;
  return { ...layout, active: index };
}

/**
 * Shows `charts` charts. A panel shown for the first time starts on the active chart's symbol
 * and timeframe (as another view of what the trader is looking at); panels hidden by a smaller
 * layout keep what they showed for when it grows again. A hidden active panel hands over to the first.
 */
export function withChartCount(
  layout: ChartLayout,
  charts: ChartLayoutSize,
  active: Pick<ChartPanelView, 'symbol' | 'timeframe'> = panelAt(layout, layout.active),
): ChartLayout {
  const panels = Array.from({ length: Math.min(MAX_CHARTS_PER_LAYOUT, Math.max(layout.panels.length, charts)) }, (_, index) =>
    layout.panels[index] ?? { ...blankPanel, symbol: active.symbol, timeframe: active.timeframe },
  );
  return { charts, active: layout.active < charts ? layout.active : 0, panels };
}

/** The layout after this one in the keyboard shortcut's cycle: 1 → 2 → 4 → 1. */
export function nextChartCount(charts: ChartLayoutSize): ChartLayoutSize {
  return chartLayoutSizes[(chartLayoutSizes.indexOf(charts) + 1) % chartLayoutSizes.length]!;
}
