import type { Bar } from '../../../shared/domain';
import type { Timeframe } from '../../../shared/timeframes';
import { formatChangePercent, formatPrice, formatVolume } from '../format/numbers';
import { formatBarTime } from '../format/time';

interface ChartLegendProps {
  bar: Bar;
  /** Close of the bar before, for the change; absent for the first bar. */
  previousClose: number | undefined;
  timeframe: Timeframe;
  precision: number;
  /** Only a close is known (O = H = L = C), so only the close is shown. */
  closeOnly: boolean;
  showVolume: boolean;
}

/** O H L C, change and volume of the hovered bar, or of the last bar when the pointer is elsewhere. */
export function ChartLegend({ bar, previousClose, timeframe, precision, closeOnly, showVolume }: ChartLegendProps) {
  const change = previousClose === undefined ? null : formatChangePercent(previousClose, bar.close);
  const direction = bar.close >= (previousClose ?? bar.open) ? 'up' : 'down';
  const price = (value: number) => formatPrice(value, precision);
  return (
    <div className="chart-legend" data-testid="chart-legend">
      <span className="chart-legend__time" data-testid="legend-time">
        {formatBarTime(bar.time, timeframe)}
        {timeframe === '1d' || timeframe === '1w' || timeframe === '1M' ? '' : ' UTC'}
      </span>
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
    </div>
  );
}
