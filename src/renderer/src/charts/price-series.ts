import {
  BarSeries,
  CandlestickSeries,
  HistogramSeries,
  LineSeries,
  LineStyle,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
} from 'lightweight-charts';
import type { Bar, ChartType } from '../../../shared/domain';
import { formatPrice } from '../ui/format/numbers';
import { toChartTime } from '../ui/format/time';
import { toCandle, toCandleData, toCloseLineData, toVolumeData } from './chart-data';
import { heikinAshi, type HeikinAshiCandle } from './heikin-ashi';

const VOLUME_SCALE = 'volume';
/** The volume pane's height against an indicator pane's 1. */
export const VOLUME_PANE_STRETCH = 0.6;

export interface PriceColors {
  up: string;
  down: string;
  line: string;
  volumeUp: string;
  volumeDown: string;
}

export type PriceDrawingSeries = ISeriesApi<'Candlestick'> | ISeriesApi<'Bar'> | ISeriesApi<'Line'>;

/** What the prices are drawn as: the chosen type, except that close-only bars are always a line (as candles they are flat dashes). */
export function priceDrawing(type: ChartType, closeOnly: boolean): ChartType {
  return closeOnly ? 'line' : type;
}

/**
 * A series' price format at `precision` decimals, in the app's number style. Per series rather
 * than chart-wide, so oscillator panes keep their own formats.
 */
export function pricesFormat(precision: number) {
  return { type: 'custom', minMove: 10 ** -precision, formatter: (price: number) => formatPrice(price, precision) } as const;
}

/**
 * The series that draw prices and volume, created once per chart: candlesticks (also used for
 * Heikin-Ashi), OHLC bars and a close line, of which the one for the chosen chart type holds
 * the data and the others stay empty, and volume in a pane of its own under the prices, so
 * the price axis keeps to the prices. Options are applied only when they change: each
 * applyOptions makes the library restyle every point of the series.
 */
export class PriceSeries {
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly ohlc: ISeriesApi<'Bar'>;
  private readonly line: ISeriesApi<'Line'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private drawing: ChartType = 'candles';
  private withVolume = false;
  private precision: number | null = null;
  /** Heikin-Ashi candles drawn, kept so a live bar continues them without recomputing the window. */
  private heikinAshiCandles: HeikinAshiCandle[] = [];
  /** Heikin-Ashi closes are averages, so the real last close gets its own line and axis label. */
  private realClose: IPriceLine | null = null;
  private colors: PriceColors | null = null;

