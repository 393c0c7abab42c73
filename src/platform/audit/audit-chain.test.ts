import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, eventHash, GENESIS_HASH } from './audit-chain.ts';

describe('audit chain hashing', () => {
  it('writes the same JSON for the same value whatever the key order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null))),
        (value) => {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          assert.equal(canonicalJson(value), canonicalJson(reversed));
          assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
        },
      ),
    );
  });

  it('changes the hash when any field or the previous hash changes', () => {
    const event = {
      organisation_id: '3f0c0d5e-1111-4222-8333-444455556666',
      seq: 1,
      event_id: '9a1b2c3d-1111-4222-8333-444455556666',
      occurred_at: new Date('2026-11-23T10:00:00.000Z'),
      actor_user_id: null,
      action: 'sign_in.succeeded',
      record_type: 'user',
      record_id: 'u1',
      reason: null,
      details: { a: 1 },
    };
    const original = eventHash(GENESIS_HASH, event);
    assert.match(original, /^[0-9a-f]{64}$/);
    assert.notEqual(eventHash('1'.repeat(64), event), original);
    assert.notEqual(eventHash(GENESIS_HASH, { ...event, action: 'sign_in.failed' }), original);
    assert.notEqual(
      eventHash(GENESIS_HASH, { ...event, occurred_at: new Date('2026-11-23T10:00:00.001Z') }),
      original,
    );
    assert.notEqual(eventHash(GENESIS_HASH, { ...event, details: { a: 2 } }), original);
    assert.notEqual(eventHash(GENESIS_HASH, { ...event, seq: 2 }), original);
  });
});
