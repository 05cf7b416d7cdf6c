import type { ReactNode } from 'react';
import type { Timeframe } from '../../../../shared/timeframes';
import type { ForecastMark } from '../../charts/forecast-overlay';
import { PriceChart, type ChartWindow } from '../../charts/price-chart';
import type { ResolvedTheme } from '../../ui/theme';

const noIndicatorSlots = new Map<string, number>();
const noOlderHistory = () => undefined;

/** A fixed window of prices with a model's forecasts over them: no indicators, no scrolling back for more. */
export function ForecastChart({
  data,
  forecast,
  timeframe,
  theme,
  viewStart = null,
  children,
}: {
  data: ChartWindow | null;
  forecast: readonly ForecastMark[];
  timeframe: Timeframe;
  theme: ResolvedTheme;
  viewStart?: number | null;
  children?: ReactNode;
}) {
  return (
    <PriceChart
      data={data}
      timeframe={timeframe}
      theme={theme}
      logScale={false}
      indicatorSlots={noIndicatorSlots}
      viewStart={viewStart}
      onNearStart={noOlderHistory}
      forecast={forecast}
    >
      {children}
    </PriceChart>
  );
}
