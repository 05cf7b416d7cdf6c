import { Worker } from 'node:worker_threads';
import type { TableDigestSummary } from '../../shared/backups';
import { workerScript } from '../worker-script';

export interface DigestRequest {
  file: string;
  /** See RuntimeConfig.sqliteNativeBinding. */
  nativeBinding: string | undefined;
  /** Runs SQLite's integrity check first, and digests only a file that passes (verification). */
  integrityCheck: boolean;
  tables: string[];
}

export interface DigestResult {
  /** `['ok']`, or what SQLite's integrity check found wrong. */
  integrity: string[];
  digests: TableDigestSummary[];
  /** Requested tables the file does not have. */
  missing: string[];
}

/** Integrity check and table checksums of a SQLite copy, computed on a thread of their own. */
export function digestSqliteCopy(request: DigestRequest): Promise<DigestResult> {
  const { script, eval: evaluate } = workerScript(import.meta.url, { source: 'database-digest-thread', built: 'database-digest' });
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { eval: evaluate, execArgv: [], workerData: request });
    let answered = false;
    worker.once('message', (message: { ok: true; result: DigestResult } | { ok: false; message: string }) => {
      answered = true;
      if (message.ok) resolve(message.result);
      else reject(new Error(message.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the database digest thread exited with code ${code} before it answered`));
    });
  });
}
