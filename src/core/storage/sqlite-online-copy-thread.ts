/**
 * The thread that copies the SQLite database for a backup. SQLite's backup API runs each step
 * synchronously on its connection's thread; here it runs in large steps without holding the
 * app's main thread. See copyOnline in sqlite-storage.ts for the main-thread side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { OnlineCopyMessage, OnlineCopyRequest } from './sqlite-storage';

/** 64 MiB of 4 KiB pages per step: few enough steps to cost nothing, enough to report progress. */
const PAGES_PER_STEP = 16_384;

const post = (message: OnlineCopyMessage) => parentPort?.postMessage(message);

async function copy({ file, destination, nativeBinding }: OnlineCopyRequest): Promise<void> {
  const binding = nativeBinding === undefined ? {} : { nativeBinding };
  const reader = new Database(file, { readonly: true, fileMustExist: true, ...binding });
  try {
    // One read transaction for the whole copy: it is the snapshot taken here, and writes on the
    // app's connection meanwhile neither wait for it nor restart it (WAL).
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM sqlite_master').get();
    await reader.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        post({ kind: 'progress', copiedPages: totalPages - remainingPages, totalPages });
        return PAGES_PER_STEP;
      },
    });
    reader.exec('COMMIT');
  } finally {
    reader.close();
  }
  // The pages say WAL as the source's do; a rollback journal makes the copy one self-contained
  // file with no WAL beside it to lose. A header change only, quick on any size.
  const sealing = new Database(destination, binding);
  try {
    sealing.pragma('journal_mode = DELETE');
  } finally {
    sealing.close();
  }
}

copy(workerData as OnlineCopyRequest).then(
  () => post({ kind: 'done' }),
  (error: unknown) => post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