  constructor(private readonly chart: IChartApi) {
    this.candles = chart.addSeries(CandlestickSeries, { borderVisible: false });
    this.ohlc = chart.addSeries(BarSeries, { thinBars: false, visible: false });
    this.line = chart.addSeries(LineSeries, { lineWidth: 2, visible: false });
    // Starts in the price pane, empty, on a scale of its own; it moves to its pane when there is volume to show.
    this.volume = chart.addSeries(HistogramSeries, { priceScaleId: VOLUME_SCALE, priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale(VOLUME_SCALE).applyOptions({ scaleMargins: { top: 0.15, bottom: 0 } });
    chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.08, bottom: 0.06 } });
  }

  /** The series drawing the prices now; alert lines hang on it. */
  get active(): PriceDrawingSeries {
    return this.seriesOf(this.drawing);
  }

  /** The volume pane's index, or null while there is no volume to show. */
  get volumePaneIndex(): number | null {
    return this.withVolume ? this.volume.getPane().paneIndex() : null;
  }

  restyle(colors: PriceColors): void {
    this.colors = colors;
    this.candles.applyOptions({ upColor: colors.up, downColor: colors.down, wickUpColor: colors.up, wickDownColor: colors.down });
    this.ohlc.applyOptions({ upColor: colors.up, downColor: colors.down });
    this.line.applyOptions({ color: colors.line });
    this.realClose?.applyOptions({ color: colors.line });
  }

  /**
   * Sets the whole window. Returns true when the volume pane came or went, so the caller lays
   * the panes out again.
   */
  setBars(bars: readonly Bar[], drawing: ChartType, withVolume: boolean, precision: number, colors: PriceColors): boolean {
    this.colors = colors;
    if (precision !== this.precision) {
      for (const series of [this.candles, this.ohlc, this.line]) series.applyOptions({ priceFormat: pricesFormat(precision) });
      this.precision = precision;
    }
    if (drawing !== this.drawing) {
      const previous = this.active;
      this.drawing = drawing;
      if (previous !== this.active) {
        previous.setData([]);
        previous.applyOptions({ visible: false });
        this.active.applyOptions({ visible: true });
      }
      this.candles.applyOptions({ lastValueVisible: drawing !== 'heikinAshi', priceLineVisible: drawing !== 'heikinAshi' });
    }
    this.heikinAshiCandles = drawing === 'heikinAshi' ? heikinAshi(bars) : [];
    if (drawing === 'line') this.line.setData(toCloseLineData(bars));
    else if (drawing === 'bars') this.ohlc.setData(toCandleData(bars));
    else this.candles.setData(toCandleData(drawing === 'heikinAshi' ? this.heikinAshiCandles : bars));
    this.showRealClose(bars.at(-1));
    const panesChanged = this.placeVolume(withVolume);
    this.volume.setData(withVolume ? toVolumeData(bars, { up: colors.volumeUp, down: colors.volumeDown }) : []);
    return panesChanged;
  }

  /** Empties the prices and volume, leaving the panes and price lines where they are. */
  emptyData(): void {
    this.active.setData([]);
    if (this.withVolume) this.volume.setData([]);
  }

  /** Live path: update() for each bar from `from` on (the last one shown or newer). */
  updateTail(bars: readonly Bar[], from: number): void {
    const colors = this.colors;
    if (!colors) return;
    if (this.drawing === 'heikinAshi') {
      const kept = this.heikinAshiCandles.slice(0, from);
      this.heikinAshiCandles = [...kept, ...heikinAshi(bars.slice(from), kept.at(-1))];
    }
    for (let i = from; i < bars.length; i++) {
      const bar = bars[i]!;
      const time = toChartTime(bar.time);
      if (this.drawing === 'line') this.line.update({ time, value: bar.close });
      else if (this.drawing === 'bars') this.ohlc.update(toCandle(bar));
      else this.candles.update(toCandle(this.drawing === 'heikinAshi' ? this.heikinAshiCandles[i]! : bar));
      if (this.withVolume) this.volume.update({ time, value: bar.volume, color: bar.close >= bar.open ? colors.volumeUp : colors.volumeDown });
    }
    this.showRealClose(bars.at(-1));
  }

  /** Volume colours are stored per bar, so a new theme sets them again. */
  recolorVolume(bars: readonly Bar[], colors: PriceColors): void {
    this.colors = colors;
    if (this.withVolume) this.volume.setData(toVolumeData(bars, { up: colors.volumeUp, down: colors.volumeDown }));
  }

  clear(): void {
    this.active.setData([]);
    this.heikinAshiCandles = [];
    this.showRealClose(undefined);
    this.placeVolume(false);
    this.volume.setData([]);
  }

  private seriesOf(drawing: ChartType): PriceDrawingSeries {
    if (drawing === 'line') return this.line;
    if (drawing === 'bars') return this.ohlc;
    return this.candles;
  }

  private showRealClose(last: Bar | undefined): void {
    if (this.drawing !== 'heikinAshi' || last === undefined) {
      if (this.realClose) this.candles.removePriceLine(this.realClose);
      this.realClose = null;
      return;
    }
    if (this.realClose) this.realClose.applyOptions({ price: last.close });
    else {
      this.realClose = this.candles.createPriceLine({
        price: last.close,
        color: this.colors?.line ?? '',
        lineWidth: 1,
        lineStyle: LineStyle.Dotted,
        axisLabelVisible: true,
        title: '',
      });
    }
  }

  /** Volume in its own pane right under the prices, or parked empty in the price pane; true when a pane came or went. */
  private placeVolume(withVolume: boolean): boolean {
    if (withVolume === this.withVolume) return false;
    this.withVolume = withVolume;
    if (!withVolume) {
      this.volume.moveToPane(0);
      return true;
    }
    this.volume.moveToPane(this.chart.panes().length);
    this.chart.panes().at(-1)?.moveTo(1);
    return true;
  }
}
