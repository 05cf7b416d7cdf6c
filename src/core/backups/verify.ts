import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveManifest, ArchivePart, TableDigestSummary, VerifyProblem, VerifyReport } from '../../shared/backups';
import { isAppError } from '../../shared/errors';
import { openArchive, type OpenedArchive } from './archive/archive-reader';
import { openSealedSecrets } from './archive/secrets-seal';
import { TableDigest } from './archive/table-digest';
import { SECRETS_PART, SETTINGS_PART, SQLITE_PART, tablePartName } from './create-backup';
import { digestSqliteCopy } from './database-digest';

export interface VerifyOptions {
  /** Opens the sealed secrets too; without it they are checked by their sha256 only. */
  passphrase?: string;
  /** See RuntimeConfig.sqliteNativeBinding. */
  sqliteNativeBinding?: string;
}

const problem = (message: string, where: { part?: string; table?: string; expected?: string | number; found?: string | number } = {}): VerifyProblem => ({
  part: where.part ?? null,
  table: where.table ?? null,
  message,
  expected: where.expected === undefined ? null : String(where.expected),
  found: where.found === undefined ? null : String(where.found),
});

/** Reads one part whole through `sink`, checking its length and sha256 against the manifest. */
export async function checkPart(archive: OpenedArchive, part: ArchivePart, sink: (chunk: Buffer) => void | Promise<void>): Promise<VerifyProblem[]> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      archive.readPart(part),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          Promise.resolve(sink(chunk)).then(() => done(), done);
        },
      }),
    );
  } catch (error) {
    return [problem(`Part ${part.name} cannot be read: ${(error as Error).message}.`, { part: part.name })];
  }
  const found = hash.digest('hex');
  const problems: VerifyProblem[] = [];
  if (bytes !== part.bytes) problems.push(problem(`Part ${part.name} has the wrong length.`, { part: part.name, expected: part.bytes, found: bytes }));
  if (found !== part.sha256) problems.push(problem(`Part ${part.name} does not match its sha256.`, { part: part.name, expected: part.sha256, found }));
  return problems;
}

/** Each manifest table against what the database part holds. */
function compareTables(manifest: ArchiveManifest, found: Map<string, TableDigestSummary>, part: (table: string) => string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const expected of manifest.tables) {
    const actual = found.get(expected.name);
    if (!actual) {
      problems.push(problem(`Table ${expected.name} is missing from the database copy.`, { part: part(expected.name), table: expected.name }));
      continue;
    }
    if (actual.rows !== expected.rows) {
      problems.push(problem(`Table ${expected.name} has a different number of rows.`, { part: part(expected.name), table: expected.name, expected: expected.rows, found: actual.rows }));
    } else if (actual.checksum !== expected.checksum) {
      problems.push(
        problem(`Table ${expected.name} holds different rows than when it was backed up.`, {
          part: part(expected.name),
          table: expected.name,
          expected: expected.checksum,
          found: actual.checksum,
        }),
      );
    }
  }
  return problems;
}

