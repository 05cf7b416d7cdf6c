import { json, type SqlExecutor } from './sql-executor';
import type { AuditLogRepository } from './types';

export class SqlAuditLog implements AuditLogRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async record(entry: Parameters<AuditLogRepository['record']>[0]): Promise<void> {
    await this.sql.execute('INSERT INTO audit_log (at, actor, action, details) VALUES ({at}, {actor}, {action}, {details})', {
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      details: entry.details === undefined ? null : json(entry.details),
    });
  }
}
