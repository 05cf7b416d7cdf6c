import { ColorType, type ChartOptions, type DeepPartial } from 'lightweight-charts';

/** The colours every chart's frame takes from the theme's CSS variables. */
export interface ChartFrameColors {
  background: string;
  text: string;
  grid: string;
  border: string;
  crosshair: string;
}

/** Reads theme variables from an element, so charts follow the dark or light theme in force there. */
export function cssVariableReader(element: Element): (name: string) => string {
  const style = getComputedStyle(element);
  return (name) => style.getPropertyValue(name).trim();
}

export function readFrameColors(read: (name: string) => string): ChartFrameColors {
  return {
    background: read('--chart-bg'),
    text: read('--chart-text'),
    grid: read('--chart-grid'),
    border: read('--chart-border'),
    crosshair: read('--chart-crosshair'),
  };
}

/** Background, text, grid, scales, pane separators and crosshair: the same on every chart. */
export function chartFrameOptions(colors: ChartFrameColors): DeepPartial<ChartOptions> {
  return {
    layout: {
      background: { type: ColorType.Solid, color: colors.background },
      textColor: colors.text,
      fontSize: 11,
      panes: { separatorColor: colors.border, separatorHoverColor: colors.crosshair },
    },
    grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
    rightPriceScale: { borderColor: colors.border },
    timeScale: { borderColor: colors.border },
    crosshair: {
      vertLine: { color: colors.crosshair, labelBackgroundColor: colors.border },
      horzLine: { color: colors.crosshair, labelBackgroundColor: colors.border },
    },
  };
}
