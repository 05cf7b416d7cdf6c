import type { Timeframe } from '../../shared/timeframes';
import { json, parseJson, type SqlExecutor } from './sql-executor';
import type { FeatureRow, FeatureStoreRepository } from './types';

export class SqlFeatureStore implements FeatureStoreRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async upsert(rows: readonly FeatureRow[]): Promise<number> {
    let stored = 0;
    for (const row of rows) {
      stored += await this.sql.execute(
        `INSERT INTO feature_store (symbol, timeframe, feature_set_version, time, features, computed_at)
         VALUES ({symbol}, {timeframe}, {featureSetVersion}, {time}, {features}, {computedAt})
         ON CONFLICT (symbol, timeframe, feature_set_version, time) DO UPDATE SET features = excluded.features, computed_at = excluded.computed_at`,
        { ...row, features: json(row.features) },
      );
    }
    return stored;
  }

  async query(filter: Parameters<FeatureStoreRepository['query']>[0]): Promise<FeatureRow[]> {
    const rows = await this.sql.query(
      `SELECT symbol, timeframe, feature_set_version AS "featureSetVersion", time, features, computed_at AS "computedAt" FROM feature_store
       WHERE symbol = {symbol} AND timeframe = {timeframe} AND feature_set_version = {featureSetVersion}
         AND time >= COALESCE({from}, time) AND time <= COALESCE({to}, time)
       ORDER BY time`,
      { ...filter, from: filter.from ?? null, to: filter.to ?? null },
    );
    return rows.map((row) => ({
      symbol: String(row.symbol),
      timeframe: row.timeframe as Timeframe,
      featureSetVersion: String(row.featureSetVersion),
      time: Number(row.time),
      features: parseJson<Record<string, number | null>>(row.features),
      computedAt: Number(row.computedAt),
    }));
  }
}
