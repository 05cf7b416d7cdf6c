import type { ModelStage, StageChange } from '../../shared/models';
import { nullableString, type SqlExecutor } from './sql-executor';
import type { ModelStageHistoryRepository } from './types';

export class SqlModelStageHistory implements ModelStageHistoryRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async record(modelId: string, change: StageChange): Promise<void> {
    await this.sql.execute(
      'INSERT INTO model_stage_history (model_id, at, from_stage, to_stage, reason) VALUES ({modelId}, {at}, {from}, {to}, {reason})',
      { modelId, ...change },
    );
  }

  async list(modelId: string): Promise<StageChange[]> {
    const rows = await this.sql.query(
      'SELECT at, from_stage AS "from", to_stage AS "to", reason FROM model_stage_history WHERE model_id = {modelId} ORDER BY at, id',
      { modelId },
    );
    return rows.map((row) => ({
      at: Number(row.at),
      from: nullableString(row.from) as ModelStage | null,
      to: row.to as ModelStage,
      reason: String(row.reason),
    }));
  }

  async activeAt(modelName: string, symbol: string, at: number): Promise<string | undefined> {
    // Per version of the name and symbol, its last change at or before `at`; the version whose
    // last change made it active was the active one then (a demotion is recorded in the same
    // transaction as the activation that caused it, so at most one qualifies but for ties in time).
    const [row] = await this.sql.query(
      `SELECT h.model_id AS "modelId" FROM model_stage_history h JOIN model_registry r ON r.model_id = h.model_id
       WHERE r.model_name = {modelName} AND r.symbol = {symbol} AND h.to_stage = 'active'
         AND h.id = (SELECT max(l.id) FROM model_stage_history l WHERE l.model_id = h.model_id AND l.at <= {at})
       ORDER BY h.at DESC, h.id DESC LIMIT 1`,
      { modelName, symbol, at },
    );
    return row ? String(row.modelId) : undefined;
  }
}
