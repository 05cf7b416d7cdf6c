import type { SqlExecutor } from './sql-executor';
import type { PlanDepth, PlanDepthRepository } from './types';

export class SqlPlanDepths implements PlanDepthRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async get(key: Parameters<PlanDepthRepository['get']>[0]): Promise<PlanDepth | undefined> {
    const [row] = await this.sql.query(
      `SELECT history_start AS "historyStart", learned_at AS "learnedAt" FROM provider_plan_depth
       WHERE provider = {provider} AND key_fingerprint = {keyFingerprint} AND timeframe = {timeframe}`,
      { ...key },
    );
    return row && { ...key, historyStart: Number(row.historyStart), learnedAt: Number(row.learnedAt) };
  }

  async save(depth: PlanDepth): Promise<void> {
    await this.sql.execute(
      `INSERT INTO provider_plan_depth (provider, key_fingerprint, timeframe, history_start, learned_at)
       VALUES ({provider}, {keyFingerprint}, {timeframe}, {historyStart}, {learnedAt})
       ON CONFLICT (provider, key_fingerprint, timeframe) DO UPDATE SET history_start = excluded.history_start, learned_at = excluded.learned_at`,
      { ...depth },
    );
  }
}

