import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { TestBrowser } from '../../../test/support/app.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenCase, givenReferral, sessionFor } from '../../../test/support/referrals.ts';
import { inOrganisation } from '../../db/database.ts';
import { ukDate } from '../../platform/clock.ts';

const decode = (text: string) =>
  text.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');

const errorSummary = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/>([^<>]+)<\/a>/g)].map(
    (match) => decode(match[1]!.trim()),
  );

/** The part of a page inside the element with this data-qa, roughly: up to where that part of the page ends. */
const ENDS: Record<string, string> = {
  'safe-contact': '</section>',
  'client-identity': 'data-qa="client-record"',
  'contact-history': '</main>',
};
const section = (body: string, qa: string) =>
  body.split(`data-qa="${qa}"`)[1]?.split(ENDS[qa] ?? '<h2')[0] ?? '';

/** Every value of a database row as text, bytes included, to look for anything stored in clear. */
const dump = (row: Record<string, unknown>) =>
  Object.values(row)
    .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value)))
    .join('\n');

const longDate = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));

/** A complete contact form, as a caseworker would send it; traits override what a test cares about. */
const contactForm = (overrides: Record<string, string> = {}): Record<string, string> => ({
  phone: '07700 900777',
  phoneSafe: 'yes',
  safeTimes: 'Mornings only',
  voicemailAllowed: 'no',
  maySayWhoWeAre: 'no',
  email: 'new.safe@example.org',
  emailSafe: 'yes',
  codeWord: 'heron',
  ...overrides,
});

