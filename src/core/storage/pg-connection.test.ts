import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { isConnectionError, redactDatabaseUrl, toStorageError } from './pg-connection';

describe('redactDatabaseUrl', () => {
  it('drops the password wherever the URL carries it', () => {
    expect(redactDatabaseUrl('postgres://trader:s3cret@db.local:5433/metalytics')).toBe('postgres://trader@db.local:5433/metalytics');
    expect(redactDatabaseUrl('postgresql://trader@db.local/metalytics?sslmode=require&password=s3cret')).toBe(
      'postgresql://trader@db.local/metalytics?sslmode=require',
    );
  });

  it('refuses other schemes and never repeats an unparsable address', () => {
    expect(() => redactDatabaseUrl('mysql://u:s3cret@h/db')).toThrow(AppError);
    expect(() => redactDatabaseUrl('not a url s3cret')).toThrow(/not a valid postgres/);
    expect(() => redactDatabaseUrl('not a url s3cret')).not.toThrow(/s3cret/);
  });
});

describe('toStorageError', () => {
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('calls a server that is away UNAVAILABLE, through wrapped causes and multi-address attempts', () => {
    const wrapped = new Error('Failed query: select 1', { cause: coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED') });
    const aggregate = new AggregateError([coded('a', 'ECONNREFUSED'), coded('b', 'ECONNREFUSED')], '');
    for (const error of [wrapped, aggregate, coded('terminating connection', '57P01'), new Error('Connection terminated unexpectedly')]) {
      expect(isConnectionError(error)).toBe(true);
      expect(toStorageError(error)).toMatchObject({ code: 'UNAVAILABLE' });
    }
  });

  it('leaves query mistakes alone, so they surface as internal errors', () => {
    const syntax = coded('syntax error at or near "SELEC"', '42601');
    expect(isConnectionError(syntax)).toBe(false);
    expect(toStorageError(syntax)).toBe(syntax);
  });
});
