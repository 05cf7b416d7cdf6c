/**
 * Backups on SQLite: the round trip, then every refusal verification must give (a flipped
 * byte, a truncated archive, a missing part, a wrong passphrase, a newer format) and what an
 * archive holds of the secrets with and without a passphrase.
 */
import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/core/backups/archive/archive-reader';
import { ArchiveWriter } from '../../../src/core/backups/archive/archive-writer';
import { openSealedSecrets } from '../../../src/core/backups/archive/secrets-seal';
import { SECRETS_PART, SQLITE_PART } from '../../../src/core/backups/create-backup';
import { backupSecrets, describeBackupRoundTrip, seedWorkspace } from '../../support/backup-checks';
import { createTestCore, invokeFailure, type TestCore } from '../../support/test-core';

let test: TestCore;
beforeAll(async () => {
  test = await createTestCore();
  await seedWorkspace(test);
}, 60_000);
afterAll(() => test?.cleanup());

describe('backups on SQLite', () => {
  describeBackupRoundTrip(() => ({ test: () => test, databaseUrl: () => undefined }));
});

/** Every encoding a secret could be written in: as is, base64 and hex. */
function secretsIn(data: Buffer): string[] {
  return Object.values(backupSecrets).filter((value) =>
    [value, Buffer.from(value).toString('base64').replace(/=+$/, ''), Buffer.from(value).toString('hex')].some((encoded) => data.includes(encoded)),
  );
}

/** The archive file and the content of every part, decompressed: everything a reader could find. */
async function everyByteOf(file: string): Promise<Buffer[]> {
  const archive = await openArchive(file);
  const contents = [await readFile(file)];
  for (const part of archive.manifest.parts) {
    const chunks: Buffer[] = [];
    for await (const chunk of archive.readPart(part)) chunks.push(chunk as Buffer);
    contents.push(Buffer.concat(chunks));
  }
  return contents;
}

