import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import type { SealedSecrets } from '../../../shared/backups';
import { AppError } from '../../../shared/errors';

/** scrypt at N=2^17, r=8: about 128 MiB and a few hundred ms, OWASP's floor for a key guarded only by a passphrase. */
const SCRYPT = { cost: 2 ** 17, blockSize: 8, parallelization: 1 };
const KEY_BYTES = 32;

function deriveKey(passphrase: string, salt: Buffer, params: typeof SCRYPT): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N: params.cost, r: params.blockSize, p: params.parallelization, maxmem: 256 * params.cost * params.blockSize },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/** Encrypts the secrets with AES-256-GCM under a key derived from `passphrase`; the parameters go to the manifest. */
export async function sealSecrets(secrets: Record<string, string>, passphrase: string): Promise<{ sealed: Buffer; seal: SealedSecrets }> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt, SCRYPT), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return {
    sealed,
    seal: {
      kdf: 'scrypt',
      ...SCRYPT,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
      names: Object.keys(secrets).sort(),
    },
  };
}

/**
 * The secrets back in clear. The part's sha256 was checked before, so a failing
 * authentication means the passphrase is not the one the backup was made with.
 */
export async function openSealedSecrets(sealed: Buffer, seal: SealedSecrets, passphrase: string): Promise<Record<string, string>> {
  const key = await deriveKey(passphrase, Buffer.from(seal.salt, 'base64'), seal);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(seal.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(seal.authTag, 'base64'));
  try {
    return JSON.parse(Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8')) as Record<string, string>;
  } catch {
    throw new AppError('VALIDATION', 'The passphrase is wrong: it does not open the secrets of this backup.');
  }
}
