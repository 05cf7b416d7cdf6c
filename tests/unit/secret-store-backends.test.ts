/**
 * The desktop secret store when the keyring under it changes: a Linux desktop that moves from
 * KWallet to GNOME Keyring, an upgrade from KWallet 5 to 6, a session without any keyring, a
 * file written before the backend was recorded. Each fake backend seals with its own key, as
 * the real ones do, so a backend cannot open what another one sealed.
 */
import { readdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SafeStorageSecretStore, detectSecretBackend, type SafeStorageLike } from '../../src/main/secret-store';
import { describeUnreadableSecret } from '../../src/shared/secret-health';
import type { Logger } from '../../src/core/ports';
import { silentLogger } from '../support/silent-logger';

type LinuxBackend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** XOR with a per-backend key byte: two backends that share a key byte stand for one wallet seen by two versions. */
function fakeKeyring(backend: LinuxBackend, keyByte: number, options: { available?: boolean } = {}) {
  const mask = (data: Buffer) => Buffer.from([...data].map((byte) => byte ^ keyByte));
  return {
    isAsyncEncryptionAvailable: vi.fn(async () => options.available ?? true),
    getSelectedStorageBackend: vi.fn(() => backend),
    encryptStringAsync: vi.fn(async (text: string) => Buffer.concat([Buffer.from([keyByte]), mask(Buffer.from(text))])),
    decryptStringAsync: vi.fn(async (data: Buffer) => {
      // Like Chromium, a foreign key usually fails loudly; `garbage` below covers the rare silent case.
      if (data[0] !== keyByte) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { result: mask(data.subarray(1)).toString(), shouldReEncrypt: false };
    }),
  } satisfies SafeStorageLike;
}

