import { createHash } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TableDigestSummary } from '../../shared/backups';
import { workerScript } from '../worker-script';
import type { TableShape } from './archive/table-digest';

export interface DigestRequest {
  file: string;
  /** See RuntimeConfig.sqliteNativeBinding. */
  nativeBinding: string | undefined;
  /** Runs SQLite's integrity check first, and digests only a file that passes (verification). */
  integrityCheck: boolean;
  tables: string[];
  /** Rows per segment of a large table, the unit the threads share; tests make it small. */
  segmentRows?: number;
}

/** Enough rows that a segment's query costs nothing, few enough to bound the text that waits to be hashed. */
const SEGMENT_ROWS = 200_000;

export interface DigestResult {
  /** `['ok']`, or what SQLite's integrity check found wrong. */
  integrity: string[];
  digests: TableDigestSummary[];
  /** Requested tables the file does not have. */
  missing: string[];
}

/** The tables present, with the columns they have, each cut at the keys its segments after the first start from. */
export interface DigestPlan {
  tables: { shape: TableShape; starts: unknown[][] }[];
  missing: string[];
}

export interface DigestThreadRequest {
  file: string;
  nativeBinding: string | undefined;
  tables: string[];
  segmentRows: number;
  /** For the first thread: the integrity check first, answered as one `integrity` message, and no plan unless it passes. */
  integrityCheck: boolean;
  /** The plan to follow, or null for the first thread, which makes it and posts it. */
  plan: DigestPlan | null;
  thread: number;
}

/** From the main thread: how many threads share the segments, and the last segment a thread may start now. */
export interface DigestThreadTurn {
  threads: number;
  upTo: number;
}

export type DigestThreadMessage =
  | { kind: 'integrity'; integrity: string[] }
  | { kind: 'plan'; plan: DigestPlan }
  /** Canonical text of segment `index` (counted across all tables in plan order), in order. */
  | { kind: 'piece'; index: number; bytes: Uint8Array; rows: number; last: boolean }
  | { kind: 'failed'; message: string };

/** At most this many threads share the checksums: each holds a connection and its page cache. */
const MAX_THREADS = 4;

/** Runs one digest thread; `onMessage` sees every message but `failed`, which rejects `failed`. */
function startThread(request: DigestThreadRequest, onMessage: (message: DigestThreadMessage) => void) {
  const { script, eval: evaluate } = workerScript(import.meta.url, { source: 'database-digest-thread', built: 'database-digest' });
  const worker = new Worker(script, { eval: evaluate, execArgv: [], workerData: request });
  let ended = false;
  const failed = new Promise<never>((_, reject) => {
    worker.on('message', (message: DigestThreadMessage) => (message.kind === 'failed' ? reject(new Error(message.message)) : onMessage(message)));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!ended) reject(new Error(`the database digest thread exited with code ${code} before it answered`));
    });
  });
  return {
    worker,
    failed,
    end: () => {
      ended = true;
      return worker.terminate();
    },
  };
}

/**
 * Integrity check (when asked) and table checksums of a SQLite copy, computed off the main
 * thread; the checksums only for a file that passes its integrity check. The checksums are
 * computed on several threads at once: the first checks integrity and plans the segments
 * (large tables cut into key ranges), each thread turns its share into canonical text, and
 * this thread hashes the text in order, letting a thread start a segment only when it is at
 * most one round ahead of the hashing so that little text waits.
 */
export function digestSqliteCopy(request: DigestRequest): Promise<DigestResult> {
  let threads = 1;
  const started: ReturnType<typeof startThread>[] = [];
  let fail: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  const spawn = (request: DigestThreadRequest) => {
    const thread = startThread(request, onMessage);
    thread.failed.catch(fail);
    started.push(thread);
  };
  const waiting = new Map<number, Extract<DigestThreadMessage, { kind: 'piece' }>[]>();
  let finish: (result: DigestResult) => void;
  const finished = new Promise<DigestResult>((resolve) => (finish = resolve));
  let plan: DigestPlan | undefined;
  let segmentTable: number[] = [];
  const digests: TableDigestSummary[] = [];
  let hash = createHash('sha256');
  let rows = 0;
  let next = 0;

  const allow = () => started.forEach((thread) => thread.worker.postMessage({ upTo: next + threads - 1, threads } satisfies DigestThreadTurn));
  const hashReady = () => {
    if (!plan) return;
    for (;;) {
      const pieces = waiting.get(next);
      const piece = pieces?.shift();
      if (!piece) return;
      hash.update(piece.bytes);
      rows += piece.rows;
      if (!piece.last) continue;
      waiting.delete(next);
      const table = segmentTable[next]!;
      next += 1;
      if (segmentTable[next] !== table) {
        digests.push({ name: plan.tables[table]!.shape.name, rows, checksum: hash.digest('hex') });
        hash = createHash('sha256');
        rows = 0;
      }
      if (next === segmentTable.length) return finish({ integrity: ['ok'], digests, missing: plan.missing });
      allow();
    }
  };
  const onMessage = (message: DigestThreadMessage) => {
    if (message.kind === 'integrity') {
      if (message.integrity.join() !== 'ok') finish({ integrity: message.integrity, digests: [], missing: [] });
    } else if (message.kind === 'plan') {
      plan = message.plan;
      segmentTable = plan.tables.flatMap((table, i) => Array.from({ length: table.starts.length + 1 }, () => i));
      if (segmentTable.length === 0) return finish({ integrity: ['ok'], digests, missing: plan.missing });
      // A database with no table larger than one segment is quicker on one thread than it is to start others.
      if (plan.tables.some((table) => table.starts.length > 0)) threads = Math.max(1, Math.min(MAX_THREADS, os.availableParallelism()));
      for (let thread = 1; thread < threads; thread++) spawn({ ...base, plan, thread });
      allow();
    } else if (message.kind === 'piece') {
      const pieces = waiting.get(message.index);
      if (pieces) pieces.push(message);
      else waiting.set(message.index, [message]);
    }
    hashReady();
  };
  const base: DigestThreadRequest = { ...request, segmentRows: request.segmentRows ?? SEGMENT_ROWS, plan: null, thread: 0 };
  spawn(base);
  return Promise.race([finished, failure]).finally(() => Promise.all(started.map((thread) => thread.end())));
}
