import { AppError } from '../../shared/errors';
import type { ModelMetrics, ModelStage, ModelType, Segment } from '../../shared/models';
import type { Timeframe } from '../../shared/timeframes';
import { codeOf } from './map-errors';
import { json, nullableNumber, nullableString, parseBoolean, parseJson, parseNullableJson, sqlBoolean, type Row, type SqlExecutor } from './sql-executor';
import type { EvaluationSegment, ModelRegistryFilter, ModelRegistryRepository, RegisteredModel, TestForecast } from './types';

const SELECT = `SELECT model_id AS "modelId", model_name AS "modelName", model_type AS "modelType", version, symbol, timeframe,
  training_date AS "trainingDate", metrics, hyperparameters, feature_columns AS "featureColumns",
  feature_set_version AS "featureSetVersion", data_from AS "dataFrom", data_to AS "dataTo", artifact_path AS "artifactPath",
  artifact_sha256 AS "artifactSha256", backend, stage, is_active AS "isActive", training_run_id AS "trainingRunId",
  data_fingerprint AS "dataFingerprint", app_version AS "appVersion", horizon, interval_level AS "intervalLevel",
  training_segment AS "trainingSegment", evaluation_segment AS "evaluationSegment", baselines, test_forecasts AS "testForecasts", flagged
  FROM model_registry`;

function toModel(row: Row): RegisteredModel {
  return {
    modelId: String(row.modelId),
    modelName: String(row.modelName),
    modelType: row.modelType as ModelType,
    version: Number(row.version),
    symbol: String(row.symbol),
    timeframe: row.timeframe as Timeframe,
    trainingDate: Number(row.trainingDate),
    metrics: parseJson<ModelMetrics>(row.metrics),
    hyperparameters: parseJson<Record<string, unknown>>(row.hyperparameters),
    featureColumns: parseJson<string[]>(row.featureColumns),
    featureSetVersion: String(row.featureSetVersion),
    dataFrom: Number(row.dataFrom),
    dataTo: Number(row.dataTo),
    artifactPath: String(row.artifactPath),
    artifactSha256: String(row.artifactSha256),
    backend: String(row.backend),
    stage: row.stage as ModelStage,
    isActive: parseBoolean(row.isActive),
    trainingRunId: nullableString(row.trainingRunId),
    dataFingerprint: nullableString(row.dataFingerprint),
    appVersion: nullableString(row.appVersion),
    horizon: Number(row.horizon),
    intervalLevel: nullableNumber(row.intervalLevel),
    trainingSegment: parseNullableJson<Segment>(row.trainingSegment),
    evaluationSegment: parseNullableJson<EvaluationSegment>(row.evaluationSegment),
    baselines: parseJson<RegisteredModel['baselines']>(row.baselines),
    testForecasts: parseJson<TestForecast[]>(row.testForecasts),
    flagged: nullableString(row.flagged),
  };
}

export class SqlModelRegistry implements ModelRegistryRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(model: RegisteredModel): Promise<void> {
    const added = await this.sql.execute(
      `INSERT INTO model_registry (model_id, model_name, model_type, version, symbol, timeframe, training_date, metrics, hyperparameters,
         feature_columns, feature_set_version, data_from, data_to, artifact_path, artifact_sha256, backend, stage, is_active,
         training_run_id, data_fingerprint, app_version, horizon, interval_level, training_segment, evaluation_segment, baselines,
         test_forecasts, flagged)
       VALUES ({modelId}, {modelName}, {modelType}, {version}, {symbol}, {timeframe}, {trainingDate}, {metrics}, {hyperparameters},
         {featureColumns}, {featureSetVersion}, {dataFrom}, {dataTo}, {artifactPath}, {artifactSha256}, {backend}, {stage}, {isActive},
         {trainingRunId}, {dataFingerprint}, {appVersion}, {horizon}, {intervalLevel}, {trainingSegment}, {evaluationSegment}, {baselines},
         {testForecasts}, {flagged})
       ON CONFLICT DO NOTHING`,
      {
        ...model,
        metrics: json(model.metrics),
        hyperparameters: json(model.hyperparameters),
        featureColumns: json(model.featureColumns),
        isActive: sqlBoolean(model.isActive),
        trainingSegment: model.trainingSegment === null ? null : json(model.trainingSegment),
        evaluationSegment: model.evaluationSegment === null ? null : json(model.evaluationSegment),
        baselines: json(model.baselines),
        testForecasts: json(model.testForecasts),
      },
    );
    if (added === 0) {
      throw new AppError('CONFLICT', `${model.modelName} v${model.version} of ${model.symbol} (or a model with id ${model.modelId}) is registered already.`);
    }
  }

  async get(modelId: string): Promise<RegisteredModel | undefined> {
    const [row] = await this.sql.query(`${SELECT} WHERE model_id = {modelId}`, { modelId });
    return row && toModel(row);
  }

  async list(filter: ModelRegistryFilter): Promise<RegisteredModel[]> {
    const columns = { symbol: 'symbol', timeframe: 'timeframe', modelType: 'model_type', stage: 'stage', modelName: 'model_name' } as const;
    const where = Object.entries(columns).map(([key, column]) => `${column} = COALESCE({${key}}, ${column})`);
    const rows = await this.sql.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY model_name, symbol, version DESC`, {
      symbol: filter.symbol ?? null,
      timeframe: filter.timeframe ?? null,
      modelType: filter.modelType ?? null,
      stage: filter.stage ?? null,
      modelName: filter.modelName ?? null,
    });
    return rows.map(toModel);
  }

  async nextVersion(modelName: string, symbol: string): Promise<number> {
    const [row] = await this.sql.query('SELECT max(version) AS v FROM model_registry WHERE model_name = {modelName} AND symbol = {symbol}', {
      modelName,
      symbol,
    });
    return (nullableNumber(row?.v) ?? 0) + 1;
  }

  async active(modelName: string, symbol: string): Promise<RegisteredModel | undefined> {
    const [row] = await this.sql.query(`${SELECT} WHERE model_name = {modelName} AND symbol = {symbol} AND is_active = {yes}`, {
      modelName,
      symbol,
      yes: sqlBoolean(true),
    });
    return row && toModel(row);
  }

  async setStage(modelId: string, stage: ModelStage): Promise<void> {
    let changed: number;
    try {
      changed = await this.sql.execute('UPDATE model_registry SET stage = {stage}, is_active = {isActive} WHERE model_id = {modelId}', {
        modelId,
        stage,
        isActive: sqlBoolean(stage === 'active'),
      });
    } catch (error) {
      // The partial unique index: another version of the name and symbol is active (another process may just have activated it).
      if (codeOf(error, (code) => code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') === undefined) throw error;
      throw new AppError('CONFLICT', `Another version of the same name and symbol became active at the same time as model ${modelId}; try again.`, { modelId });
    }
    if (changed === 0) throw new AppError('NOT_FOUND', `There is no model ${modelId}.`, { modelId });
  }

  async setFlagged(modelId: string, reason: string | null): Promise<void> {
    const changed = await this.sql.execute('UPDATE model_registry SET flagged = {reason} WHERE model_id = {modelId}', { modelId, reason });
    if (changed === 0) throw new AppError('NOT_FOUND', `There is no model ${modelId}.`, { modelId });
  }

  async delete(modelId: string): Promise<boolean> {
    // Its stage history, predictions and scores go with it by their foreign keys' cascade.
    return (await this.sql.execute('DELETE FROM model_registry WHERE model_id = {modelId}', { modelId })) > 0;
  }
}