/** The SQLite copy: extracted, its integrity check, then its tables against the manifest. */
async function verifySqlitePart(archive: OpenedArchive, part: ArchivePart, options: VerifyOptions): Promise<VerifyProblem[]> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'metalytics-verify-'));
  try {
    const copy = path.join(scratch, 'metalytics.sqlite');
    const out = createWriteStream(copy);
    const problems = await checkPart(archive, part, (chunk) => new Promise<void>((resolve, reject) => out.write(chunk, (error) => (error ? reject(error) : resolve()))));
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (problems.length > 0) return problems;
    try {
      const tables = archive.manifest.tables.map((t) => t.name);
      const { integrity, digests, missing } = await digestSqliteCopy({ file: copy, nativeBinding: options.sqliteNativeBinding, integrityCheck: true, tables });
      if (integrity.join() !== 'ok') return [problem('The database copy fails its integrity check.', { part: part.name, expected: 'ok', found: integrity.slice(0, 5).join('; ') })];
      const found = new Map(digests.map((d) => [d.name, d]));
      // A table of the manifest the schema no longer knows cannot be read back here: say so rather than call it missing.
      const unknown = tables.filter((name) => !found.has(name) && !missing.includes(name));
      return [
        ...compareTables(archive.manifest, found, () => part.name).filter((p) => p.table === null || !unknown.includes(p.table)),
        ...unknown.map((table) => problem(`Table ${table} is not one this version of Metalytics knows.`, { part: part.name, table })),
      ];
    } catch (error) {
      return [problem(`The database copy cannot be read: ${(error as Error).message}.`, { part: part.name })];
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** One exported Postgres table: every line must parse, and their count and checksum match. */
async function verifyTablePart(archive: OpenedArchive, part: ArchivePart, table: string): Promise<{ problems: VerifyProblem[]; digest: TableDigestSummary }> {
  const digest = new TableDigest(table);
  let pending = '';
  let badLine: number | null = null;
  const take = (line: string) => {
    try {
      JSON.parse(line);
    } catch {
      badLine ??= digest.rows + 1;
    }
    digest.addLine(line);
  };
  const problems = await checkPart(archive, part, (chunk) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(take);
  });
  if (pending !== '') take(pending);
  if (badLine !== null) problems.push(problem(`Row ${badLine} of table ${table} is not valid JSON.`, { part: part.name, table }));
  return { problems, digest: digest.result() };
}

/**
 * Verifies an archive end to end: its frame and manifest, every part's length and sha256, the
 * database copy (SQLite: integrity check; Postgres export: every table file parsed) and each
 * table's row count and checksum against the manifest, and the sealed secrets when given the
 * passphrase. Never throws for a bad archive: the report lists what is wrong.
 */
export async function verifyArchive(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  let archive: OpenedArchive;
  try {
    archive = await openArchive(file);
  } catch (error) {
    // A missing file is not a verdict on an archive: the caller named the wrong one.
    if (!isAppError(error) || error.code === 'NOT_FOUND') throw error;
    return { ok: false, manifest: null, problems: [problem(error.message)] };
  }
  const { manifest } = archive;
  const problems: VerifyProblem[] = [];
  const byName = new Map(manifest.parts.map((part) => [part.name, part]));
  const required = (name: string, what: string) => {
    const part = byName.get(name);
    if (!part) problems.push(problem(`The ${what} part ${name} is missing.`, { part: name }));
    return part;
  };

  if (manifest.database === 'sqlite') {
    const part = required(SQLITE_PART, 'database');
    if (part) problems.push(...(await verifySqlitePart(archive, part, options)));
  } else {
    const found = new Map<string, TableDigestSummary>();
    for (const table of manifest.tables) {
      const part = required(tablePartName(table.name), `table ${table.name}`);
      if (!part) continue;
      const checked = await verifyTablePart(archive, part, table.name);
      problems.push(...checked.problems);
      found.set(table.name, checked.digest);
    }
    problems.push(...compareTables(manifest, found, tablePartName).filter((p) => p.part === null || byName.has(p.part)));
  }

  for (const part of manifest.parts.filter((p) => p.kind === 'model' || p.kind === 'settings')) problems.push(...(await checkPart(archive, part, () => undefined)));
  required(SETTINGS_PART, 'settings');

  if (manifest.secrets) {
    const part = required(SECRETS_PART, 'secrets');
    if (part) {
      const chunks: Buffer[] = [];
      const partProblems = await checkPart(archive, part, (chunk) => void chunks.push(chunk));
      problems.push(...partProblems);
      if (partProblems.length === 0 && options.passphrase !== undefined) {
        try {
          await openSealedSecrets(Buffer.concat(chunks), manifest.secrets, options.passphrase);
        } catch (error) {
          problems.push(problem((error as Error).message, { part: SECRETS_PART }));
        }
      }
    }
  }
  return { ok: problems.length === 0, manifest, problems };
}
