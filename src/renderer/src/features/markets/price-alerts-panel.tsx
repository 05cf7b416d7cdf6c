import { useMemo } from 'react';
import type { PriceAlert, PriceAlertCondition } from '../../../../shared/price-alerts';
import type { Timeframe } from '../../../../shared/timeframes';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import type { AlertLine, AlertLineEvents } from '../../charts/alert-lines';
import { formatPrice, pricePrecision } from '../../ui/format/numbers';

/** What the condition watches, in a few words: "crosses above 2,400.00", "RSI 14 above 70". */
export function describeCondition(condition: PriceAlertCondition, precision: number): string {
  const indicator = (spec: { kind: string; params: { period: number } }) => `${spec.kind.toUpperCase()} ${spec.params.period}`;
  switch (condition.kind) {
    case 'crossAbove':
      return `crosses above ${formatPrice(condition.price, precision)}`;
    case 'crossBelow':
      return `crosses below ${formatPrice(condition.price, precision)}`;
    case 'percentMove':
      return `moves ${condition.direction === 'either' ? '±' : condition.direction === 'up' ? '+' : '−'}${condition.percent}% within ${condition.bars} bars`;
    case 'indicatorLevel':
      return `${indicator(condition.indicator)} crosses ${condition.direction} ${condition.level}`;
    case 'indicatorCross':
      return `${indicator(condition.fast)} crosses ${condition.direction} ${indicator(condition.slow)}`;
  }
}

const stateText: Record<PriceAlert['state'], string> = { waiting: 'waiting for bars', armed: 'armed', fired: 'fired, waiting to rearm' };

export interface PriceAlertsOnChart {
  alerts: readonly PriceAlert[];
  /** The level alerts as chart lines. */
  lines: readonly AlertLine[];
  events: AlertLineEvents;
  error: string | null;
  toggle(alert: PriceAlert): void;
  remove(alert: PriceAlert): void;
}

/**
 * The symbol's price alerts and what the chart does with them: a line per level, a drag that
 * moves the level, a click that creates one (above the last close it watches for a rise, below
 * for a fall) on the chart's timeframe.
 */
export function usePriceAlerts(symbol: string | undefined, timeframe: Timeframe, lastClose: number | undefined): PriceAlertsOnChart {
  const query = useApiQuery('priceAlerts.list', symbol ? { symbol } : null);
  // A firing changes an alert's state; another window may have edited one.
  useApiEvent('alert.raised', (raised) => {
    if (raised.source.startsWith('priceAlert:')) query.reload();
  });
  const action = useApiAction();
  const alerts = useMemo(() => query.data?.priceAlerts ?? [], [query.data]);
  const lines = useMemo(
    () =>
      alerts.flatMap((alert) => {
        const { condition } = alert;
        if (condition.kind !== 'crossAbove' && condition.kind !== 'crossBelow') return [];
        const title = `Alert ${condition.kind === 'crossAbove' ? '↑' : '↓'}${alert.enabled ? '' : ' (off)'}`;
        return [{ id: alert.id, price: condition.price, title }];
      }),
    [alerts],
  );
  const change = (work: () => Promise<unknown>) =>
    void action.run(async () => {
      await work();
      query.reload();
    });
  const events: AlertLineEvents = {
    onMove: (id, price) => {
      const condition = alerts.find((a) => a.id === id)?.condition;
      if (condition?.kind === 'crossAbove' || condition?.kind === 'crossBelow') {
        change(() => call('priceAlerts.update', { id, condition: { kind: condition.kind, price } }));
      }
    },
    onPlace: (price) => {
      if (!symbol) return;
      const kind = lastClose === undefined || price >= lastClose ? 'crossAbove' : 'crossBelow';
      change(() => call('priceAlerts.create', { symbol, timeframe, condition: { kind, price } }));
    },
  };
  const error = action.error ?? (query.error !== null ? describeError(query.error) : null);
  return {
    alerts,
    lines,
    events,
    error,
    toggle: (alert) => change(() => call('priceAlerts.update', { id: alert.id, enabled: !alert.enabled })),
    remove: (alert) => change(() => call('priceAlerts.delete', { id: alert.id })),
  };
}

/** The shown symbol's alerts under the chart: what each watches, its state, on/off and delete. */
export function PriceAlertsPanel({ symbol, priceAlerts, lastClose }: { symbol: string; priceAlerts: PriceAlertsOnChart; lastClose: number | undefined }) {
  const precision = pricePrecision(lastClose ?? 0);
  const { alerts, error } = priceAlerts;
  return (
    <div className="price-alerts" data-testid="price-alerts">
      {error && (
        <p className="error-text" role="alert" data-testid="price-alert-error">
          {error}
        </p>
      )}
      {alerts.length === 0 ? (
        <p className="muted price-alerts__hint">No price alerts for {symbol}. Alt+click the chart, or use Alert, to add one at a price; drag its line to move it.</p>
      ) : (
        <ul className="price-alerts__list" aria-label={`Price alerts for ${symbol}`}>
          {alerts.map((alert) => (
            <li key={alert.id} className="price-alerts__item" data-testid={`price-alert-${alert.id}`} data-state={alert.state} data-enabled={alert.enabled}>
              <span>
                {symbol} {describeCondition(alert.condition, precision)} <span className="muted">({alert.timeframe})</span>
              </span>
              <span className="muted">{alert.enabled ? stateText[alert.state] : 'off'}</span>
              <button type="button" className="button button--small" onClick={() => priceAlerts.toggle(alert)} aria-pressed={alert.enabled}>
                {alert.enabled ? 'Turn off' : 'Turn on'}
              </button>
              <button
                type="button"
                className="button button--small"
                aria-label={`Delete the alert: ${describeCondition(alert.condition, precision)}`}
                onClick={() => priceAlerts.remove(alert)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
