import argon2 from 'argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** OWASP's minimum for argon2id; hashes made with weaker settings are upgraded at the next sign-in. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSPHRASE_MIN = 8;
export const PASSPHRASE_MAX = 256;

export function hashPassphrase(passphrase: string): Promise<string> {
  return argon2.hash(passphrase.normalize('NFC'), ARGON2_OPTIONS);
}

export async function verifyPassphrase(hash: string, passphrase: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, passphrase.normalize('NFC'));
  } catch {
    return false;
  }
}

export function passphraseNeedsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_OPTIONS);
}

/** A real hash of nothing anyone knows, verified for unknown accounts so they take as long as known ones. */
let decoyHash: Promise<string> | undefined;
export function decoyPassphraseHash(): Promise<string> {
  decoyHash ??= hashPassphrase(`decoy:${Math.random()}:${Date.now()}`);
  return decoyHash;
}

let estimator: ZxcvbnFactory | undefined;
function strengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return estimator;
}

const lettersAndDigits = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Length 8 to 256 in any script, no composition rules. Refuses passphrases that are common, easily guessed,
 * or made of words from the context: the service's name, the person's own name or email, "vigil".
 * Returns the message to show, or null when the passphrase is acceptable.
 */
export function passphraseProblem(passphrase: string, context: string[]): string | null {
  const length = [...passphrase.normalize('NFC')].length;
  if (length < PASSPHRASE_MIN) return `Your passphrase must be at least ${PASSPHRASE_MIN} characters long`;
  if (length > PASSPHRASE_MAX) return `Your passphrase must be ${PASSPHRASE_MAX} characters or fewer`;

  const contextWords = ['vigil', 'stalking', 'password', 'passphrase', ...context]
    .flatMap((item) => item.split(/[\s@._-]+/))
    .map(lettersAndDigits)
    .filter((word) => word.length >= 3)
    .sort((a, b) => b.length - a.length);
  let remainder = lettersAndDigits(passphrase);
  for (const word of contextWords) remainder = remainder.split(word).join('');
  if (remainder.replace(/\d/g, '').length < 6) {
    return 'Your passphrase must not be based on your name, your email address or the name of the service';
  }

  const result = strengthEstimator().check(passphrase.slice(0, 100), contextWords);
  if (result.score < 3) {
    return 'Your passphrase is too easy to guess. Try three or four random words together';
  }
  return null;
}
