import type Database from 'better-sqlite3';
import type { BackfillCheckpoint } from '../../shared/backfill';
import type { Bar, Coverage } from '../../shared/domain';
import { bucketStart, type Timeframe } from '../../shared/timeframes';
import { SAVE_CHECKPOINT_SQL } from './backfill-checkpoint-repository';
import { barsToWrite, minuteRollUpChunk, planMinuteRollUp, queryBarsFrom, removedBySource, type BarReader, type BaseExtent } from './bar-plan';
import {
  afterDeleteStatements,
  afterWriteStatements,
  barParams,
  baseExtentsSql,
  COUNT_BARS_SQL,
  countMinutesSql,
  DELETE_BAR_SQL,
  coverageSql,
  DELETE_MINUTES_SQL,
  FIRST_MINUTE_SQL,
  MINUTE_BARS_SQL,
  MINUTE_SERIES_SQL,
  nthLatestTimeSql,
  selectBarsSql,
  STORED_HOURS_SQL,
  toSqliteSql,
  type BarParams,
} from './bar-sql';
import { sortCoverage } from './coverage';
import type { SqliteConnectionLock } from './sqlite-connection';
import type { BarsChunk, BarsQuery, BarsQueryResult, MarketDataRepository, MinuteRollUp, UpsertResult } from './types';

/** Leaf pages of a table whose cells `rowBytes` averages: a bounded read, whatever the table's size. */
const ROW_BYTES_SAMPLE_PAGES = 256;
const MINUTES = { base: '1m', timeframe: '1m' } as const;

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

  minuteSeries(): Promise<{ symbol: string; first: number }[]> {
    return this.lock.run(() => this.all(MINUTE_SERIES_SQL, {}) as { symbol: string; first: number }[]);
  }

  countMinuteBars(symbol: string, range: { lo: number; hi: number }): Promise<MinuteRollUp> {
    return this.lock.run(() => {
      const row = this.statement(countMinutesSql('sqlite')).get({ symbol, ...range }) as { minutes: number; hours: number };
      return { minuteBars: row.minutes, hourBars: row.hours };
    });
  }

  rollUpMinuteBars(symbol: string, from: number, before: number): Promise<(MinuteRollUp & { next: number }) | null> {
    return this.lock.run(() =>
      this.db
        .transaction(() => {
          const first = this.statement(FIRST_MINUTE_SQL).get({ symbol, lo: from, hi: bucketStart(before, '1h') }) as { time: number } | undefined;
          if (!first) return null;
          const range = minuteRollUpChunk(first.time, before);
          const params = { symbol, ...range };
          const plan = planMinuteRollUp(
            this.all(MINUTE_BARS_SQL, params) as { time: number; source: string }[],
            this.all(selectBarsSql('sqlite', MINUTES, '1h', false), barParams(symbol, MINUTES, range)) as Bar[],
            this.all(STORED_HOURS_SQL, params) as Bar[],
          );
          for (const [source, bars] of plan.writes) this.writeChunk({ symbol, timeframe: '1h', source, bars }, bars);
          this.statement(DELETE_MINUTES_SQL).run(params);
          for (const { text, params: statementParams } of afterDeleteStatements('sqlite', symbol, '1m', range, plan.removed)) {
            this.statement(text).run(statementParams);
          }
          return { minuteBars: plan.minuteBars, hourBars: plan.hourBars, next: range.hi };
        })
        .immediate(),
    );
  }

  deleteBars(symbol: string, timeframe: Timeframe, times: readonly number[]): Promise<number> {
    return this.lock.run(() =>
      this.db
        .transaction((): number => {
          const removed = removedBySource(
            [...times]
              .sort((a, b) => a - b)
              .map((time) => this.statement(DELETE_BAR_SQL).get({ symbol, timeframe, time }) as { time: number; source: string } | undefined),
          );
          if (removed.count === 0) return 0;
          for (const { text, params } of afterDeleteStatements('sqlite', symbol, timeframe, removed.range, removed.bySource)) {
            this.statement(text).run(params);
          }
          return removed.count;
        })
        .immediate(),
    );
  }

  /**
   * From dbstat, SQLite's view of its own pages, where the build has it: the page bytes per
   * cell over a sample of each table's leaf pages (both tables are WITHOUT ROWID, so a cell
   * is a row, its key included; interior pages add well under 1%). Otherwise the file's used
   * pages shared evenly among the stored bars.
   */
  rowBytes(): Promise<{ bar: number; rollup: number }> {
    return this.lock.run(() => {
      const perCell = (table: string): number => {
        const row = this.db
          .prepare(`SELECT sum(pgsize) AS bytes, sum(ncell) AS cells FROM (SELECT pgsize, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT ${ROW_BYTES_SAMPLE_PAGES})`)
          .get(table) as { bytes: number | null; cells: number | null };
        return row.cells ? row.bytes! / row.cells : 0;
      };
      try {
        return { bar: perCell('market_data'), rollup: perCell('market_data_rollup') };
      } catch {
        const pages = (this.db.pragma('page_count', { simple: true }) as number) - (this.db.pragma('freelist_count', { simple: true }) as number);
        const bars = (this.statement(COUNT_BARS_SQL).get() as { n: number }).n;
        const perBar = bars === 0 ? 0 : (pages * (this.db.pragma('page_size', { simple: true }) as number)) / bars;
        return { bar: perBar, rollup: perBar };
      }
    });
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
