/**
 * Model artifacts travel with their registry rows: every version the primary's registry holds
 * whose file is here and whose bytes the primary lacks is uploaded into model_artifacts, and
 * every version whose file is missing here is written from there. Bytes are checked against the
 * registry's sha256 both ways, so a damaged or changed file is never shared.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '../ports';
import { ArtifactStore, sha256Hex, writeFileAtomic } from '../models/service/artifact-store';
import type { Storage } from '../storage/types';

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
    const local = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const localIntact = local !== null && sha256Hex(local) === sha256;
    if (localIntact && shared.get(modelId) !== sha256) {
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