describe('refusals and secrets', () => {
  const passphrase = 'correct horse battery staple';
  let plain: string;
  let sealed: string;
  const scratch = () => path.join(test.dataDir, 'backups');

  beforeAll(async () => {
    // Pinned: the keep rules would otherwise prune the first of two backups made the same day.
    const pinned = async (input: { wait: true; passphrase?: string }) => {
      const { backup } = await test.call('backups.create', input);
      await test.call('backups.pin', { id: backup!.id, pinned: true });
      return backup!.path;
    };
    plain = await pinned({ wait: true });
    sealed = await pinned({ wait: true, passphrase });
  }, 60_000);

  const verifyFile = (file: string, withPassphrase?: string) =>
    test.call('backups.verify', { path: file, ...(withPassphrase === undefined ? {} : { passphrase: withPassphrase }) });

  it('an archive made without a passphrase holds none of the secrets, in any part', async () => {
    const archive = await openArchive(plain);
    expect(archive.manifest.secrets).toBeNull();
    expect(archive.manifest.parts.map((p) => p.name)).not.toContain(SECRETS_PART);
    for (const content of await everyByteOf(plain)) expect(secretsIn(content)).toEqual([]);
  });

  it('with a passphrase the secrets are inside only sealed, open with it, and a wrong one is refused', async () => {
    for (const content of await everyByteOf(sealed)) expect(secretsIn(content)).toEqual([]);
    const archive = await openArchive(sealed);
    expect(archive.manifest.secrets?.names).toEqual(['database', 'polygon', 'twelvedata']);
    const part = archive.manifest.parts.find((p) => p.name === SECRETS_PART)!;
    const chunks: Buffer[] = [];
    for await (const chunk of archive.readPart(part)) chunks.push(chunk as Buffer);
    expect(await openSealedSecrets(Buffer.concat(chunks), archive.manifest.secrets!, passphrase)).toEqual(backupSecrets);

    expect((await verifyFile(sealed, passphrase)).ok).toBe(true);
    const wrong = await verifyFile(sealed, 'not the passphrase');
    expect(wrong.ok).toBe(false);
    expect(wrong.problems).toEqual([expect.objectContaining({ part: SECRETS_PART, message: expect.stringMatching(/passphrase is wrong/) })]);
  });

  it('refuses a flipped byte, naming the part', async () => {
    const archive = await openArchive(plain);
    const database = archive.manifest.parts.find((p) => p.name === SQLITE_PART)!;
    const damaged = path.join(scratch(), 'flipped.mlbackup');
    const bytes = await readFile(plain);
    const at = database.offset + Math.floor(database.storedBytes / 2);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    await writeFile(damaged, bytes);
    const report = await verifyFile(damaged);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ part: SQLITE_PART, message: expect.stringMatching(/cannot be read|sha256/) });
  });

  it('refuses a flipped byte in the manifest, with both checksums', async () => {
    const damaged = path.join(scratch(), 'manifest-flipped.mlbackup');
    const bytes = await readFile(plain);
    const at = bytes.length - 100;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x20, at);
    await writeFile(damaged, bytes);
    const [problem] = (await verifyFile(damaged)).problems;
    expect(problem?.message).toMatch(/manifest is damaged \(sha256 [0-9a-f]{64}, expected [0-9a-f]{64}\)/);
  });

  it('refuses a truncated archive', async () => {
    const damaged = path.join(scratch(), 'truncated.mlbackup');
    await copyFile(plain, damaged);
    const { bytes } = await openArchive(plain);
    await truncate(damaged, Math.floor(bytes / 2));
    const report = await verifyFile(damaged);
    expect(report).toMatchObject({ ok: false, manifest: null });
    expect(report.problems[0]?.message).toMatch(/truncated or unfinished: its end marker is missing/);
  });

  it('refuses an archive missing a part, naming it', async () => {
    const original = await openArchive(plain);
    const writer = await ArchiveWriter.create(path.join(scratch(), 'missing-part.mlbackup'));
    for (const part of original.manifest.parts.filter((p) => p.name !== SQLITE_PART)) await writer.addPart(part.name, part.kind, original.readPart(part));
    const { formatVersion: _version, parts: _parts, ...rest } = original.manifest;
    const written = await writer.finish(rest);
    const report = await verifyFile(written.path);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ part: SQLITE_PART, message: `The database part ${SQLITE_PART} is missing.` })]);
  });

  it('refuses a table whose rows differ from the manifest, with expected and found', async () => {
    const original = await openArchive(plain);
    const writer = await ArchiveWriter.create(path.join(scratch(), 'wrong-count.mlbackup'));
    for (const part of original.manifest.parts) await writer.addPart(part.name, part.kind, original.readPart(part));
    const { formatVersion: _version, parts: _parts, tables, ...rest } = original.manifest;
    const written = await writer.finish({ ...rest, tables: tables.map((t) => (t.name === 'market_data' ? { ...t, rows: t.rows + 1 } : t)) });
    const [problem] = (await verifyFile(written.path)).problems;
    const rows = tables.find((t) => t.name === 'market_data')!.rows;
    expect(problem).toMatchObject({ table: 'market_data', expected: String(rows + 1), found: String(rows) });
  });

  it('refuses an archive of a newer format, naming both versions', async () => {
    const newer = path.join(scratch(), 'newer.mlbackup');
    const bytes = await readFile(plain);
    bytes.writeUInt32BE(2, 8);
    await writeFile(newer, bytes);
    const report = await verifyFile(newer);
    expect(report.problems[0]?.message).toMatch(/written in backup format 2, newer than format 1 that this version of Metalytics reads/);
  });

  it('lists only finished archives: nothing is left under a temporary name', async () => {
    const names = await readdir(scratch());
    expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
    const { backups } = await test.call('backups.list', {});
    for (const backup of backups) expect(createHash('sha256').update(await readFile(backup.path)).digest('hex')).toBe(backup.sha256);
  });

  it('refuses a file name that is not an archive', async () => {
    const error = await invokeFailure(test.core, 'backups.create', { path: path.join(scratch(), 'backup.zip'), wait: true });
    expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/must end with \.mlbackup/) });
  });
});
