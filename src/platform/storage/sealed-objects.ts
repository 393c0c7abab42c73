import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import type { ObjectStorage } from './storage.ts';

/**
 * Files encrypted at rest with AES-256-GCM as they stream in, in one pass:
 * version (1 byte) | IV (12) | ciphertext | auth tag (16). The additional authenticated data binds an object
 * to where it belongs, so an object moved under another case's key cannot be opened.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;
export const SEALING_OVERHEAD = HEADER_BYTES + TAG_BYTES;

/** Encrypts what passes through it into the sealed object format. */
export function sealingStream(key: Buffer, aad: string): Transform {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const header = Buffer.concat([Buffer.of(VERSION), iv]);
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!started) {
        started = true;
        this.push(header);
      }
      callback(null, cipher.update(chunk));
    },
    flush(callback) {
      if (!started) this.push(header);
      this.push(cipher.final());
      callback(null, cipher.getAuthTag());
    },
  });
}

export class IntegrityError extends Error {}

/** An object whose content was decrypted, authenticated and (for originals) hashed before anything is sent. */
export type VerifiedObject = {
  /** Size of the plaintext. */
  size: number;
  /** The plaintext, when it was small enough to keep from the check. */
  body: Buffer | null;
  /**
   * The plaintext again, read from the same open file and checked again as it goes: if the bytes changed since
   * the check, the stream fails at its end (the tag or the hash), so a download is cut short, never completed.
   */
  stream(): Readable;
  close(): Promise<void>;
};

/**
 * Opens a sealed object and checks it end to end before anything is shown: the GCM tag, and the SHA-256 of
 * the plaintext when `sha256` is given. `missing` when there is no object; IntegrityError when it fails.
 */
export async function openVerified(
  storage: ObjectStorage,
  storageKey: string,
  key: Buffer,
  aad: string,
  sha256: Buffer | null,
  keepUpTo: number,
): Promise<VerifiedObject | 'missing'> {
  const stored = await storage.openRead(storageKey);
  if (!stored) return 'missing';
  try {
    if (stored.size < SEALING_OVERHEAD) throw new IntegrityError('Too short to be a sealed object');
    const header = await stored.readAt(0, HEADER_BYTES);
    const tag = await stored.readAt(stored.size - TAG_BYTES, TAG_BYTES);
    if (header[0] !== VERSION || tag.length !== TAG_BYTES) throw new IntegrityError('Not a sealed object');
    const iv = header.subarray(1);
    const size = stored.size - SEALING_OVERHEAD;
    const plaintext = (): Readable => {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      const hash = sha256 ? createHash('sha256') : null;
      const check = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash?.update(chunk);
          callback(null, chunk);
        },
        flush(callback) {
          if (hash && !hash.digest().equals(sha256!)) callback(new IntegrityError('SHA-256 does not match'));
          else callback();
        },
      });
      const source =
        size === 0 ? Readable.from([]) : stored.readRange(HEADER_BYTES, stored.size - TAG_BYTES - 1);
      return pipeline(source, decipher, check, () => undefined);
    };
    const kept: Buffer[] = [];
    const keeping = size <= keepUpTo;
    try {
      for await (const chunk of plaintext()) {
        if (keeping) kept.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof IntegrityError) throw error;
      throw new IntegrityError(`The object could not be authenticated: ${(error as Error).message}`);
    }
    return {
      size,
      body: keeping ? Buffer.concat(kept) : null,
      stream: plaintext,
      close: () => stored.close(),
    };
  } catch (error) {
    await stored.close();
    throw error;
  }
}
