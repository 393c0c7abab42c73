import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createMailer } from '../../platform/mail/mailer.ts';
import { buildTestApp, givenOrganisation, TestBrowser, type TestApp } from '../../../test/support/app.ts';
import { REFERRAL_COOKIE } from './referral-cookie.ts';
import { MINIMUM_COMPLETION_TIME } from './referrals.service.ts';
import { SENDS_PER_HOUR, STARTS_PER_HOUR } from './public-referral.routes.ts';

type Form = Record<string, string | string[]>;

const PERSON_NAME = 'Jane Quillfeather';
const PHONE = '07700 900982';

/** A self-referral's answers, page by page, as a browser sends them (empty text fields included). */
const SELF: [string, Form][] = [
  ['who', { route: 'self', website: '' }],
  ['danger', { inImmediateDanger: 'no' }],
  [
    'person',
    {
      personName: PERSON_NAME,
      'dateOfBirth-day': '27',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '1990',
      personAge: '',
      gender: 'woman',
      genderDescription: '',
    },
  ],
  [
    'contact',
    {
      phone: PHONE,
      phoneSafe: 'yes',
      safeTimes: 'Weekdays after 6pm',
      voicemailAllowed: 'no',
      maySayWhoWeAre: 'no',
      email: '',
      codeWord: 'bluebell',
    },
  ],
  ['language', { language: 'English', interpreterNeeded: 'no', accessibilityNeeds: '' }],
  [
    'what',
    {
      behaviours: ['following', 'messages_calls'],
      whatIsHappening: 'He waits outside my work every evening.\nHe sends messages all night.',
      duration: '1_to_6_months',
    },
  ],
  [
    'perpetrator',
    { perpetratorKnown: 'yes', perpetratorName: 'Mark Quarrier', perpetratorRelationship: 'ex_partner' },
  ],
  ['police', { policeInvolved: 'yes', crimeReference: '41/12345/26' }],
  ['children', { childrenInHousehold: 'no' }],
];

/** A professional referral for someone in immediate danger whose date of birth the referrer does not know. */
const PROFESSIONAL: [string, Form][] = [
  ['who', { route: 'professional', website: '' }],
  [
    'referrer',
    {
      referrerName: 'Dr Asha Patel',
      referrerRole: 'GP',
      referrerAgency: 'Northshire Health Centre',
      referrerPhone: '',
      referrerEmail: 'asha.patel@nhs.example.org',
    },
  ],
  ['consent', { consentConfirmed: 'yes' }],
  ['danger', { inImmediateDanger: 'yes' }],
  [
    'person',
    {
      personName: 'Robin Tallowmere',
      'dateOfBirth-day': '',
      'dateOfBirth-month': '',
      'dateOfBirth-year': '',
      dateOfBirthUnknown: 'yes',
      personAge: '34',
      genderDescription: '',
    },
  ],
  [
    'contact',
    {
      phone: '',
      safeTimes: '',
      email: 'robin@example.org',
      emailSafe: 'yes',
      codeWord: '',
    },
  ],
  ['language', { language: 'Polish', interpreterNeeded: 'yes', accessibilityNeeds: '' }],
  ['what', { whatIsHappening: 'Threats by text message.', duration: 'under_1_month' }],
  ['perpetrator', { perpetratorKnown: 'no', perpetratorName: '', perpetratorRelationship: '' }],
  ['police', { policeInvolved: 'not_sure', crimeReference: '' }],
  ['children', { childrenInHousehold: 'yes' }],
];

const titleOf = (body: string) => /<title>([^<]*)<\/title>/.exec(body)?.[1]?.trim() ?? '';
const referenceOn = (body: string) => /data-qa="reference">([A-Z0-9]{4}-[A-Z0-9]{4})</.exec(body)?.[1];

