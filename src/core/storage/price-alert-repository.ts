import type { PriceAlert } from '../../shared/price-alerts';
import { json, nullableNumber, nullableString, parseBoolean, parseJson, sqlBoolean, type Row, type SqlExecutor } from './sql-executor';
import type { PriceAlertRepository, StoredPriceAlert } from './types';

const PRICE_ALERT_COLUMNS = `id, symbol, timeframe, condition, rearm, enabled, note, state, beyond, last_bar_time AS "lastBarTime",
  last_fired_at AS "lastFiredAt", version, created_at AS "createdAt", updated_at AS "updatedAt"`;

function toPriceAlert(row: Row): StoredPriceAlert {
  return {
    id: String(row.id),
    symbol: String(row.symbol),
    timeframe: row.timeframe as PriceAlert['timeframe'],
    condition: parseJson<PriceAlert['condition']>(row.condition),
    rearm: parseJson<PriceAlert['rearm']>(row.rearm),
    enabled: parseBoolean(row.enabled),
    note: nullableString(row.note),
    state: row.state as PriceAlert['state'],
    beyond: row.beyond === null || row.beyond === undefined ? null : parseBoolean(row.beyond),
    lastBarTime: nullableNumber(row.lastBarTime),
    lastFiredAt: nullableNumber(row.lastFiredAt),
    version: Number(row.version),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

function priceAlertParams(alert: PriceAlert): Row {
  return {
    ...alert,
    condition: json(alert.condition),
    rearm: json(alert.rearm),
    enabled: sqlBoolean(alert.enabled),
    beyond: alert.beyond === null ? null : sqlBoolean(alert.beyond),
  };
}

export class SqlPriceAlerts implements PriceAlertRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(symbol?: string): Promise<StoredPriceAlert[]> {
    const where = symbol === undefined ? '' : 'WHERE symbol = {symbol}';
    return (await this.sql.query(`SELECT ${PRICE_ALERT_COLUMNS} FROM price_alerts ${where} ORDER BY created_at, id`, { symbol })).map(toPriceAlert);
  }

  async get(id: string): Promise<StoredPriceAlert | undefined> {
    const [row] = await this.sql.query(`SELECT ${PRICE_ALERT_COLUMNS} FROM price_alerts WHERE id = {id}`, { id });
    return row && toPriceAlert(row);
  }

  async create(alert: PriceAlert): Promise<StoredPriceAlert> {
    await this.sql.execute(
      `INSERT INTO price_alerts (id, symbol, timeframe, condition, rearm, enabled, note, state, beyond, last_bar_time, last_fired_at, version, created_at, updated_at)
       VALUES ({id}, {symbol}, {timeframe}, {condition}, {rearm}, {enabled}, {note}, {state}, {beyond}, {lastBarTime}, {lastFiredAt}, 0, {createdAt}, {updatedAt})`,
      priceAlertParams(alert),
    );
    return { ...alert, version: 0 };
  }

  async save(alert: StoredPriceAlert): Promise<boolean> {
    const changed = await this.sql.execute(
      `UPDATE price_alerts SET timeframe = {timeframe}, condition = {condition}, rearm = {rearm}, enabled = {enabled}, note = {note}, state = {state},
         beyond = {beyond}, last_bar_time = {lastBarTime}, last_fired_at = {lastFiredAt}, version = version + 1, updated_at = {updatedAt}
       WHERE id = {id} AND version = {version}`,
      priceAlertParams(alert),
    );
    return changed === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute('DELETE FROM price_alerts WHERE id = {id}', { id })) > 0;
  }
}
