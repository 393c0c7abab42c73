import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOT_ASKED } from './client-record.schema.ts';
import { addressLines, ageBand, ageOn, dependantAge, equalityRows, supportNeedsRows } from './client-view.ts';

describe('client view', () => {
  describe('ageOn', () => {
    it('counts a birthday only once it has come', () => {
      assert.equal(ageOn('1990-04-12', '2026-04-11'), 35);
      assert.equal(ageOn('1990-04-12', '2026-04-12'), 36);
      assert.equal(ageOn('2008-02-29', '2026-02-28'), 17);
      assert.equal(ageOn('2008-02-29', '2026-03-01'), 18);
    });
  });

  describe('ageBand', () => {
    it('puts each age in its reporting group, at the edges too', () => {
      const today = '2026-06-01';
      assert.equal(ageBand('2010-06-02', null, today), 'Under 16');
      assert.equal(ageBand('2010-06-01', null, today), '16 to 17');
      assert.equal(ageBand('2008-06-01', null, today), '18 to 24');
      assert.equal(ageBand('1991-06-02', null, today), '25 to 34');
      assert.equal(ageBand('1961-06-01', null, today), '65 and over');
    });

    it('falls back to the age given at referral, and says so', () => {
      assert.equal(ageBand(null, 40, '2026-06-01'), '35 to 44 (from the age given at referral)');
      assert.match(ageBand(null, null, '2026-06-01'), /^Not known/);
    });
  });

  describe('dependantAge', () => {
    it('gives the possible ages for a year of birth, and "about" for an age typed in', () => {
      assert.equal(
        dependantAge({ yearOfBirth: 2016, yearEstimated: false }, 2026),
        'Born in 2016 (age 9 or 10)',
      );
      assert.equal(dependantAge({ yearOfBirth: 2026, yearEstimated: false }, 2026), 'Born in 2026 (under 1)');
      assert.equal(dependantAge({ yearOfBirth: 2022, yearEstimated: true }, 2026), 'About 4');
      assert.equal(dependantAge({ yearOfBirth: 2026, yearEstimated: true }, 2026), 'About 1 or under');
    });
  });

  describe('equalityRows', () => {
    it('says "Not asked" for each question never answered', () => {
      const rows = equalityRows({ dateOfBirth: null, ageAtReferral: null }, NOT_ASKED, '2026-06-01');
      assert.deepEqual(
        rows.slice(1).map((row) => row.value.text),
        ['Not asked', 'Not asked', 'Not asked', 'Not asked', 'Not asked'],
      );
    });

    it('shows a described "Another" answer with its description', () => {
      const rows = equalityRows(
        { dateOfBirth: '1990-01-01', ageAtReferral: null },
        {
          ...NOT_ASKED,
          religion: 'other',
          religionDescription: 'Pagan',
          genderSameAsBirth: 'prefer_not_to_say',
        },
        '2026-06-01',
      );
      const text = Object.fromEntries(rows.map((row) => [row.key.text, row.value.text]));
      assert.equal(text.Religion, 'Another religion: Pagan');
      assert.equal(text['Gender the same as sex registered at birth'], 'Prefer not to say');
      assert.equal(text['Age group'], '35 to 44');
    });
  });

  describe('supportNeedsRows', () => {
    it('lists needs in their labels, one to a line', () => {
      const rows = supportNeedsRows({
        language: null,
        interpreterNeeded: null,
        accessibilityNeeds: null,
        needs: ['housing', 'money'],
        details: null,
      });
      const text = Object.fromEntries(rows.map((row) => [row.key.text, row.value.text]));
      assert.equal(text.Language, 'Not given');
      assert.equal(text.Interpreter, 'Not known');
      assert.equal(text['Other needs'], 'Housing\nMoney or benefits');
    });
  });

  describe('addressLines', () => {
    it('leaves out the lines not given', () => {
      assert.deepEqual(
        addressLines({
          line1: '1 High Street',
          line2: null,
          town: 'Northtown',
          county: null,
          postcode: 'NT1 1AA',
          lettersSafe: true,
        }),
        ['1 High Street', 'Northtown', 'NT1 1AA'],
      );
    });
  });
});
