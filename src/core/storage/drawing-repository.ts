import type { Drawing } from '../../shared/drawings';
import { json, nullableString, parseJson, type Row, type SqlExecutor } from './sql-executor';
import type { DrawingRepository } from './types';

const DRAWING_COLUMNS = 'id, symbol, kind, points, text, version, created_at AS "createdAt", updated_at AS "updatedAt"';

function toDrawing(row: Row): Drawing {
  return {
    id: String(row.id),
    symbol: String(row.symbol),
    kind: row.kind as Drawing['kind'],
    points: parseJson<Drawing['points']>(row.points),
    text: nullableString(row.text),
    version: Number(row.version),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

export class SqlDrawings implements DrawingRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(symbol: string): Promise<Drawing[]> {
    return (await this.sql.query(`SELECT ${DRAWING_COLUMNS} FROM drawings WHERE symbol = {symbol} ORDER BY created_at, id`, { symbol })).map(toDrawing);
  }

  async get(id: string): Promise<Drawing | undefined> {
    const [row] = await this.sql.query(`SELECT ${DRAWING_COLUMNS} FROM drawings WHERE id = {id}`, { id });
    return row && toDrawing(row);
  }

  async count(symbol: string): Promise<number> {
    const [row] = await this.sql.query('SELECT count(*) AS n FROM drawings WHERE symbol = {symbol}', { symbol });
    return Number(row!.n);
  }

  async create(drawing: Drawing): Promise<Drawing> {
    await this.sql.execute(
      `INSERT INTO drawings (id, symbol, kind, points, text, version, created_at, updated_at)
       VALUES ({id}, {symbol}, {kind}, {points}, {text}, {version}, {createdAt}, {updatedAt})`,
      { ...drawing, points: json(drawing.points) },
    );
    return drawing;
  }

  async save(drawing: Drawing): Promise<boolean> {
    const changed = await this.sql.execute(
      `UPDATE drawings SET points = {points}, text = {text}, version = version + 1, updated_at = {updatedAt}
       WHERE id = {id} AND version = {version}`,
      { id: drawing.id, version: drawing.version, points: json(drawing.points), text: drawing.text, updatedAt: drawing.updatedAt },
    );
    return changed === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.execute('DELETE FROM drawings WHERE id = {id}', { id })) > 0;
  }
}
