import { randomBytes } from 'node:crypto';

/** Letters and digits that cannot be mistaken for each other when read out on the phone (no I, O, 0 or 1). */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A short, unguessable reference people can read out: four characters, a dash, four more (e.g. AB3D-7KQ2). */
export function newReference(): string {
  const chars = Array.from(randomBytes(8), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}
