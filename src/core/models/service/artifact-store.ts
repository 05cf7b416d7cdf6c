import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** The model's artifact file, relative to the data folder as the registry stores it. */
const ARTIFACT_FILE = 'artifact.bin';

/**
 * Writes `bytes` so that `file` holds either the old content or all of the new one, even after
 * a crash: a temporary file beside it, flushed to disk, renamed over it, the folder flushed.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true });
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename itself lives in the folder's entry; Windows cannot open a folder to flush it.
  if (process.platform !== 'win32') {
    const dir = await open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

/**
 * Model artifacts under `<dataDir>/models/<modelId>/`. Every read checks the file's sha256
 * against the registry's, so a changed or damaged artifact is refused, never used.
 */
export class ArtifactStore {
  constructor(private readonly dataDir: string) {}

  /** The registry's path of a model's artifact: relative to the data folder, '/'-separated on every OS. */
  relativePath(modelId: string): string {
    return `models/${safeSegment(modelId)}/${ARTIFACT_FILE}`;
  }

  absolutePath(relativePath: string): string {
    return path.join(this.dataDir, ...relativePath.split('/'));
  }

  async write(modelId: string, bytes: Uint8Array): Promise<{ artifactPath: string; sha256: string }> {
    const artifactPath = this.relativePath(modelId);
    await writeFileAtomic(this.absolutePath(artifactPath), bytes);
    return { artifactPath, sha256: sha256Hex(bytes) };
  }

  /** The artifact's bytes; CORRUPT when they are not the ones registered, NOT_FOUND when the file is gone. */
  async read(model: { modelId: string; artifactPath: string; artifactSha256: string }): Promise<Uint8Array> {
    const file = this.absolutePath(model.artifactPath);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AppError('NOT_FOUND', `The artifact of model ${model.modelId} is missing: ${file} does not exist. Import the model again from an export.`, {
          modelId: model.modelId,
          file,
        });
      }
      throw error;
    }
    const actual = sha256Hex(bytes);
    if (actual !== model.artifactSha256) {
      throw new AppError(
        'CORRUPT',
        `The artifact of model ${model.modelId} has changed since it was registered, so it is not used: ${file} has sha256 ${actual}, the registry expects ${model.artifactSha256}. Import the model again from an export, or train it again.`,
        { modelId: model.modelId, file, expected: model.artifactSha256, actual },
      );
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Deletes the model's folder; false when there was nothing there. */
  async remove(modelId: string): Promise<boolean> {
    const folder = path.dirname(this.absolutePath(this.relativePath(modelId)));
    const existed = await open(folder, 'r').then(
      async (handle) => (await handle.close(), true),
      () => false,
    );
    await rm(folder, { recursive: true, force: true });
    return existed;
  }
}

/** Model ids are UUIDs; anything else that reaches a path is refused rather than allowed to climb out of the folder. */
function safeSegment(modelId: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(modelId)) throw new AppError('VALIDATION', `Not a model id: ${JSON.stringify(modelId.slice(0, 100))}`);
  return modelId;
}
