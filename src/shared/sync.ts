import { z } from 'zod';
import { cacheScopeEntrySchema } from './cache-settings';
import { epochMsSchema } from './domain';

/** What `system.status` and the `sync.changed` event say of the team database and the cache. */
export const syncStatusSchema = z.object({
  /** `team`: a Postgres server is the system of record and this desktop keeps a cache; `local`: one database, no cache. */
  mode: z.enum(['team', 'local']),
  /** Offline: the team database cannot be reached and the workspace runs on the cache. */
  state: z.enum(['online', 'offline']),
  offlineSince: epochMsSchema.nullable(),
  /** Changes made offline not yet sent to the team database. */
  pendingChanges: z.number().int().min(0),
  lastSync: z
    .object({ at: epochMsSchema, pushedRows: z.number().int(), pulledRows: z.number().int(), conflicts: z.number().int(), ms: z.number() })
    .nullable(),
  /** Null in local mode. */
  cache: z.object({ location: z.string(), bytes: z.number().int().min(0), scope: z.array(cacheScopeEntrySchema) }).nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** What one synchronisation of the cache with the team database did. */
export const syncOutcomeSchema = z.object({
  /** Rows sent from the cache's outbox to the team database. */
  pushedRows: z.number().int().min(0),
  /** Rows the cache took in from the team database. */
  pulledRows: z.number().int().min(0),
  /** Rows where both sides had changed, each settled by the rules and audited. */
  conflicts: z.number().int().min(0),
  /** Bar ranges whose checksums were compared, and those that differed and moved. */
  rangesCompared: z.number().int().min(0),
  rangesMoved: z.number().int().min(0),
  startedAt: epochMsSchema,
  finishedAt: epochMsSchema,
});
export type SyncOutcome = z.infer<typeof syncOutcomeSchema>;

export const syncMethods = {
  /**
   * Synchronises the cache with the team database now, rather than at the next minute: the
   * same sync the app runs on its own, after any it is running. Offline, it is the attempt to
   * reconnect: push, pull and move back to the team database (UNAVAILABLE while it cannot be
   * reached, CONFLICT while a job runs on the cache). In local mode there is nothing to sync
   * with (VALIDATION).
   */
  'sync.now': {
    input: z.object({}).strict().default({}),
    output: syncOutcomeSchema,
  },
} as const;
