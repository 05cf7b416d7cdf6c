import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { Logger, SecretStore } from '../core/ports';
import type { SecretName } from '../shared/domain';
import { AppError } from '../shared/errors';

/** The asynchronous safeStorage API (the synchronous one is deprecated in Electron 45 and removed in 46). */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export const encryptionUnavailableMessage = 'This system cannot encrypt secrets; Metalytics will not store them in plain text';

type SecretFile = Partial<Record<SecretName, string>>;

/**
 * Decides once, after the app is ready, whether secrets can be encrypted. On Linux without a
 * keyring safeStorage falls back to `basic_text`, a hard-coded key: that is plain text in
 * disguise, so it counts as unavailable.
 */
export async function detectEncryption(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<boolean> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return false;
  return platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
}

/**
 * Secrets encrypted with the OS keychain (safeStorage), kept as base64 in one JSON file
 * readable only by the user (0600). Without encryption nothing is ever written.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly filePath: string;
  /** Serialises read-modify-write cycles so two quick `set`s cannot lose one another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: {
      safeStorage: SafeStorageLike;
      encryptionAvailable: boolean;
      dataDir: string;
      logger: Logger;
      /** Called with every secret value handled, so the logger can mask it anywhere. */
      onSecretValue?: (value: string) => void;
    },
  ) {
    this.filePath = path.join(options.dataDir, 'secrets.json');
  }

  isEncryptionAvailable(): boolean {
    return this.options.encryptionAvailable;
  }

  async get(name: SecretName): Promise<string | undefined> {
    if (!this.options.encryptionAvailable) return undefined;
    const stored = (await this.readFile())[name];
    if (stored === undefined) return undefined;
    try {
      const { result, shouldReEncrypt } = await this.options.safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
      this.options.onSecretValue?.(result);
      if (shouldReEncrypt) await this.set(name, result);
      return result;
    } catch {
      // A keychain reset or a file copied from another machine: the user re-enters the key.
      this.options.logger.warn('a stored secret could not be decrypted; it is treated as missing', { name });
      return undefined;
    }
  }

  async set(name: SecretName, value: string): Promise<void> {
    if (!this.options.encryptionAvailable) throw new AppError('UNAVAILABLE', encryptionUnavailableMessage);
    this.options.onSecretValue?.(value);
    const encrypted = await this.options.safeStorage.encryptStringAsync(value);
    await this.update((secrets) => ({ ...secrets, [name]: encrypted.toString('base64') }));
  }

  async delete(name: SecretName): Promise<void> {
    await this.update((secrets) => {
      const next = { ...secrets };
      delete next[name];
      return next;
    });
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
    return Object.fromEntries(Object.entries(parsed).filter(([, value]) => typeof value === 'string')) as SecretFile;
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
