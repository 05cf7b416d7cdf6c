import type { Timeframe } from '../../shared/timeframes';
import { json, nullableNumber, parseBoolean, parseNullableJson, sqlBoolean, type Row, type SqlExecutor } from './sql-executor';
import type { ModelSeriesFilter, PredictionFilter, PredictionKey, PredictionRecord, PredictionRepository } from './types';

const COLUMNS = `model_id AS "modelId", symbol, timeframe, made_at AS "madeAt", target_time AS "targetTime", horizon, predicted, lower, upper,
  interval_level AS "level", actual, naive, ood_score AS "oodScore", out_of_distribution AS "outOfDistribution", features, scored_at AS "scoredAt"`;

function toPrediction(row: Row): PredictionRecord {
  return {
    modelId: String(row.modelId),
    symbol: String(row.symbol),
    timeframe: row.timeframe as Timeframe,
    madeAt: Number(row.madeAt),
    targetTime: Number(row.targetTime),
    horizon: Number(row.horizon),
    predicted: Number(row.predicted),
    lower: nullableNumber(row.lower),
    upper: nullableNumber(row.upper),
    level: nullableNumber(row.level),
    actual: nullableNumber(row.actual),
    naive: nullableNumber(row.naive),
    oodScore: nullableNumber(row.oodScore),
    outOfDistribution: parseBoolean(row.outOfDistribution),
    features: parseNullableJson<Record<string, number>>(row.features),
    scoredAt: nullableNumber(row.scoredAt),
  };
}

export class SqlPredictions implements PredictionRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async upsert(predictions: readonly PredictionRecord[]): Promise<number> {
    let stored = 0;
    for (const p of predictions) {
      stored += await this.sql.execute(
        `INSERT INTO predictions (model_id, symbol, timeframe, made_at, target_time, horizon, predicted, lower, upper, interval_level,
           actual, scored_at, naive, ood_score, out_of_distribution, features)
         VALUES ({modelId}, {symbol}, {timeframe}, {madeAt}, {targetTime}, {horizon}, {predicted}, {lower}, {upper}, {level},
           {actual}, {scoredAt}, {naive}, {oodScore}, {outOfDistribution}, {features})
         ON CONFLICT (model_id, symbol, timeframe, made_at, horizon) DO UPDATE SET target_time = excluded.target_time,
           predicted = excluded.predicted, lower = excluded.lower, upper = excluded.upper, interval_level = excluded.interval_level,
           naive = excluded.naive, ood_score = excluded.ood_score, out_of_distribution = excluded.out_of_distribution,
           features = excluded.features
         WHERE predictions.scored_at IS NULL`,
        { ...p, outOfDistribution: sqlBoolean(p.outOfDistribution), features: p.features === null ? null : json(p.features) },
      );
    }
    return stored;
  }

  async query(filter: PredictionFilter): Promise<PredictionRecord[]> {
    const { where, params } = modelSeriesFilter(filter, 'target_time');
    const scored = filter.scoredOnly ? ' AND scored_at IS NOT NULL' : '';
    const rows = await this.sql.query(`SELECT ${COLUMNS} FROM predictions WHERE ${where}${scored} ORDER BY target_time DESC, made_at DESC, id DESC LIMIT {limit}`, params);
    return rows.map(toPrediction).reverse();
  }

  async pending(modelId: string, before: number): Promise<PredictionRecord[]> {
    const rows = await this.sql.query(
      `SELECT ${COLUMNS} FROM predictions WHERE model_id = {modelId} AND scored_at IS NULL AND made_at < {before}
       ORDER BY made_at, horizon, id`,
      { modelId, before },
    );
    return rows.map(toPrediction);
  }

  async recordActual(prediction: PredictionKey, scored: { targetTime: number; actual: number; naive: number; scoredAt: number }): Promise<void> {
    await this.sql.execute(
      `UPDATE predictions SET target_time = {targetTime}, actual = {actual}, naive = {naive}, scored_at = {scoredAt}
       WHERE model_id = {modelId} AND symbol = {symbol} AND timeframe = {timeframe} AND made_at = {madeAt} AND horizon = {horizon}`,
      { modelId: prediction.modelId, symbol: prediction.symbol, timeframe: prediction.timeframe, madeAt: prediction.madeAt, horizon: prediction.horizon, ...scored },
    );
  }
}

/** The WHERE clause and parameters of a filter on model, series and a time column, any of them absent, as predictions and scores take it. */
export function modelSeriesFilter(filter: ModelSeriesFilter, timeColumn: string): { where: string; params: Row } {
  return {
    where: `model_id = COALESCE({modelId}, model_id) AND symbol = COALESCE({symbol}, symbol) AND timeframe = COALESCE({timeframe}, timeframe)
      AND ${timeColumn} >= COALESCE({from}, ${timeColumn}) AND ${timeColumn} <= COALESCE({to}, ${timeColumn})`,
    params: {
      modelId: filter.modelId ?? null,
      symbol: filter.symbol ?? null,
      timeframe: filter.timeframe ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      limit: filter.limit,
    },
  };
}
