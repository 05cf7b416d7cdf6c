import type { Bar } from '../../../shared/domain';
import { isIntraday, type Timeframe } from '../../../shared/timeframes';
import { formatChangePercent, formatPrice, formatVolume } from '../ui/format/numbers';
import { formatZonedBarTime, type DisplayZone } from '../ui/format/zoned-time';

/** One indicator's values at the legend's bar, coloured like its lines. */
export interface LegendIndicator {
  id: string;
  label: string;
  color: string;
  values: readonly { name: string; text: string; color: string }[];
  /** Set when the indicator's window at this bar reaches across a hole in the data, saying so. */
  holeNote?: string;
}

/** "SMA 20 3,838.45", with test ids legend-<id> and legend-<id>-<output>. */
export function IndicatorLegendRow({ indicator }: { indicator: LegendIndicator }) {
  return (
    <div className="chart-legend__indicator" data-testid={`legend-${indicator.id}`}>
      <span style={{ color: indicator.color }}>{indicator.label}</span>
      {indicator.values.map((value) => (
        <b key={value.name} style={{ color: value.color }} title={value.name} data-testid={`legend-${indicator.id}-${value.name}`}>
          {value.text}
        </b>
      ))}
      {indicator.holeNote && (
        <span className="chart-legend__hole" title={indicator.holeNote} data-testid={`legend-${indicator.id}-hole`}>
          ⚠ spans a gap
        </span>
      )}
    </div>
  );
}

/** The legend's bar time, naming the zone where intraday times read in one. */
export function LegendTime({ time, timeframe, zone, testId }: { time: number; timeframe: Timeframe; zone: DisplayZone; testId: string }) {
  return (
    <span className="chart-legend__time" data-testid={testId}>
      {formatZonedBarTime(time, timeframe, zone)}
      {isIntraday(timeframe) ? ` ${zone.label}` : ''}
    </span>
  );
}

interface ChartLegendProps {
  bar: Bar;
  /** Close of the bar before, for the change; absent for the first bar. */
  previousClose: number | undefined;
  timeframe: Timeframe;
  /** The zone intraday bar times read in. */
  zone: DisplayZone;
  precision: number;
  /** Only a close is known (O = H = L = C), so only the close is shown. */
  closeOnly: boolean;
  showVolume: boolean;
  /** The stored timeframe this bar was built from, where the chart mixes several. */
  storedAs?: Timeframe | undefined;
  /** Indicators drawn over the prices, one row each under the bar's prices. */
  overlays: readonly LegendIndicator[];
}

/** O H L C, change and volume of the hovered bar, or of the last bar when the pointer is elsewhere. */
export function ChartLegend({ bar, previousClose, timeframe, zone, precision, closeOnly, showVolume, storedAs, overlays }: ChartLegendProps) {
  const change = previousClose === undefined ? null : formatChangePercent(previousClose, bar.close);
  const direction = bar.close >= (previousClose ?? bar.open) ? 'up' : 'down';
  const price = (value: number) => formatPrice(value, precision);
  return (
    <div className="chart-legend" data-testid="chart-legend">
      <div className="chart-legend__prices">
        <LegendTime time={bar.time} timeframe={timeframe} zone={zone} testId="legend-time" />
        {!closeOnly && (
          <>
            <span>
              O <b data-testid="legend-open">{price(bar.open)}</b>
            </span>
            <span>
              H <b data-testid="legend-high">{price(bar.high)}</b>
            </span>
            <span>
              L <b data-testid="legend-low">{price(bar.low)}</b>
            </span>
          </>
        )}
        <span>
          C <b data-testid="legend-close">{price(bar.close)}</b>
        </span>
        {change && (
          <b className={`chart-legend__change chart-legend__change--${direction}`} data-testid="legend-change">
            {change}
          </b>
        )}
        {showVolume && (
          <span>
            Vol <b data-testid="legend-volume">{formatVolume(bar.volume)}</b>
          </span>
        )}
        {storedAs && (
          <span className="chart-legend__stored" data-testid="legend-stored" title={`Built from the stored ${storedAs} bars`}>
            {storedAs === timeframe ? `stored ${storedAs}` : `from ${storedAs}`}
          </span>
        )}
      </div>
      {overlays.map((indicator) => (
        <IndicatorLegendRow key={indicator.id} indicator={indicator} />
      ))}
    </div>
  );
}
