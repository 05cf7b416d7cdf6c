import { createHash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { ArchiveManifest, ArchivePart } from '../../../shared/backups';
import { ARCHIVE_FORMAT_VERSION, encodeFooter, encodeHeader } from './archive-format';

/** Speed over size: the database part is most of the archive and a backup must keep up with the backup API's copy. */
const GZIP_LEVEL = zlibConstants.Z_BEST_SPEED;

export interface WrittenArchive {
  path: string;
  bytes: number;
  sha256: string;
  manifest: ArchiveManifest;
}

/**
 * Writes one archive (see archive-format.ts) under a temporary name beside `target`, and gives
 * it its name only once every byte is on disk, so a half-written archive is never listed.
 */
export class ArchiveWriter {
  private position = 0;
  private readonly fileHash = createHash('sha256');
  private readonly parts: ArchivePart[] = [];

  private constructor(
    private readonly target: string,
    private readonly temporary: string,
    private readonly file: FileHandle,
  ) {}

  static async create(target: string): Promise<ArchiveWriter> {
    // A dot name without the archive extension: listings skip it, and a crash leaves it for cleanup to find.
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.partial`);
    const file = await open(temporary, 'w', 0o600);
    const writer = new ArchiveWriter(target, temporary, file);
    await writer.append(encodeHeader(ARCHIVE_FORMAT_VERSION));
    return writer;
  }

  /** Streams `content` into the archive compressed, hashing it as it goes. */
  async addPart(name: string, kind: ArchivePart['kind'], content: Readable | AsyncIterable<Buffer | string> | Iterable<Buffer>): Promise<ArchivePart> {
    const offset = this.position;
    const contentHash = createHash('sha256');
    let bytes = 0;
    const measure = new Transform({
      transform(chunk: Buffer | string, _encoding, done) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        contentHash.update(buffer);
        bytes += buffer.length;
        done(null, buffer);
      },
    });
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.append(chunk).then(() => done(), done);
      },
    });
    await pipeline(content, measure, createGzip({ level: GZIP_LEVEL }), sink);
    const part: ArchivePart = { name, kind, offset, storedBytes: this.position - offset, bytes, sha256: contentHash.digest('hex') };
    this.parts.push(part);
    return part;
  }

  /** Writes the manifest and footer, makes the file durable and gives it its name. */
  async finish(manifest: Omit<ArchiveManifest, 'parts' | 'formatVersion'>): Promise<WrittenArchive> {
    const complete: ArchiveManifest = { formatVersion: ARCHIVE_FORMAT_VERSION, ...manifest, parts: this.parts };
    const encoded = Buffer.from(JSON.stringify(complete));
    const manifestOffset = this.position;
    await this.append(encoded);
    await this.append(encodeFooter(manifestOffset, encoded.length, createHash('sha256').update(encoded).digest()));
    await this.file.sync();
    await this.file.close();
    await rename(this.temporary, this.target);
    await syncFolder(path.dirname(this.target));
    return { path: this.target, bytes: this.position, sha256: this.fileHash.digest('hex'), manifest: complete };
  }

  /** Drops the unfinished file; safe to call after a failure at any point. */
  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.temporary, { force: true });
  }

  private async append(buffer: Buffer): Promise<void> {
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await this.file.write(buffer, written, buffer.length - written, this.position + written);
      written += bytesWritten;
    }
    this.fileHash.update(buffer);
    this.position += buffer.length;
  }
}

/** Makes a rename in `folder` durable; Windows cannot open a folder for this, and its renames are journalled by NTFS. */
export async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
