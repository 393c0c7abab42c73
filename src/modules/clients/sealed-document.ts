import type { z } from 'zod';
import { openText, seal } from '../../platform/crypto/envelope.ts';

/**
 * Seals a small JSON document (an address, equality answers). The JSON is padded with spaces to a multiple of
 * `block` bytes first, because a ciphertext is as long as what it hides: without padding, the length alone
 * would tell "Prefer not to say" from "No", or a short address from a long one. A document that must not
 * give away even how much was answered (equality monitoring) uses a block larger than it can ever be.
 */
export function sealDocument(key: Buffer, value: unknown, aad: string, block = 256): Buffer {
  const json = JSON.stringify(value);
  const length = Buffer.byteLength(json, 'utf8');
  const padded = Math.ceil((length + 1) / block) * block;
  return seal(key, json + ' '.repeat(padded - length), aad);
}

/** Opens a sealed document and checks it has the shape it was sealed with. */
export function openDocument<T>(key: Buffer, sealed: Buffer, aad: string, shape: z.ZodType<T>): T {
  return shape.parse(JSON.parse(openText(key, sealed, aad)));
}
