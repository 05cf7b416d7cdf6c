import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { archiveManifestSchema, type ArchiveManifest, type ArchivePart } from '../../../shared/backups';
import { AppError } from '../../../shared/errors';
import { ARCHIVE_FORMAT_VERSION, ARCHIVE_MAGIC, decodeFooter, FOOTER_BYTES, HEADER_BYTES } from './archive-format';

export interface OpenedArchive {
  readonly path: string;
  readonly bytes: number;
  readonly manifest: ArchiveManifest;
  /** The part's content, decompressed; a damaged part fails the stream. */
  readPart(part: ArchivePart): Readable;
}

const damaged = (file: string, why: string) => new AppError('CORRUPT', `${file} is not a usable backup: ${why}.`);

async function readAt(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Opens an archive and checks its frame: header, format version, end marker, manifest and its
 * checksum, and that the parts fill the file exactly. Refuses with CORRUPT (damaged or
 * truncated) or VALIDATION (a newer format), naming what is wrong.
 */
export async function openArchive(file: string): Promise<OpenedArchive> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new AppError('NOT_FOUND', `Cannot open the backup ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`);
  });
  const { size } = await handle.stat().finally(() => handle.close());
  if (size < HEADER_BYTES) throw damaged(file, `it is ${size} bytes long, shorter than an archive header`);
  const header = await readAt(file, 0, HEADER_BYTES);
  if (!header.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC)) throw damaged(file, 'it does not start as a Metalytics backup does');
  const formatVersion = header.readUInt32BE(ARCHIVE_MAGIC.length);
  if (formatVersion > ARCHIVE_FORMAT_VERSION) {
    throw new AppError(
      'VALIDATION',
      `${file} was written in backup format ${formatVersion}, newer than format ${ARCHIVE_FORMAT_VERSION} that this version of Metalytics reads; update Metalytics to open it.`,
      { formatVersion, supported: ARCHIVE_FORMAT_VERSION },
    );
  }
  const footer = size >= HEADER_BYTES + FOOTER_BYTES ? decodeFooter(await readAt(file, size - FOOTER_BYTES, FOOTER_BYTES)) : null;
  if (!footer) throw damaged(file, `it is truncated or unfinished: its end marker is missing (${size} bytes)`);
  const { manifestOffset, manifestLength, manifestSha256 } = footer;
  if (manifestOffset < HEADER_BYTES || manifestOffset + manifestLength !== size - FOOTER_BYTES) {
    throw damaged(file, `its end marker places the manifest at ${manifestOffset}+${manifestLength}, outside the file's ${size} bytes`);
  }
  const encoded = await readAt(file, manifestOffset, manifestLength);
  const found = createHash('sha256').update(encoded).digest();
  if (!found.equals(manifestSha256)) {
    throw damaged(file, `its manifest is damaged (sha256 ${found.toString('hex')}, expected ${manifestSha256.toString('hex')})`);
  }
  const parsed = archiveManifestSchema.safeParse(JSON.parse(encoded.toString('utf8')));
  if (!parsed.success) throw damaged(file, `its manifest does not describe a backup (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const manifest = parsed.data;
  let expectedOffset = HEADER_BYTES;
  for (const part of manifest.parts) {
    if (part.offset !== expectedOffset) throw damaged(file, `part ${part.name} starts at byte ${part.offset}, expected ${expectedOffset}`);
    expectedOffset += part.storedBytes;
  }
  if (expectedOffset !== manifestOffset) throw damaged(file, `its parts end at byte ${expectedOffset} but the manifest starts at ${manifestOffset}`);

  return {
    path: file,
    bytes: size,
    manifest,
    readPart: (part) => {
      const gunzip = createGunzip();
      const raw = createReadStream(file, { start: part.offset, end: part.offset + part.storedBytes - 1 });
      raw.on('error', (error) => gunzip.destroy(error));
      return raw.pipe(gunzip);
    },
  };
}
