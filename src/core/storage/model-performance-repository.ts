import type { Timeframe } from '../../shared/timeframes';
import { modelSeriesFilter } from './prediction-repository';
import { nullableNumber, type SqlExecutor } from './sql-executor';
import type { ModelPerformanceRecord, ModelPerformanceRepository, ModelSeriesFilter } from './types';

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

  async query(filter: ModelSeriesFilter): Promise<ModelPerformanceRecord[]> {
    const { where, params } = modelSeriesFilter(filter, 'evaluated_at');
    const rows = await this.sql.query(
      `SELECT model_id AS "modelId", symbol, timeframe, evaluated_at AS "evaluatedAt", window_from AS "windowFrom", window_to AS "windowTo",
         samples, mae, rmse, mape, directional_accuracy AS "directionalAccuracy", mase, naive_mae AS "naiveMae"
       FROM model_performance WHERE ${where} ORDER BY evaluated_at DESC, id DESC LIMIT {limit}`,
      params,
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
