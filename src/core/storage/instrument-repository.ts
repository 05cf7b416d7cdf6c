import type { Instrument } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { timeframes } from '../../shared/timeframes';
import { LOCK_SERIES_SQL } from './bar-sql';
import { json, parseJson, type Row, type SqlExecutor } from './sql-executor';
import type { InstrumentDeletion, InstrumentRepository } from './types';

const LIVE = 'deleted_at IS NULL';
const SELECT = `SELECT symbol, name, kind, unit, currency, provider_symbols AS "providerSymbols", exchange_time_zone AS "exchangeTimeZone" FROM instruments WHERE ${LIVE}`;

function toInstrument(row: Row): Instrument {
  return {
    symbol: String(row.symbol),
    name: String(row.name),
    kind: row.kind as Instrument['kind'],
    unit: String(row.unit),
    currency: String(row.currency),
    providerSymbols: parseJson<Instrument['providerSymbols']>(row.providerSymbols),
    ...(row.exchangeTimeZone === null || row.exchangeTimeZone === undefined ? {} : { exchangeTimeZone: String(row.exchangeTimeZone) }),
  };
}

const instrumentParams = (instrument: Instrument): Row => ({
  ...instrument,
  providerSymbols: json(instrument.providerSymbols),
  exchangeTimeZone: instrument.exchangeTimeZone ?? null,
});

/** Everything stored of one symbol besides its row; the series summary gives the bar count without a scan. */
const STORED_BARS = 'SELECT coalesce(sum(bar_count), 0) AS n FROM market_data_series WHERE symbol = {symbol}';
const DELETE_STORED = ['market_data', 'market_data_rollup', 'market_data_series', 'backfill_checkpoints'].map(
  (table) => `DELETE FROM ${table} WHERE symbol = {symbol}`,
);

export class SqlInstruments implements InstrumentRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(): Promise<Instrument[]> {
    return (await this.sql.query(`${SELECT} ORDER BY symbol`)).map(toInstrument);
  }

  async get(symbol: string): Promise<Instrument | undefined> {
    const [row] = await this.sql.query(`${SELECT} AND symbol = {symbol}`, { symbol });
    return row && toInstrument(row);
  }

  async seed(instruments: readonly Instrument[]): Promise<void> {
    if (instruments.length === 0) return;
    // One statement for the whole list, so a seed is stored whole or not at all.
    const params: Row = {};
    const rows = instruments.map((instrument, i) => {
      Object.assign(params, {
        [`symbol${i}`]: instrument.symbol,
        [`name${i}`]: instrument.name,
        [`kind${i}`]: instrument.kind,
        [`unit${i}`]: instrument.unit,
        [`currency${i}`]: instrument.currency,
        [`providerSymbols${i}`]: json(instrument.providerSymbols),
        [`exchangeTimeZone${i}`]: instrument.exchangeTimeZone ?? null,
      });
      return `({symbol${i}}, {name${i}}, {kind${i}}, {unit${i}}, {currency${i}}, {providerSymbols${i}}, {exchangeTimeZone${i}})`;
    });
    // A row deleted by the user conflicts too, so the catalogue never brings it back.
    await this.sql.execute(
      `INSERT INTO instruments (symbol, name, kind, unit, currency, provider_symbols, exchange_time_zone) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
  }

  async create(instrument: Instrument): Promise<void> {
    const created = await this.sql.execute(
      `INSERT INTO instruments (symbol, name, kind, unit, currency, provider_symbols, exchange_time_zone)
       VALUES ({symbol}, {name}, {kind}, {unit}, {currency}, {providerSymbols}, {exchangeTimeZone})
       ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, kind = excluded.kind, unit = excluded.unit,
         currency = excluded.currency, provider_symbols = excluded.provider_symbols,
         exchange_time_zone = excluded.exchange_time_zone, deleted_at = NULL
       WHERE instruments.deleted_at IS NOT NULL`,
      instrumentParams(instrument),
    );
    if (created === 0) throw new AppError('CONFLICT', `There is already an instrument ${instrument.symbol}.`, { symbol: instrument.symbol });
  }

  async update(instrument: Instrument): Promise<void> {
    const updated = await this.sql.execute(
      `UPDATE instruments SET name = {name}, kind = {kind}, unit = {unit}, currency = {currency}, provider_symbols = {providerSymbols},
         exchange_time_zone = {exchangeTimeZone}
       WHERE symbol = {symbol} AND ${LIVE}`,
      instrumentParams(instrument),
    );
    if (updated === 0) throw new AppError('NOT_FOUND', `There is no instrument ${instrument.symbol}.`, { symbol: instrument.symbol });
  }

  async delete(symbol: string, options: { deletedAt: number; keepIfBars: boolean }): Promise<InstrumentDeletion | undefined> {
    if (this.sql.dialect === 'postgres') {
      // Waits for writers of its series to commit and holds new ones off, so the count is
      // exact and no bar lands beside a deleted series summary.
      for (const base of timeframes) await this.sql.query(LOCK_SERIES_SQL, { symbol, base });
    }
    const [exists] = await this.sql.query(`SELECT 1 AS found FROM instruments WHERE symbol = {symbol} AND ${LIVE}`, { symbol });
    if (!exists) return undefined;
    const [stored] = await this.sql.query(STORED_BARS, { symbol });
    const bars = Number(stored!.n);
    if (bars > 0 && options.keepIfBars) return { deleted: false, bars };
    await this.sql.execute('UPDATE instruments SET deleted_at = {deletedAt} WHERE symbol = {symbol}', { symbol, deletedAt: options.deletedAt });
    for (const statement of DELETE_STORED) await this.sql.execute(statement, { symbol });
    return { deleted: true, bars };
  }
}
