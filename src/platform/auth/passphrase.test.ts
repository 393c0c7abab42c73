import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hashPassphrase, passphraseNeedsRehash, passphraseProblem, verifyPassphrase } from './passphrase.ts';
import argon2 from 'argon2';

describe('passphrases', () => {
  describe('hashing', () => {
    it('uses argon2id with at least 19 MiB memory, 2 iterations and 1 lane', async () => {
      const hash = await hashPassphrase('copper lantern orchard');
      assert.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      assert.equal(await verifyPassphrase(hash, 'copper lantern orchard'), true);
      assert.equal(await verifyPassphrase(hash, 'copper lantern orchard '), false);
    });

    it('asks for a rehash of weaker hashes', async () => {
      const weak = await argon2.hash('copper lantern orchard', {
        type: argon2.argon2id,
        memoryCost: 4096,
        timeCost: 1,
        parallelism: 1,
      });
      assert.equal(passphraseNeedsRehash(weak), true);
      assert.equal(passphraseNeedsRehash(await hashPassphrase('copper lantern orchard')), false);
    });

    it('does not truncate long passphrases', async () => {
      const long = 'w'.repeat(100);
      const hash = await hashPassphrase(`${long}a`);
      assert.equal(await verifyPassphrase(hash, `${long}b`), false);
    });

    it('treats composed and decomposed Unicode as the same passphrase', async () => {
      const hash = await hashPassphrase('caf\u00e9 lantern orchard');
      assert.equal(await verifyPassphrase(hash, 'cafe\u0301 lantern orchard'), true);
    });
  });

  describe('policy', () => {
    it('accepts 8 to 256 characters in any script, with no composition rules', () => {
      assert.equal(passphraseProblem('quiet brass harbour', []), null);
      assert.equal(passphraseProblem('ζωντανό φεγγάρι θάλασσα', []), null);
      assert.equal(
        passphraseProblem('x'.repeat(7), []),
        'Your passphrase must be at least 8 characters long',
      );
      assert.equal(
        passphraseProblem(`${'walnut harbour '.repeat(18)}`.slice(0, 257), [])?.includes('256'),
        true,
      );
      assert.equal(
        passphraseProblem(`amber kettle lantern ${'q'.repeat(40)}`, []),
        null,
        '64 characters are allowed',
      );
    });

    it('refuses common passwords', () => {
      for (const common of ['password123', 'qwertyuiop', '12345678', 'iloveyou1']) {
        assert.notEqual(passphraseProblem(common, []), null, common);
      }
    });

    it('refuses passphrases built from the service name or the person’s own name or email', () => {
      const context = ['Northshire Stalking Service', 'Jordan Example', 'jordan.example@example.org'];
      for (const weak of ['Northshire Stalking', 'northshire2026!', 'JordanExample99', 'vigil vigil vigil']) {
        assert.notEqual(passphraseProblem(weak, context), null, weak);
      }
    });

    it('never throws, whatever it is given', () => {
      fc.assert(
        fc.property(
          fc.string({ maxLength: 300 }),
          fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }),
          (candidate, context) => {
            const problem = passphraseProblem(candidate, context);
            assert.ok(problem === null || typeof problem === 'string');
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
