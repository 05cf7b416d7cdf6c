/**
 * Test-only readers for the real price files in ../shared/data (never copied into the
 * repository). Deliberately tiny and independent of the product's CSV importer, so a
 * storage test does not pass or fail with the importer.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bar } from '../../src/shared/domain';

const DATA_DIR = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

function dataLines(file: string): string[] {
  const text = fs.readFileSync(DATA_DIR + file, 'utf8');
  return text.split(/\r?\n/).slice(1).filter((line) => line.trim() !== '');
}

/** btcusdt-1h.csv: pandas export, leading unnamed index column, `Open time` in epoch ms. */
export function binanceHourlyBars(): Bar[] {
  return dataLines('btcusdt-1h.csv').map((line) => {
    const [, openTime, , open, high, low, close, volume] = line.split(',');
    return { time: Number(openTime), open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
  });
}

/** xauusd-1d-mt4.csv: MetaTrader export, `;`-separated, `YYYY.MM.DD HH:MM` in UTC. */
export function metaTraderDailyBars(): Bar[] {
  return dataLines('xauusd-1d-mt4.csv').map((line) => {
    const [stamp, open, high, low, close, volume] = line.split(';');
    const [, y, mo, d, h, mi] = /^(\d{4})\.(\d{2})\.(\d{2}) (\d{2}):(\d{2})$/.exec(stamp!)!;
    return {
      time: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
}

/** gold-monthly.csv: `YYYY-MM,price` since 1833, close only; each month becomes a flat bar. */
export function monthlyGoldBars(): Bar[] {
  return dataLines('gold-monthly.csv').map((line) => {
    const [month, price] = line.split(',');
    const [y, mo] = month!.split('-');
    const p = Number(price);
    return { time: Date.UTC(Number(y), Number(mo) - 1, 1), open: p, high: p, low: p, close: p, volume: 0 };
  });
}

/** btc-usd-1d-yahoo.csv: Yahoo Finance download, `Date,Open,High,Low,Close,Adj Close,Volume`, dates in UTC. */
export function yahooDailyBars(): Bar[] {
  return dataLines('btc-usd-1d-yahoo.csv').map((line) => {
    const [date, open, high, low, close, , volume] = line.split(',');
    return { time: Date.parse(`${date}T00:00:00Z`), open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
  });
}
