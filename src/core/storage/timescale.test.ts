import { describe, expect, it } from 'vitest';
import type { Logger } from '../ports';
import { setUpTimescale } from './timescale';

function recorder(fail?: (text: string) => Error | undefined, available = true) {
  const statements: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  const run = async (text: string) => {
    statements.push(text.replace(/\s+/g, ' ').trim());
    const error = fail?.(text);
    if (error) throw error;
    return text.includes('pg_available_extensions') && available ? [{ '?column?': 1 }] : [];
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

  it('makes market_data a hypertable on its epoch-ms column in one transaction', async () => {
    const r = recorder();
    expect(await setUpTimescale(r.run, r.logger)).toBe('timescaledb');
    expect(r.statements[1]).toBe('BEGIN');
    expect(r.statements).toContain('CREATE EXTENSION IF NOT EXISTS timescaledb');
    expect(r.statements.find((s) => s.includes('create_hypertable'))).toBe(
      "SELECT create_hypertable('market_data', by_range('time', 604800000::bigint), if_not_exists => TRUE, migrate_data => TRUE)",
    );
    expect(r.statements.find((s) => s.includes('set_integer_now_func'))).toContain("'metalytics_now_ms', replace_if_exists => TRUE");
    expect(r.statements.at(-1)).toBe('COMMIT');
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
