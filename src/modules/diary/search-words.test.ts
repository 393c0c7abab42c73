import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKey } from '../../platform/crypto/envelope.ts';
import { incidentFacts } from '../../../test/support/diary.ts';
import { HASHES_BLOCK, indexHashes, matches, searchKey, searchTerms, wordsOf } from './search-words.ts';

const details = (description: string) => ({
  ...incidentFacts().details,
  description,
  accountUsed: null,
  evidenceSaved: null,
});

describe('the diary’s keyed word index', () => {
  it('splits text into words without case, accents or punctuation', () => {
    assert.deepEqual(
      wordsOf('Zoë O’Brien — CAFÉ, İpek, 07700 900456!').map((word) => word.join('')),
      ['zoe', 'o', 'brien', 'cafe', 'ipek', '07700', '900456'],
    );
  });

  it('stores hashes padded, in an order that says nothing about where the words come in the text', () => {
    const key = searchKey(generateKey());
    const hashes = indexHashes(key, details('waited outside the gate again'));
    const again = indexHashes(key, details('again the gate outside waited'));
    const starts = searchTerms(
      key,
      'w wa wai wait waite waited o ou out outs outsi outsid outside t th the g ga gat gate a ag aga agai again',
    ).hashes;
    assert.equal(starts.length, 25);
    assert.deepEqual(
      hashes.filter((hash) => again.includes(hash)).sort(),
      [...starts].sort(),
      'the same words have the same hashes, wherever they come',
    );
    assert.equal(hashes.length, HASHES_BLOCK, 'padded with random values');
    assert.equal(indexHashes(key, details('word '.repeat(40) + 'x'.repeat(24))).length, HASHES_BLOCK);
    const long = indexHashes(key, details(Array.from({ length: 70 }, (_, n) => `w${n}z`).join(' ')));
    assert.ok(long.length > HASHES_BLOCK && long.length % HASHES_BLOCK === 0, 'more starts take more blocks');
    assert.deepEqual(
      hashes,
      [...hashes].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
      'in order of value',
    );
    assert.ok(hashes.every((hash) => /^-?\d+$/.test(hash)));
  });

  it('indexes every start of a word, so a search finds them by hash', () => {
    const key = searchKey(generateKey());
    const hashes = new Set(indexHashes(key, details('Harassment at work')));
    for (const typed of ['h', 'ha', 'har', 'harass', 'HARASSMENT', 'work', 'a', 'at'])
      assert.ok(
        searchTerms(key, typed).hashes.every((hash) => hashes.has(hash)),
        `${typed} is found by the index`,
      );
    assert.ok(searchTerms(key, 'harass at').exact);
    assert.ok(!searchTerms(key, 'x'.repeat(25)).exact, 'longer than its indexed start: checked in the text');
    assert.ok(!hashes.has(searchTerms(key, 'ment').hashes[0]!), 'the middle of a word is not indexed');
  });

  it('gives the same words different hashes under different cases’ keys', () => {
    const text = details('Flowers left on the doorstep');
    const mine = new Set(indexHashes(searchKey(generateKey()), text));
    assert.ok(indexHashes(searchKey(generateKey()), text).every((hash) => !mine.has(hash)));
  });

  it('confirms a match on what the entry says: every word typed starts a word there', () => {
    const key = searchKey(generateKey());
    const entry = details('A long message about the doorstep');
    assert.ok(matches(searchTerms(key, 'door MESS'), entry));
    assert.ok(matches(searchTerms(key, 'a'), entry));
    assert.ok(!matches(searchTerms(key, 'doorsteps'), entry));
    assert.ok(!matches(searchTerms(key, 'step'), entry));
  });
});
