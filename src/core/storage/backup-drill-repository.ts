import type { RestoreDrill } from '../../shared/backups';
import { json, nullableString, parseBoolean, parseJson, sqlBoolean, type Row, type SqlExecutor } from './sql-executor';
import type { BackupDrillRepository } from './types';

const COLUMNS = 'id, backup_id AS "backupId", at, ok, duration_ms AS "durationMs", checks, error';

function toDrill(row: Row): RestoreDrill {
  return {
    id: String(row.id),
    backupId: String(row.backupId),
    at: Number(row.at),
    ok: parseBoolean(row.ok),
    durationMs: Number(row.durationMs),
    checks: parseJson<RestoreDrill['checks']>(row.checks),
    error: nullableString(row.error),
  };
}

export class SqlBackupDrills implements BackupDrillRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async record(drill: RestoreDrill): Promise<void> {
    await this.sql.execute(
      `INSERT INTO backup_drills (id, backup_id, at, ok, duration_ms, checks, error)
       VALUES ({id}, {backupId}, {at}, {ok}, {durationMs}, {checks}, {error})`,
      { ...drill, ok: sqlBoolean(drill.ok), checks: json(drill.checks) },
    );
  }

  async latest(): Promise<RestoreDrill | undefined> {
    const [row] = await this.sql.query(`SELECT ${COLUMNS} FROM backup_drills ORDER BY at DESC, id DESC LIMIT 1`);
    return row && toDrill(row);
  }
}
