import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Envelope encryption: a master key (from outside the database) wraps each organisation's key, which wraps
 * each case's data key, which encrypts sensitive fields and files with AES-256-GCM. Destroying a case's
 * wrapped key makes its data unreadable (crypto-shredding).
 *
 * Sealed format: version (1 byte) | IV (12) | auth tag (16) | ciphertext. The additional authenticated data
 * (AAD) binds a ciphertext to where it belongs, so it cannot be moved to another record or field.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class DecryptionError extends Error {}

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error('Encryption keys are 32 bytes');
}

export function seal(key: Buffer, plaintext: Buffer | string, aad: string): Buffer {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ]);
  return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  assertKey(key);
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION)
    throw new DecryptionError('Not a sealed value');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError('The value could not be decrypted: wrong key, wrong record, or altered');
  }
}

export function openText(key: Buffer, sealed: Buffer, aad: string): string {
  return open(key, sealed, aad).toString('utf8');
}

/** A subkey for one purpose, so one key is never used for two jobs. */
export function deriveKey(key: Buffer, purpose: string): Buffer {
  assertKey(key);
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `vigil:${purpose}`, KEY_BYTES));
}

/** A short, non-secret identifier of a key, stored beside what it wrapped so rotation knows which key to use. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function hmac(key: Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value, 'utf8').digest();
}
