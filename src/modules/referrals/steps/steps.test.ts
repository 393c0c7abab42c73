import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../../platform/http/forms.ts';
import {
  EMPTY_ANSWERS,
  hasNoSafeContactMethod,
  incompleteSteps,
  stepsFor,
  STEPS,
  type ReferralAnswers,
  type StepId,
} from '../referral-answers.ts';
import { checkAnswers } from './check-answers.ts';
import { ukDate } from '../../../platform/clock.ts';
import { parseDateOfBirth } from './date-of-birth.ts';
import { afterSaving, contextFor, isInJourney, previousStep, QUESTION_PAGES } from './journey.ts';
import { isPhoneNumber, stepErrors, type FormValues, type StepContext } from './step.ts';
import { isHoneypotFilled } from './who.ts';

const TODAY = '2026-11-23';
const SELF: StepContext = { route: 'self', today: TODAY };
const PROFESSIONAL: StepContext = { route: 'professional', today: TODAY };

/** Every page answered: a professional referral that could be sent. */
const COMPLETE: ReferralAnswers = {
  ...EMPTY_ANSWERS,
  route: 'professional',
  referrerName: 'Dr Asha Patel',
  referrerRole: 'GP',
  referrerAgency: 'Northshire Health Centre',
  referrerEmail: 'asha@example.org',
  consentConfirmed: true,
  inImmediateDanger: false,
  personName: 'Robin Tallowmere',
  personDateOfBirth: '1990-03-27',
  phone: '07700 900982',
  phoneSafe: true,
  voicemailAllowed: false,
  maySayWhoWeAre: false,
  interpreterNeeded: false,
  behaviours: ['following'],
  duration: 'not_sure',
  perpetratorKnown: false,
  policeInvolved: 'no',
  childrenInHousehold: 'no',
};

type Case = {
  step: StepId;
  context?: StepContext;
  input: FormValues;
  /** The answers the page saves. */
  saves?: Partial<ReferralAnswers>;
  /** Or the messages it shows, field by field, in page order. */
  errors?: [string, string][];
};

