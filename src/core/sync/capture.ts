/**
 * Whether a write to the offline cache goes into its outbox. The outbox triggers (cache-sync.ts)
 * ask `metalytics_sync_capture()`, a function of the connection that answers 0 only inside work
 * the sync engine runs under `withoutCapture` (its pull). The answer follows the async context of
 * the write, not a flag in the database: an app write that takes its turn on the connection
 * while a pull is under way is still captured, and a crash can leave nothing switched off.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';

export const CAPTURE_FUNCTION = 'metalytics_sync_capture';

const pulling = new AsyncLocalStorage<true>();

/** `work`'s writes (and those of everything it awaits) are not recorded in the outbox. */
export function withoutCapture<T>(work: () => Promise<T>): Promise<T> {
  return pulling.run(true, work);
}

/** Every app connection has the function, so a cache's triggers run on whichever opens it. */
export function registerCaptureFunction(client: Database.Database): void {
  client.function(CAPTURE_FUNCTION, { deterministic: false }, () => (pulling.getStore() ? 0 : 1));
}