describe('Public referral form', () => {
  let test: TestApp;
  let organisationId: string;
  let code: string;
  const start = () => `/r/${code}`;
  const page = (step: string) => `/r/${code}/${step}`;

  before(async () => {
    test = await buildTestApp();
    organisationId = (await givenOrganisation(test)).organisationId;
    ({ referral_code: code } = await test.database.ownerDb
      .selectFrom('organisations')
      .select('referral_code')
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow());
  });
  after(async () => test.close());

  async function started(): Promise<TestBrowser> {
    const browser = new TestBrowser(test);
    const startPage = await browser.get(start());
    assert.equal(startPage.statusCode, 200);
    const response = await browser.post(start());
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, page('who'));
    assert.ok(browser.cookies.get(REFERRAL_COOKIE), 'the draft token is kept in a cookie');
    return browser;
  }

  /**
   * Answers pages of a journey in turn (all of them, or those from `from` up to `to`), as a person would: the
   * page first, then Continue, which leads to the journey's next page. Returns the titles seen.
   */
  async function answerAll(
    browser: TestBrowser,
    pages: [string, Form][],
    from = 0,
    to = pages.length,
  ): Promise<string[]> {
    const titles: string[] = [];
    for (const [index, [step, form]] of pages.entries()) {
      if (index < from || index >= to) continue;
      const shown = await browser.get(page(step));
      assert.equal(shown.statusCode, 200, `${step} page`);
      titles.push(titleOf(shown.body));
      const response = await browser.post(page(step), form);
      assert.equal(response.statusCode, 303, `${step}: ${response.body.slice(0, 2000)}`);
      const next = pages[index + 1]?.[0] ?? 'check';
      assert.equal(response.headers.location, page(next), `after ${step}`);
    }
    return titles;
  }

  async function referralRow(reference: string) {
    return test.database.ownerDb
      .selectFrom('referrals')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
  }

  async function draftCount(): Promise<number> {
    const row = await test.database.ownerDb
      .selectFrom('referrals')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('status', '=', 'draft')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Lets the minimum completion time pass, as it would for a person. */
  const takeTime = () => test.clock.advance(MINIMUM_COMPLETION_TIME + 1000);

  describe('start page', () => {
    it('says what the form is for, how long it takes, what happens next and how to get help now', async () => {
      const response = await new TestBrowser(test).get(start());
      assert.equal(response.statusCode, 200);
      assert.equal(titleOf(response.body), 'Ask for support – Online form');
      for (const text of [
        'Northshire Stalking Service',
        'about 10 minutes',
        'What happens next',
        'call 999',
        '0808 802 0300',
        'We keep your answers for 24 hours',
        'Exit this page',
        'Start now',
      ])
        assert.ok(response.body.includes(text), `shows "${text}"`);
      assert.equal(response.headers['cache-control'], 'no-store');
    });

    it('answers 404 for a code that belongs to no service', async () => {
      const browser = new TestBrowser(test);
      assert.equal((await browser.get('/r/zz99zz99')).statusCode, 404);
      assert.equal((await browser.get('/r/zz99zz99/who')).statusCode, 404);
      assert.equal((await browser.get('/r/NOT-A-CODE')).statusCode, 404);
      await browser.get(start());
      assert.equal((await browser.post('/r/zz99zz99')).statusCode, 404);
    });

    it('answers 404 for a question that does not exist', async () => {
      const browser = await started();
      assert.equal((await browser.get(page('favourite-colour'))).statusCode, 404);
    });

    it('shows a neutral public page for an address that is not there, whoever is signed in', async () => {
      const staff = new TestBrowser(test);
      await staff.signIn(await givenOrganisation(test, 'Another Service'));
      for (const browser of [new TestBrowser(test), staff]) {
        for (const address of [
          '/r/zz99zz99',
          '/r/NOT-A-CODE/who',
          page('favourite-colour'),
          `${page('who')}/x`,
        ]) {
          const response = await browser.get(address);
          assert.equal(response.statusCode, 404, address);
          assert.equal(titleOf(response.body), 'Page not found – Online form', address);
          assert.match(response.body, /data-qa="not-found"/);
          assert.match(response.body, /data-qa="exit-this-page"/, 'Exit this page is there');
          assert.match(response.body, /0808 802 0300/, 'and where to get help now');
          assert.doesNotMatch(response.body, /govuk-service-navigation|Sign out|Go to the home page/);
          assert.doesNotMatch(response.body, /Another Service|Northshire/, 'no service is named');
          assert.equal(response.headers['cache-control'], 'no-store');
        }
      }
      const elsewhere = await staff.get('/no-such-page');
      assert.equal(elsewhere.statusCode, 404);
      assert.match(elsewhere.body, /Go to the home page/, 'staff addresses keep the staff page');
    });

    it('shows a public page, not a staff one, when a form is refused', async () => {
      const browser = await started();
      browser.cookies.clear();
      const refused = await browser.post(page('who'), { route: 'self', website: '' });
      assert.equal(refused.statusCode, 403);
      assert.equal(titleOf(refused.body), 'Sorry, there is a problem with that request – Online form');
      assert.match(refused.body, /data-qa="exit-this-page"/);
      assert.doesNotMatch(refused.body, /permission/);
    });
  });

  describe('questions revealed by an answer', () => {
    /** The field sits in the block the answer reveals: after it opens, before the group's next answer. */
    const revealed = (body: string, question: string, answer: string, field: string) => {
      const input = new RegExp(
        `<input[^>]*name="${question}"[^>]*value="${answer}"[^>]*data-aria-controls="(conditional-[\\w-]+)"`,
      ).exec(body);
      assert.ok(input, `the "${answer}" answer reveals something`);
      const opens = body.indexOf(`<div class="govuk-radios__conditional`, input.index);
      assert.match(
        body.slice(opens),
        new RegExp(`^<div class="govuk-radios__conditional[^"]*" id="${input[1]}">`),
      );
      const at = body.indexOf(`name="${field}"`, opens);
      const nextAnswer = body.indexOf(`name="${question}"`, opens);
      assert.ok(at > opens && (nextAnswer === -1 || at < nextAnswer), `${field} is revealed by "${answer}"`);
    };

    it('reveals the description, who they are and the crime reference under the answers that need them', async () => {
      const browser = await started();
      await answerAll(browser, SELF);
      const person = (await browser.get(page('person'))).body;
      revealed(person, 'gender', 'self_described', 'genderDescription');
      const perpetrator = (await browser.get(page('perpetrator'))).body;
      revealed(perpetrator, 'perpetratorKnown', 'yes', 'perpetratorName');
      revealed(perpetrator, 'perpetratorKnown', 'yes', 'perpetratorRelationship');
      const police = (await browser.get(page('police'))).body;
      revealed(police, 'policeInvolved', 'yes', 'crimeReference');
    });

    it('asks for a description only when self-describing, and keeps none from another answer', async () => {
      const browser = await started();
      await answerAll(browser, SELF, 0, 2);
      const person = { ...SELF[2]![1], gender: 'self_described', genderDescription: '' };
      const missing = await browser.post(page('person'), person);
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /href="#genderDescription">Enter how you describe your gender/);
      assert.match(missing.body, /class="govuk-radios__conditional" id="conditional-gender-4"/, 'shown open');

      await browser.post(page('person'), { ...person, gender: 'woman', genderDescription: 'Stale words' });
      const token = browser.cookies.get(REFERRAL_COOKIE);
      const answers = (await test.services.referrals.draft(token))!.answers;
      assert.equal(answers.gender, 'woman');
      assert.equal(answers.genderDescription, null);
    });
  });

  describe('no safe way to contact', () => {
    const NONE: [string, Form][] = SELF.map(([step, form]) =>
      step === 'contact'
        ? [step, { phone: '', safeTimes: '', email: '', noSafeContact: 'yes', codeWord: 'heron' }]
        : [step, form],
    );

    before(async () => {
      await test.database.ownerDb
        .updateTable('organisations')
        .set({ public_phone: '01632 960 001', public_contact_hours: 'Monday to Friday, 9am to 5pm' })
        .where('organisation_id', '=', organisationId)
        .execute();
    });
    after(async () => {
      await test.database.ownerDb
        .updateTable('organisations')
        .set({ public_phone: null, public_contact_hours: null })
        .where('organisation_id', '=', organisationId)
        .execute();
    });

    it('can be said instead of a phone or email, and the form says how to contact the service', async () => {
      const browser = await started();
      await answerAll(browser, NONE, 0, 3);
      const contact = await browser.get(page('contact'));
      assert.match(contact.body, /There is no safe way to contact me right now/);
      assert.match(
        contact.body,
        /href="tel:01632960001"[^>]*>01632 960 001<\/a> \(Monday to Friday, 9am to 5pm\)/,
      );
      await answerAll(browser, NONE, 3);

      const check = await browser.get(page('check'));
      assert.match(check.body, /There is no safe way to contact me right now/);
      assert.match(check.body, /so we will not try to/);
      takeTime();
      await browser.post(page('check'));
      const sent = await browser.get(page('sent'));
      const reference = referenceOn(sent.body);
      assert.ok(reference);
      assert.match(sent.body, /We will not try to contact you/);
      assert.match(sent.body, /data-qa="service-phone">01632 960 001</);
      assert.doesNotMatch(sent.body, /A caseworker will contact you within/);

      const row = await referralRow(reference);
      assert.equal(row.no_safe_contact, true);
      assert.equal(row.phone_sealed, null);
      assert.equal(row.email_sealed, null);
      assert.ok(row.code_word_sealed, 'the code word is kept, for when they call');
    });

    it('refuses it together with a phone number, keeping what was typed', async () => {
      const browser = await started();
      await answerAll(browser, NONE, 0, 3);
      const both = await browser.post(page('contact'), {
        phone: PHONE,
        phoneSafe: 'no',
        safeTimes: '',
        email: '',
        noSafeContact: 'yes',
        codeWord: '',
      });
      assert.equal(both.statusCode, 400);
      assert.match(
        both.body,
        /href="#noSafeContact">Give a phone number or email address, or select that there is no safe way to contact you, not both/,
      );
      assert.match(both.body, new RegExp(`value="${PHONE}"`));
    });
  });

  describe('a self-referral', () => {
    it('goes through every question, the check page and the confirmation, and is stored sealed', async () => {
      const browser = await started();
      const titles = await answerAll(browser, SELF);

      const check = await browser.get(page('check'));
      assert.equal(check.statusCode, 200);
      titles.push(titleOf(check.body));
      assert.equal(titleOf(check.body), 'Check your answers – Online form');
      for (const text of [
        PERSON_NAME,
        '27 March 1990',
        PHONE,
        'Following them',
        'Repeated messages or calls',
      ])
        assert.ok(check.body.includes(text), `check page shows "${text}"`);
      assert.ok(
        check.body.includes('He waits outside my work every evening.<br>He sends messages all night.'),
        'text typed over several lines is shown a line each',
      );
      assert.ok(check.body.includes(`href="${page('person')}?from=check"`), 'answers have Change links');
      assert.doesNotMatch(check.body, /data-qa="danger-warning"/);

      takeTime();
      const sent = await browser.post(page('check'));
      assert.equal(sent.statusCode, 303);
      assert.equal(sent.headers.location, page('sent'));

      const confirmation = await browser.get(page('sent'));
      titles.push(titleOf(confirmation.body));
      assert.equal(titleOf(confirmation.body), 'Form sent – Online form');
      const reference = referenceOn(confirmation.body);
      assert.ok(reference, 'the confirmation shows the reference');
      assert.match(confirmation.body, /Referral sent/);
      assert.match(confirmation.body, /A caseworker will contact you within 2 working days/);
      assert.doesNotMatch(confirmation.body, /try to contact you today/);
      assert.equal(browser.cookies.has(REFERRAL_COOKIE), false, 'nothing is left in the browser');

      const refreshed = await browser.get(page('sent'));
      assert.equal(refreshed.statusCode, 200);
      assert.match(refreshed.body, /Your referral has been sent/);
      assert.equal(referenceOn(refreshed.body), undefined, 'a refresh does not show the reference again');

      const row = await referralRow(reference);
      assert.equal(row.status, 'submitted');
      assert.equal(row.route, 'self');
      assert.equal(row.in_immediate_danger, false);
      assert.equal(row.person_name, PERSON_NAME);
      assert.equal(row.draft_expires_at, null);
      assert.ok(row.phone_index, 'the phone number is indexed for matching');
      for (const [column, plain] of [
        [row.what_is_happening_sealed, 'waits outside'],
        [row.phone_sealed, '900982'],
        [row.code_word_sealed, 'bluebell'],
        [row.safe_times_sealed, 'after 6pm'],
      ] as const) {
        assert.ok(column, 'sealed column is filled');
        assert.equal(Buffer.from(column).includes(plain), false, `${plain} is not stored in plain text`);
      }

      const audit = await test.database.ownerDb
        .selectFrom('audit_events')
        .select(['action', 'actor_user_id'])
        .where('record_id', '=', reference)
        .execute();
      assert.deepEqual(audit, [{ action: 'referral.submitted', actor_user_id: null }]);

      for (const title of titles) {
        assert.ok(!title.includes('Quillfeather') && !title.includes('Jane'), `"${title}" has no name`);
        assert.doesNotMatch(title, /stalk/i, `"${title}" does not say what the form is about`);
      }
    });

    it('says nothing personal in any address: every answer travels in a POST body', async () => {
      const browser = await started();
      for (const [step, form] of SELF) {
        const response = await browser.post(page(step), form);
        assert.doesNotMatch(String(response.headers.location), /[?&](?!from=check|incomplete=yes)/);
      }
    });
  });

  describe('a professional referral for someone in immediate danger', () => {
    it('asks for the referrer and consent, warns to call 999 on later pages, and is urgent', async () => {
      const browser = await started();
      await answerAll(browser, PROFESSIONAL, 0, 4);
      const personPage = await browser.get(page('person'));
      assert.match(personPage.body, /data-qa="danger-warning"/);
      assert.match(personPage.body, /call 999 and press 55/);
      assert.match(personPage.body, /I do not know their date of birth/);
      await answerAll(browser, PROFESSIONAL, 4);

      const check = await browser.get(page('check'));
      assert.match(check.body, /data-qa="danger-warning"/);
      assert.match(check.body, /Dr Asha Patel/);
      assert.match(check.body, /Age \(or best guess\)/);

      takeTime();
      await browser.post(page('check'));
      const confirmation = await browser.get(page('sent'));
      assert.match(
        confirmation.body,
        /Because you told us the person is in danger, we will try to contact them today/,
      );
      const row = await referralRow(referenceOn(confirmation.body)!);
      assert.equal(row.status, 'submitted');
      assert.equal(row.route, 'professional');
      assert.equal(row.in_immediate_danger, true);
      assert.equal(row.consent_confirmed, true);
      assert.equal(row.referrer_name, 'Dr Asha Patel');
      assert.equal(row.person_age, 34);
      assert.equal(row.person_date_of_birth, null);
      assert.equal(row.language, 'Polish');
      assert.ok(row.email_index);
      assert.equal(row.phone_index, null);
    });

    it('explains that the person must agree first, unless they are in danger', async () => {
      const browser = await started();
      await answerAll(browser, PROFESSIONAL, 0, 2);
      const refused = await browser.post(page('consent'), {});
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /Confirm the person has agreed to this referral/);
      assert.match(refused.body, /If they are in immediate danger, call 999 now/);
    });

    it('forgets the referrer when the form turns out to be for the person themself', async () => {
      const browser = await started();
      await answerAll(browser, PROFESSIONAL, 0, 3);
      await browser.get(page('who'));
      await browser.post(`${page('who')}?from=check`, { route: 'self', website: '' });
      const token = browser.cookies.get(REFERRAL_COOKIE);
      const draft = await test.services.referrals.draft(token);
      assert.equal(draft?.answers.referrerName, null);
      assert.equal(draft?.answers.consentConfirmed, null);
    });
  });

  describe('mistakes', () => {
    it('shows a GOV.UK error summary and messages for a page sent empty', async () => {
      const browser = await started();
      const who = await browser.post(page('who'), { website: '' });
      assert.equal(who.statusCode, 400);
      assert.equal(titleOf(who.body), 'Error: Who is this form for? – Online form');
      assert.match(who.body, /There is a problem/);
      assert.match(who.body, /href="#route">Select who this form is for/);

      await answerAll(browser, SELF, 0, 2);
      const person = await browser.post(page('person'), {
        personName: '',
        'dateOfBirth-day': '',
        'dateOfBirth-month': '',
        'dateOfBirth-year': '',
        personAge: '',
        genderDescription: '',
      });
      assert.equal(person.statusCode, 400);
      assert.match(titleOf(person.body), /^Error: /);
      assert.match(person.body, /href="#personName">Enter your full name/);
      assert.match(person.body, /href="#dateOfBirth-day">Enter your date of birth/);

      const contact = await browser.post(page('contact'), {
        phone: '',
        email: '',
        safeTimes: '',
        codeWord: '',
      });
      assert.match(contact.body, /Enter a phone number or an email address/);

      const what = await browser.post(page('what'), { whatIsHappening: '' });
      assert.match(what.body, /Select what has been happening, or tell us in your own words/);
      assert.match(what.body, /Select how long this has been happening/);
    });

    it('puts the error summary in the order of the page', async () => {
      const browser = await started();
      await answerAll(browser, SELF, 0, 3);
      const response = await browser.post(page('contact'), {
        phone: '123',
        safeTimes: '',
        email: 'not-an-email',
        codeWord: '',
      });
      const summary = [...response.body.matchAll(/<a href="#(\w+)">/g)].map((match) => match[1]);
      assert.deepEqual(summary, [
        'phone',
        'phoneSafe',
        'voicemailAllowed',
        'maySayWhoWeAre',
        'email',
        'emailSafe',
      ]);
      assert.match(response.body, /value="not-an-email"/, 'what was typed is kept');
    });

    it('refuses impossible and future dates of birth, keeping what was typed', async () => {
      const browser = await started();
      await answerAll(browser, SELF, 0, 2);
      const impossible = await browser.post(page('person'), {
        personName: PERSON_NAME,
        'dateOfBirth-day': '31',
        'dateOfBirth-month': '2',
        'dateOfBirth-year': '1990',
        personAge: '',
        genderDescription: '',
      });
      assert.equal(impossible.statusCode, 400);
      assert.match(impossible.body, /Date of birth must be a real date/);
      assert.match(impossible.body, /name="dateOfBirth-day" type="text" value="31"/);
      assert.match(impossible.body, new RegExp(`value="${PERSON_NAME}"`));

      const future = await browser.post(page('person'), {
        personName: PERSON_NAME,
        'dateOfBirth-day': '1',
        'dateOfBirth-month': '1',
        'dateOfBirth-year': String(new Date().getFullYear() + 1),
        personAge: '',
        genderDescription: '',
      });
      assert.equal(future.statusCode, 400);
      assert.match(future.body, /Date of birth must be in the past/);
      assert.equal(titleOf(future.body), 'Error: About you – Online form');
    });

    it('refuses a form with fields it does not have', async () => {
      const browser = await started();
      const response = await browser.post(page('who'), { route: 'self', website: '', isAdmin: 'yes' });
      assert.equal(response.statusCode, 400);
    });

    it('sends an unfinished referral back to the first unanswered question, saying what is missing', async () => {
      const browser = await started();
      await answerAll(browser, SELF, 0, 2);
      await browser.get(page('check'));
      takeTime();
      const response = await browser.post(page('check'));
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `${page('person')}?from=check&incomplete=yes`);
      const person = await browser.get(response.headers.location);
      assert.match(titleOf(person.body), /^Error: /);
      assert.match(person.body, /Enter your full name/);
    });
  });

  describe('changing an answer', () => {
    it('returns to the check page after Continue', async () => {
      const browser = await started();
      await answerAll(browser, SELF);
      const change = await browser.get(`${page('children')}?from=check`);
      assert.match(
        change.body,
        new RegExp(`href="${page('check')}"[^>]*data-qa="back"|data-qa="back"[^>]*href="${page('check')}"`),
      );
      const response = await browser.post(`${page('children')}?from=check`, {
        childrenInHousehold: 'prefer_not_to_say',
      });
      assert.equal(response.headers.location, page('check'));
      assert.match((await browser.get(page('check'))).body, /Prefer not to say/);
    });
  });

  describe('without a form in progress', () => {
    it('sends question and check pages to the start page', async () => {
      const browser = new TestBrowser(test);
      await browser.get(start());
      for (const step of ['who', 'person', 'check']) {
        const response = await browser.get(page(step));
        assert.equal(response.statusCode, 303, step);
        assert.equal(response.headers.location, start());
      }
      const posted = await browser.post(page('person'), { personName: PERSON_NAME });
      assert.equal(posted.headers.location, start());
    });

    it('starts again after the draft has expired', async () => {
      const browser = await started();
      test.clock.advance(25 * 60 * 60 * 1000);
      const response = await browser.get(page('who'));
      assert.equal(response.headers.location, start());
    });
  });

  describe('Exit this page', () => {
    it('deletes the draft, clears the browser, and leaves nothing to go Back to', async () => {
      const browser = await started();
      await answerAll(browser, SELF, 0, 3);
      const token = browser.cookies.get(REFERRAL_COOKIE);
      assert.ok(await test.services.referrals.draft(token));
      const drafts = await draftCount();

      const exit = await browser.get('/exit');
      assert.equal(exit.statusCode, 303);
      assert.match(String(exit.headers['clear-site-data']), /"cookies"/);
      assert.match(String(exit.headers['clear-site-data']), /"storage"/);
      assert.equal(await test.services.referrals.draft(token), null);
      assert.equal(await draftCount(), drafts - 1, 'the draft row is deleted');
      assert.equal(browser.cookies.has(REFERRAL_COOKIE), false);

      // Going Back (the cookie as it was, in case a browser kept it) finds nothing.
      browser.cookies.set(REFERRAL_COOKIE, token!);
      const back = await browser.get(page('person'));
      assert.equal(back.headers.location, start());
      assert.doesNotMatch(back.body, /Quillfeather/);
    });
  });

  describe('the hidden field that only automated form-fillers fill in', () => {
    it('keeps nothing, and looks like success', async () => {
      const browser = await started();
      const token = browser.cookies.get(REFERRAL_COOKIE);
      const before = await draftCount();
      const response = await browser.post(page('who'), { route: 'self', website: 'https://spam.example' });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, page('sent'));
      assert.equal(await test.services.referrals.draft(token), null);
      assert.equal(await draftCount(), before - 1);
      assert.equal(browser.cookies.has(REFERRAL_COOKIE), false);
      const sent = await browser.get(page('sent'));
      assert.match(sent.body, /Your referral has been sent/);
      assert.equal(referenceOn(sent.body), undefined);
    });
  });

  describe('sending', () => {
    it('makes one referral when Send is pressed twice', async () => {
      const browser = await started();
      await answerAll(browser, SELF);
      await browser.get(page('check'));
      takeTime();
      const [first, second] = await Promise.all([browser.post(page('check')), browser.post(page('check'))]);
      assert.equal(first.headers.location, page('sent'));
      assert.equal(second.headers.location, page('sent'));
      const third = await browser.post(page('check'));
      assert.equal(third.headers.location, page('sent'), 'a later resend shows the same confirmation');
      const reference = referenceOn((await browser.get(page('sent'))).body);
      assert.ok(reference);
      const token = browser.cookies.get(REFERRAL_COOKIE);
      assert.equal(token, undefined);
      const rows = await test.database.ownerDb
        .selectFrom('referrals')
        .select(['reference', 'status'])
        .where('person_name', '=', PERSON_NAME)
        .where('status', '=', 'submitted')
        .execute();
      assert.equal(rows.filter((row) => row.reference === reference).length, 1);
      const audits = await test.database.ownerDb
        .selectFrom('audit_events')
        .select('action')
        .where('record_id', '=', reference)
        .execute();
      assert.equal(audits.length, 1, 'sent once, audited once');
    });

    it('asks for a check and a second press when sent faster than a person could', async () => {
      const browser = await started();
      await answerAll(browser, SELF);
      await browser.get(page('check'));
      const response = await browser.post(page('check'));
      assert.equal(response.statusCode, 400);
      assert.equal(titleOf(response.body), 'Error: Check your answers – Online form');
      assert.match(response.body, /href="#send">Check your answers and send again/);
      const draft = await test.services.referrals.draft(browser.cookies.get(REFERRAL_COOKIE));
      assert.equal(draft?.status, 'draft');

      takeTime();
      const again = await browser.post(page('check'));
      assert.equal(again.headers.location, page('sent'));
    });
  });
});

