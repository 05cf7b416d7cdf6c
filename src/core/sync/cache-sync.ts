/**
 * The sync engine between the team database (the primary, Postgres/TimescaleDB) and this
 * desktop's offline cache (SQLite at <dataDir>/cache.db, a full Storage of its own). Online,
 * only the engine writes the cache (pull). Offline, the app writes it, and triggers record every
 * changed key of a synced table in the durable outbox, in the write's own transaction. Back
 * online, `synchronise` pushes the outbox, pulls the primary, and exchanges model artifacts.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { CacheScopeEntry } from '../../shared/cache-settings';
import type { SyncOutcome } from '../../shared/sync';
import { quote } from '../backups/archive/table-digest';
import type { Logger } from '../ports';
import type { Storage } from '../storage/types';
import { exchangeArtifacts } from './artifacts';
import { CAPTURE_FUNCTION } from './capture';
import { pullPrimary } from './pull';
import { pushOutbox } from './push';
import { outboxSize, readSyncState, writeSyncState } from './sql-rows';
import { LOCAL_ID_BASE, syncedTables } from './synced-tables';

/** Bumped whenever the triggers' text changes, so prepareCache replaces those of an older version. */
const TRIGGER_VERSION = 2;

const triggerName = (table: string, op: string) => `sync_outbox_${table}_${op}`;

/**
 * The outbox triggers of one table: insert and delete record the row's key; an update its new key
 * (as an insert when the key changed: nothing was at that key before), and its old one as deleted.
 */
function triggerStatements(table: string, key: readonly string[]): string[] {
  const keyOf = (row: 'NEW' | 'OLD') => `json_array(${key.map((column) => `${row}.${quote(column)}`).join(', ')})`;
  const keyChanged = key.map((column) => `OLD.${quote(column)} IS NOT NEW.${quote(column)}`).join(' OR ');
  const record = (row: 'NEW' | 'OLD', op: string) =>
    `INSERT INTO sync_outbox (table_name, row_key, op, changed_at) VALUES ('${table}', ${keyOf(row)}, ${op}, CAST(unixepoch('subsec') * 1000 AS INTEGER));`;
  const when = `WHEN ${CAPTURE_FUNCTION}() = 1`;
  return [
    `CREATE TRIGGER ${triggerName(table, 'insert')} AFTER INSERT ON ${quote(table)} ${when} BEGIN ${record('NEW', "'insert'")} END`,
    `CREATE TRIGGER ${triggerName(table, 'update')} AFTER UPDATE ON ${quote(table)} ${when} BEGIN ${record('NEW', `CASE WHEN ${keyChanged} THEN 'insert' ELSE 'update' END`)}
       INSERT INTO sync_outbox (table_name, row_key, op, changed_at) SELECT '${table}', ${keyOf('OLD')}, 'delete', CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE ${keyChanged}; END`,
    `CREATE TRIGGER ${triggerName(table, 'delete')} AFTER DELETE ON ${quote(table)} ${when} BEGIN ${record('OLD', "'delete'")} END`,
  ];
}

/** sync_state's key for when the cache last took in the primary (the start of that pull). */
const LAST_SYNC_AT = 'last_sync_at';

/**
 * Installs the outbox triggers (idempotent), gives the cache its id (which names its pushes on
 * the primary), and starts the ids of rows it creates at LOCAL_ID_BASE. Call after opening the cache.
 * (Capture needs no flag to reset: it is off only inside the engine's own pull, see capture.ts.)
 */
export async function prepareCache(cache: Storage): Promise<void> {
  if (cache.sql.dialect !== 'sqlite') throw new Error('The offline cache is a SQLite database.');
  await cache.sql.transaction(async (tx) => {
    if ((await readSyncState(tx, 'triggers')) !== String(TRIGGER_VERSION)) {
      for (const table of syncedTables) {
        for (const op of ['insert', 'update', 'delete']) await tx.execute(`DROP TRIGGER IF EXISTS ${triggerName(table.name, op)}`);
        for (const statement of triggerStatements(table.name, table.orderBy)) await tx.execute(statement);
      }
      await writeSyncState(tx, 'triggers', String(TRIGGER_VERSION));
    }
    await tx.execute("INSERT INTO sync_state (key, value) VALUES ('cache_id', {id}) ON CONFLICT (key) DO NOTHING", { id: randomUUID() });
    for (const table of syncedTables.filter((t) => t.counter)) {
      await tx.execute('DELETE FROM sqlite_sequence WHERE name = {name} AND seq < {base}', { name: table.name, base: LOCAL_ID_BASE });
      await tx.execute('INSERT INTO sqlite_sequence (name, seq) SELECT {name}, {base} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {name})', {
        name: table.name,
        base: LOCAL_ID_BASE,
      });
    }
  });
}

/** Whether a sync ever finished into this cache, so it holds the team's rows and can stand in for the team database. */
export async function hasSynced(cache: Storage): Promise<boolean> {
  return (await readSyncState(cache.sql, LAST_SYNC_AT)) !== undefined;
}

/** Outbox rows not yet pushed. */
export async function pendingChanges(cache: Storage): Promise<number> {
  return outboxSize(cache.sql);
}

/**
 * Push the outbox, then pull the scope (bars by per-range checksums) and the synced tables;
 * model artifacts both ways. Throws UNAVAILABLE if the primary goes away mid-way; what was
 * pushed stays pushed (outbox rows are deleted only after their push committed), so calling it
 * again is always safe.
 */
export async function synchronise(opts: {
  primary: Storage;
  cache: Storage;
  scope: readonly CacheScopeEntry[];
  dataDir: string;
  /** This desktop's name for audit entries, e.g. processOwner() host. */
  desktop: string;
  now: () => number;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'push' | 'pull'; done: number; total: number }) => void;
}): Promise<SyncOutcome> {
  const { primary, cache, now, logger, signal, onProgress } = opts;
  const startedAt = now();
  const cacheId = await readSyncState(cache.sql, 'cache_id');
  if (cacheId === undefined) throw new Error('The cache was not prepared: call prepareCache after opening it.');
  const lastSyncAt = Number((await readSyncState(cache.sql, LAST_SYNC_AT)) ?? 0);
  const pushed = await pushOutbox({
    primary,
    cache,
    cacheId,
    desktop: opts.desktop,
    now,
    lastSyncAt,
    logger,
    signal,
    onProgress: (done, total) => onProgress?.({ phase: 'push', done, total }),
  });
  // Primary rows changed from here on are news to this cache's next push.
  const pullStartedAt = now();
  const pulled = await pullPrimary({ primary, cache, scope: opts.scope, now, signal, onProgress: (done, total) => onProgress?.({ phase: 'pull', done, total }) });
  const artifacts = await exchangeArtifacts(primary, opts.dataDir, now, logger);
  await writeSyncState(cache.sql, LAST_SYNC_AT, String(pullStartedAt));
  const outcome: SyncOutcome = { ...pushed, ...pulled, startedAt, finishedAt: now() };
  logger.info('synchronised the cache with the team database', { ...outcome, ...artifacts });
  return outcome;
}

/** The cache file's size in bytes (data + WAL). */
export async function cacheBytes(cache: Storage): Promise<number> {
  const [row] = await cache.sql.query('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()');
  const wal = await stat(`${cache.location}-wal`).then(
    (info) => info.size,
    () => 0,
  );
  return Number(row!.bytes) + wal;
}
