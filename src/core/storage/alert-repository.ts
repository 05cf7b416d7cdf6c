import type { Alert } from '../../shared/scheduler';
import { json, nullableNumber, parseNullableJson, type Row, type SqlExecutor } from './sql-executor';
import type { AlertDetails, AlertRepository } from './types';

const ALERT_COLUMNS = 'id, created_at AS "createdAt", severity, source, message, acknowledged_at AS "acknowledgedAt"';

function toAlert(row: Row): Alert {
  return {
    id: Number(row.id),
    createdAt: Number(row.createdAt),
    severity: row.severity as Alert['severity'],
    source: String(row.source),
    message: String(row.message),
    acknowledgedAt: nullableNumber(row.acknowledgedAt),
  };
}

export class SqlAlerts implements AlertRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async raise(alert: Parameters<AlertRepository['raise']>[0]): Promise<Alert> {
    const [row] = await this.sql.query(
      `INSERT INTO alerts (created_at, severity, source, message, details)
       VALUES ({createdAt}, {severity}, {source}, {message}, {details}) RETURNING ${ALERT_COLUMNS}`,
      { ...alert, details: alert.details === undefined ? null : json(alert.details) },
    );
    return toAlert(row!);
  }

  async list(filter: { unacknowledgedOnly: boolean; limit: number }): Promise<Alert[]> {
    const where = filter.unacknowledgedOnly ? 'WHERE acknowledged_at IS NULL' : '';
    const rows = await this.sql.query(`SELECT ${ALERT_COLUMNS} FROM alerts ${where} ORDER BY created_at DESC, id DESC LIMIT {limit}`, {
      limit: filter.limit,
    });
    return rows.map(toAlert);
  }

  async acknowledge(ids: readonly number[] | undefined, at: number): Promise<number> {
    if (ids === undefined) return this.sql.execute('UPDATE alerts SET acknowledged_at = {at} WHERE acknowledged_at IS NULL', { at });
    let changed = 0;
    // One statement per id keeps the SQL identical on both drivers; people acknowledge a handful at a time.
    for (const id of new Set(ids)) {
      changed += await this.sql.execute('UPDATE alerts SET acknowledged_at = {at} WHERE id = {id} AND acknowledged_at IS NULL', { at, id });
    }
    return changed;
  }

  async countUnacknowledged(): Promise<number> {
    const [row] = await this.sql.query('SELECT count(*) AS n FROM alerts WHERE acknowledged_at IS NULL');
    return Number(row!.n);
  }

  async latestUnacknowledged(source: string): Promise<(Alert & { details: AlertDetails | null }) | undefined> {
    const [row] = await this.sql.query(
      `SELECT ${ALERT_COLUMNS}, details FROM alerts WHERE source = {source} AND acknowledged_at IS NULL
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      { source },
    );
    return row && { ...toAlert(row), details: parseNullableJson<AlertDetails>(row.details) };
  }
}
