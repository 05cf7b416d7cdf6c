/**
 * Which tables the sync engine carries between the team database (the primary) and a desktop's
 * offline cache, and by which rule a pushed row meets the primary's. One place, each with why.
 */
import { backedUpTables, type TableShape } from '../backups/archive/table-digest';
import { loadOrder } from '../backups/restore/table-loading';

/**
 * Backed-up tables the engine leaves alone. (The backup catalogue, sync_outbox, sync_state and
 * model_artifacts are not backed up at all: see CATALOGUE_TABLES.)
 */
const UNSYNCED_TABLES: Readonly<Record<string, string>> = {
  market_data_rollup: 'derived: every bar upsert and delete rebuilds it, on each database',
  market_data_series: 'derived: every bar upsert and delete keeps it in step, on each database',
  feature_store: 'derived: a features run materialises it again from the bars',
};

/** Ids the cache gives rows it creates start here, far above any id the primary hands out, so a row made offline is known by its id. */
export const LOCAL_ID_BASE = 2 ** 50;

export interface SyncRule {
  /**
   * The primary row's own change time, a Postgres expression over the table's columns, for
   * last-writer-wins against the outbox's change time; null when the table has none (the pushed change wins).
   */
  changedAt: string | null;
  /**
   * Tables keyed by a counter (`id`): the columns that name a row across databases, or null for
   * append-only tables, where a row made offline is added anew with the primary's next id.
   */
  counter?: { naturalKey: readonly string[] | null };
}

const SYNC_RULES: Readonly<Record<string, SyncRule>> = {
  instruments: { changedAt: null },
  market_data: { changedAt: null },
  precious_metals_prices: { changedAt: null, counter: { naturalKey: ['metal', 'source', 'timestamp'] } },
  news: { changedAt: null, counter: { naturalKey: ['provider', 'provider_id'] } },
  // A firing claim (last_fired_at) never goes back: see mergeRow.
  ingest_jobs: { changedAt: 'updated_at' },
  // A live run's heartbeat is newer than any offline sweep that would fail it.
  job_runs: { changedAt: 'GREATEST(started_at, COALESCE(finished_at, 0), COALESCE(heartbeat_at, 0))' },
  backfill_checkpoints: { changedAt: 'updated_at' },
  provider_plan_depth: { changedAt: 'learned_at' },
  training_runs: { changedAt: 'GREATEST(started_at, COALESCE(finished_at, 0))' },
  // A version changes by its stage changes, each recorded with its time.
  model_registry: { changedAt: '(SELECT COALESCE(max(h.at), model_registry.training_date) FROM model_stage_history h WHERE h.model_id = model_registry.model_id)' },
  model_stage_history: { changedAt: null, counter: { naturalKey: null } },
  model_performance: { changedAt: null, counter: { naturalKey: null } },
  predictions: { changedAt: 'COALESCE(scored_at, made_at)', counter: { naturalKey: ['model_id', 'symbol', 'timeframe', 'made_at', 'horizon'] } },
  alerts: { changedAt: 'COALESCE(acknowledged_at, created_at)', counter: { naturalKey: null } },
  price_alerts: { changedAt: 'updated_at' },
  drawings: { changedAt: 'updated_at' },
  audit_log: { changedAt: null, counter: { naturalKey: null } },
};

export type SyncedTable = TableShape & SyncRule;

/** Every synced table, parents before children; a backed-up table with neither a rule nor a reason fails at load, so none is forgotten. */
export const syncedTables: readonly SyncedTable[] = loadOrder(backedUpTables.filter((shape) => !(shape.name in UNSYNCED_TABLES))).map((shape) => {
  const rule = SYNC_RULES[shape.name];
  if (!rule) throw new Error(`Table ${shape.name} has no sync rule: give it one in SYNC_RULES or a reason in UNSYNCED_TABLES.`);
  return { ...shape, ...rule };
});

export const syncedTable = (name: string): SyncedTable => {
  const table = syncedTables.find((t) => t.name === name);
  if (!table) throw new Error(`${name} is not a synced table`);
  return table;
};
