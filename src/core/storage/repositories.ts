import { SqlAlerts } from './alert-repository';
import { SqlAuditLog } from './audit-log-repository';
import { SqlBackfillCheckpoints } from './backfill-checkpoint-repository';
import { SqlIngestJobs } from './ingest-job-repository';
import { SqlInstruments } from './instrument-repository';
import { SqlJobRuns } from './job-run-repository';
import { SqlNews } from './news-repository';
import { SqlPlanDepths } from './plan-depth-repository';
import type { SqlExecutor } from './sql-executor';
import { SqlSpotPrices } from './spot-price-repository';
import type { Storage } from './types';

/** Every repository but market data, written once over `executor`, each wrapped by the dialect's error mapping. */
export function sqlRepositories(
  executor: SqlExecutor,
  wrap: <T extends object>(repository: T) => T,
): Omit<Storage, 'mode' | 'location' | 'schemaVersion' | 'marketData' | 'ping' | 'problem' | 'close'> {
  return {
    instruments: wrap(new SqlInstruments(executor)),
    jobRuns: wrap(new SqlJobRuns(executor)),
    backfillCheckpoints: wrap(new SqlBackfillCheckpoints(executor)),
    auditLog: wrap(new SqlAuditLog(executor)),
    ingestJobs: wrap(new SqlIngestJobs(executor)),
    alerts: wrap(new SqlAlerts(executor)),
    spotPrices: wrap(new SqlSpotPrices(executor)),
    news: wrap(new SqlNews(executor)),
    planDepths: wrap(new SqlPlanDepths(executor)),
  };
}
