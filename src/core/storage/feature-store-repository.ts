import type { Timeframe } from '../../shared/timeframes';
import { json, parseJson, type Row, type SqlExecutor } from './sql-executor';
import type { FeatureRow, FeatureStoreRepository } from './types';

/** Rows per INSERT: 6 parameters each stays far below either database's parameter limit. */
const ROWS_PER_STATEMENT = 200;
const FIELDS = ['symbol', 'timeframe', 'featureSetVersion', 'time', 'features', 'computedAt'] as const;

export class SqlFeatureStore implements FeatureStoreRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async upsert(rows: readonly FeatureRow[]): Promise<number> {
    let stored = 0;
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const params: Row = {};
      const values = rows.slice(start, start + ROWS_PER_STATEMENT).map((row, i) => {
        for (const field of FIELDS) params[`${field}${i}`] = field === 'features' ? json(row.features) : row[field];
        return `(${FIELDS.map((field) => `{${field}${i}}`).join(', ')})`;
      });
      stored += await this.sql.execute(
        `INSERT INTO feature_store (symbol, timeframe, feature_set_version, time, features, computed_at)
         VALUES ${values.join(', ')}
         ON CONFLICT (symbol, timeframe, feature_set_version, time) DO UPDATE SET features = excluded.features, computed_at = excluded.computed_at`,
        params,
      );
    }
    return stored;
  }

  async query(filter: Parameters<FeatureStoreRepository['query']>[0]): Promise<FeatureRow[]> {
    const rows = await this.sql.query(
      `SELECT symbol, timeframe, feature_set_version AS "featureSetVersion", time, features, computed_at AS "computedAt" FROM feature_store
       WHERE symbol = {symbol} AND timeframe = {timeframe} AND feature_set_version = {featureSetVersion}
         AND time >= COALESCE({from}, time) AND time <= COALESCE({to}, time)
       ORDER BY time DESC LIMIT {limit}`,
      { symbol: filter.symbol, timeframe: filter.timeframe, featureSetVersion: filter.featureSetVersion, from: filter.from ?? null, to: filter.to ?? null, limit: filter.limit ?? Number.MAX_SAFE_INTEGER },
    );
    return rows.reverse().map((row) => ({
      symbol: String(row.symbol),
      timeframe: row.timeframe as Timeframe,
      featureSetVersion: String(row.featureSetVersion),
      time: Number(row.time),
      features: parseJson<Record<string, number | null>>(row.features),
      computedAt: Number(row.computedAt),
    }));
  }

  async removeStale(filter: Parameters<FeatureStoreRepository['removeStale']>[0]): Promise<number> {
    return this.sql.execute(
      `DELETE FROM feature_store WHERE symbol = {symbol} AND timeframe = {timeframe} AND feature_set_version = {featureSetVersion}
         AND (time < {from} OR time > {to} OR computed_at < {computedAt})`,
      filter,
    );
  }
}
