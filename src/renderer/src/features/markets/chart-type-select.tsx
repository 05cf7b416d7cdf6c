import { chartTypes } from '../../../../shared/choices';
import type { ChartType } from '../../../../shared/domain';

const chartTypeNames: Record<ChartType, string> = {
  candles: 'Candles',
  bars: 'Bars (OHLC)',
  line: 'Line',
  heikinAshi: 'Heikin-Ashi',
};

interface ChartTypeSelectProps {
  value: ChartType;
  disabled: boolean;
  onChange(type: ChartType): void;
}

/** The chart toolbar's choice of how prices are drawn. */
export function ChartTypeSelect({ value, disabled, onChange }: ChartTypeSelectProps) {
  return (
    <select
      className="chart-toolbar__select"
      aria-label="Chart type"
      title="How prices are drawn. Heikin-Ashi candles average each bar with the one before; the dotted line marks the real last close. Files with only closes are always a line."
      value={value}
      disabled={disabled}
      data-testid="chart-type"
      onChange={(event) => onChange(event.target.value as ChartType)}
    >
      {chartTypes.map((type) => (
        <option key={type} value={type}>
          {chartTypeNames[type]}
        </option>
      ))}
    </select>
  );
}
