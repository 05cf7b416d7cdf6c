import { LineSeries, LineStyle, createSeriesMarkers, type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi, type Time } from 'lightweight-charts';
import { toChartTime } from '../ui/format/time';

/** A model's forecast for one bar, as the price chart draws it. */
export interface ForecastMark {
  /** Open time of the bar predicted, epoch ms. */
  time: number;
  predicted: number;
  lower: number | null;
  upper: number | null;
  /** Far from every training row: marked on the line, since such a forecast is an extrapolation. */
  outOfDistribution: boolean;
}

export interface ForecastColors {
  line: string;
  band: string;
  outOfDistribution: string;
}

/**
 * The forecast line with its prediction interval as two dashed bounds, over the prices.
 * lightweight-charts has no filled band between two lines, and bounds read fine as lines.
 * Out-of-distribution forecasts carry a marker.
 */
export class ForecastOverlay {
  private readonly line: ISeriesApi<'Line'>;
  private readonly lower: ISeriesApi<'Line'>;
  private readonly upper: ISeriesApi<'Line'>;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private marks: readonly ForecastMark[] = [];
  private colors: ForecastColors | null = null;

  constructor(chart: IChartApi) {
    const quiet = { lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false } as const;
    this.lower = chart.addSeries(LineSeries, { ...quiet, lineWidth: 1, lineStyle: LineStyle.Dashed });
    this.upper = chart.addSeries(LineSeries, { ...quiet, lineWidth: 1, lineStyle: LineStyle.Dashed });
    this.line = chart.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: false, pointMarkersVisible: true, title: 'forecast' });
    this.markers = createSeriesMarkers(this.line, []);
  }

  restyle(colors: ForecastColors): void {
    this.colors = colors;
    this.line.applyOptions({ color: colors.line });
    this.lower.applyOptions({ color: colors.band });
    this.upper.applyOptions({ color: colors.band });
    this.set(this.marks);
  }

  /** Oldest first with one mark per time (see latestForecastPerTarget); the price format follows the candles'. */
  set(marks: readonly ForecastMark[], priceFormat?: Parameters<ISeriesApi<'Line'>['applyOptions']>[0]['priceFormat']): void {
    this.marks = marks;
    if (priceFormat) for (const series of [this.line, this.lower, this.upper]) series.applyOptions({ priceFormat });
    this.line.setData(marks.map((mark) => ({ time: toChartTime(mark.time), value: mark.predicted })));
    const bound = (pick: (mark: ForecastMark) => number | null) =>
      marks.flatMap((mark) => {
        const value = pick(mark);
        return value === null ? [] : [{ time: toChartTime(mark.time), value }];
      });
    this.lower.setData(bound((mark) => mark.lower));
    this.upper.setData(bound((mark) => mark.upper));
    const color = this.colors?.outOfDistribution ?? '';
    this.markers.setMarkers(
      marks
        .filter((mark) => mark.outOfDistribution)
        .map((mark) => ({ time: toChartTime(mark.time), position: 'aboveBar', shape: 'circle', color, text: 'OOD', size: 1 })),
    );
  }
}
