import type { Instrument } from '../../shared/domain';
import { json, parseJson, type Row, type SqlExecutor } from './sql-executor';
import type { InstrumentRepository } from './types';

const SELECT = 'SELECT symbol, name, kind, unit, currency, provider_symbols AS "providerSymbols" FROM instruments';

function toInstrument(row: Row): Instrument {
  return {
    symbol: String(row.symbol),
    name: String(row.name),
    kind: row.kind as Instrument['kind'],
    unit: String(row.unit),
    currency: String(row.currency),
    providerSymbols: parseJson<Instrument['providerSymbols']>(row.providerSymbols),
  };
}

export class SqlInstruments implements InstrumentRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(): Promise<Instrument[]> {
    return (await this.sql.query(`${SELECT} ORDER BY symbol`)).map(toInstrument);
  }

  async get(symbol: string): Promise<Instrument | undefined> {
    const [row] = await this.sql.query(`${SELECT} WHERE symbol = {symbol}`, { symbol });
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
      });
      return `({symbol${i}}, {name${i}}, {kind${i}}, {unit${i}}, {currency${i}}, {providerSymbols${i}})`;
    });
    await this.sql.execute(
      `INSERT INTO instruments (symbol, name, kind, unit, currency, provider_symbols) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
  }
}
