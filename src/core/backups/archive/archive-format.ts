/**
 * The backup archive, format 1, one file:
 *
 *   header   8 bytes "MLBACKUP", uint32 BE format version, uint32 BE 0 (reserved)
 *   parts    each part's content as one gzip member, back to back, where the manifest says
 *   manifest UTF-8 JSON (see archiveManifestSchema), uncompressed so listing reads it cheaply
 *   footer   uint64 BE manifest offset, uint32 BE manifest length, 32 bytes sha256 of the
 *            manifest, 8 bytes "MLBKEND\n"
 *
 * The version comes first so a reader refuses a newer archive before it reads anything whose
 * layout may have changed; the footer comes last so a truncated file is told at once (its end
 * marker is gone), and the parts can be streamed in without knowing their sizes beforehand.
 */
export const ARCHIVE_FORMAT_VERSION = 1;
export const ARCHIVE_MAGIC = Buffer.from('MLBACKUP', 'ascii');
export const ARCHIVE_END_MAGIC = Buffer.from('MLBKEND\n', 'ascii');
export const HEADER_BYTES = ARCHIVE_MAGIC.length + 8;
export const FOOTER_BYTES = 8 + 4 + 32 + ARCHIVE_END_MAGIC.length;
/** The file name every archive ends with; a file being written has another, so it is never listed. */
export const ARCHIVE_EXTENSION = '.mlbackup';

export function encodeHeader(formatVersion: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  ARCHIVE_MAGIC.copy(header, 0);
  header.writeUInt32BE(formatVersion, ARCHIVE_MAGIC.length);
  return header;
}

export function encodeFooter(manifestOffset: number, manifestLength: number, manifestSha256: Buffer): Buffer {
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeBigUInt64BE(BigInt(manifestOffset), 0);
  footer.writeUInt32BE(manifestLength, 8);
  manifestSha256.copy(footer, 12);
  ARCHIVE_END_MAGIC.copy(footer, 44);
  return footer;
}

export function decodeFooter(footer: Buffer): { manifestOffset: number; manifestLength: number; manifestSha256: Buffer } | null {
  if (!footer.subarray(44).equals(ARCHIVE_END_MAGIC)) return null;
  return {
    manifestOffset: Number(footer.readBigUInt64BE(0)),
    manifestLength: footer.readUInt32BE(8),
    manifestSha256: footer.subarray(12, 44),
  };
}