describe('secret store across keyring backends', () => {
  let dataDir: string;
  const file = () => path.join(dataDir, 'secrets.json');

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'metalytics-keyring-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function openStore(safeStorage: SafeStorageLike, logger: Logger = silentLogger()) {
    return new SafeStorageSecretStore({ safeStorage, backend: await detectSecretBackend(safeStorage, 'linux'), dataDir, logger });
  }

  it('records the backend that sealed each secret, never the value', async () => {
    const store = await openStore(fakeKeyring('kwallet5', 0x21));
    await store.set('polygon', 'pk_live_polygon_0001');
    const saved = JSON.parse(await readFile(file(), 'utf8')) as Record<string, { sealed: string; backend: string }>;
    expect(saved.polygon?.backend).toBe('kwallet5');
    expect(JSON.stringify(saved)).not.toContain('pk_live_polygon_0001');
    expect(await store.health()).toEqual({ backend: 'kwallet5', encryptionAvailable: true, unreadable: [] });
  });

  it('after a switch from KWallet to GNOME Keyring, names the keys to enter again, keeps the old copies, and clears once re-entered', async () => {
    const kwallet = await openStore(fakeKeyring('kwallet', 0x21));
    await kwallet.set('polygon', 'pk_live_polygon_0001');
    await kwallet.set('database', 'db-password-0002');
    const before = await readFile(file(), 'utf8');

    const logger = silentLogger();
    const libsecret = await openStore(fakeKeyring('gnome_libsecret', 0x42), logger);
    expect(await libsecret.get('polygon')).toBeUndefined();
    const health = await libsecret.health();
    expect(health).toEqual({
      backend: 'gnome_libsecret',
      encryptionAvailable: true,
      unreadable: [
        { name: 'polygon', sealedWith: 'kwallet', reason: 'backend-changed' },
        { name: 'database', sealedWith: 'kwallet', reason: 'backend-changed' },
      ],
    });
    expect(describeUnreadableSecret(health.unreadable[0]!, health.backend)).toMatch(
      /Polygon key was saved with KWallet.*uses GNOME Keyring \(libsecret\).*Enter the key again in Settings/,
    );
    // Nothing was rewritten: returning to the KWallet session still opens both.
    expect(await readFile(file(), 'utf8')).toBe(before);
    // One warning per secret, however often the key is asked for.
    await libsecret.get('polygon');
    expect(logger.warnings.filter((warning) => warning.fields?.name === 'polygon')).toHaveLength(1);
    expect(JSON.stringify(logger.warnings)).not.toContain('pk_live_polygon_0001');

    await libsecret.set('polygon', 'pk_live_polygon_0003');
    expect(await libsecret.get('polygon')).toBe('pk_live_polygon_0003');
    expect((await libsecret.health()).unreadable).toEqual([{ name: 'database', sealedWith: 'kwallet', reason: 'backend-changed' }]);
    await libsecret.delete('database');
    expect((await libsecret.health()).unreadable).toEqual([]);
  });

  it('re-seals with the new backend when it can still open the old copy (an upgrade)', async () => {
    await (await openStore(fakeKeyring('kwallet5', 0x21))).set('twelvedata', 'td-key-0004');
    const upgraded = await openStore(fakeKeyring('kwallet6', 0x21));
    expect(await upgraded.get('twelvedata')).toBe('td-key-0004');
    const saved = JSON.parse(await readFile(file(), 'utf8')) as Record<string, { backend: string }>;
    expect(saved.twelvedata?.backend).toBe('kwallet6');
    expect((await upgraded.health()).unreadable).toEqual([]);
  });

  it('in a session without a keyring, reports the saved keys and never falls back to basic_text', async () => {
    await (await openStore(fakeKeyring('gnome_libsecret', 0x42))).set('metalsapi', 'metals-key-0005');
    const before = await readFile(file(), 'utf8');
    for (const fallback of [fakeKeyring('basic_text', 0x00), fakeKeyring('gnome_libsecret', 0x42, { available: false })]) {
      const store = await openStore(fallback);
      expect(store.isEncryptionAvailable()).toBe(false);
      expect(await store.health()).toEqual({
        backend: null,
        encryptionAvailable: false,
        unreadable: [{ name: 'metalsapi', sealedWith: 'gnome_libsecret', reason: 'no-encryption' }],
      });
      await expect(store.set('metalsapi', 'metals-key-0006')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(fallback.decryptStringAsync).not.toHaveBeenCalled();
      expect(fallback.encryptStringAsync).not.toHaveBeenCalled();
    }
    expect(await readFile(file(), 'utf8')).toBe(before);
    expect(await readdir(dataDir)).toEqual(['secrets.json']);
  });

  it('treats a foreign key that "decrypts" into garbage as unreadable, not as the key', async () => {
    await (await openStore(fakeKeyring('kwallet', 0x21))).set('polygon', 'pk_live_polygon_0007');
    const lenient = fakeKeyring('gnome_libsecret', 0x42);
    lenient.decryptStringAsync.mockImplementation(async () => ({ result: '\u0013\u00e9garbage', shouldReEncrypt: false }));
    const store = await openStore(lenient);
    expect(await store.get('polygon')).toBeUndefined();
    expect((await store.health()).unreadable).toEqual([{ name: 'polygon', sealedWith: 'kwallet', reason: 'backend-changed' }]);
  });

  it('opens a file written before the backend was recorded and records it', async () => {
    const keyring = fakeKeyring('kwallet6', 0x21);
    const legacy = await keyring.encryptStringAsync('pk_legacy_0008');
    await writeFile(file(), JSON.stringify({ polygon: legacy.toString('base64') }), { mode: 0o600 });
    const store = await openStore(keyring);
    expect(await store.get('polygon')).toBe('pk_legacy_0008');
    const saved = JSON.parse(await readFile(file(), 'utf8')) as Record<string, { backend: string }>;
    expect(saved.polygon?.backend).toBe('kwallet6');

    // Legacy copies another keyring cannot open are reported with an unknown origin.
    await writeFile(file(), JSON.stringify({ polygon: legacy.toString('base64') }), { mode: 0o600 });
    const other = await openStore(fakeKeyring('gnome_libsecret', 0x42));
    expect((await other.health()).unreadable).toEqual([{ name: 'polygon', sealedWith: null, reason: 'decrypt-failed' }]);
  });

  it('uses only the asynchronous safeStorage API anywhere in the app', async () => {
    const root = path.resolve(import.meta.dirname, '../../src');
    const sources = (await readdir(root, { recursive: true })).filter((name) => /\.(ts|tsx)$/.test(name));
    const synchronous = /safeStorage\s*\.\s*(encryptString|decryptString|isEncryptionAvailable|setUsePlainTextEncryption)\s*\(/;
    const offenders = [];
    for (const relative of sources) if (synchronous.test(await readFile(path.join(root, relative), 'utf8'))) offenders.push(relative);
    expect(offenders).toEqual([]);
    expect(sources.some((name) => name.endsWith('secret-store.ts'))).toBe(true);
  });
});
