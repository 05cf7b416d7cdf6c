import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from '../ports';

/** How often the WAL is copied back into the database file. */
const CHECKPOINT_INTERVAL_MS = 1_000;
/** SQLite's own default, restored when the background checkpointer cannot run. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

/**
 * Runs in the worker: its own connection to the same file, checkpointing in PASSIVE mode,
 * which never waits for or blocks the app's writers and readers. Plain CommonJS evaluated
 * from a string, so the same code runs from source (tsx, vitest) and from the bundled
 * Electron main process without a separate build entry.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker and waits for its connection to close. */
  stop(): Promise<void>;
}

/** Repeated checkpoint failures are logged at most this often. */
const CHECKPOINT_WARNING_INTERVAL_MS = 5 * 60_000;

/**
 * SQLite in WAL mode copies the log back into the database file when a commit pushes the
 * WAL past 1,000 pages, inside that commit: with better-sqlite3 that is the app's main
 * thread, held for the copy and its fsync (about 25 ms measured during a backfill). This
 * hands checkpoints to a worker thread and turns the automatic one off. If the worker
 * cannot start or dies, the automatic checkpoint comes back, so the WAL never grows
 * unbounded.
 */
export function startCheckpointer(client: Database.Database, file: string, nativeBinding: string | undefined, logger: Logger): Checkpointer {
  const restoreAutocheckpoint = (reason: string) => {
    logger.warn('background SQLite checkpoints stopped; SQLite checkpoints on commit again', { reason });
    if (client.open) client.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, nativeBinding, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
  } catch (error) {
    restoreAutocheckpoint(String(error));
    return { stop: async () => undefined };
  }
  client.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A full disk fails every checkpoint, once a second: warn once per burst, with the count since.
  let lastWarningAt = Number.NEGATIVE_INFINITY;
  let failedSince = 0;
  worker.on('message', (message: { error?: string }) => {
    if (!message.error) return;
    failedSince++;
    if (Date.now() - lastWarningAt < CHECKPOINT_WARNING_INTERVAL_MS) return;
    logger.warn('a background SQLite checkpoint failed; the next one tries again', { error: message.error, failures: failedSince });
    lastWarningAt = Date.now();
    failedSince = 0;
  });
  worker.on('error', (error) => restoreAutocheckpoint(error.message));
  worker.on('exit', (code) => {
    if (!stopping && code !== 0) restoreAutocheckpoint(`the checkpoint worker exited with code ${code}`);
  });
  // The worker never keeps the process alive by itself: the host (server, app) does.
  worker.unref();
  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      // Held by the ref until it has closed its connection; unref'd, a process could end while close() awaits it.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
