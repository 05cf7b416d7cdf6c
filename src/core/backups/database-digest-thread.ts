/**
 * A thread that reads a SQLite copy made for a backup: its integrity check, or its share of
 * the table checksums. Both are synchronous work proportional to the database, which on the
 * main thread would hold the app for seconds. See database-digest.ts for the main-thread side,
 * which hashes the canonical text these threads produce, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { backedUpTables, canonicalRowValues, canonicalSelect, quote, shapeWithColumns, type TableShape } from './archive/table-digest';
import type { DigestPlan, DigestThreadMessage, DigestThreadRequest, DigestThreadTurn } from './database-digest';

/** Canonical text per message: one transfer per ~1 MiB, as the hash takes it. */
const PIECE_CHARS = 1 << 20;

const post = (message: DigestThreadMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

function open(request: DigestThreadRequest) {
  return new Database(request.file, {
    readonly: true,
    fileMustExist: true,
    ...(request.nativeBinding === undefined ? {} : { nativeBinding: request.nativeBinding }),
  });
}

/** Whether `shape`'s order is the table's primary key here, so a segment is a key range (NULLs would fall out of one). */
function orderedByPrimaryKey(db: Database.Database, shape: TableShape): boolean {
  const key = (db.prepare(`PRAGMA table_info(${quote(shape.name)})`).all() as { name: string; pk: number }[])
    .filter((column) => column.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((column) => column.name);
  return key.join('\0') === shape.orderBy.join('\0');
}

const keyTuple = (shape: TableShape) => `(${shape.orderBy.map(quote).join(', ')})`;
const placeholders = (shape: TableShape) => `(${shape.orderBy.map(() => '?').join(', ')})`;

/**
 * The tables to digest, each cut into key ranges of `segmentRows` rows by stepping through its
 * key in SQLite (no row reaches JavaScript), so several threads can share one large table.
 */
function plan(db: Database.Database, { tables, segmentRows }: DigestThreadRequest): DigestPlan {
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const result: DigestPlan = { tables: [], missing: [] };
  for (const known of backedUpTables.filter((s) => tables.includes(s.name))) {
    if (!present.has(known.name)) {
      result.missing.push(known.name);
      continue;
    }
    // A copy at an older schema (an older app's backup) has fewer columns, and was digested over those.
    const shape = shapeWithColumns(known, new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(known.name) as string[]));
    const starts: unknown[][] = [];
    if (orderedByPrimaryKey(db, shape)) {
      const order = shape.orderBy.map(quote).join(', ');
      const first = db.prepare(`SELECT ${order} FROM ${quote(shape.name)} ORDER BY ${order} LIMIT 1 OFFSET ${segmentRows}`).raw(true);
      const next = db.prepare(`SELECT ${order} FROM ${quote(shape.name)} WHERE ${keyTuple(shape)} > ${placeholders(shape)} ORDER BY ${order} LIMIT 1 OFFSET ${segmentRows - 1}`).raw(true);
      for (let start = first.get() as unknown[] | undefined; start !== undefined; start = next.get(...start) as unknown[] | undefined) starts.push(start);
    }
    result.tables.push({ shape, starts });
  }
  return result;
}

/** The statement reading rows from `from` (inclusive) up to `to` (exclusive) of the key, either open. */
function segmentSelect(shape: TableShape, from: unknown[] | undefined, to: unknown[] | undefined): { sql: string; params: unknown[] } {
  const bounds = [from && `${keyTuple(shape)} >= ${placeholders(shape)}`, to && `${keyTuple(shape)} < ${placeholders(shape)}`].filter(Boolean);
  return { sql: canonicalSelect(shape, 'sqlite', bounds.length > 0 ? bounds.join(' AND ') : undefined), params: [...(from ?? []), ...(to ?? [])] };
}

/** Waits until the main thread lets segment `index` start: it hashes in order, so a thread ahead of it waits. */
let allowedUpTo = -1;
let threads = 1;
let allowed: (() => void) | undefined;
parentPort!.on('message', (message: DigestThreadTurn) => {
  allowedUpTo = message.upTo;
  threads = message.threads;
  allowed?.();
});
async function turn(index: number): Promise<void> {
  while (index > allowedUpTo) await new Promise<void>((resolve) => (allowed = resolve));
}

/** This thread's share of the segments (every `threads`-th, from `thread`), as canonical text pieces. */
async function digestSegments(db: Database.Database, request: DigestThreadRequest, digestPlan: DigestPlan): Promise<void> {
  // The first turn says how many threads share the work, which the main thread decides from the plan.
  await turn(0);
  let index = 0;
  for (const { shape, starts } of digestPlan.tables) {
    for (let segment = 0; segment <= starts.length; segment++, index++) {
      if (index % threads !== request.thread) continue;
      await turn(index);
      const { sql, params } = segmentSelect(shape, starts[segment - 1], starts[segment]);
      let text = '';
      let rows = 0;
      const flush = (last: boolean) => {
        const bytes = new TextEncoder().encode(text);
        post({ kind: 'piece', index, bytes, rows, last }, [bytes.buffer as ArrayBuffer]);
        text = '';
        rows = 0;
      };
      for (const values of db.prepare(sql).raw(true).iterate(...params) as IterableIterator<unknown[]>) {
        // The line framing of TableDigest: each canonical row and a newline.
        text += `${canonicalRowValues(shape, values)}\n`;
        rows += 1;
        if (text.length >= PIECE_CHARS) flush(false);
      }
      flush(true);
    }
  }
}

async function run(request: DigestThreadRequest): Promise<void> {
  const db = open(request);
  try {
    let digestPlan = request.plan;
    if (digestPlan === null) {
      if (request.integrityCheck) {
        const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
        post({ kind: 'integrity', integrity });
        if (integrity.join() !== 'ok') return;
      }
      digestPlan = plan(db, request);
      post({ kind: 'plan', plan: digestPlan });
    }
    await digestSegments(db, request, digestPlan);
  } finally {
    db.close();
  }
}

// The main thread ends this thread once it has every piece.
run(workerData as DigestThreadRequest).catch((error: unknown) => post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }));
