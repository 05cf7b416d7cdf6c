import { json, nullableString, parseJson, type Row, type SqlExecutor } from './sql-executor';
import type { RecordedRestore, RestoreRepository } from './types';

const COLUMNS = `id, started_at AS "startedAt", finished_at AS "finishedAt", restored_from AS "restoredFrom",
  safety_backup_id AS "safetyBackupId", database, tables`;

function toRestore(row: Row): RecordedRestore {
  return {
    id: String(row.id),
    startedAt: Number(row.startedAt),
    finishedAt: Number(row.finishedAt),
    from: String(row.restoredFrom),
    safetyBackupId: nullableString(row.safetyBackupId),
    database: row.database as RecordedRestore['database'],
    tables: parseJson<RecordedRestore['tables']>(row.tables),
  };
}

export class SqlRestores implements RestoreRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async record(restore: RecordedRestore): Promise<void> {
    await this.sql.execute(
      `INSERT INTO restores (id, started_at, finished_at, restored_from, safety_backup_id, database, tables)
       VALUES ({id}, {startedAt}, {finishedAt}, {from}, {safetyBackupId}, {database}, {tables})`,
      { ...restore, tables: json(restore.tables) },
    );
  }

  async latest(): Promise<RecordedRestore | undefined> {
    const [row] = await this.sql.query(`SELECT ${COLUMNS} FROM restores ORDER BY finished_at DESC, id DESC LIMIT 1`);
    return row && toRestore(row);
  }
}
