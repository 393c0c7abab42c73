import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../platform/http/forms.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import { describeAge, matchHint, recordRows, socialAccountText } from './perpetrator-view.ts';
import {
  isPhoneNumber,
  isVehicleRegistration,
  lines,
  parseSocialAccount,
  perpetratorFormErrors,
  perpetratorFormSchema,
} from './perpetrators.schema.ts';
import { identifierProbes, mergeNames, mergeText } from './perpetrators.service.ts';

const SUBMISSION = '6f1d1d2e-8f0a-4c3b-9a53-0d3f3f6c2b11';
const TODAY = '2026-11-23';

describe('parseSocialAccount', () => {
  it('reads "Platform: handle", naming well-known platforms the usual way', () => {
    assert.deepEqual(parseSocialAccount('Instagram: @name'), { platform: 'Instagram', handle: '@name' });
    assert.deepEqual(parseSocialAccount('  tiktok :  shadow_fox  '), {
      platform: 'TikTok',
      handle: 'shadow_fox',
    });
    assert.deepEqual(parseSocialAccount('twitter: @someone'), { platform: 'X', handle: '@someone' });
    assert.deepEqual(parseSocialAccount('Mastodon: @a@example.social'), {
      platform: 'Mastodon',
      handle: '@a@example.social',
    });
  });

  it('reads "Platform @handle" without a colon', () => {
    assert.deepEqual(parseSocialAccount('Snapchat @ghost.1'), { platform: 'Snapchat', handle: '@ghost.1' });
  });

  it('reads a profile address, with or without https and www', () => {
    assert.deepEqual(parseSocialAccount('https://www.instagram.com/some.name/'), {
      platform: 'Instagram',
      handle: 'some.name',
    });
    assert.deepEqual(parseSocialAccount('tiktok.com/@fox'), { platform: 'TikTok', handle: '@fox' });
    assert.deepEqual(parseSocialAccount('https://www.linkedin.com/in/jo-bloggs'), {
      platform: 'LinkedIn',
      handle: 'jo-bloggs',
    });
    assert.deepEqual(parseSocialAccount('https://example.social/@who'), {
      platform: 'example.social',
      handle: '@who',
    });
  });

  it('takes a bare handle with the platform unknown, and refuses a line with no handle', () => {
    assert.deepEqual(parseSocialAccount('@lonely'), { platform: null, handle: '@lonely' });
    assert.equal(parseSocialAccount('Instagram:'), null);
    assert.equal(parseSocialAccount('https://www.instagram.com/'), null);
    assert.equal(parseSocialAccount('   '), null);
  });

  it('gives the same blind index to "@Name" and "name"', () => {
    const key = blindIndexKey(Buffer.alloc(32, 3));
    const a = parseSocialAccount('Instagram: @Name')!;
    const b = parseSocialAccount('TikTok: name')!;
    assert.deepEqual(blindIndex(key, 'handle', a.handle), blindIndex(key, 'handle', b.handle));
  });
});

describe('form helpers', () => {
  it('splits a textarea into trimmed lines, each once', () => {
    assert.deepEqual(lines(' one \r\n\r\ntwo\rone\n  '), ['one', 'two']);
    assert.deepEqual(lines(undefined), []);
  });

  it('accepts UK and international phone numbers and refuses words', () => {
    for (const phone of ['07700 900123', '+44 7700 900123', '(01632) 960 001', '+1-202-555-0143'])
      assert.equal(isPhoneNumber(phone), true, phone);
    for (const phone of ['call me', '123', '07700 900123 ext 5', '+44 7700 900123 4567 89'])
      assert.equal(isPhoneNumber(phone), false, phone);
  });

  it('accepts vehicle registrations with spaces or dashes, and refuses other characters', () => {
    for (const vehicle of ['AB12 CDE', 'ab12cde', 'A1', 'LK-68 XYZ'])
      assert.equal(isVehicleRegistration(vehicle), true);
    for (const vehicle of ['A', 'AB12 CDÉ', 'AB12/CDE', 'ABCDEFGHIJK'])
      assert.equal(isVehicleRegistration(vehicle), false);
  });

  it('merges text without repeating what the record already says', () => {
    assert.equal(mergeText(null, 'new'), 'new');
    assert.equal(mergeText('old', null), 'old');
    assert.equal(mergeText('old and new', 'new'), 'old and new');
    assert.equal(mergeText('old', 'new'), 'old\n\nnew');
  });

  it('merges names: a missing name is filled, other new names become other names, once', () => {
    assert.deepEqual(
      mergeNames(
        { name: 'Dorian Featherstone', aliases: ['Dory'] },
        { name: 'dorian  featherstone', aliases: ['DORY', 'D. F.'] },
      ),
      { name: 'Dorian Featherstone', aliases: ['Dory', 'D. F.'] },
    );
    assert.deepEqual(mergeNames({ name: null, aliases: [] }, { name: 'Now Known', aliases: ['Alias'] }), {
      name: 'Now Known',
      aliases: ['Alias'],
    });
  });

  it('probes each identifier once however it was typed', () => {
    const probes = identifierProbes(
      {
        name: null,
        aliases: [],
        dateOfBirth: null,
        approximateAge: null,
        description: null,
        addresses: null,
        phones: ['+44 7700 900123', '07700 900123'],
        emails: ['A@Example.org', 'a@example.org'],
        socialAccounts: [
          { platform: 'Instagram', handle: '@Name' },
          { platform: 'TikTok', handle: 'name' },
        ],
        vehicles: ['ab12 cde', 'AB12CDE'],
        riskFactors: [],
        riskNotes: null,
      },
      blindIndexKey(Buffer.alloc(32, 5)),
    );
    assert.deepEqual(
      probes.map((probe) => probe.kind),
      ['phone', 'email', 'handle', 'vehicle'],
    );
    assert.equal(probes[2]!.platform, 'Instagram');
  });
});

