import type pg from 'pg';
import type { BackfillCheckpoint } from '../../shared/backfill';
import type { Bar, Coverage } from '../../shared/domain';
import { SAVE_CHECKPOINT_SQL } from './backfill-checkpoint-repository';
import { barsToWrite, minuteRollUpChunk, planMinuteRollUp, queryBarsFrom, removedBySource, type BarReader, type BaseExtent } from './bar-plan';
import {
  afterDeleteStatements,
  afterWriteStatements,
  barParams,
  baseExtentsSql,
  COUNT_BARS_SQL,
  countMinutesSql,
  coverageSql,
  DELETE_MINUTES_SQL,
  FIRST_MINUTE_SQL,
  LOCK_SERIES_SQL,
  MINUTE_BARS_SQL,
  MINUTE_SERIES_SQL,
  nthLatestTimeSql,
  selectBarsSql,
  STORED_HOURS_SQL,
  toPgSql,
  type BarParams,
  type ChunkChange,
} from './bar-sql';
import { inTransaction } from './pg-connection';
import { sortCoverage } from './coverage';
import type { BarsChunk, BarsQuery, BarsQueryResult, MarketDataRepository, MinuteRollUp, UpsertResult } from './types';
import { bucketStart, type Timeframe } from '../../shared/timeframes';

const MINUTES = { base: '1m', timeframe: '1m' } as const;

/** The whole chunk in one statement: the bars travel as six arrays. */
const INSERT_BARS = `INSERT INTO market_data AS m (symbol, timeframe, time, open, high, low, close, volume, source, ingested_at)
SELECT $1, $2, b.time, b.open, b.high, b.low, b.close, b.volume, $9, $10
FROM unnest($3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[]) AS b(time, open, high, low, close, volume)`;

/**
 * A bar already stored with identical values is left alone (the WHERE of DO UPDATE), so
 * `written` lists exactly the inserted (xmax = 0) and updated rows. `previous` runs on the
 * statement's starting snapshot and tells which source an updated bar had. The chunk's
 * first and last time ($11, $12) let TimescaleDB plan only the chunks they span; a join
 * rather than `time = ANY($3)`, which TimescaleDB's planner checks against every compressed
 * batch, element by element (19 s to plan 5,383 daily bars over compressed chunks).
 */
const UPSERT_BARS = `WITH previous AS (
  SELECT m.time, m.source FROM market_data m JOIN unnest($3::bigint[]) AS b(time) ON b.time = m.time
  WHERE m.symbol = $1 AND m.timeframe = $2 AND m.time BETWEEN $11 AND $12
), written AS (
${INSERT_BARS}
ON CONFLICT (symbol, timeframe, time) DO UPDATE SET
  open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume,
  source = excluded.source, ingested_at = excluded.ingested_at
WHERE (m.open, m.high, m.low, m.close, m.volume, m.source)
  IS DISTINCT FROM (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume, excluded.source)
RETURNING m.time AS time, (m.xmax = 0) AS inserted
)
SELECT w.time, w.inserted, p.source AS previous_source FROM written w LEFT JOIN previous p ON p.time = w.time ORDER BY w.time`;

const RANGE_OCCUPIED = `SELECT EXISTS (
  SELECT 1 FROM market_data WHERE symbol = $1 AND timeframe = $2 AND time >= $3 AND time <= $4
) AS occupied`;

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * One column of a chunk as a Postgres array literal. node-postgres builds the same text
 * element by element; one join takes about half the time, and turning the chunk's numbers
 * into text is most of what a write costs the event loop. The numbers are finite (checked
 * by barsToWrite), and JavaScript prints them in a form bigint and float8 read back exactly.
 */
function arrayLiteral(bars: readonly Bar[], field: keyof Bar): string {
  const column = new Array<number>(bars.length);
  for (let i = 0; i < bars.length; i++) column[i] = bars[i]![field];
  return `{${column.join(',')}}`;
}

