import { SqlAlerts } from './alert-repository';
import { SqlAuditLog } from './audit-log-repository';
import { SqlBackupDrills } from './backup-drill-repository';
import { SqlBackups } from './backup-repository';
import { SqlBackfillCheckpoints } from './backfill-checkpoint-repository';
import { SqlDrawings } from './drawing-repository';
import { SqlFeatureStore } from './feature-store-repository';
import { SqlIngestJobs } from './ingest-job-repository';
import { SqlInstruments } from './instrument-repository';
import { SqlJobRuns } from './job-run-repository';
import { SqlModelPerformance } from './model-performance-repository';
import { SqlModelRegistry } from './model-registry-repository';
import { SqlModelStageHistory } from './model-stage-history-repository';
import { SqlNews } from './news-repository';
import { SqlPlanDepths } from './plan-depth-repository';
import { SqlPredictions } from './prediction-repository';
import { SqlRestores } from './restore-repository';
import { SqlPriceAlerts } from './price-alert-repository';
import type { SqlExecutor } from './sql-executor';
import { SqlSpotPrices } from './spot-price-repository';
import { SqlTrainingRuns } from './training-run-repository';
import type { Storage, StorageTransaction } from './types';

/**
 * Every repository but market data, written once over `executor`, and transactions whose work
 * gets the same repositories over the transaction's executor; all wrapped by the dialect's
 * error mapping, so a failure inside a transaction reads as it does outside.
 */
export function sqlRepositories(
  executor: SqlExecutor,
  wrap: <T extends object>(repository: T) => T,
): StorageTransaction & Pick<Storage, 'transaction'> {
  const over = (sql: SqlExecutor): StorageTransaction => ({
    instruments: wrap(new SqlInstruments(sql)),
    jobRuns: wrap(new SqlJobRuns(sql)),
    backfillCheckpoints: wrap(new SqlBackfillCheckpoints(sql)),
    auditLog: wrap(new SqlAuditLog(sql)),
    ingestJobs: wrap(new SqlIngestJobs(sql)),
    alerts: wrap(new SqlAlerts(sql)),
    spotPrices: wrap(new SqlSpotPrices(sql)),
    news: wrap(new SqlNews(sql)),
    planDepths: wrap(new SqlPlanDepths(sql)),
    trainingRuns: wrap(new SqlTrainingRuns(sql)),
    modelRegistry: wrap(new SqlModelRegistry(sql)),
    modelStageHistory: wrap(new SqlModelStageHistory(sql)),
    predictions: wrap(new SqlPredictions(sql)),
    modelPerformance: wrap(new SqlModelPerformance(sql)),
    featureStore: wrap(new SqlFeatureStore(sql)),
    backups: wrap(new SqlBackups(sql)),
    backupDrills: wrap(new SqlBackupDrills(sql)),
    restores: wrap(new SqlRestores(sql)),
    priceAlerts: wrap(new SqlPriceAlerts(sql)),
    drawings: wrap(new SqlDrawings(sql)),
  });
  const { transaction } = wrap<Pick<Storage, 'transaction'>>({
    transaction: (work) => executor.transaction((tx) => work(over(tx))),
  });
  return { ...over(executor), transaction };
}
