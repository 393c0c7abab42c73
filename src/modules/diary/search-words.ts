import { randomBytes } from 'node:crypto';
import { deriveKey, hmac } from '../../platform/crypto/envelope.ts';
import type { EntryDetails } from './diary-entry.ts';

/**
 * The keyed word index that lets a case's diary be searched without opening every entry (ADR 0017). Each
 * version of an entry stores keyed hashes of the starts of its words; a search looks for the hashes of the
 * words typed, then opens only the entries that have them all, to confirm and show them.
 *
 * A word matches when it is the start of a word the entry says, ignoring case and accents: "harass" finds
 * "harassment", "zoe" finds "Zoë". Words are runs of letters and digits, so "O’Brien" is "o" and "brien".
 */

/**
 * Starts longer than this are not indexed: a longer word typed is looked up by its first this many, and each
 * entry found is opened to check the rest.
 */
export const LONGEST_INDEXED = 24;

/** The free-text fields a search looks in. */
export function searchableText(details: EntryDetails): string {
  return [
    details.description,
    details.location,
    details.accountUsed,
    details.impactInWords,
    details.witnesses,
    details.evidenceSaved,
    details.policeOfficer,
    details.crimeReference,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The words of a text, lower case and without accents, each as its characters (not UTF-16 units). */
export function wordsOf(text: string): string[][] {
  return text
    .toLocaleLowerCase('en-GB')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((word) => Array.from(word));
}

/** The key a case's word hashes are made with: derived from the case's data key, so it is the case's alone. */
export function searchKey(caseKey: Buffer): Buffer {
  return deriveKey(caseKey, 'diary-search-words');
}

/** The first 8 bytes of the keyed hash of a word's start, as PostgreSQL's bigint (signed). */
function hashOf(key: Buffer, start: string): bigint {
  return hmac(key, `word:${start}`).readBigInt64BE(0);
}

/** An entry version's hashes are padded to a multiple of this many, as its sealed words are padded. */
export const HASHES_BLOCK = 128;

/**
 * The hashes an entry version is indexed by: of every start of every word, up to 24 characters, padded with
 * random values to a multiple of 128 so that how many there are says little about how much the entry says.
 * They are put in the order of their values, so the order says nothing about the words or where they come in
 * the text, and the padding cannot be told from them.
 */
export function indexHashes(key: Buffer, details: EntryDetails): string[] {
  const starts = new Set<string>();
  for (const word of wordsOf(searchableText(details)))
    for (let length = 1; length <= Math.min(word.length, LONGEST_INDEXED); length += 1)
      starts.add(word.slice(0, length).join(''));
  const hashes = [...starts].map((start) => hashOf(key, start));
  const padded = Math.max(1, Math.ceil(hashes.length / HASHES_BLOCK)) * HASHES_BLOCK;
  const padding = randomBytes(8 * (padded - hashes.length));
  for (let at = 0; at < padding.length; at += 8) hashes.push(padding.readBigInt64BE(at));
  return hashes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

export type SearchTerms = {
  /** Every word typed, as characters. */
  words: string[][];
  /** The hashes an entry must have all of to match. */
  hashes: string[];
  /**
   * Whether having the hashes is the same as matching: every word typed is indexed whole, none longer than its
   * indexed start (up to a collision of 64-bit hashes, which the entries shown are checked for).
   */
  exact: boolean;
};

/** What the words typed are looked up by. */
export function searchTerms(key: Buffer, typed: string): SearchTerms {
  const words = wordsOf(typed);
  const hashes = new Set(
    words.map((word) => hashOf(key, word.slice(0, LONGEST_INDEXED).join('')).toString()),
  );
  const exact = words.length > 0 && words.every((word) => word.length <= LONGEST_INDEXED);
  return { words, hashes: [...hashes], exact };
}

/** Whether an entry says every word typed, each as the start of one of its words. */
export function matches(terms: SearchTerms, details: EntryDetails): boolean {
  const said = wordsOf(searchableText(details)).map((word) => word.join(''));
  return terms.words.every((word) => {
    const typed = word.join('');
    return said.some((start) => start.startsWith(typed));
  });
}