/** What each page saves from what was typed, and what it says when something is wrong. */
const CASES: Case[] = [
  { step: 'who', input: { route: 'professional', website: '' }, saves: { route: 'professional' } },
  {
    step: 'who',
    input: { route: 'self', website: '' },
    saves: {
      route: 'self',
      referrerName: null,
      referrerRole: null,
      referrerAgency: null,
      referrerPhone: null,
      referrerEmail: null,
      consentConfirmed: null,
    },
  },
  { step: 'who', input: { website: '' }, errors: [['route', 'Select who this form is for']] },
  { step: 'who', input: { route: 'everyone' }, errors: [['route', 'Select who this form is for']] },
  {
    step: 'referrer',
    input: {
      referrerName: ' Dr Asha Patel ',
      referrerRole: 'GP',
      referrerAgency: 'Northshire Health Centre',
      referrerPhone: '',
      referrerEmail: 'asha@example.org',
    },
    saves: {
      referrerName: 'Dr Asha Patel',
      referrerRole: 'GP',
      referrerAgency: 'Northshire Health Centre',
      referrerPhone: null,
      referrerEmail: 'asha@example.org',
    },
  },
  {
    step: 'referrer',
    input: {},
    errors: [
      ['referrerName', 'Enter your full name'],
      ['referrerRole', 'Enter your role'],
      ['referrerAgency', 'Enter your organisation'],
      ['referrerPhone', 'Enter a phone number or an email address'],
    ],
  },
  {
    step: 'referrer',
    input: {
      referrerName: 'A',
      referrerRole: 'r'.repeat(101),
      referrerAgency: 'B',
      referrerPhone: 'call me',
      referrerEmail: 'asha@',
    },
    errors: [
      ['referrerRole', 'Your role must be 100 characters or fewer'],
      ['referrerPhone', 'Enter a phone number in the correct format, like 01632 960 001 or 07700 900 982'],
      ['referrerEmail', 'Enter an email address in the correct format, like name@example.org'],
    ],
  },
  { step: 'consent', input: { consentConfirmed: 'yes' }, saves: { consentConfirmed: true } },
  {
    step: 'consent',
    input: {},
    errors: [
      [
        'consentConfirmed',
        'Confirm the person has agreed to this referral. If they have not, ask them first',
      ],
    ],
  },
  { step: 'danger', input: { inImmediateDanger: 'yes' }, saves: { inImmediateDanger: true } },
  { step: 'danger', input: { inImmediateDanger: 'no' }, saves: { inImmediateDanger: false } },
  {
    step: 'danger',
    input: {},
    errors: [['inImmediateDanger', 'Select yes if you are in immediate danger']],
  },
  {
    step: 'danger',
    context: PROFESSIONAL,
    input: {},
    errors: [['inImmediateDanger', 'Select yes if the person is in immediate danger']],
  },
  {
    step: 'person',
    input: {
      personName: 'Jane Quillfeather',
      'dateOfBirth-day': '7',
      'dateOfBirth-month': '03',
      'dateOfBirth-year': '1990',
      personAge: '',
      gender: 'self_described',
      genderDescription: 'Genderfluid',
    },
    saves: {
      personName: 'Jane Quillfeather',
      personDateOfBirth: '1990-03-07',
      personAge: null,
      gender: 'self_described',
      genderDescription: 'Genderfluid',
    },
  },
  {
    step: 'person',
    context: PROFESSIONAL,
    input: {
      personName: 'Robin',
      'dateOfBirth-day': '31',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '',
      dateOfBirthUnknown: 'yes',
      personAge: '34',
      gender: 'man',
      genderDescription: 'ignored unless they chose to describe it',
    },
    saves: {
      personName: 'Robin',
      personDateOfBirth: null,
      personAge: 34,
      gender: 'man',
      genderDescription: null,
    },
  },
  {
    step: 'person',
    input: {
      personName: 'Sam',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '1',
      'dateOfBirth-year': '2000',
      genderDescription: 'Agender',
    },
    // Typed with JavaScript off, but "Prefer to self-describe" not chosen: the description is not kept.
    saves: {
      personName: 'Sam',
      personDateOfBirth: '2000-01-01',
      personAge: null,
      gender: null,
      genderDescription: null,
    },
  },
  {
    step: 'person',
    input: {
      personName: 'Sam',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '1',
      'dateOfBirth-year': '2000',
      gender: 'self_described',
      genderDescription: ' ',
    },
    errors: [['genderDescription', 'Enter how you describe your gender']],
  },
  {
    step: 'person',
    context: PROFESSIONAL,
    input: {
      personName: 'Sam',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '1',
      'dateOfBirth-year': '2000',
      gender: 'self_described',
      genderDescription: 'g'.repeat(101),
    },
    errors: [['genderDescription', 'Gender must be 100 characters or fewer']],
  },
  {
    step: 'person',
    context: PROFESSIONAL,
    input: { personName: 'Sam', dateOfBirthUnknown: 'yes', personAge: '40', gender: 'self_described' },
    errors: [['genderDescription', 'Enter how they describe their gender']],
  },
  {
    step: 'person',
    input: {},
    errors: [
      ['personName', 'Enter your full name'],
      ['dateOfBirth', 'Enter your date of birth, or select that you would rather give your age'],
    ],
  },
  {
    step: 'person',
    context: PROFESSIONAL,
    input: { dateOfBirthUnknown: 'yes', personAge: 'thirty' },
    errors: [
      ['personName', "Enter the person's full name"],
      ['personAge', 'Age must be a whole number between 0 and 120'],
    ],
  },
  {
    step: 'person',
    input: {
      personName: 'Jane',
      'dateOfBirth-day': '31',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1990',
    },
    errors: [['dateOfBirth', 'Date of birth must be a real date']],
  },
  {
    step: 'person',
    input: {
      personName: 'Jane',
      'dateOfBirth-day': '24',
      'dateOfBirth-month': '11',
      'dateOfBirth-year': '2026',
    },
    errors: [['dateOfBirth', 'Date of birth must be in the past']],
  },
  {
    step: 'person',
    input: { personName: 'Jane', gender: 'robot' },
    errors: [
      ['dateOfBirth', 'Enter your date of birth, or select that you would rather give your age'],
      ['gender', 'Select a gender'],
    ],
  },
  {
    step: 'contact',
    input: {
      phone: '+44 (0)7700 900982',
      phoneSafe: 'yes',
      safeTimes: 'After 6pm',
      voicemailAllowed: 'no',
      maySayWhoWeAre: 'yes',
      email: '',
      emailSafe: 'yes',
      codeWord: 'bluebell',
    },
    saves: {
      phone: '+44 (0)7700 900982',
      phoneSafe: true,
      safeTimes: 'After 6pm',
      voicemailAllowed: false,
      maySayWhoWeAre: true,
      email: null,
      emailSafe: null,
      noSafeContact: false,
      codeWord: 'bluebell',
    },
  },
  {
    step: 'contact',
    input: {
      phone: '',
      safeTimes: 'any time',
      voicemailAllowed: 'yes',
      email: 'me@example.org',
      emailSafe: 'no',
    },
    saves: {
      phone: null,
      phoneSafe: null,
      safeTimes: null,
      voicemailAllowed: null,
      maySayWhoWeAre: null,
      email: 'me@example.org',
      emailSafe: false,
      noSafeContact: false,
      codeWord: null,
    },
  },
  {
    step: 'contact',
    input: { phone: '', email: '', codeWord: '' },
    errors: [
      [
        'phone',
        'Enter a phone number or an email address, or select that there is no safe way to contact you',
      ],
    ],
  },
  {
    step: 'contact',
    context: PROFESSIONAL,
    input: { phone: '', email: '' },
    errors: [
      [
        'phone',
        'Enter a phone number or an email address, or select that there is no safe way to contact them',
      ],
    ],
  },
  {
    step: 'contact',
    input: {
      phone: '',
      phoneSafe: 'yes',
      voicemailAllowed: 'yes',
      email: '',
      emailSafe: 'yes',
      noSafeContact: 'yes',
      codeWord: 'heron',
    },
    saves: {
      phone: null,
      phoneSafe: null,
      safeTimes: null,
      voicemailAllowed: null,
      maySayWhoWeAre: null,
      email: null,
      emailSafe: null,
      noSafeContact: true,
      codeWord: 'heron',
    },
  },
  {
    step: 'contact',
    input: { phone: '07700 900982', phoneSafe: 'no', email: '', noSafeContact: 'yes' },
    errors: [
      [
        'noSafeContact',
        'Give a phone number or email address, or select that there is no safe way to contact you, not both',
      ],
    ],
  },
  {
    step: 'contact',
    input: { phone: '12', email: 'me@', codeWord: 'c'.repeat(101) },
    errors: [
      ['phone', 'Enter a phone number in the correct format, like 07700 900 982'],
      ['phoneSafe', 'Select yes if it is safe for us to call this number'],
      ['voicemailAllowed', 'Select yes if we can leave a voicemail'],
      ['maySayWhoWeAre', 'Select yes if we can say who we are when we call'],
      ['email', 'Enter an email address in the correct format, like name@example.org'],
      ['emailSafe', 'Select yes if it is safe for us to email this address'],
      ['codeWord', 'Code word must be 100 characters or fewer'],
    ],
  },
  {
    step: 'language',
    input: { language: 'Polish', interpreterNeeded: 'yes', accessibilityNeeds: 'Large print' },
    saves: { language: 'Polish', interpreterNeeded: true, accessibilityNeeds: 'Large print' },
  },
  {
    step: 'language',
    context: PROFESSIONAL,
    input: { language: '' },
    errors: [['interpreterNeeded', 'Select yes if they need an interpreter']],
  },
  {
    step: 'what',
    input: { behaviours: 'following', whatIsHappening: '', duration: 'over_2_years' },
    saves: { behaviours: ['following'], whatIsHappening: null, duration: 'over_2_years' },
  },
  {
    step: 'what',
    input: { behaviours: ['gifts', 'threats', 'gifts'], whatIsHappening: 'Flowers.', duration: 'not_sure' },
    saves: { behaviours: ['gifts', 'threats'], whatIsHappening: 'Flowers.', duration: 'not_sure' },
  },
  {
    step: 'what',
    input: { whatIsHappening: '' },
    errors: [
      ['behaviours', 'Select what has been happening, or tell us in your own words'],
      ['duration', 'Select how long this has been happening'],
    ],
  },
  {
    step: 'what',
    input: { behaviours: ['following', 'hacking'], whatIsHappening: 'x'.repeat(5001), duration: 'not_sure' },
    errors: [
      ['behaviours', 'Select what has been happening from the list'],
      ['whatIsHappening', 'What has been happening must be 5,000 characters or fewer'],
    ],
  },
  {
    step: 'perpetrator',
    input: { perpetratorKnown: 'yes', perpetratorName: '', perpetratorRelationship: 'stranger' },
    saves: { perpetratorKnown: true, perpetratorName: null, perpetratorRelationship: 'stranger' },
  },
  {
    step: 'perpetrator',
    input: { perpetratorKnown: 'no', perpetratorName: 'Mark', perpetratorRelationship: 'stranger' },
    saves: { perpetratorKnown: false, perpetratorName: null, perpetratorRelationship: null },
  },
  {
    step: 'perpetrator',
    input: { perpetratorKnown: 'yes', perpetratorName: 'Mark' },
    errors: [['perpetratorRelationship', 'Select who they are to you']],
  },
  {
    step: 'perpetrator',
    input: {},
    errors: [['perpetratorKnown', 'Select yes if you know who is doing this']],
  },
  {
    step: 'perpetrator',
    input: { perpetratorKnown: 'no', perpetratorName: 'n'.repeat(201), perpetratorRelationship: 'robot' },
    saves: { perpetratorKnown: false, perpetratorName: null, perpetratorRelationship: null },
  },
  {
    step: 'police',
    input: { policeInvolved: 'yes', crimeReference: '41/12345/26' },
    saves: { policeInvolved: 'yes', crimeReference: '41/12345/26' },
  },
  {
    step: 'police',
    input: { policeInvolved: 'not_sure', crimeReference: '41/12345/26' },
    saves: { policeInvolved: 'not_sure', crimeReference: null },
  },
  {
    step: 'police',
    input: { policeInvolved: 'no', crimeReference: 'r'.repeat(61) },
    saves: { policeInvolved: 'no', crimeReference: null },
  },
  {
    step: 'police',
    input: { policeInvolved: 'yes', crimeReference: 'r'.repeat(61) },
    errors: [['crimeReference', 'Crime reference number must be 60 characters or fewer']],
  },
  { step: 'police', input: {}, errors: [['policeInvolved', 'Select if the police have been told']] },
  {
    step: 'children',
    input: { childrenInHousehold: 'prefer_not_to_say' },
    saves: { childrenInHousehold: 'prefer_not_to_say' },
  },
  {
    step: 'children',
    input: {},
    errors: [['childrenInHousehold', 'Select if there are children in the household']],
  },
];

