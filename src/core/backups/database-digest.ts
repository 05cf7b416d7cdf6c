import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { TableDigestSummary } from '../../shared/backups';

export interface DigestRequest {
  file: string;
  /** See RuntimeConfig.sqliteNativeBinding. */
  nativeBinding: string | undefined;
  /**
   * `seal`: the copy a backup just made, switched to a rollback journal so it is one file,
   * then digested. `verify`: a copy taken out of an archive, opened read-only, integrity check
   * first, digested only when it passes.
   */
  purpose: 'seal' | 'verify';
  tables: string[];
}

export interface DigestResult {
  /** `['ok']`, or what SQLite's integrity check found wrong. */
  integrity: string[];
  digests: TableDigestSummary[];
  /** Requested tables the file does not have. */
  missing: string[];
}

/**
 * The thread's script. electron-vite builds it as a main entry beside the bundle that holds
 * this module (out/main/database-digest.js); from source (tsx, vitest) the thread loads its
 * TypeScript entry through tsx's `tsImport`, as the model worker does, because Node 20 does
 * not apply a `--import tsx` loader to a worker's own modules.
 */
function threadScript(): { script: URL | string; eval: boolean } {
  if (import.meta.url.endsWith('.ts')) {
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const entry = JSON.stringify(new URL('./database-digest-thread.ts', import.meta.url).href);
    return { script: `import(${tsx}).then(({ tsImport }) => tsImport(${entry}, ${JSON.stringify(import.meta.url)}));`, eval: true };
  }
  const beside = new URL('./database-digest.js', import.meta.url);
  return { script: existsSync(beside) ? beside : new URL('../database-digest.js', import.meta.url), eval: false };
}

/** Integrity check and table checksums of a SQLite copy, computed on a thread of their own. */
export function digestSqliteCopy(request: DigestRequest): Promise<DigestResult> {
  const { script, eval: evaluate } = threadScript();
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
