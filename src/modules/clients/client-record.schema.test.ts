import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { BadRequestError } from '../../platform/http/forms.ts';
import { generateKey } from '../../platform/crypto/envelope.ts';
import {
  addressSchema,
  dependantSchema,
  equalitySchema,
  NOT_ASKED,
  normalisePostcode,
  otherNamesSchema,
  supportNeedsSchema,
} from './client-record.schema.ts';
import { openDocument, sealDocument } from './sealed-document.ts';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((issue) => issue.message) ?? [];

describe('client record forms', () => {
  it('writes postcodes the Royal Mail way, and refuses what is not one', () => {
    assert.equal(normalisePostcode('sw1a1aa'), 'SW1A 1AA');
    assert.equal(normalisePostcode(' nt4   9zz '), 'NT4 9ZZ');
    assert.equal(normalisePostcode('M1 1AE'), 'M1 1AE');
    assert.equal(normalisePostcode('12345'), null);
    assert.equal(normalisePostcode('SW1A 1AA extra'), null);
  });

  it('keeps each other name once, ignoring case and spacing', () => {
    const parsed = otherNamesSchema.parse({ aliases: 'Jo Smith\nJO  SMITH\n\n Joanne Smith ' });
    assert.deepEqual(parsed, ['Jo Smith', 'Joanne Smith']);
    assert.deepEqual(messages(otherNamesSchema.safeParse({ aliases: 'x'.repeat(201) })), [
      'Name must be 200 characters or fewer',
    ]);
  });

  it('removes the address only with the remove button, whatever else the form holds', () => {
    assert.equal(addressSchema.parse({ line1: '', remove: 'yes' }), null);
    assert.deepEqual(
      addressSchema.parse({
        line1: ' 1 High St ',
        town: 'Northtown',
        postcode: 'nt11aa',
        lettersSafe: 'yes',
      }),
      {
        line1: '1 High St',
        line2: null,
        town: 'Northtown',
        county: null,
        postcode: 'NT1 1AA',
        lettersSafe: true,
      },
    );
  });

  it('asks nothing of equality monitoring, and drops a description the answer does not call for', () => {
    assert.deepEqual(equalitySchema.parse({}), NOT_ASKED);
    const parsed = equalitySchema.parse({
      religion: 'christian',
      religionDescription: 'Quaker',
      genderSameAsBirth: 'yes',
    });
    assert.equal(parsed.religion, 'christian');
    assert.equal(parsed.religionDescription, null);
  });

  it('needs an interpreter’s language, and only needs from the list', () => {
    assert.deepEqual(
      messages(supportNeedsSchema.safeParse({ interpreterNeeded: 'yes', needs: ['flying'] })),
      ['Enter the language the client needs an interpreter for', 'Select needs from the list'],
    );
    assert.deepEqual(supportNeedsSchema.parse({ interpreterNeeded: 'no', needs: 'housing' }).needs, [
      'housing',
    ]);
  });

  it('turns an age into an estimated year of birth, and refuses both at once', () => {
    const schema = dependantSchema(2026);
    const base = { submissionId: crypto.randomUUID(), name: 'K', livesWithClient: 'no' };
    const byAge = schema.parse({ ...base, age: '7' });
    assert.equal(byAge.yearOfBirth, 2019);
    assert.equal(byAge.yearEstimated, true);
    assert.deepEqual(messages(schema.safeParse({ ...base, yearOfBirth: '2019', age: '7' })), [
      'Enter their year of birth or their age, not both',
    ]);
    assert.deepEqual(messages(schema.safeParse({ ...base, yearOfBirth: '2027' })), [
      'Year of birth must be between 1906 and 2026',
    ]);
    assert.throws(() => schema.safeParse({ ...base, submissionId: 'not-an-id', age: '3' }), BadRequestError);
  });
});

const equalityAnswer = z.strictObject({ answer: z.string() });

describe('sealed documents', () => {
  it('pads documents so that different answers seal to the same length', () => {
    const key = generateKey();
    const short = sealDocument(key, { answer: 'no' }, 'client:1:equality');
    const long = sealDocument(key, { answer: 'prefer_not_to_say' }, 'client:1:equality');
    assert.equal(short.length, long.length);
    assert.deepEqual(openDocument(key, long, 'client:1:equality', equalityAnswer), {
      answer: 'prefer_not_to_say',
    });
  });

  it('cannot be opened as another client’s or another part of the record', () => {
    const key = generateKey();
    const sealed = sealDocument(key, { answer: 'no' }, 'client:1:equality');
    assert.throws(() => openDocument(key, sealed, 'client:2:equality', equalityAnswer));
    assert.throws(() => openDocument(key, sealed, 'client:1:address', equalityAnswer));
  });
});