describe('Client identity and safe contact', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;
  let police: StaffCredentials;
  let auditor: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
    police = await givenStaff(test, admin.organisationId, 'police_liaison');
    auditor = await givenStaff(test, admin.organisationId, 'auditor');
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  async function clientRow(caseId: string) {
    return test.database.ownerDb
      .selectFrom('clients')
      .innerJoin('cases', (join) =>
        join
          .onRef('cases.organisation_id', '=', 'clients.organisation_id')
          .onRef('cases.client_id', '=', 'clients.client_id'),
      )
      .selectAll('clients')
      .where('cases.case_id', '=', caseId)
      .executeTakeFirstOrThrow();
  }

  async function historyRows(caseId: string) {
    const { client_id } = await clientRow(caseId);
    return test.database.ownerDb
      .selectFrom('client_contact_history')
      .selectAll()
      .where('client_id', '=', client_id)
      .orderBy('changed_at')
      .execute();
  }

  async function clientEvents(caseId: string) {
    const { reference } = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    return test.database.ownerDb
      .selectFrom('audit_events')
      .select(['action', 'actor_user_id', 'details'])
      .where('record_id', '=', reference)
      .where('action', 'like', 'client.%')
      .orderBy('seq')
      .execute();
  }

  async function search(browser: TestBrowser, q: string) {
    await browser.get('/search');
    return browser.post('/search', { q });
  }

  describe('identity', () => {
    it('changes the name, date of birth and gender, refusing impossible and future dates', async () => {
      const { caseId } = await givenCase(test, manager, {
        holder: casey,
        answers: { personName: 'Imogen Vale', personDateOfBirth: '1988-02-03', gender: 'woman' },
      });
      const browser = await signedIn(casey);
      const page = await browser.get(`/cases/${caseId}`);
      assert.match(
        page.body,
        new RegExp(`href="/cases/${caseId}/client/identity" data-qa="change-identity"`),
      );

      const form = await browser.get(`/cases/${caseId}/client/identity`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<title>Name, date of birth and gender &ndash; /);
      assert.match(form.body, /value="Imogen Vale"/);
      assert.match(form.body, /name="dateOfBirth-day" type="text" value="3"/);
      assert.match(form.body, /value="woman" checked/);

      const year = Number(ukDate(test.clock.now()).slice(0, 4));
      const impossible = await browser.post(`/cases/${caseId}/client/identity`, {
        personName: '',
        'dateOfBirth-day': '31',
        'dateOfBirth-month': '2',
        'dateOfBirth-year': '1990',
        gender: 'woman',
        genderDescription: '',
      });
      assert.equal(impossible.statusCode, 400);
      assert.match(impossible.body, /<title>Error: Name, date of birth and gender &ndash; /);
      assert.deepEqual(errorSummary(impossible.body), [
        "Enter the person's full name",
        'Date of birth must be a real date',
      ]);
      assert.match(
        impossible.body,
        /name="dateOfBirth-day" type="text" value="31"/,
        'what was typed is kept',
      );

      const future = await browser.post(`/cases/${caseId}/client/identity`, {
        personName: 'Imogen Marsh',
        'dateOfBirth-day': '1',
        'dateOfBirth-month': '1',
        'dateOfBirth-year': String(year + 1),
      });
      assert.equal(future.statusCode, 400);
      assert.deepEqual(errorSummary(future.body), ['Date of birth must be in the past']);
      assert.match(future.body, /value="Imogen Marsh"/);

      const changed = {
        personName: 'Imogen Marsh',
        'dateOfBirth-day': '4',
        'dateOfBirth-month': '3',
        'dateOfBirth-year': '1988',
        gender: 'self_described',
        genderDescription: 'Genderfluid',
      };
      const saved = await browser.post(`/cases/${caseId}/client/identity`, changed);
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, `/cases/${caseId}?done=client-identity`);
      const twice = await browser.post(`/cases/${caseId}/client/identity`, changed);
      assert.equal(twice.statusCode, 303, 'sending the same form again changes nothing more');

      const after = await browser.get(`/cases/${caseId}?done=client-identity`);
      assert.match(after.body, /Name, date of birth and gender saved/);
      const identity = section(after.body, 'client-identity');
      assert.match(identity, /Imogen Marsh/);
      assert.match(identity, /4 March 1988/);
      assert.match(identity, /Genderfluid/);
      assert.doesNotMatch(identity, /Imogen Vale/);

      assert.match((await search(browser, 'Imogen Marsh')).body, /Imogen Marsh/, 'search finds the new name');

      const events = (await clientEvents(caseId)).filter((event) => event.action === 'client.updated');
      assert.deepEqual(
        events.map((event) => event.details),
        [{ section: 'identity', changed: ['name', 'dateOfBirth', 'gender', 'genderDescription'] }],
      );
      assert.equal(events[0]!.actor_user_id, casey.userId);
    });

    it('records an age given instead of a date of birth with the day it was given', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const browser = await signedIn(casey);
      const missing = await browser.post(`/cases/${caseId}/client/identity`, {
        personName: 'Jordan Example',
        dateOfBirthUnknown: 'yes',
        personAge: '',
      });
      assert.equal(missing.statusCode, 400);
      assert.deepEqual(errorSummary(missing.body), ['Enter their age, or your best guess']);

      const saved = await browser.post(`/cases/${caseId}/client/identity`, {
        personName: 'Jordan Example',
        dateOfBirthUnknown: 'yes',
        personAge: '36',
      });
      assert.equal(saved.statusCode, 303);
      const identity = section((await browser.get(`/cases/${caseId}`)).body, 'client-identity');
      assert.match(identity, new RegExp(`Age[\\s\\S]*36 on ${longDate(ukDate(test.clock.now()))}`));
      assert.doesNotMatch(identity, /Date of birth/);
      const row = await clientRow(caseId);
      assert.equal(row.date_of_birth, null);
      assert.equal(row.age_at_referral, 36);

      const form = await browser.get(`/cases/${caseId}/client/identity`);
      assert.match(form.body, /name="dateOfBirthUnknown" type="checkbox" value="yes" checked/);
      assert.match(form.body, /name="personAge" type="text" value="36"/);

      const updates = (await clientEvents(caseId)).filter((event) => event.action === 'client.updated');
      assert.deepEqual(updates.at(-1)!.details, { section: 'identity', changed: ['dateOfBirth', 'age'] });
    });
  });

  describe('safe contact', () => {
    it('changes contact details, keeps what they replace sealed, and search follows the new ones', async () => {
      const { caseId } = await givenCase(test, manager, {
        holder: casey,
        answers: { personName: 'Petra Lindqvist', phone: '07700 900501', email: 'old.address@example.org' },
      });
      const browser = await signedIn(casey);
      const page = await browser.get(`/cases/${caseId}`);
      assert.match(
        section(page.body, 'safe-contact'),
        new RegExp(`href="/cases/${caseId}/client/safe-contact" data-qa="change-safe-contact"`),
      );

      const form = await browser.get(`/cases/${caseId}/client/safe-contact`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<title>Contact details and safe contact &ndash; /);
      assert.match(form.body, /value="07700 900501"/);
      assert.match(form.body, /value="old.address@example.org"/);
      assert.match(form.body, /data-qa="no-contact-history"/);

      const wrong = await browser.post(`/cases/${caseId}/client/safe-contact`, {
        phone: 'call me maybe',
        safeTimes: 'After 7pm',
        email: 'not-an-email@',
        codeWord: 'kestrel',
      });
      assert.equal(wrong.statusCode, 400);
      assert.deepEqual(errorSummary(wrong.body), [
        'Enter a phone number in the correct format, like 07700 900 982',
        'Select yes if it is safe for us to call this number',
        'Select yes if we can leave a voicemail',
        'Select yes if we can say who we are when we call',
        'Enter an email address in the correct format, like name@example.org',
        'Select yes if it is safe for us to email this address',
      ]);
      assert.match(wrong.body, /value="call me maybe"/, 'what was typed is kept');
      assert.match(wrong.body, /value="After 7pm"/);
      assert.match(wrong.body, /value="kestrel"/);

      test.clock.advance(60_000);
      const saved = await browser.post(`/cases/${caseId}/client/safe-contact`, contactForm());
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, `/cases/${caseId}?done=client-safe_contact`);
      const again = await browser.post(`/cases/${caseId}/client/safe-contact`, contactForm());
      assert.equal(again.statusCode, 303);

      const after = await browser.get(`/cases/${caseId}?done=client-safe_contact`);
      assert.match(after.body, /Contact details and safe contact saved/);
      const safe = section(after.body, 'safe-contact');
      assert.match(safe, /07700 900777 – safe to call/);
      assert.match(safe, /new.safe@example.org – safe to email/);
      assert.match(safe, /Mornings only/);
      assert.match(safe, /heron/);
      assert.doesNotMatch(safe, /900501|old.address|bluebell/);
      assert.doesNotMatch(safe, /Safe way to contact/);

      const history = await historyRows(caseId);
      assert.equal(history.length, 1, 'sending the same form twice keeps one row');
      assert.deepEqual(history[0]!.changed, ['phone', 'safeTimes', 'email', 'codeWord']);
      assert.equal(history[0]!.changed_by, casey.userId);
      const client = await clientRow(caseId);
      for (const secret of [
        '900501',
        '900777',
        'old.address',
        'new.safe',
        'bluebell',
        'heron',
        'Mornings',
        'Weekdays',
      ])
        assert.equal(
          dump({ ...client, ...history[0] }).includes(secret),
          false,
          `${secret} is stored in clear`,
        );

      const shown = await browser.get(`/cases/${caseId}/client/safe-contact`);
      const previous = section(shown.body, 'contact-history');
      assert.equal(previous.match(/data-qa="contact-change"/g)?.length, 1);
      assert.match(previous, /changed by Casey Worker/);
      assert.match(previous, /Phone number[\s\S]*07700 900501/);
      assert.match(previous, /Safe times to call[\s\S]*Weekdays after 6pm/);
      assert.match(previous, /Email address[\s\S]*old.address@example.org/);
      assert.match(previous, /Code word[\s\S]*bluebell/);
      assert.doesNotMatch(previous, /Safe to call/, 'only what changed is listed');

      for (const q of ['07700900777', '+44 7700 900777', 'NEW.SAFE@example.org'])
        assert.match((await search(browser, q)).body, /Petra Lindqvist/, q);
      for (const q of ['07700 900501', 'old.address@example.org'])
        assert.match((await search(browser, q)).body, /data-qa="no-results"/, q);

      const { referralId } = await givenReferral(test, manager.organisationId, {
        personName: 'Somebody Unrelated',
        phone: '07700 900777',
        email: 'unrelated@example.org',
      });
      const referral = await (await signedIn(manager)).get(`/referrals/${referralId}`);
      assert.match(
        referral.body.split('data-qa="possible-duplicates"')[1] ?? '',
        /Petra Lindqvist/,
        'the duplicate check matches the new phone number',
      );

      const events = await clientEvents(caseId);
      assert.deepEqual(
        events.map((event) => [event.action, event.details]),
        [
          ['client.viewed', { section: 'safe_contact' }],
          ['client.viewed', { section: 'safe_contact' }],
          [
            'client.updated',
            { section: 'safe_contact', changed: ['phone', 'safeTimes', 'email', 'codeWord'] },
          ],
          ['client.viewed', { section: 'safe_contact' }],
        ],
      );
      assert.equal(JSON.stringify(events).match(/900|@example|heron|bluebell|Mornings/), null);
    });

    it('says first and in bold on the case page when there is no safe way to contact the client', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/client/safe-contact`);
      const neither = await browser.post(
        `/cases/${caseId}/client/safe-contact`,
        contactForm({ phone: '07700 900123', phoneSafe: 'no', email: 'jordan@example.org', emailSafe: 'no' }),
      );
      assert.equal(neither.statusCode, 303);
      const safe = section((await browser.get(`/cases/${caseId}`)).body, 'safe-contact');
      assert.match(safe, /<strong>NONE: there is no phone number or email address known to be safe/);
      assert.ok(safe.indexOf('NONE:') < safe.indexOf('07700 900123'), 'it comes before the channels');
      assert.match(safe, /07700 900123 – NOT safe to call/);

      test.clock.advance(60_000);
      const nothing = await browser.post(`/cases/${caseId}/client/safe-contact`, {
        phone: '',
        email: '',
        codeWord: 'heron',
      });
      assert.equal(nothing.statusCode, 303, 'a caseworker may leave both empty');
      const emptied = section((await browser.get(`/cases/${caseId}`)).body, 'safe-contact');
      assert.match(emptied, /NONE:/);
      assert.match(emptied, /No phone number given/);
      assert.match(emptied, /No email address given/);
      const row = await clientRow(caseId);
      assert.equal(row.phone_index, null);
      assert.equal(row.email_index, null);

      const shown = await browser.get(`/cases/${caseId}/client/safe-contact`);
      const previous = section(shown.body, 'contact-history').split('data-qa="contact-change"').slice(1);
      assert.equal(previous.length, 2);
      assert.match(previous[0]!, /Phone number[\s\S]*07700 900123/, 'newest first');
      assert.match(previous[1]!, /Safe to call[\s\S]*Yes[\s\S]*Safe to email[\s\S]*Yes/);
    });

    it('waits for a change already under way, and keeps what it replaced', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      const { client_id } = await clientRow(caseId);
      const details = {
        phone: '07700 900123',
        phoneSafe: true,
        email: 'jordan@example.org',
        emailSafe: true,
        safeTimes: 'Weekdays after 6pm',
        voicemailAllowed: false,
        maySayWhoWeAre: false,
        codeWord: 'bluebell',
      };
      let saving: ReturnType<typeof test.services.clients.saveSafeContact> | undefined;
      // Another change to the same client is under way (and holds the row) when this one arrives.
      await test.database.ownerDb.transaction().execute(async (trx) => {
        const row = trx.selectFrom('clients').where('client_id', '=', client_id);
        await row.select('client_id').forUpdate().execute();
        saving = test.services.clients.saveSafeContact(session, caseId, details);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await trx
          .updateTable('clients')
          .set({ phone_safe: false })
          .where('client_id', '=', client_id)
          .execute();
      });
      const saved = await saving!;
      assert.deepEqual(saved, { kind: 'ok', value: ['phoneSafe'] }, 'it saw the change made meanwhile');
      const [history] = await historyRows(caseId);
      assert.deepEqual(history!.changed, ['phoneSafe']);
      assert.equal((await clientRow(caseId)).phone_safe, true);
    });

    it('keeps previous contact details for good: the application may not change or delete them', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/client/safe-contact`);
      await browser.post(`/cases/${caseId}/client/safe-contact`, contactForm());
      const [row] = await historyRows(caseId);
      await assert.rejects(
        inOrganisation(test.database.db, casey.organisationId, (trx) =>
          trx
            .updateTable('client_contact_history')
            .set({ changed: ['phone'] })
            .where('change_id', '=', row!.change_id)
            .execute(),
        ),
        /permission denied/,
      );
      await assert.rejects(
        inOrganisation(test.database.db, casey.organisationId, (trx) =>
          sql`DELETE FROM client_contact_history WHERE change_id = ${row!.change_id}`.execute(trx),
        ),
        /permission denied/,
      );
      assert.equal((await historyRows(caseId)).length, 1);
    });
  });

  it('refuses both forms to anyone who may not open the case, and changes nothing for them', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const before = await clientRow(caseId);
    const events = await clientEvents(caseId);
    const forms = {
      [`/cases/${caseId}/client/identity`]: {
        personName: 'Someone Else',
        'dateOfBirth-day': '1',
        'dateOfBirth-month': '1',
        'dateOfBirth-year': '1970',
      },
      [`/cases/${caseId}/client/safe-contact`]: contactForm({ phone: '07700 900999' }),
    };
    for (const user of [robin, police, auditor]) {
      const browser = await signedIn(user);
      for (const [url, form] of Object.entries(forms)) {
        assert.equal((await browser.get(url)).statusCode, 403, `${user.role} GET ${url}`);
        assert.equal((await browser.post(url, form)).statusCode, 403, `${user.role} POST ${url}`);
        assert.equal((await browser.post(url, {})).statusCode, 403, `${user.role} POST ${url} (empty)`);
      }
    }
    assert.deepEqual(await clientRow(caseId), before);
    assert.deepEqual(await clientEvents(caseId), events);
    assert.equal((await historyRows(caseId)).length, 0);

    const managing = await signedIn(manager);
    for (const url of Object.keys(forms)) assert.equal((await managing.get(url)).statusCode, 200, url);
  });
});