/** Market data on node-postgres with the shared aggregation SQL. */
export class PgMarketData implements MarketDataRepository {
  private readonly compiled = new Map<string, ReturnType<typeof toPgSql>>();
  private readonly reader: BarReader;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number,
  ) {
    // Every read is bounded by its base's stored extent (see queryBarsFrom), which is what lets
    // TimescaleDB exclude the chunks outside it when planning.
    this.reader = {
      baseExtents: (symbol, candidates) => this.rows<BaseExtent>(this.pool, baseExtentsSql(candidates), { symbol }),
      nthLatestTime: async (symbol, level, range, n) => {
        const [row] = await this.rows<{ time: number }>(this.pool, nthLatestTimeSql(level), barParams(symbol, level, range, { offset: n - 1 }));
        return row?.time;
      },
      aggregate: (symbol, level, target, range, limit) =>
        this.rows<Bar>(this.pool, selectBarsSql('postgres', level, target, limit !== undefined), barParams(symbol, level, range, { limit })),
    };
  }

  async upsertBars(input: BarsChunk): Promise<UpsertResult> {
    const bars = barsToWrite(input);
    if (bars.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    return inTransaction(this.pool, (client) => this.writeChunk(client, input, bars));
  }

  async upsertBarsWithCheckpoint(input: BarsChunk, checkpoint: BackfillCheckpoint): Promise<UpsertResult> {
    const bars = barsToWrite(input);
    return inTransaction(this.pool, async (client) => {
      const result = bars.length === 0 ? { inserted: 0, updated: 0, unchanged: 0 } : await this.writeChunk(client, input, bars);
      const save = toPgSql(SAVE_CHECKPOINT_SQL);
      await client.query(
        save.text,
        save.names.map((name) => (checkpoint as Record<string, unknown>)[name]),
      );
      return result;
    });
  }

  /** The bars and their rollups; runs inside the caller's transaction. */
  private async writeChunk(client: pg.PoolClient, input: BarsChunk, bars: readonly Bar[]): Promise<UpsertResult> {
    const { symbol, timeframe, source } = input;
    const values = [
      symbol,
      timeframe,
      arrayLiteral(bars, 'time'),
      arrayLiteral(bars, 'open'),
      arrayLiteral(bars, 'high'),
      arrayLiteral(bars, 'low'),
      arrayLiteral(bars, 'close'),
      arrayLiteral(bars, 'volume'),
      source,
      this.now(),
    ];
    const chunk = { symbol, timeframe, source, first: bars[0]!.time, last: bars.at(-1)!.time };
    await this.rows(client, LOCK_SERIES_SQL, { symbol, base: timeframe });
    const { rows: probe } = await client.query<{ occupied: boolean }>(RANGE_OCCUPIED, [symbol, timeframe, chunk.first, chunk.last]);
    let result: UpsertResult;
    let change: ChunkChange;
    if (!probe[0]!.occupied) {
      // New history (a backfill, a first import): nothing to conflict with, and ON
      // CONFLICT's speculative insertion would cost almost half again as much.
      await client.query(INSERT_BARS, values);
      result = { inserted: bars.length, updated: 0, unchanged: 0 };
      change = { changedTimes: bars.map((b) => b.time), added: bars.length, taken: new Map() };
    } else {
      const { rows } = await client.query<{ time: number; inserted: boolean; previous_source: string | null }>(UPSERT_BARS, [
        ...values,
        chunk.first,
        chunk.last,
      ]);
      let inserted = 0;
      let added = 0;
      const taken = new Map<string, number[]>();
      for (const row of rows) {
        if (row.inserted) inserted++;
        if (row.previous_source === source) continue;
        added++;
        if (row.previous_source !== null) {
          const times = taken.get(row.previous_source);
          if (times) times.push(row.time);
          else taken.set(row.previous_source, [row.time]);
        }
      }
      result = { inserted, updated: rows.length - inserted, unchanged: bars.length - rows.length };
      change = { changedTimes: rows.map((row) => row.time), added, taken };
    }
    for (const { text, params } of afterWriteStatements('postgres', chunk, change)) {
      await this.rows(client, text, params);
    }
    return result;
  }

  queryBars(query: BarsQuery): Promise<BarsQueryResult> {
    return queryBarsFrom(this.reader, query);
  }

  async coverage(symbol?: string): Promise<Coverage[]> {
    return sortCoverage(
      await this.rows<Coverage>(
        this.pool,
        coverageSql(symbol !== undefined),
        { symbol },
      ),
    );
  }

  async countBars(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(COUNT_BARS_SQL);
    return Number(rows[0]!.n);
  }

  minuteSeries(): Promise<{ symbol: string; first: number }[]> {
    return this.rows(this.pool, MINUTE_SERIES_SQL, {});
  }

  async countMinuteBars(symbol: string, range: { lo: number; hi: number }): Promise<MinuteRollUp> {
    const [row] = await this.rows<{ minutes: number; hours: number }>(this.pool, countMinutesSql('postgres'), { symbol, ...range });
    return { minuteBars: row!.minutes, hourBars: row!.hours };
  }

  async rollUpMinuteBars(symbol: string, from: number, before: number): Promise<(MinuteRollUp & { next: number }) | null> {
    return inTransaction(this.pool, async (client) => {
      // The minute series' turn, as a writer's: a backfill writing these minutes waits until the chunk is done.
      await this.rows(client, LOCK_SERIES_SQL, { symbol, base: '1m' });
      const [first] = await this.rows<{ time: number }>(client, FIRST_MINUTE_SQL, { symbol, lo: from, hi: bucketStart(before, '1h') });
      if (!first) return null;
      const range = minuteRollUpChunk(first.time, before);
      const params = { symbol, ...range };
      const plan = planMinuteRollUp(
        await this.rows<{ time: number; source: string }>(client, MINUTE_BARS_SQL, params),
        await this.rows<Bar>(client, selectBarsSql('postgres', MINUTES, '1h', false), barParams(symbol, MINUTES, range)),
        await this.rows<Bar>(client, STORED_HOURS_SQL, params),
      );
      for (const [source, bars] of plan.writes) await this.writeChunk(client, { symbol, timeframe: '1h', source, bars }, bars);
      await this.rows(client, DELETE_MINUTES_SQL, params);
      for (const { text, params: statementParams } of afterDeleteStatements('postgres', symbol, '1m', range, plan.removed)) {
        await this.rows(client, text, statementParams);
      }
      return { minuteBars: plan.minuteBars, hourBars: plan.hourBars, next: range.hi };
    });
  }

  async deleteBars(symbol: string, timeframe: Timeframe, times: readonly number[]): Promise<number> {
    if (times.length === 0) return 0;
    return inTransaction(this.pool, async (client) => {
      await this.rows(client, LOCK_SERIES_SQL, { symbol, base: timeframe });
      const { rows } = await client.query<{ time: number; source: string }>(
        'DELETE FROM market_data WHERE symbol = $1 AND timeframe = $2 AND time = ANY($3::bigint[]) RETURNING time, source',
        [symbol, timeframe, [...times]],
      );
      const removed = removedBySource(rows.map((row) => ({ time: Number(row.time), source: row.source })).sort((a, b) => a.time - b.time));
      if (removed.count === 0) return 0;
      for (const { text, params } of afterDeleteStatements('postgres', symbol, timeframe, removed.range, removed.bySource)) {
        await this.rows(client, text, params);
      }
      return removed.count;
    });
  }

  /**
   * Each table's share of its size on disk, indexes and TOAST included: pg_total_relation_size,
   * or hypertable_size for the TimescaleDB hypertable (whose parent table holds nothing; its
   * compressed chunks make a minute bar cost less than this average). Bars are counted from the
   * series summary; rollups (a sixtieth of the minute bars or fewer) by a count.
   */
  async rowBytes(): Promise<{ bar: number; rollup: number }> {
    const { rows: hypertables } = await this.pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM pg_extension e WHERE e.extname = 'timescaledb'
       AND EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = current_schema() AND hypertable_name = 'market_data')`,
    ).catch(() => ({ rows: [{ n: 0 }] }));
    const barBytes = hypertables[0]!.n > 0 ? "hypertable_size(format('%I.market_data', current_schema())::regclass)" : "pg_total_relation_size('market_data')";
    const { rows } = await this.pool.query<{ bar_bytes: number; rollup_bytes: number; rollups: number }>(
      `SELECT ${barBytes} AS bar_bytes, pg_total_relation_size('market_data_rollup') AS rollup_bytes, (SELECT count(*) FROM market_data_rollup) AS rollups`,
    );
    const [sizes] = rows;
    const bars = await this.countBars();
    return { bar: bars === 0 ? 0 : sizes!.bar_bytes / bars, rollup: sizes!.rollups === 0 ? 0 : sizes!.rollup_bytes / sizes!.rollups };
  }

  private async rows<T extends object>(db: Queryable, text: string, values: Partial<BarParams>): Promise<T[]> {
    let statement = this.compiled.get(text);
    if (!statement) {
      statement = toPgSql(text);
      this.compiled.set(text, statement);
    }
    const result = await db.query<T>(
      statement.text,
      statement.names.map((name) => values[name]),
    );
    return result.rows;
  }
}
