import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../platform/http/forms.ts';
import type { SafeContact } from '../cases/clients.repository.ts';
import { contactHistoryViews } from './client-view.ts';
import {
  changedContactFields,
  changedIdentityFields,
  identityValues,
  parseIdentity,
  parseSafeContact,
  safeContactValues,
} from './identity-contact.schema.ts';

const TODAY = '2027-05-05';

const DETAILS: SafeContact = {
  phone: '07700 900123',
  phoneSafe: true,
  email: 'jordan@example.org',
  emailSafe: false,
  safeTimes: 'Weekdays after 6pm',
  voicemailAllowed: false,
  maySayWhoWeAre: true,
  codeWord: 'bluebell',
};

const messages = (parsed: ReturnType<typeof parseSafeContact> | ReturnType<typeof parseIdentity>) =>
  parsed.ok ? [] : parsed.errors.summary.map((entry) => entry.text);

describe('identity and contact forms', () => {
  describe('parseIdentity', () => {
    it('takes a date of birth, or an age when the date is not known', () => {
      assert.deepEqual(
        parseIdentity(
          {
            personName: ' Jo Bloggs ',
            'dateOfBirth-day': '9',
            'dateOfBirth-month': '11',
            'dateOfBirth-year': '1990',
          },
          TODAY,
        ),
        {
          ok: true,
          value: {
            name: 'Jo Bloggs',
            dateOfBirth: '1990-11-09',
            age: null,
            gender: null,
            genderDescription: null,
          },
        },
      );
      const byAge = parseIdentity({ personName: 'Jo', dateOfBirthUnknown: 'yes', personAge: '41' }, TODAY);
      assert.ok(byAge.ok);
      assert.equal(byAge.value.dateOfBirth, null);
      assert.equal(byAge.value.age, 41);
    });

    it('refuses a date of birth that is impossible, or not yet come', () => {
      const date = (day: string, month: string, year: string) =>
        messages(
          parseIdentity(
            {
              personName: 'Jo',
              'dateOfBirth-day': day,
              'dateOfBirth-month': month,
              'dateOfBirth-year': year,
            },
            TODAY,
          ),
        );
      assert.deepEqual(date('29', '2', '2023'), ['Date of birth must be a real date']);
      assert.deepEqual(date('6', '5', '2027'), ['Date of birth must be in the past']);
      assert.deepEqual(date('', '5', '1990'), ['Date of birth must include a day']);
    });

    it('shows the record’s answers in the referral’s fields', () => {
      const values = identityValues({
        name: 'Jo',
        dateOfBirth: null,
        age: 41,
        gender: 'woman',
        genderDescription: null,
      });
      assert.equal(values.dateOfBirthUnknown, 'yes');
      assert.equal(values.personAge, '41');
      assert.equal(values.gender, 'woman');
    });
  });

  describe('parseSafeContact', () => {
    it('reads the referral’s contact fields', () => {
      const parsed = parseSafeContact(safeContactValues(DETAILS), TODAY);
      assert.deepEqual(parsed, { ok: true, value: DETAILS });
    });

    it('lets a caseworker leave both phone and email empty, keeping the code word', () => {
      const parsed = parseSafeContact(
        { phone: ' ', email: '', phoneSafe: 'yes', codeWord: ' heron ' },
        TODAY,
      );
      assert.deepEqual(parsed, {
        ok: true,
        value: {
          phone: null,
          phoneSafe: null,
          email: null,
          emailSafe: null,
          safeTimes: null,
          voicemailAllowed: null,
          maySayWhoWeAre: null,
          codeWord: 'heron',
        },
      });
      assert.deepEqual(messages(parseSafeContact({ codeWord: 'x'.repeat(101) }, TODAY)), [
        'Code word must be 100 characters or fewer',
      ]);
    });

    it('asks whether each channel given is safe', () => {
      assert.deepEqual(messages(parseSafeContact({ email: 'jo@example.org' }, TODAY)), [
        'Select yes if it is safe for us to email this address',
      ]);
    });

    it('refuses an altered form rather than explaining it', () => {
      assert.throws(() => parseSafeContact({ phone: '', email: '', isAdmin: 'yes' }, TODAY), BadRequestError);
      assert.throws(
        () => parseSafeContact({ phone: ['07700 900123', '07700 900124'] }, TODAY),
        BadRequestError,
      );
    });
  });

  describe('changed fields', () => {
    it('names what changed, in the form’s order, and nothing when nothing did', () => {
      assert.deepEqual(changedContactFields(DETAILS, { ...DETAILS }), []);
      assert.deepEqual(changedContactFields(DETAILS, { ...DETAILS, codeWord: null, phone: '07700 900999' }), [
        'phone',
        'codeWord',
      ]);
      const identity = { name: 'Jo', dateOfBirth: null, age: 41, gender: null, genderDescription: null };
      assert.deepEqual(changedIdentityFields(identity, { ...identity, age: 42 }), ['age']);
    });
  });

  describe('contactHistoryViews', () => {
    it('lists, for each change, what the changed details were before it', () => {
      const [view] = contactHistoryViews([
        {
          changeId: 'c1',
          changedAt: new Date('2027-05-05T13:04:00Z'),
          changedBy: 'Casey Worker',
          changed: ['phone', 'phoneSafe', 'codeWord'],
          previous: { ...DETAILS, codeWord: null },
        },
      ]);
      assert.equal(view?.by, 'Casey Worker');
      assert.equal(view?.when, '5 May 2027, 2:04pm');
      assert.deepEqual(
        view?.rows.map((row) => [row.key.text, row.value.text]),
        [
          ['Phone number', '07700 900123'],
          ['Safe to call', 'Yes'],
          ['Code word', 'Not given'],
        ],
      );
    });
  });
});
