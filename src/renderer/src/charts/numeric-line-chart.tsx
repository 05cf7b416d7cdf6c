import { LineSeries, LineStyle, createOptionsChart, type IChartApiBase, type ISeriesApi } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { ResolvedTheme } from '../ui/theme';
import { chartFrameOptions, cssVariableReader, readFrameColors } from './chart-theme';

export interface NumericLine {
  id: string;
  label: string;
  /** A CSS variable of the theme, e.g. --chart-line, so the line follows the theme. */
  colorVariable: string;
  dashed?: boolean;
  /** Ascending, unique x. */
  points: readonly { x: number; y: number }[];
}

/**
 * Lines over a numeric horizontal axis (epochs, versions) rather than time: lightweight-charts'
 * options chart, which places points by number. The axis shows whole numbers; `xLabel` names
 * the position under the crosshair. `formatValue` formats the vertical scale.
 */
export function NumericLineChart({
  lines,
  theme,
  xLabel,
  formatValue,
  testId,
  ariaLabel,
}: {
  lines: readonly NumericLine[];
  theme: ResolvedTheme;
  xLabel(x: number): string;
  formatValue(value: number): string;
  testId?: string;
  ariaLabel: string;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApiBase<number> | null>(null);
  const seriesRef = useRef(new Map<string, ISeriesApi<'Line', number>>());
  const labelRef = useRef(xLabel);
  labelRef.current = xLabel;
  const formatRef = useRef(formatValue);
  formatRef.current = formatValue;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createOptionsChart(container, {
      autoSize: true,
      localization: { precision: 0, timeFormatter: (x: number) => labelRef.current(x) },
      timeScale: { fixLeftEdge: true, fixRightEdge: true },
      handleScroll: false,
      handleScale: false,
    });
    chartRef.current = chart;
    const series = seriesRef.current;
    return () => {
      chart.remove();
      chartRef.current = null;
      series.clear();
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    const container = containerRef.current;
    if (!chart || !container) return;
    const read = cssVariableReader(container);
    chart.applyOptions(chartFrameOptions(readFrameColors(read)));
    const series = seriesRef.current;
    const wanted = new Set(lines.map((line) => line.id));
    for (const [id, line] of series) {
      if (wanted.has(id)) continue;
      chart.removeSeries(line);
      series.delete(id);
    }
    for (const line of lines) {
      let drawn = series.get(line.id);
      if (!drawn) {
        drawn = chart.addSeries(LineSeries, {
          lineWidth: 2,
          title: line.label,
          priceLineVisible: false,
          priceFormat: { type: 'custom', formatter: (value: number) => formatRef.current(value), minMove: 1e-9 },
        });
        series.set(line.id, drawn);
      }
      drawn.applyOptions({ color: read(line.colorVariable), lineStyle: line.dashed ? LineStyle.Dashed : LineStyle.Solid, pointMarkersVisible: line.points.length < 40 });
      drawn.setData(line.points.map((point) => ({ time: point.x, value: point.y })));
    }
    chart.timeScale().fitContent();
  }, [lines, theme]);

  const points = lines.reduce((sum, line) => sum + line.points.length, 0);
  return <div ref={containerRef} className="numeric-chart" role="img" aria-label={ariaLabel} data-testid={testId} data-points={points} />;
}