describe('Public referral form: limits', () => {
  let test: TestApp;
  let code: string;

  before(async () => {
    test = await buildTestApp();
    const { organisationId } = await givenOrganisation(test);
    ({ referral_code: code } = await test.database.ownerDb
      .selectFrom('organisations')
      .select('referral_code')
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow());
  });
  after(async () => test.close());

  it(`allows ${STARTS_PER_HOUR} forms an hour from one address, then asks to wait or call`, async () => {
    for (let count = 0; count < STARTS_PER_HOUR; count++) {
      const browser = new TestBrowser(test);
      await browser.get(`/r/${code}`);
      assert.equal((await browser.post(`/r/${code}`)).statusCode, 303);
    }
    const browser = new TestBrowser(test);
    await browser.get(`/r/${code}`);
    const refused = await browser.post(`/r/${code}`);
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /0808 802 0300/);
    assert.match(refused.body, /Exit this page/);

    test.clock.advance(61 * 60 * 1000);
    assert.equal((await browser.post(`/r/${code}`)).statusCode, 303, 'allowed again an hour later');
  });

  it(`allows ${SENDS_PER_HOUR} sends an hour, then asks to wait, keeping the answers`, async () => {
    const browser = new TestBrowser(test);
    await browser.get(`/r/${code}`);
    await browser.post(`/r/${code}`);
    await browser.post(`/r/${code}/who`, { route: 'self', website: '' });
    await browser.get(`/r/${code}/check`);
    for (let count = 0; count < SENDS_PER_HOUR; count++) await browser.post(`/r/${code}/check`);
    const refused = await browser.post(`/r/${code}/check`);
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Your answers are saved/);
    const draft = await test.services.referrals.draft(browser.cookies.get(REFERRAL_COOKIE));
    assert.equal(draft?.answers.route, 'self', 'the answers are still there');
  });
});

