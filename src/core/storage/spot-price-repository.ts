import { AppError } from '../../shared/errors';
import type { Row, SqlExecutor } from './sql-executor';
import type { SpotPriceRepository, SpotSnapshot } from './types';

const toSnapshot = (row: Row): SpotSnapshot => ({
  metal: String(row.metal),
  price: Number(row.price),
  timestamp: Number(row.timestamp),
  source: String(row.source),
});

export class SqlSpotPrices implements SpotPriceRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(snapshot: SpotSnapshot): Promise<boolean> {
    if (!Number.isFinite(snapshot.price) || snapshot.price <= 0) {
      throw new AppError('VALIDATION', `A ${snapshot.metal} price from ${snapshot.source} must be a positive number, not ${snapshot.price}.`);
    }
    const added = await this.sql.execute(
      `INSERT INTO precious_metals_prices (metal, price, timestamp, source) VALUES ({metal}, {price}, {timestamp}, {source})
       ON CONFLICT (metal, source, timestamp) DO NOTHING`,
      { ...snapshot },
    );
    return added > 0;
  }

  async list(filter: { metal?: string; limit: number }): Promise<SpotSnapshot[]> {
    const rows = await this.sql.query(
      `SELECT metal, price, timestamp, source FROM precious_metals_prices
       WHERE metal = COALESCE({metal}, metal) ORDER BY timestamp DESC, id DESC LIMIT {limit}`,
      { metal: filter.metal ?? null, limit: filter.limit },
    );
    return rows.map(toSnapshot);
  }

  async lastTwelveHours(metal: string): Promise<SpotSnapshot[]> {
    const rows = await this.sql.query(
      'SELECT metal, price, timestamp, source FROM latest_12_hour_prices WHERE metal = {metal} ORDER BY timestamp, id',
      { metal },
    );
    return rows.map(toSnapshot);
  }
}
