import type { Timeframe } from '../../shared/timeframes';
import { nullableNumber, type SqlExecutor } from './sql-executor';
import type { ModelPerformanceRecord, ModelPerformanceRepository } from './types';

export class SqlModelPerformance implements ModelPerformanceRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(record: ModelPerformanceRecord): Promise<void> {
    await this.sql.execute(
      `INSERT INTO model_performance (model_id, symbol, timeframe, evaluated_at, window_from, window_to, samples, mae, rmse, mape,
         directional_accuracy, mase, naive_mae)
       VALUES ({modelId}, {symbol}, {timeframe}, {evaluatedAt}, {windowFrom}, {windowTo}, {samples}, {mae}, {rmse}, {mape},
         {directionalAccuracy}, {mase}, {naiveMae})`,
      { ...record },
    );
  }

  async query(filter: Parameters<ModelPerformanceRepository['query']>[0]): Promise<ModelPerformanceRecord[]> {
    const rows = await this.sql.query(
      `SELECT model_id AS "modelId", symbol, timeframe, evaluated_at AS "evaluatedAt", window_from AS "windowFrom", window_to AS "windowTo",
         samples, mae, rmse, mape, directional_accuracy AS "directionalAccuracy", mase, naive_mae AS "naiveMae"
       FROM model_performance
       WHERE model_id = COALESCE({modelId}, model_id) AND symbol = COALESCE({symbol}, symbol) AND timeframe = COALESCE({timeframe}, timeframe)
         AND evaluated_at >= COALESCE({from}, evaluated_at) AND evaluated_at <= COALESCE({to}, evaluated_at)
       ORDER BY evaluated_at DESC, id DESC LIMIT {limit}`,
      {
        modelId: filter.modelId ?? null,
        symbol: filter.symbol ?? null,
        timeframe: filter.timeframe ?? null,
        from: filter.from ?? null,
        to: filter.to ?? null,
        limit: filter.limit,
      },
    );
    return rows
      .map((row) => ({
        modelId: String(row.modelId),
        symbol: String(row.symbol),
        timeframe: row.timeframe as Timeframe,
        evaluatedAt: Number(row.evaluatedAt),
        windowFrom: Number(row.windowFrom),
        windowTo: Number(row.windowTo),
        samples: Number(row.samples),
        mae: nullableNumber(row.mae),
        rmse: nullableNumber(row.rmse),
        mape: nullableNumber(row.mape),
        directionalAccuracy: nullableNumber(row.directionalAccuracy),
        mase: nullableNumber(row.mase),
        naiveMae: nullableNumber(row.naiveMae),
      }))
      .reverse();
  }
}