describe('Public referral form: telling the team', () => {
  let test: TestApp;
  let server: SMTPServer;
  let code: string;
  const received: ParsedMail[] = [];
  let arrived: (() => void) | undefined;

  before(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push(mail);
            arrived?.();
            callback();
          })
          .catch(callback);
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    const { port } = server.server.address() as AddressInfo;
    test = await buildTestApp({
      mailer: createMailer(`smtp://127.0.0.1:${port}`, 'Vigil <no-reply@example.org>'),
    });
    const { organisationId } = await givenOrganisation(test);
    const organisation = await test.database.ownerDb
      .updateTable('organisations')
      .set({ team_email: 'referrals@northshire.example.org' })
      .where('organisation_id', '=', organisationId)
      .returning('referral_code')
      .executeTakeFirstOrThrow();
    code = organisation.referral_code;
  });
  after(async () => {
    await test.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function refer(pages: [string, Form][]): Promise<{ mail: ParsedMail; reference: string }> {
    const mailArrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No email within 10 seconds')), 10_000);
      arrived = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const browser = new TestBrowser(test);
    await browser.get(`/r/${code}`);
    await browser.post(`/r/${code}`);
    for (const [step, form] of pages) await browser.post(`/r/${code}/${step}`, form);
    await browser.get(`/r/${code}/check`);
    test.clock.advance(MINIMUM_COMPLETION_TIME + 1000);
    const sent = await browser.post(`/r/${code}/check`);
    assert.equal(sent.headers.location, `/r/${code}/sent`, 'the page does not wait for the email');
    const reference = referenceOn((await browser.get(`/r/${code}/sent`)).body)!;
    await mailArrived;
    return { mail: received.at(-1)!, reference };
  }

  it('emails the team address that a referral is waiting, with nothing about the person', async () => {
    const { mail, reference } = await refer(SELF);
    assert.equal(mail.subject, 'A new referral is waiting');
    assert.equal((mail.to as { text: string }).text, 'referrals@northshire.example.org');
    const text = mail.text ?? '';
    assert.match(text, /Sign in to see it/);
    for (const secret of [PERSON_NAME, 'Quillfeather', PHONE, '900982', reference, 'bluebell'])
      assert.equal(text.includes(secret) || (mail.subject ?? '').includes(secret), false, secret);
  });

  it('marks the email urgent when the person is in immediate danger', async () => {
    const { mail, reference } = await refer(PROFESSIONAL);
    assert.equal(mail.subject, 'Urgent: a new referral is waiting');
    const text = mail.text ?? '';
    for (const secret of ['Robin Tallowmere', 'robin@example.org', reference, 'Asha'])
      assert.equal(text.includes(secret), false, secret);
  });
});
