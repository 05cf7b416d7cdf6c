/**
 * Model artifacts travel with their registry rows: every version the primary's registry holds
 * whose file is here and whose bytes the primary lacks is uploaded into model_artifacts, and
 * every version whose file is missing here is written from there. Bytes are checked against the
 * registry's sha256 both ways, so a damaged or changed file is never shared.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../ports';
import { ArtifactStore, sha256Hex, writeFileAtomic } from '../models/service/artifact-store';
import type { Storage } from '../storage/types';

/**
 * The sha256 of artifact files hashed before, by path, while their size and modification time
 * stay the same (artifacts are replaced whole, by rename): a sync runs every minute, and would
 * otherwise read and hash every model's file each time only to find it unchanged.
 */
const hashed = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/** The file's sha256, or null when there is no file. */
async function fileSha256(file: string): Promise<string | null> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (info === null) return null;
  const known = hashed.get(file);
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.sha256;
  const sha256 = sha256Hex(await readFile(file));
  hashed.set(file, { size: info.size, mtimeMs: info.mtimeMs, sha256 });
  return sha256;
}

export async function exchangeArtifacts(primary: Storage, dataDir: string, now: () => number, logger: Logger): Promise<{ uploaded: number; downloaded: number }> {
  const store = new ArtifactStore(dataDir);
  const registry = await primary.sql.query('SELECT model_id, artifact_path, artifact_sha256 FROM model_registry');
  const shared = new Map((await primary.sql.query('SELECT model_id, sha256 FROM model_artifacts')).map((row) => [String(row.model_id), String(row.sha256)]));
  let uploaded = 0;
  let downloaded = 0;
  for (const model of registry) {
    const modelId = String(model.model_id);
    const sha256 = String(model.artifact_sha256);
    const file = store.absolutePath(String(model.artifact_path));
    const localIntact = (await fileSha256(file)) === sha256;
    if (localIntact && shared.get(modelId) !== sha256) {
      const local = await readFile(file);
      // Checked again on the bytes sent: the file may have been replaced since it was hashed.
      if (sha256Hex(local) !== sha256) continue;
      await primary.sql.execute(
        `INSERT INTO model_artifacts (model_id, bytes, sha256, size, stored_at) VALUES ({id}, {bytes}, {sha256}, {size}, {at})
         ON CONFLICT (model_id) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256, size = excluded.size, stored_at = excluded.stored_at`,
        { id: modelId, bytes: local, sha256, size: local.byteLength, at: now() },
      );
      uploaded++;
    } else if (!localIntact && shared.get(modelId) === sha256) {
      const [row] = await primary.sql.query('SELECT bytes FROM model_artifacts WHERE model_id = {id}', { id: modelId });
      const bytes = row?.bytes as Buffer | undefined;
      if (!bytes || sha256Hex(bytes) !== sha256) {
        logger.warn('the team database holds a damaged artifact; it is not written here', { modelId });
        continue;
      }
      await writeFileAtomic(file, bytes);
      downloaded++;
    }
  }
  return { uploaded, downloaded };
}
