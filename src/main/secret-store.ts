import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { Logger, SecretStore } from '../core/ports';
import { secretNames, type SecretName } from '../shared/domain';
import { AppError } from '../shared/errors';
import type { SecretHealth, UnreadableSecret } from '../shared/secret-health';

/** The asynchronous safeStorage API (the synchronous one is deprecated in Electron 45 and removed in 46). */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export const encryptionUnavailableMessage = 'This system cannot encrypt secrets; Metalytics will not store them in plain text';

/**
 * Names the facility that will seal secrets in this session, or null when there is none.
 * Decided once, after the app is ready (the Linux backend is only known then). On Linux
 * without a keyring safeStorage falls back to `basic_text`, a hard-coded key: that is plain
 * text in disguise, so it counts as none.
 */
export async function detectSecretBackend(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<string | null> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return null;
  if (platform === 'darwin') return 'keychain';
  if (platform === 'win32') return 'dpapi';
  if (platform !== 'linux') return platform;
  const backend = safeStorage.getSelectedStorageBackend();
  return backend === 'basic_text' ? null : backend;
}

/**
 * Sealed values start with this marker, so a value that another keyring's key "decrypts"
 * into garbage (AES-CBC padding passes by chance about once in 256 tries) is recognised as
 * unreadable instead of being used as a key.
 */
const SEALED_PREFIX = 'metalytics-secret:1:';

/** One saved secret: the ciphertext (base64) and the backend that sealed it (null: saved before this was recorded). */
interface SealedSecret {
  sealed: string;
  backend: string | null;
}
type SecretFile = Partial<Record<SecretName, SealedSecret>>;

function parseEntry(value: unknown): SealedSecret | undefined {
  // Files written before the backend was recorded hold the base64 ciphertext alone.
  if (typeof value === 'string') return { sealed: value, backend: null };
  if (typeof value !== 'object' || value === null) return undefined;
  const { sealed, backend } = value as Record<string, unknown>;
  if (typeof sealed !== 'string') return undefined;
  return { sealed, backend: typeof backend === 'string' ? backend : null };
}

/**
 * Secrets encrypted with the OS keychain (safeStorage), kept as base64 in one JSON file
 * readable only by the user (0600), each with the backend that sealed it. Without
 * encryption nothing is ever written. A secret this session cannot open (another keyring,
 * no keyring, a reset keychain) is reported by `health()` and kept on disk untouched, so
 * the app still starts and switching back to the old keyring still works.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly filePath: string;
  /** Serialises read-modify-write cycles so two quick `set`s cannot lose one another. */
  private queue: Promise<unknown> = Promise.resolve();
  /** What the last attempt to open each secret found; filled by `get` and by `health`. */
  private readonly unreadable = new Map<SecretName, UnreadableSecret>();
  private checkedAll: Promise<void> | undefined;

  constructor(
    private readonly options: {
      safeStorage: SafeStorageLike;
      /** From `detectSecretBackend`; null = no encryption in this session. */
      backend: string | null;
      dataDir: string;
      logger: Logger;
      /** Called with every secret value handled, so the logger can mask it anywhere. */
      onSecretValue?: (value: string) => void;
    },
  ) {
    this.filePath = path.join(options.dataDir, 'secrets.json');
  }

  isEncryptionAvailable(): boolean {
    return this.options.backend !== null;
  }

  /** Opens every saved secret once (on macOS each may prompt for the keychain), then answers from memory. */
  async health(): Promise<SecretHealth> {
    this.checkedAll ??= (async () => {
      for (const name of secretNames) await this.get(name);
    })();
    await this.checkedAll;
    return {
      backend: this.options.backend,
      encryptionAvailable: this.isEncryptionAvailable(),
      unreadable: secretNames.flatMap((name) => this.unreadable.get(name) ?? []),
    };
  }

  async get(name: SecretName): Promise<string | undefined> {
    const entry = (await this.readFile())[name];
    if (entry === undefined) {
      this.unreadable.delete(name);
      return undefined;
    }
    const { backend } = this.options;
    if (backend === null) return this.markUnreadable({ name, sealedWith: entry.backend, reason: 'no-encryption' });
    // Unknown (older files) or the same backend: the keyring itself refused.
    const refused = { name, sealedWith: entry.backend, reason: entry.backend === null || entry.backend === backend ? 'decrypt-failed' : 'backend-changed' } as const;
    let opened: { result: string; shouldReEncrypt: boolean };
    try {
      opened = await this.options.safeStorage.decryptStringAsync(Buffer.from(entry.sealed, 'base64'));
    } catch {
      return this.markUnreadable(refused);
    }
    const legacy = entry.backend === null && !opened.result.startsWith(SEALED_PREFIX);
    if (!legacy && !opened.result.startsWith(SEALED_PREFIX)) return this.markUnreadable(refused);
    const value = legacy ? opened.result : opened.result.slice(SEALED_PREFIX.length);
    this.options.onSecretValue?.(value);
    this.unreadable.delete(name);
    // Re-seal with today's backend and marker: an older file, a backend that still opens the
    // old copy (an upgrade), or Chromium asking for it after a key rotation.
    if (legacy || entry.backend !== backend || opened.shouldReEncrypt) await this.set(name, value);
    return value;
  }

  async set(name: SecretName, value: string): Promise<void> {
    const { backend } = this.options;
    if (backend === null) throw new AppError('UNAVAILABLE', encryptionUnavailableMessage);
    this.options.onSecretValue?.(value);
    const encrypted = await this.options.safeStorage.encryptStringAsync(SEALED_PREFIX + value);
    await this.update((secrets) => ({ ...secrets, [name]: { sealed: encrypted.toString('base64'), backend } }));
    this.unreadable.delete(name);
  }

  async delete(name: SecretName): Promise<void> {
    await this.update((secrets) => {
      const next = { ...secrets };
      delete next[name];
      return next;
    });
    this.unreadable.delete(name);
  }

  private markUnreadable(secret: UnreadableSecret): undefined {
    // Warn once per secret and cause, not at every read (providers.list reads keys often).
    const known = this.unreadable.get(secret.name);
    if (known?.reason !== secret.reason || known.sealedWith !== secret.sealedWith) {
      this.options.logger.warn('a saved secret cannot be read in this session; the user must enter it again', {
        ...secret,
        backend: this.options.backend,
      });
    }
    this.unreadable.set(secret.name, secret);
    return undefined;
  }

  private update(change: (secrets: SecretFile) => SecretFile): Promise<void> {
    const run = this.queue.then(async () => this.writeFile(change(await this.readFile())));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readFile(): Promise<SecretFile> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const secrets: SecretFile = {};
    for (const name of secretNames) {
      const entry = parseEntry((parsed as Record<string, unknown>)[name]);
      if (entry) secrets[name] = entry;
    }
    return secrets;
  }

  /** Write-then-rename, so a crash mid-write never leaves a half-written secrets file. */
  private async writeFile(secrets: SecretFile): Promise<void> {
    await mkdir(path.dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created; make sure a leftover temp file is 0600 too.
    await chmod(temporary, 0o600);
    await rename(temporary, this.filePath);
  }
}
