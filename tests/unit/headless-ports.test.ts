import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFromEnvironment } from '../../src/core/config/runtime-config';
import { Redactor, redactText } from '../../src/core/logging/redact';
import type { Logger } from '../../src/core/ports';
import {
  createHeadlessSecretStore,
  createHeadlessSettingsStore,
  createStderrLogger,
  environmentSecrets,
} from '../../src/server/headless-ports';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const posix = process.platform !== 'win32';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'metalytics-ports-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('headless secret store', () => {
  it('keeps secrets in a 0600 file and says it is not encrypted', async () => {
    const secrets = createHeadlessSecretStore({ dataDir, providers: configFromEnvironment({}).providers, logger: silent });
    expect(secrets.isEncryptionAvailable()).toBe(false);
    expect(await secrets.get('polygon')).toBeUndefined();

    await secrets.set('polygon', 'pk_live_123456');
    await secrets.set('database', 'hunter2');
    expect(await secrets.get('polygon')).toBe('pk_live_123456');
    expect(JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'))).toEqual({ polygon: 'pk_live_123456', database: 'hunter2' });
    if (posix) expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);

    await secrets.delete('polygon');
    expect(await secrets.get('polygon')).toBeUndefined();
    expect(await secrets.get('database')).toBe('hunter2');
    // The atomic write leaves no temp files behind.
    expect(await readdir(dataDir)).toEqual(['secrets.json']);
  });

  it('prefers environment variables over the file', async () => {
    const secrets = createHeadlessSecretStore({ dataDir, providers: configFromEnvironment({ METALYTICS_TWELVEDATA_API_KEY: ' from-env ' }).providers, logger: silent });
    await secrets.set('twelvedata', 'from-file');
    expect(await secrets.get('twelvedata')).toBe('from-env');
  });

  it('loses no update when several are written at once', async () => {
    const secrets = createHeadlessSecretStore({ dataDir, providers: configFromEnvironment({}).providers, logger: silent });
    await Promise.all([secrets.set('polygon', 'a'), secrets.set('twelvedata', 'b'), secrets.set('metalsapi', 'c')]);
    expect(JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'))).toEqual({ polygon: 'a', twelvedata: 'b', metalsapi: 'c' });
  });

  it.runIf(posix)('tightens a secrets file others can read', async () => {
    const file = join(dataDir, 'secrets.json');
    await writeFile(file, JSON.stringify({ polygon: 'k' }));
    await chmod(file, 0o644);
    const secrets = createHeadlessSecretStore({ dataDir, providers: configFromEnvironment({}).providers, logger: silent });
    expect(await secrets.get('polygon')).toBe('k');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('headless settings store', () => {
  it('reads nothing before the first write, then what was written', async () => {
    const settings = createHeadlessSettingsStore({ dataDir, logger: silent });
    expect(await settings.read()).toBeUndefined();
    await settings.write({ theme: 'dark', watchlist: ['XAUUSD'] });
    expect(await settings.read()).toEqual({ theme: 'dark', watchlist: ['XAUUSD'] });
  });

  it('moves a damaged file aside instead of failing or overwriting it', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{"theme": "dark",');
    const settings = createHeadlessSettingsStore({ dataDir, logger: silent });
    expect(await settings.read()).toBeUndefined();
    const files = await readdir(dataDir);
    expect(files.some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
    expect(files).not.toContain('settings.json');
  });
});

describe('redaction', () => {
  it('masks passwords in connection strings, bearer tokens and token parameters', () => {
    expect(redactText('connecting to postgres://app:s3cr3t@db:5432/metalytics')).toBe('connecting to postgres://app:[redacted]@db:5432/metalytics');
    expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
    expect(redactText('GET /api/events?token=abc123&x=1')).toBe('GET /api/events?token=[redacted]&x=1');
    expect(redactText('postgres://db:5432/metalytics')).toBe('postgres://db:5432/metalytics');
    expect(redactText('GET https://api.example/v2/aggs?apiKey=pk1&x=1&access_key=ak2&apikey=td3')).toBe(
      'GET https://api.example/v2/aggs?apiKey=[redacted]&x=1&access_key=[redacted]&apikey=[redacted]',
    );
  });

  it('masks the keys the environment provides wherever the logger meets them', () => {
    const lines: string[] = [];
    const env = { METALYTICS_POLYGON_API_KEY: 'poly-key-0001', METALYTICS_TOKEN: 'serve-token-0002' };
    const logger = createStderrLogger({ level: 'debug', format: 'text', write: (line) => lines.push(line), secrets: environmentSecrets(env) });
    logger.warn('provider said: key poly-key-0001 is invalid', { detail: 'token serve-token-0002 seen' });
    expect(lines.join('')).not.toMatch(/poly-key-0001|serve-token-0002/);
  });

  it('blanks fields named like secrets and keeps the rest', () => {
    expect(
      new Redactor().value({ apiKey: 'k', token: 't', password: 'p', nested: { client_secret: 's', hasKey: true }, url: 'postgres://u:p@h/db', rows: 3 }),
    ).toEqual({ apiKey: '[redacted]', token: '[redacted]', password: '[redacted]', nested: { client_secret: '[redacted]', hasKey: true }, url: 'postgres://u:[redacted]@h/db', rows: 3 });
    // A backup's passphrase seals every secret in the archive: it is one itself.
    expect(new Redactor().value({ passphrase: 'correct horse battery', encrypted: true })).toEqual({ passphrase: '[redacted]', encrypted: true });
  });

  it('never prints a secret through the logger', () => {
    const lines: string[] = [];
    const logger = createStderrLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) });
    logger.error('failed postgres://app:s3cr3t@db/x', { apiKey: 'pk_live_999', error: new Error('auth failed for postgres://app:s3cr3t@db/x') });
    const text = lines.join('');
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('pk_live_999');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'error', apiKey: '[redacted]' });
  });

  it('drops messages below the level', () => {
    const lines: string[] = [];
    const logger = createStderrLogger({ level: 'warn', format: 'text', write: (line) => lines.push(line) });
    logger.info('quiet');
    logger.warn('loud', { rows: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN +loud rows=2\n$/);
  });
});