const present = (values: FormValues) =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null && value !== undefined));

describe('Referral question pages', () => {
  for (const { step: id, context = SELF, input, saves, errors } of CASES) {
    const step = QUESTION_PAGES[id];
    const parsed = step.schema(context).safeParse(input);

    if (saves) {
      describe(`${id}, given ${JSON.stringify(input).slice(0, 80)}`, () => {
        it('saves the answers', () => {
          assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
          assert.deepEqual(parsed.data, saves);
        });

        it('fills the form again from the saved answers, to the same answers', () => {
          const answers = { ...COMPLETE, route: context.route, ...saves };
          const again = step.schema(context).safeParse(present(step.toValues(answers)));
          assert.ok(again.success, JSON.stringify(again.error?.issues));
          assert.deepEqual(again.data, saves);
        });

        it('counts as answered when the referral is sent', () => {
          const answers = { ...COMPLETE, route: context.route, ...saves };
          assert.ok(!incompleteSteps(answers).includes(id), `${id} is complete`);
        });
      });
    }

    if (errors) {
      it(`${id}, given ${JSON.stringify(input).slice(0, 60)}, says ${errors.map(([, m]) => m).join('; ')}`, () => {
        assert.equal(parsed.success, false);
        const shown = stepErrors(parsed.error, step.fields);
        assert.deepEqual(
          shown.summary.map((entry) => [
            entry.href.replace(/^#/, '').replace(/-(day|month|year)$/, ''),
            entry.text,
          ]),
          errors,
        );
        for (const [field, message] of errors) assert.equal(shown.fields[field]?.text, message);
      });
    }
  }

  describe('every page', () => {
    for (const id of STEPS) {
      const step = QUESTION_PAGES[id];

      it(`${id}: an unanswered page cannot be saved, and is not complete`, () => {
        const answers: ReferralAnswers = { ...EMPTY_ANSWERS, route: id === 'who' ? null : 'professional' };
        assert.equal(step.schema(PROFESSIONAL).safeParse(present(step.toValues(answers))).success, false);
        assert.ok(incompleteSteps(answers).includes(id));
      });

      it(`${id}: refuses fields the page does not have`, () => {
        const parsed = step.schema(SELF).safeParse({ ...present(step.toValues(COMPLETE)), role: 'admin' });
        assert.equal(parsed.success, false);
        assert.throws(() => stepErrors(parsed.error, step.fields), BadRequestError);
      });

      it(`${id}: refuses two values where the page sends one`, () => {
        const field = step.fields.find((name) => name !== 'behaviours' && name !== 'dateOfBirth')!;
        const parsed = step.schema(SELF).safeParse({ [field]: ['a', 'b'] });
        assert.equal(parsed.success, false);
        assert.throws(() => stepErrors(parsed.error, step.fields), BadRequestError);
      });

      it(`${id}: has a neutral title`, () => {
        for (const context of [SELF, PROFESSIONAL]) assert.doesNotMatch(step.title(context), /stalk|harass/i);
      });
    }
  });
});

describe('parseDateOfBirth', () => {
  const cases: [string, string, string, ReturnType<typeof parseDateOfBirth>][] = [
    ['27', '3', '1990', { kind: 'date', date: '1990-03-27' }],
    ['29', '2', '2024', { kind: 'date', date: '2024-02-29' }],
    ['23', '11', '2026', { kind: 'date', date: '2026-11-23' }],
    ['', '', '', { kind: 'empty' }],
    ['', '3', '1990', { kind: 'error', message: 'Date of birth must include a day', parts: ['day'] }],
    [
      '',
      '',
      '1990',
      { kind: 'error', message: 'Date of birth must include a day and month', parts: ['day', 'month'] },
    ],
    ['27', '3', '', { kind: 'error', message: 'Date of birth must include a year', parts: ['year'] }],
    ['x', '3', '1990', { kind: 'error', message: 'Date of birth must be a real date', parts: ['day'] }],
    ['27', '3', '90', { kind: 'error', message: 'Year must include 4 numbers', parts: ['year'] }],
    [
      '31',
      '2',
      '1990',
      { kind: 'error', message: 'Date of birth must be a real date', parts: ['day', 'month', 'year'] },
    ],
    [
      '29',
      '2',
      '2023',
      { kind: 'error', message: 'Date of birth must be a real date', parts: ['day', 'month', 'year'] },
    ],
    [
      '1',
      '13',
      '1990',
      { kind: 'error', message: 'Date of birth must be a real date', parts: ['day', 'month', 'year'] },
    ],
    [
      '0',
      '1',
      '1990',
      { kind: 'error', message: 'Date of birth must be a real date', parts: ['day', 'month', 'year'] },
    ],
    [
      '24',
      '11',
      '2026',
      { kind: 'error', message: 'Date of birth must be in the past', parts: ['day', 'month', 'year'] },
    ],
    [
      '1',
      '1',
      '1850',
      {
        kind: 'error',
        message: 'Date of birth must be after 1 January 1900',
        parts: ['day', 'month', 'year'],
      },
    ],
  ];
  for (const [day, month, year, expected] of cases) {
    it(`${day}/${month}/${year} is ${expected.kind === 'error' ? expected.message : expected.kind}`, () => {
      assert.deepEqual(parseDateOfBirth({ day, month, year }, TODAY), expected);
    });
  }

  it('links the error summary to the first part of the date in error', () => {
    const parsed = QUESTION_PAGES.person.schema(SELF).safeParse({
      personName: 'J',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '',
      'dateOfBirth-year': '',
    });
    const errors = stepErrors(parsed.error!, QUESTION_PAGES.person.fields);
    assert.deepEqual(errors.summary, [
      { text: 'Date of birth must include a month and year', href: '#dateOfBirth-month' },
    ]);
    assert.deepEqual(errors.dateParts, { dateOfBirth: ['month', 'year'] });
    const view = QUESTION_PAGES.person.view({ 'dateOfBirth-day': '1' }, SELF, errors) as {
      dateItems: { name: string; error: boolean; value: unknown }[];
    };
    assert.deepEqual(
      view.dateItems.map((item) => [item.name, item.error, item.value]),
      [
        ['day', false, '1'],
        ['month', true, undefined],
        ['year', true, undefined],
      ],
    );
  });

  it('knows the UK date, which is not always the UTC date', () => {
    assert.equal(ukDate(new Date('2026-07-01T23:30:00Z')), '2026-07-02');
    assert.equal(ukDate(new Date('2026-12-01T23:30:00Z')), '2026-12-01');
  });
});

describe('isPhoneNumber', () => {
  for (const valid of ['07700 900982', '+44 7700 900982', '(01632) 960 001', '0121-496-0000'])
    it(`accepts ${valid}`, () => assert.ok(isPhoneNumber(valid)));
  for (const invalid of ['123', 'call me', '+44 () ()', '0'.repeat(21), '07700 900982 ext 2'])
    it(`refuses ${invalid}`, () => assert.equal(isPhoneNumber(invalid), false));
});

describe('isHoneypotFilled', () => {
  it('is true only when the hidden field has something in it', () => {
    assert.equal(isHoneypotFilled({ website: '' }), false);
    assert.equal(isHoneypotFilled({ website: '   ' }), false);
    assert.equal(isHoneypotFilled({}), false);
    assert.equal(isHoneypotFilled({ website: 'https://spam.example' }), true);
  });
});

describe('the journey', () => {
  it('asks professionals two more questions', () => {
    assert.deepEqual(stepsFor('self').slice(0, 3), ['who', 'danger', 'person']);
    assert.deepEqual(stepsFor('professional').slice(0, 4), ['who', 'referrer', 'consent', 'danger']);
  });

  it('goes back page by page, and from the first question to the start page', () => {
    const self = { ...COMPLETE, route: 'self' as const };
    assert.equal(previousStep('who', self), null);
    assert.equal(previousStep('danger', self), 'who');
    assert.equal(previousStep('danger', COMPLETE), 'consent');
    assert.equal(previousStep('children', COMPLETE), 'police');
  });

  it('goes forward page by page, then to the check page', () => {
    assert.equal(afterSaving('who', COMPLETE, false), 'referrer');
    assert.equal(afterSaving('who', { ...COMPLETE, route: 'self' }, false), 'danger');
    assert.equal(afterSaving('children', COMPLETE, false), 'check');
  });

  it('returns to the check page after a change, unless the change opened a new question', () => {
    assert.equal(afterSaving('police', COMPLETE, true), 'check');
    const nowProfessional = { ...COMPLETE, referrerName: null, consentConfirmed: null };
    assert.equal(afterSaving('who', nowProfessional, true), 'referrer');
  });

  it('shows only the pages of the route chosen, and only "who" before a route is chosen', () => {
    assert.ok(isInJourney('who', EMPTY_ANSWERS));
    assert.equal(isInJourney('danger', EMPTY_ANSWERS), false);
    assert.equal(isInJourney('referrer', { ...COMPLETE, route: 'self' }), false);
    assert.ok(isInJourney('referrer', COMPLETE));
  });

  it('uses "you" wording until told otherwise', () => {
    assert.equal(contextFor(EMPTY_ANSWERS, TODAY).route, 'self');
    assert.equal(contextFor(COMPLETE, TODAY).route, 'professional');
  });
});

describe('checkAnswers', () => {
  const answers: ReferralAnswers = {
    ...COMPLETE,
    behaviours: ['following', 'threats'],
    whatIsHappening: 'Line one <b>\nLine two',
    codeWord: null,
  };
  const sections = checkAnswers(answers, PROFESSIONAL, (step) => `/r/code/${step}?from=check`);
  const row = (key: string) =>
    sections.flatMap((section) => section.rows).find((candidate) => candidate.key.text === key)!;

  it('has one section for each page of the route, in order, each answer with a Change link', () => {
    assert.deepEqual(
      sections.map((section) => section.step),
      stepsFor('professional'),
    );
    assert.deepEqual(row('Full name').actions.items, [
      { href: '/r/code/person?from=check', text: 'Change', visuallyHiddenText: 'full name' },
    ]);
  });

  it('shows lists and several lines a line each, escaped', () => {
    assert.deepEqual(row('What they have done').value, { html: 'Following them<br>Threats' });
    assert.deepEqual(row('In your own words').value, { html: 'Line one &lt;b&gt;<br>Line two' });
  });

  it('says when an optional answer was not given', () => {
    assert.deepEqual(row('Code word').value, { text: 'Not given' });
    assert.deepEqual(row('Date of birth').value, { text: '27 March 1990' });
  });

  it('shows the age instead of a date of birth when that is what was given', () => {
    const withAge = checkAnswers(
      { ...answers, personDateOfBirth: null, personAge: 34 },
      PROFESSIONAL,
      () => '#',
    );
    const rows = withAge.flatMap((section) => section.rows).map((r) => [r.key.text, r.value]);
    assert.deepEqual(
      rows.find(([key]) => key === 'Age (or best guess)'),
      ['Age (or best guess)', { text: '34' }],
    );
  });
});

describe('no safe way to contact', () => {
  const none: ReferralAnswers = {
    ...COMPLETE,
    phone: null,
    phoneSafe: null,
    voicemailAllowed: null,
    maySayWhoWeAre: null,
    noSafeContact: true,
    codeWord: 'heron',
  };

  it('lets the referral be sent with no phone or email', () => {
    assert.deepEqual(incompleteSteps(none), []);
    assert.ok(incompleteSteps({ ...none, noSafeContact: false }).includes('contact'));
  });

  it('is flagged when said, or when no phone or email given is safe', () => {
    assert.equal(hasNoSafeContactMethod(none), true);
    assert.equal(hasNoSafeContactMethod({ ...COMPLETE, phoneSafe: false }), true);
    assert.equal(hasNoSafeContactMethod({ ...COMPLETE, phoneSafe: false, emailSafe: true }), false);
    assert.equal(hasNoSafeContactMethod(COMPLETE), false);
  });

  it('reads on the check page as what they said, with the code word', () => {
    const rows = checkAnswers(none, SELF, () => '#')
      .find((section) => section.step === 'contact')!
      .rows.map((row) => [row.key.text, row.value]);
    assert.deepEqual(rows, [
      ['Safe way to contact', { text: 'There is no safe way to contact me right now' }],
      ['Code word', { text: 'heron' }],
    ]);
  });
});
