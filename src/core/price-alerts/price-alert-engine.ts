/**
 * Evaluates price alerts on new bars. Every writer of bars (a scheduled job, a backfill's live
 * tail, an import, the demo, a repair) announces them with `bars.appended` or `bars.changed`,
 * so listening to those two events evaluates alerts for every writer. Each bar at or after an
 * alert's `lastBarTime` is seen again (it may have been still forming), which `step` makes
 * harmless; evaluations of one symbol run one at a time, and the version check on save keeps
 * another process sharing the database from firing the same crossing again.
 */
import type { Bar } from '../../shared/domain';
import { priceAlertSource, type PriceAlert } from '../../shared/price-alerts';
import type { Alert } from '../../shared/scheduler';
import type { AlertDeps } from '../alerts/alerts';
import type { EventBus } from '../events';
import type { Logger } from '../ports';
import type { StoredPriceAlert } from '../storage/types';
import { baselineProgress, conditionPoints, evaluatePoints, firingMessage, warmUpOf } from './alert-semantics';

/** The most new bars one evaluation reads: a catch-up longer than this is judged on its newest bars. */
const MAX_NEW_BARS = 5_000;

export interface PriceAlertEngineDeps extends AlertDeps {
  logger: Logger;
}

export class PriceAlertEngine {
  /** Per symbol, the evaluation running or queued; a symbol already queued is not queued twice. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly queued = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: PriceAlertEngineDeps) {}

  /** Evaluates on every new stored bar until `stop`. */
  start(events: EventBus): void {
    this.unsubscribe = events.subscribe((message) => {
      if (message.name === 'bars.appended' || message.name === 'bars.changed') this.evaluateSoon(message.payload.symbol);
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Settles once every queued evaluation has ended. */
  async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  /** Queues an evaluation of the symbol's enabled alerts behind the one running. */
  evaluateSoon(symbol: string): void {
    if (this.queued.has(symbol)) return;
    this.queued.add(symbol);
    const previous = this.queues.get(symbol) ?? Promise.resolve();
    const next = previous
      .then(() => {
        this.queued.delete(symbol);
        return this.evaluateSymbol(symbol);
      })
      .catch((error: unknown) => this.deps.logger.warn('price alerts could not be evaluated', { symbol, error: String(error) }))
      .finally(() => {
        if (this.queues.get(symbol) === next) this.queues.delete(symbol);
      });
    this.queues.set(symbol, next);
  }

  /** Where an alert stands on the bars stored now, before any new one: the progress a new or changed alert starts from. */
  async baseline(alert: Pick<PriceAlert, 'symbol' | 'timeframe' | 'condition'>): Promise<Pick<PriceAlert, 'state' | 'beyond' | 'lastBarTime'>> {
    const { bars } = await this.deps.storage.marketData.queryBars({
      symbol: alert.symbol,
      timeframe: alert.timeframe,
      limit: warmUpOf(alert.condition, alert.timeframe) + 1,
    });
    return { ...baselineProgress(conditionPoints(alert.condition, bars)), lastBarTime: bars.at(-1)?.time ?? null };
  }

  private async evaluateSymbol(symbol: string): Promise<void> {
    const alerts = (await this.deps.storage.priceAlerts.list(symbol)).filter((alert) => alert.enabled);
    for (const alert of alerts) await this.evaluate(alert);
  }

  private async evaluate(alert: StoredPriceAlert): Promise<void> {
    // Created before its instrument had bars: the first ones stored (a whole history, maybe) only set its side.
    if (alert.lastBarTime === null) return this.startFromBaseline(alert);
    const bars = await this.barsToEvaluate(alert);
    if (bars.fresh.length === 0) return;
    const points = conditionPoints(alert.condition, [...bars.history, ...bars.fresh]).slice(bars.history.length);
    const now = this.deps.clock.now();
    const { progress, firings } = evaluatePoints(alert, points, alert.rearm, now);
    const lastBarTime = bars.fresh.at(-1)!.time;
    const unchanged =
      firings.length === 0 && progress.state === alert.state && progress.beyond === alert.beyond && progress.enabled === alert.enabled && lastBarTime === alert.lastBarTime;
    if (unchanged) return;
    // The new progress and its alerts commit together: a crash fires nothing or everything, never twice.
    const raised = await this.deps.storage.transaction(async (tx) => {
      // Another evaluation or an edit wrote the alert since it was read: that one stands, and fires what it saw.
      if (!(await tx.priceAlerts.save({ ...alert, ...progress, lastBarTime, updatedAt: now }))) return [];
      const stored: Alert[] = [];
      for (const point of firings) {
        stored.push(
          await tx.alerts.raise({
            createdAt: now,
            severity: 'warning',
            source: priceAlertSource(alert.id),
            message: firingMessage(alert, point),
            details: { priceAlertId: alert.id, symbol: alert.symbol, timeframe: alert.timeframe, barTime: point.time, close: point.close, condition: alert.condition },
          }),
        );
      }
      return stored;
    });
    // The in-app list, and a desktop notification in Electron (src/main listens for alert.raised).
    for (const stored of raised) this.deps.events.emit('alert.raised', stored);
  }

  private async startFromBaseline(alert: StoredPriceAlert): Promise<void> {
    const { lastBarTime, ...progress } = await this.baseline(alert);
    if (lastBarTime !== null) await this.deps.storage.priceAlerts.save({ ...alert, ...progress, lastBarTime, updatedAt: this.deps.clock.now() });
  }

  /** The bars from the alert's last one on (`fresh`), and the history before them its condition needs (`history`). */
  private async barsToEvaluate(alert: StoredPriceAlert): Promise<{ history: Bar[]; fresh: Bar[] }> {
    const { symbol, timeframe } = alert;
    const marketData = this.deps.storage.marketData;
    const warmUp = warmUpOf(alert.condition, timeframe);
    const fresh = (await marketData.queryBars({ symbol, timeframe, from: alert.lastBarTime ?? undefined, limit: MAX_NEW_BARS })).bars;
    const first = fresh[0];
    if (!first || warmUp === 0) return { history: [], fresh };
    const history = (await marketData.queryBars({ symbol, timeframe, to: first.time - 1, limit: warmUp })).bars;
    return { history, fresh };
  }
}
