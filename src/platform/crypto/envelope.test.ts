import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { blindIndex, blindIndexKey, normaliseIdentifier } from './blind-index.ts';
import { DecryptionError, deriveKey, generateKey, open, openText, seal } from './envelope.ts';
import { KeyRing } from './key-ring.ts';

describe('envelope encryption', () => {
  it('round-trips any text and never stores it in clear', () => {
    const key = generateKey();
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (text) => {
        const sealed = seal(key, text, 'case.note:1');
        assert.equal(openText(key, sealed, 'case.note:1'), text);
        assert.equal(sealed.includes(Buffer.from(text, 'utf8')), false);
      }),
    );
  });

  it('gives different ciphertexts for the same text (fresh IV each time)', () => {
    const key = generateKey();
    assert.notDeepEqual(seal(key, 'same words', 'a'), seal(key, 'same words', 'a'));
  });

  it('refuses the wrong key, the wrong record and any altered byte', () => {
    const key = generateKey();
    const sealed = seal(key, 'address: 1 Example Street', 'client.address:42');
    assert.throws(() => open(generateKey(), sealed, 'client.address:42'), DecryptionError);
    assert.throws(() => open(key, sealed, 'client.address:43'), DecryptionError);
    for (const index of [0, 5, 20, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[index] = altered[index]! ^ 0x01;
      assert.throws(() => open(key, altered, 'client.address:42'), DecryptionError);
    }
  });

  it('derives distinct subkeys per purpose', () => {
    const key = generateKey();
    assert.notDeepEqual(deriveKey(key, 'blind-index'), deriveKey(key, 'sign-in-throttle'));
    assert.deepEqual(deriveKey(key, 'blind-index'), deriveKey(key, 'blind-index'));
  });
});

describe('KeyRing', () => {
  it('wraps a case data key under the organisation key, and destroying the wrapped key loses the data', () => {
    const ring = new KeyRing(generateKey());
    const organisationKey = generateKey();
    const { key, wrapped } = ring.newDataKey(organisationKey, 'case:1');
    assert.deepEqual(ring.unwrapDataKey(organisationKey, wrapped, 'case:1'), key);
    assert.throws(() => ring.unwrapDataKey(organisationKey, wrapped, 'case:2'), DecryptionError);
    assert.throws(() => ring.unwrapDataKey(generateKey(), wrapped, 'case:1'), DecryptionError);
  });
});

describe('blind indexes', () => {
  const indexKey = blindIndexKey(generateKey());

  it('match the same phone number however it is written', () => {
    const forms = ['07700 900123', '+44 7700 900123', '0044 7700 900 123', '(07700) 900-123'];
    const indexes = forms.map((form) => blindIndex(indexKey, 'phone', form).toString('hex'));
    assert.equal(new Set(indexes).size, 1);
  });

  it('match emails and handles regardless of case and leading @', () => {
    assert.deepEqual(
      blindIndex(indexKey, 'email', ' Someone@Example.ORG '),
      blindIndex(indexKey, 'email', 'someone@example.org'),
    );
    assert.deepEqual(
      blindIndex(indexKey, 'handle', '@Stalker_01'),
      blindIndex(indexKey, 'handle', 'stalker_01'),
    );
    assert.equal(normaliseIdentifier('vehicle', 'ab12 cde'), 'AB12CDE');
  });

  it('differ between kinds, organisations and values', () => {
    const other = blindIndexKey(generateKey());
    assert.notDeepEqual(blindIndex(indexKey, 'handle', 'sam'), blindIndex(indexKey, 'name', 'sam'));
    assert.notDeepEqual(blindIndex(indexKey, 'email', 'a@b.org'), blindIndex(other, 'email', 'a@b.org'));
    assert.notDeepEqual(
      blindIndex(indexKey, 'phone', '07700900123'),
      blindIndex(indexKey, 'phone', '07700900124'),
    );
  });
});
