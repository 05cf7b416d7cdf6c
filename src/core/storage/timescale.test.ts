import { describe, expect, it } from 'vitest';
import type { Logger } from '../ports';
import { CHUNK_INTERVAL_MS, COMPRESS_AFTER_MS, setUpTimescale } from './timescale';

function recorder(fail?: (text: string) => Error | undefined, available = true, interval?: number) {
  const statements: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  const run = async (text: string) => {
    statements.push(text.replace(/\s+/g, ' ').trim());
    const error = fail?.(text);
    if (error) throw error;
    if (text.includes('pg_available_extensions')) return available ? [{ '?column?': 1 }] : [];
    if (text.includes('timescaledb_information.dimensions')) return interval === undefined ? [] : [{ integer_interval: String(interval) }];
    return [];
  };
  return { statements, warnings, logger, run };
}

describe('setUpTimescale', () => {
  it('reports plain Postgres and changes nothing when the server does not offer TimescaleDB', async () => {
    const r = recorder(undefined, false);
    expect(await setUpTimescale(r.run, r.logger)).toBe('postgres');
    expect(r.statements).toHaveLength(1);
    expect(r.warnings).toEqual([]);
  });

  it('makes market_data a compressed hypertable in yearly chunks on its epoch-ms column, in one transaction', async () => {
    const r = recorder();
    expect(await setUpTimescale(r.run, r.logger)).toBe('timescaledb');
    expect(r.statements[1]).toBe('BEGIN');
    expect(r.statements).toContain('CREATE EXTENSION IF NOT EXISTS timescaledb');
    expect(r.statements.find((s) => s.includes('create_hypertable'))).toBe(
      `SELECT create_hypertable('market_data', by_range('time', ${CHUNK_INTERVAL_MS}::bigint), create_default_indexes => FALSE, migrate_data => TRUE)`,
    );
    expect(r.statements.find((s) => s.includes('set_integer_now_func'))).toContain("'metalytics_now_ms'");
    expect(r.statements.find((s) => s.includes('compress_segmentby'))).toContain(
      `compress_segmentby = 'symbol, timeframe', timescaledb.compress_orderby = 'time', timescaledb.compress_chunk_time_interval = '315360 seconds'`,
    );
    expect(r.statements.find((s) => s.includes('add_compression_policy'))).toContain(`compress_after => ${COMPRESS_AFTER_MS}::bigint`);
    expect(r.statements.at(-1)).toBe('COMMIT');
  });

  it('keeps an uncompressed hypertable where the server cannot compress (Apache-only TimescaleDB)', async () => {
    const r = recorder((text) =>
      text.includes('timescaledb.compress') ? Object.assign(new Error('functionality not supported under the current "apache" license'), { code: '0A000' }) : undefined,
    );
    expect(await setUpTimescale(r.run, r.logger)).toBe('timescaledb');
    expect(r.statements).toContain('ROLLBACK TO SAVEPOINT compression');
    expect(r.statements.at(-1)).toBe('COMMIT');
    expect(r.warnings).toEqual([expect.stringMatching(/cannot compress/)]);
  });

  it('leaves a hypertable in the current layout as it is', async () => {
    const r = recorder(undefined, true, CHUNK_INTERVAL_MS);
    expect(await setUpTimescale(r.run, r.logger)).toBe('timescaledb');
    expect(r.statements.filter((s) => /create_hypertable|ALTER TABLE|add_compression_policy/.test(s))).toEqual([]);
  });

  it('rebuilds a hypertable of an earlier chunk interval, and says what to do when that fails', async () => {
    const r = recorder((text) => (text.startsWith('INSERT INTO market_data SELECT') ? Object.assign(new Error('out of shared memory'), { code: '53200' }) : undefined), true, 604_800_000);
    expect(await setUpTimescale(r.run, r.logger)).toBe('timescaledb');
    expect(r.statements).toContain('ALTER TABLE market_data RENAME TO market_data_relayout');
    expect(r.statements.at(-1)).toBe('ROLLBACK');
    expect(r.warnings).toEqual([expect.stringMatching(/max_locks_per_transaction/)]);
  });

  it('falls back to plain Postgres with a warning when the extension cannot be enabled', async () => {
    const r = recorder((text) =>
      text.includes('CREATE EXTENSION') ? Object.assign(new Error('extension "timescaledb" must be preloaded'), { code: '0A000' }) : undefined,
    );
    expect(await setUpTimescale(r.run, r.logger)).toBe('postgres');
    expect(r.statements.at(-1)).toBe('ROLLBACK');
    expect(r.warnings).toHaveLength(1);
  });

  it('lets a lost connection through instead of calling it a fallback', async () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const r = recorder((text) => (text.includes('create_hypertable') ? lost : undefined));
    await expect(setUpTimescale(r.run, r.logger)).rejects.toBe(lost);
  });
});
