import { AppError } from '../../shared/errors';
import type { LossPoint, ModelMetrics, ModelType } from '../../shared/models';
import type { Timeframe } from '../../shared/timeframes';
import { json, nullableNumber, nullableString, parseJson, parseNullableJson, type Row, type SqlExecutor } from './sql-executor';
import type { ListedTrainingRun, TrainingRun, TrainingRunEnd, TrainingRunRepository } from './types';

const COLUMNS = `id, model_name AS "modelName", model_type AS "modelType", symbols, timeframe, target, horizon,
  data_from AS "dataFrom", data_to AS "dataTo", hyperparameters, feature_set_version AS "featureSetVersion", backend, status,
  started_at AS "startedAt", finished_at AS "finishedAt", epochs, loss_history AS "lossHistory", metrics, error,
  job_run_id AS "jobRunId", samples`;

function toTrainingRun(row: Row): TrainingRun {
  return {
    id: String(row.id),
    modelName: String(row.modelName),
    modelType: row.modelType as ModelType,
    symbols: parseJson<string[]>(row.symbols),
    timeframe: row.timeframe as Timeframe,
    target: String(row.target),
    horizon: Number(row.horizon),
    dataFrom: Number(row.dataFrom),
    dataTo: Number(row.dataTo),
    hyperparameters: parseJson<Record<string, unknown>>(row.hyperparameters),
    featureSetVersion: String(row.featureSetVersion),
    backend: String(row.backend),
    status: row.status as TrainingRun['status'],
    startedAt: Number(row.startedAt),
    finishedAt: nullableNumber(row.finishedAt),
    epochs: Number(row.epochs),
    lossHistory: parseJson<LossPoint[]>(row.lossHistory),
    metrics: parseNullableJson<ModelMetrics>(row.metrics),
    error: nullableString(row.error),
    jobRunId: nullableString(row.jobRunId),
    samples: nullableNumber(row.samples),
  };
}

const INSERT = `INSERT INTO training_runs (id, model_name, model_type, symbols, timeframe, target, horizon, data_from, data_to,
  hyperparameters, feature_set_version, backend, status, started_at, finished_at, epochs, loss_history, metrics, error, job_run_id, samples)
  VALUES ({id}, {modelName}, {modelType}, {symbols}, {timeframe}, {target}, {horizon}, {dataFrom}, {dataTo}, {hyperparameters},
  {featureSetVersion}, {backend}, {status}, {startedAt}, {finishedAt}, {epochs}, {lossHistory}, {metrics}, {error}, {jobRunId}, {samples})`;

const runParams = (run: TrainingRun): Row => ({
  ...run,
  symbols: json(run.symbols),
  hyperparameters: json(run.hyperparameters),
  lossHistory: json(run.lossHistory),
  metrics: run.metrics === null ? null : json(run.metrics),
});

export class SqlTrainingRuns implements TrainingRunRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async start(run: Parameters<TrainingRunRepository['start']>[0]): Promise<void> {
    await this.sql.execute(
      INSERT,
      runParams({ ...run, status: 'running', finishedAt: null, epochs: 0, lossHistory: [], metrics: null, error: null, samples: null }),
    );
  }

  async finish(id: string, end: TrainingRunEnd): Promise<void> {
    const changed = await this.sql.execute(
      `UPDATE training_runs SET status = {status}, finished_at = {finishedAt}, error = {error}, loss_history = {lossHistory},
         epochs = {epochs}, metrics = {metrics}, samples = {samples}, backend = {backend}, feature_set_version = {featureSetVersion}
       WHERE id = {id}`,
      {
        ...end,
        id,
        epochs: end.lossHistory.length,
        lossHistory: json(end.lossHistory),
        metrics: end.metrics === null ? null : json(end.metrics),
      },
    );
    if (changed === 0) throw new AppError('NOT_FOUND', `No training run ${id} to finish.`);
  }

  async get(id: string): Promise<TrainingRun | undefined> {
    const [row] = await this.sql.query(`SELECT ${COLUMNS} FROM training_runs WHERE id = {id}`, { id });
    return row && toTrainingRun(row);
  }

  async list(filter: Parameters<TrainingRunRepository['list']>[0]): Promise<ListedTrainingRun[]> {
    // `symbols` is a JSON array: jsonb's containment on Postgres, json_each on SQLite.
    const trainedOn =
      this.sql.dialect === 'postgres' ? `symbols @> jsonb_build_array(CAST({symbol} AS text))` : `EXISTS (SELECT 1 FROM json_each(symbols) WHERE value = {symbol})`;
    const rows = await this.sql.query(
      `SELECT ${COLUMNS}, (SELECT m.model_id FROM model_registry m WHERE m.training_run_id = training_runs.id) AS "modelId" FROM training_runs
       WHERE model_name = COALESCE({modelName}, model_name) AND status = COALESCE({status}, status)
         AND (CAST({symbol} AS text) IS NULL OR ${trainedOn})
       ORDER BY started_at DESC, id DESC LIMIT {limit}`,
      { modelName: filter.modelName ?? null, status: filter.status ?? null, symbol: filter.symbol ?? null, limit: filter.limit },
    );
    return rows.map((row) => ({ ...toTrainingRun(row), modelId: nullableString(row.modelId) }));
  }

  async insertIfAbsent(run: TrainingRun): Promise<boolean> {
    return (await this.sql.execute(`${INSERT} ON CONFLICT (id) DO NOTHING`, runParams(run))) > 0;
  }

  async settleInterrupted(): Promise<number> {
    const ended = `SELECT j.%s FROM job_runs j WHERE j.id = training_runs.job_run_id AND j.status <> 'running'`;
    return this.sql.execute(
      `UPDATE training_runs SET status = (${ended.replace('%s', 'status')}), finished_at = (${ended.replace('%s', 'finished_at')}),
         error = COALESCE(error, (${ended.replace('%s', 'error')}))
       WHERE status = 'running' AND EXISTS (${ended.replace('%s', 'id')})`,
    );
  }
}
