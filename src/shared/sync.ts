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
