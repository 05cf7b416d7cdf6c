import { AppError } from '../../shared/errors';
import type { IndicatorResult, IndicatorSpec } from '../../shared/indicators';
import type { Bar } from '../../shared/domain';
import type { CoreContext } from '../create-core';
import type { HandlerMap } from '../handlers';
import { sma } from './indicator-math';

function toSeries(values: Float64Array): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}

function computeIndicator(spec: IndicatorSpec, bars: readonly Bar[]): IndicatorResult {
  const close = Float64Array.from(bars, (b) => b.close);
  switch (spec.kind) {
    case 'sma':
      return { ...spec, outputs: { value: toSeries(sma(close, spec.params.period)) } };
    default:
      throw new AppError('VALIDATION', `The ${spec.kind} indicator is not available yet.`);
  }
}

export function indicatorHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    'indicators.query': async ({ indicators, ...query }) => {
      const instrument = await storage.instruments.get(query.symbol);
      if (!instrument) throw new AppError('NOT_FOUND', `Unknown instrument "${query.symbol}".`, { symbol: query.symbol });
      const { bars, sourceTimeframe } = await storage.marketData.queryBars(query);
      return { bars, sourceTimeframe, indicators: indicators.map((spec) => computeIndicator(spec, bars)) };
    },
  };
}