describe('perpetratorFormSchema', () => {
  const schema = perpetratorFormSchema(TODAY);
  const valid = {
    submissionId: SUBMISSION,
    name: ' Alex Sample ',
    aliases: 'Al\nAl',
    'dateOfBirth-day': '',
    'dateOfBirth-month': '',
    'dateOfBirth-year': '',
    approximateAge: '35',
    relationship: 'ex_partner',
    socialAccounts: 'Instagram: @al\n@other',
    riskFactors: 'weapons',
  };

  it('turns the form into details, with an approximate age when no date of birth is given', () => {
    const parsed = schema.parse(valid);
    assert.equal(parsed.details.name, 'Alex Sample');
    assert.deepEqual(parsed.details.aliases, ['Al']);
    assert.equal(parsed.details.approximateAge, 35);
    assert.equal(parsed.details.dateOfBirth, null);
    assert.deepEqual(parsed.details.socialAccounts, [
      { platform: 'Instagram', handle: '@al' },
      { platform: null, handle: '@other' },
    ]);
    assert.deepEqual(parsed.details.riskFactors, ['weapons']);
    assert.equal(parsed.choice, null);
    assert.equal(parsed.matchesShown, false);
  });

  it('reads the choice between a known person and someone new', () => {
    assert.equal(schema.parse({ ...valid, existingPerpetratorId: 'new' }).choice, 'new');
    assert.deepEqual(schema.parse({ ...valid, existingPerpetratorId: SUBMISSION.toUpperCase() }).choice, {
      perpetratorId: SUBMISSION,
    });
  });

  it('refuses impossible and future dates of birth, pointing at the parts that are wrong', () => {
    const result = schema.safeParse({
      ...valid,
      approximateAge: '',
      'dateOfBirth-day': '30',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1990',
    });
    assert.equal(result.success, false);
    const errors = perpetratorFormErrors(result.error);
    assert.equal(errors.fields.dateOfBirth?.text, 'Date of birth must be a real date');
    assert.equal(errors.summary[0]?.href, '#dateOfBirth-day');
    const future = schema.safeParse({
      ...valid,
      approximateAge: '',
      'dateOfBirth-day': '24',
      'dateOfBirth-month': '11',
      'dateOfBirth-year': '2026',
    });
    assert.equal(
      perpetratorFormErrors(future.error!).fields.dateOfBirth?.text,
      'Date of birth must be in the past',
    );
    const partial = schema.safeParse({ ...valid, approximateAge: '', 'dateOfBirth-year': '1990' });
    const partialErrors = perpetratorFormErrors(partial.error!);
    assert.equal(partialErrors.fields.dateOfBirth?.text, 'Date of birth must include a day and month');
    assert.deepEqual(partialErrors.dateParts, ['day', 'month']);
  });

  it('says which line of a list is wrong', () => {
    const result = schema.safeParse({ ...valid, phones: '07700 900123\nnot a number', emails: 'nope' });
    const errors = perpetratorFormErrors(result.error!);
    assert.match(errors.fields.phones!.text, /on line 2/);
    assert.doesNotMatch(errors.fields.emails!.text, /line/);
  });

  it('treats unknown fields, lists where one answer belongs, and a missing submission id as an altered form', () => {
    for (const altered of [
      { ...valid, extra: 'x' },
      { ...valid, name: ['a', 'b'] },
      { ...valid, submissionId: undefined },
    ]) {
      const result = schema.safeParse(altered);
      assert.equal(result.success, false);
      assert.throws(() => perpetratorFormErrors(result.error), BadRequestError);
    }
    assert.throws(() => schema.safeParse({ ...valid, submissionId: 'not-a-uuid' }), BadRequestError);
  });
});

describe('perpetrator view', () => {
  it('describes age from a date of birth or an approximate age', () => {
    assert.equal(describeAge('1984-06-02', null), 'Born 2 June 1984');
    assert.equal(describeAge(null, 40), 'About 40 years old (when recorded)');
    assert.equal(describeAge(null, null), null);
  });

  it('says what is not known rather than leaving a row empty', () => {
    const rows = recordRows({
      perpetratorId: SUBMISSION,
      name: null,
      aliases: [],
      dateOfBirth: null,
      approximateAge: 30,
      description: null,
      addresses: 'Line one\n\nLine two',
      phones: [],
      emails: [],
      socialAccounts: [{ platform: null, handle: '@x' }],
      vehicles: [],
      riskFactors: [],
      riskNotes: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      cases: [],
    });
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row.lines]));
    assert.deepEqual(byKey.Name, ['Not known']);
    assert.deepEqual(byKey.Age, ['About 30 (when recorded)']);
    assert.deepEqual(byKey.Addresses, ['Line one', 'Line two']);
    assert.deepEqual(byKey['Social media accounts'], ['@x']);
  });

  it('sums up a possible match in one hint', () => {
    assert.equal(socialAccountText({ platform: 'Instagram', handle: '@a' }), 'Instagram: @a');
    assert.equal(
      matchHint({
        perpetratorId: SUBMISSION,
        name: 'A',
        aliases: ['B'],
        dateOfBirth: '1990-01-02',
        approximateAge: null,
        reasons: ['Same phone number', 'Similar name (50% alike)'],
        cases: [{ caseId: SUBMISSION, reference: 'ABCD-2345' }],
      }),
      'Born 2 January 1990. Also known as B. Same phone number. Similar name (50% alike). Linked to case ABCD-2345.',
    );
  });
});
