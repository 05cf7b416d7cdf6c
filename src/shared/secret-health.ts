import { z } from 'zod';
import { secretNameSchema, type SecretName } from './domain';

/**
 * Which facility of the operating system seals secrets: `keychain` (macOS), `dpapi`
 * (Windows), or on Linux the value of Electron's `safeStorage.getSelectedStorageBackend()`
 * (`kwallet`, `kwallet5`, `kwallet6`, `gnome_libsecret`). A string, not an enum, because a
 * new Electron may name a new backend and that must not break the contract.
 */
export const secretBackendSchema = z.string().min(1).max(40);

/**
 * Why a saved secret cannot be used in this session:
 * - `backend-changed`: another keyring sealed it (a Linux desktop switched from KWallet to
 *   GNOME Keyring, or an upgrade changed the backend), and this one cannot open it;
 * - `no-encryption`: this session has no keyring at all, and Metalytics will not fall
 *   back to Linux's hard-coded `basic_text` key;
 * - `decrypt-failed`: the same keyring refused it (a reset keychain, a file copied from
 *   another computer).
 * The sealed copy is kept either way, so returning to the old keyring still works.
 */
export const unreadableSecretReasons = ['backend-changed', 'no-encryption', 'decrypt-failed'] as const;

export const unreadableSecretSchema = z.object({
  name: secretNameSchema,
  /** The backend that sealed it; null for secrets saved before Metalytics recorded it. */
  sealedWith: secretBackendSchema.nullable(),
  reason: z.enum(unreadableSecretReasons),
});
export type UnreadableSecret = z.infer<typeof unreadableSecretSchema>;

export const secretHealthSchema = z.object({
  /** The backend sealing secrets now; null where the secret store does not use one (headless). */
  backend: secretBackendSchema.nullable(),
  encryptionAvailable: z.boolean(),
  /** Saved secrets the user has to enter again; empty when every saved secret can be read. */
  unreadable: z.array(unreadableSecretSchema),
});
export type SecretHealth = z.infer<typeof secretHealthSchema>;

const backendNames: Record<string, string> = {
  keychain: 'the macOS Keychain',
  dpapi: 'Windows DPAPI',
  kwallet: 'KWallet',
  kwallet5: 'KWallet 5',
  kwallet6: 'KWallet 6',
  gnome_libsecret: 'GNOME Keyring (libsecret)',
};

function describeSecretBackend(backend: string | null): string {
  if (backend === null) return 'an earlier keyring';
  return backendNames[backend] ?? `the "${backend}" keyring`;
}

const secretTitles: Record<SecretName, string> = {
  polygon: 'The Polygon key',
  twelvedata: 'The Twelve Data key',
  metalsapi: 'The Metals-API key',
  database: 'The Postgres password',
};

/**
 * One sentence per unreadable secret that says what happened and what to do, shared by the
 * desktop's log, the status bar and Settings so every place gives the same advice.
 */
export function describeUnreadableSecret(secret: UnreadableSecret, currentBackend: string | null): string {
  const what = secretTitles[secret.name];
  const sealedWith = describeSecretBackend(secret.sealedWith);
  const fix =
    secret.name === 'database'
      ? 'Until it is saved again, Metalytics cannot sign in to the Postgres server and offers the embedded database instead.'
      : `Enter the key again in Settings${currentBackend ? ` to save it with ${describeSecretBackend(currentBackend)}` : ''}.`;
  switch (secret.reason) {
    case 'backend-changed':
      return `${what} was saved with ${sealedWith}, which this session no longer uses (it uses ${describeSecretBackend(currentBackend)}). ${fix} The old copy is kept in case you switch back.`;
    case 'no-encryption':
      return `${what} was saved with ${sealedWith}, but no keyring is available in this session and Metalytics will not keep secrets in plain text. Unlock or start your keyring and restart Metalytics, or set the key in a METALYTICS_* variable.`;
    case 'decrypt-failed':
      return `${what} could not be decrypted by ${sealedWith} (the keyring was reset, or the file came from another computer). ${fix}`;
  }
}
