import type { Backup } from '../../shared/backups';
import { AppError } from '../../shared/errors';
import { json, nullableNumber, nullableString, parseBoolean, sqlBoolean, type Row, type SqlExecutor } from './sql-executor';
import type { BackupRepository, BackupStart } from './types';

const COLUMNS = `id, created_at AS "createdAt", finished_at AS "finishedAt", kind, status, path, size_bytes AS "sizeBytes", sha256,
  schema_version AS "schemaVersion", app_version AS "appVersion", encrypted, verified_at AS "verifiedAt", error, pinned`;

function toBackup(row: Row): Backup {
  return {
    id: String(row.id),
    createdAt: Number(row.createdAt),
    finishedAt: nullableNumber(row.finishedAt),
    kind: row.kind as Backup['kind'],
    status: row.status as Backup['status'],
    path: String(row.path),
    sizeBytes: nullableNumber(row.sizeBytes),
    sha256: nullableString(row.sha256),
    schemaVersion: String(row.schemaVersion),
    appVersion: String(row.appVersion),
    encrypted: parseBoolean(row.encrypted),
    verifiedAt: nullableNumber(row.verifiedAt),
    error: nullableString(row.error),
    pinned: parseBoolean(row.pinned),
  };
}

export class SqlBackups implements BackupRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async start(backup: BackupStart): Promise<void> {
    await this.sql.execute(
      `INSERT INTO backups (id, created_at, kind, status, path, schema_version, app_version, encrypted)
       VALUES ({id}, {createdAt}, {kind}, 'running', {path}, {schemaVersion}, {appVersion}, {encrypted})`,
      { ...backup, encrypted: sqlBoolean(backup.encrypted) },
    );
  }

  async finish(id: string, end: Parameters<BackupRepository['finish']>[1]): Promise<void> {
    const changed = await this.sql.execute(
      `UPDATE backups SET status = {status}, finished_at = {finishedAt}, size_bytes = {sizeBytes}, sha256 = {sha256},
         manifest = {manifest}, verified_at = {verifiedAt}, error = {error} WHERE id = {id}`,
      { ...end, id, manifest: end.manifest ? json(end.manifest) : null },
    );
    if (changed === 0) throw new AppError('NOT_FOUND', `No backup ${id} to finish.`);
  }

  async recordVerification(id: string, outcome: Pick<Backup, 'status' | 'verifiedAt' | 'error'>): Promise<void> {
    await this.sql.execute(`UPDATE backups SET status = {status}, verified_at = {verifiedAt}, error = {error} WHERE id = {id}`, { ...outcome, id });
  }

  async get(id: string): Promise<Backup | undefined> {
    const [row] = await this.sql.query(`SELECT ${COLUMNS} FROM backups WHERE id = {id}`, { id });
    return row && toBackup(row);
  }

  async list(limit: number): Promise<Backup[]> {
    const rows = await this.sql.query(`SELECT ${COLUMNS} FROM backups ORDER BY created_at DESC, id DESC LIMIT {limit}`, { limit });
    return rows.map(toBackup);
  }

  async all(): Promise<Backup[]> {
    const rows = await this.sql.query(`SELECT ${COLUMNS} FROM backups ORDER BY created_at DESC, id DESC`);
    return rows.map(toBackup);
  }

  async lastGood(): Promise<Backup | undefined> {
    const [row] = await this.sql.query(`SELECT ${COLUMNS} FROM backups WHERE status = 'verified' ORDER BY created_at DESC, id DESC LIMIT 1`);
    return row && toBackup(row);
  }

  async setPinned(id: string, pinned: boolean): Promise<boolean> {
    return (await this.sql.execute('UPDATE backups SET pinned = {pinned} WHERE id = {id}', { id, pinned: sqlBoolean(pinned) })) > 0;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute('DELETE FROM backups WHERE id = {id}', { id })) > 0;
  }

  async failRunning(at: number, error: string): Promise<number> {
    return this.sql.execute(`UPDATE backups SET status = 'failed', finished_at = {at}, error = {error} WHERE status = 'running'`, { at, error });
  }
}
