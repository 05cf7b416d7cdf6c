import type Database from 'better-sqlite3';
import type { BackfillCheckpoint } from '../../shared/backfill';
import type { Bar, Coverage } from '../../shared/domain';
import { SAVE_CHECKPOINT_SQL } from './backfill-checkpoint-repository';
import { barsToWrite, queryBarsFrom, type BarReader, type BaseExtent } from './bar-plan';
import {
  afterWriteStatements,
  barParams,
  baseExtentsSql,
  COUNT_BARS_SQL,
  coverageSql,
  nthLatestTimeSql,
  selectBarsSql,
  toSqliteSql,
  type BarParams,
} from './bar-sql';
import { sortCoverage } from './coverage';
import type { SqliteConnectionLock } from './sqlite-connection';
import type { BarsChunk, BarsQuery, BarsQueryResult, MarketDataRepository, UpsertResult } from './types';

/**
 * Market data on better-sqlite3: prepared statements in one immediate transaction for
 * writes, and the shared aggregation SQL for reads. Statements are cached by their text.
 * Every call takes its turn on the connection's lock: a write made while an executor
 * transaction is open between its awaits would otherwise join it, and go with its rollback.
 */
export class SqliteMarketData implements MarketDataRepository {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertBar: Database.Statement;
  private readonly storedBar: Database.Statement;
  private readonly updateBar: Database.Statement;
  private readonly reader: BarReader;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
    private readonly lock: SqliteConnectionLock,
  ) {
    this.insertBar = db.prepare(
      `INSERT INTO market_data (symbol, timeframe, time, open, high, low, close, volume, source, ingested_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (symbol, timeframe, time) DO NOTHING`,
    );
    this.storedBar = db
      .prepare('SELECT open, high, low, close, volume, source FROM market_data WHERE symbol = ? AND timeframe = ? AND time = ?')
      .raw(true);
    this.updateBar = db.prepare(
      `UPDATE market_data SET open = ?, high = ?, low = ?, close = ?, volume = ?, source = ?, ingested_at = ?
       WHERE symbol = ? AND timeframe = ? AND time = ?`,
    );
    this.reader = {
      baseExtents: async (symbol, candidates) => this.all(baseExtentsSql(candidates), { symbol }) as BaseExtent[],
      nthLatestTime: async (symbol, level, range, n) => {
        const row = this.statement(nthLatestTimeSql(level)).get(barParams(symbol, level, range, { offset: n - 1 })) as
          | { time: number }
          | undefined;
        return row?.time;
      },
      aggregate: async (symbol, level, target, range, limit) =>
        this.all(selectBarsSql('sqlite', level, target, limit !== undefined), barParams(symbol, level, range, { limit })) as Bar[],
    };
  }

  upsertBars(input: BarsChunk): Promise<UpsertResult> {
    return this.lock.run(() => {
      const bars = barsToWrite(input);
      return this.db.transaction(() => this.writeChunk(input, bars)).immediate();
    });
  }

  upsertBarsWithCheckpoint(input: BarsChunk, checkpoint: BackfillCheckpoint): Promise<UpsertResult> {
    return this.lock.run(() => {
      const bars = barsToWrite(input);
      return this.db
        .transaction((): UpsertResult => {
          const result = this.writeChunk(input, bars);
          this.statement(SAVE_CHECKPOINT_SQL).run(checkpoint);
          return result;
        })
        .immediate();
    });
  }

  /** The bars and their rollups; runs inside the caller's transaction. */
  private writeChunk(input: BarsChunk, bars: readonly Bar[]): UpsertResult {
    const { symbol, timeframe, source } = input;
    const ingestedAt = this.now();
    let inserted = 0;
    let updated = 0;
    let added = 0;
    const changedTimes: number[] = [];
    const taken = new Map<string, number[]>();
    for (const { time, open, high, low, close, volume } of bars) {
      if (this.insertBar.run(symbol, timeframe, time, open, high, low, close, volume, source, ingestedAt).changes > 0) {
        inserted++;
        added++;
        changedTimes.push(time);
        continue;
      }
      // Already stored: compare here rather than in an UPDATE … WHERE, since the
      // previous source is needed for the summary when a provider's bar is replaced.
      const [o, h, l, c, v, previous] = this.storedBar.get(symbol, timeframe, time) as [number, number, number, number, number, string];
      if (o === open && h === high && l === low && c === close && v === volume && previous === source) continue;
      this.updateBar.run(open, high, low, close, volume, source, ingestedAt, symbol, timeframe, time);
      updated++;
      changedTimes.push(time);
      if (previous !== source) {
        added++;
        const times = taken.get(previous);
        if (times) times.push(time);
        else taken.set(previous, [time]);
      }
    }
    const chunk = { symbol, timeframe, source, first: bars[0]?.time ?? 0, last: bars.at(-1)?.time ?? 0 };
    for (const { text, params } of afterWriteStatements('sqlite', chunk, { changedTimes, added, taken })) {
      this.statement(text).run(params);
    }
    return { inserted, updated, unchanged: bars.length - inserted - updated };
  }

  queryBars(query: BarsQuery): Promise<BarsQueryResult> {
    return this.lock.run(() => queryBarsFrom(this.reader, query));
  }

  coverage(symbol?: string): Promise<Coverage[]> {
    return this.lock.run(() => sortCoverage(this.all(coverageSql(symbol !== undefined), { symbol }) as Coverage[]));
  }

  countBars(): Promise<number> {
    return this.lock.run(() => (this.statement(COUNT_BARS_SQL).get() as { n: number }).n);
  }

  private all(text: string, params: Partial<BarParams>): unknown[] {
    return this.statement(text).all(params);
  }

  private statement(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(toSqliteSql(text));
      this.statements.set(text, statement);
    }
    return statement;
  }
}
