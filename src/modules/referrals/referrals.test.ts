import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HOUR } from '../../platform/clock.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { givenReferral, urgent } from '../../../test/support/referrals.ts';
import { EMPTY_ANSWERS } from './referral-answers.ts';
import { describeWaiting, noSafeContactWarning } from './referral-view.ts';

describe('Referrals queue (triage)', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let managerBrowser: TestBrowser;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager');
    managerBrowser = new TestBrowser(test);
    await managerBrowser.signIn(manager);
  });
  after(async () => test.close());

  it('shows urgent referrals first, then the longest waiting, with how long each has waited', async () => {
    const older = await givenReferral(test, admin.organisationId, { personName: 'Older Waiting' });
    test.clock.advance(3 * HOUR);
    const newer = await givenReferral(test, admin.organisationId, { personName: 'Newer Waiting' });
    test.clock.advance(HOUR);
    const danger = await givenReferral(test, admin.organisationId, { ...urgent, personName: 'In Danger' });
    test.clock.advance(30 * 60_000);

    await managerBrowser.signIn(manager);
    const page = await managerBrowser.get('/referrals');
    assert.equal(page.statusCode, 200);
    const order = [...page.body.matchAll(/>([A-Z0-9]{4}-[A-Z0-9]{4})</g)].map((match) => match[1]);
    assert.deepEqual(order, [danger.reference, older.reference, newer.reference]);
    assert.match(page.body, /Urgent: in danger/);
    assert.match(page.body, /4 hours/);
    assert.match(page.body, /<strong>1 urgent<\/strong>/);
    assert.match(page.body, /Referrals \(3\)/, 'the navigation counts what is waiting');
  });

  it('opens a referral in full, decrypted, and records who read it', async () => {
    const { referralId, reference } = await givenReferral(test, admin.organisationId, {
      personName: 'Read Carefully',
    });
    const page = await managerBrowser.get(`/referrals/${referralId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Read Carefully/);
    assert.match(page.body, /He keeps messaging me from new numbers/);
    assert.match(page.body, /bluebell/);
    assert.match(page.body, /07700 900123 \(safe to call\)/);
    assert.match(page.body, /Do not leave a voicemail/);
    assert.match(page.body, /<title>Referral &ndash; /, 'the title carries no name');
    const events = await test.database.ownerDb
      .selectFrom('audit_events')
      .select(['actor_user_id'])
      .where('action', '=', 'referral.viewed')
      .where('record_id', '=', reference)
      .execute();
    assert.deepEqual(events, [{ actor_user_id: manager.userId }]);
  });

  it('keeps sensitive answers out of the database in clear', async () => {
    const { referralId } = await givenReferral(test, admin.organisationId, { codeWord: 'snowdrop-unique' });
    const row = await test.database.ownerDb
      .selectFrom('referrals')
      .selectAll()
      .where('referral_id', '=', referralId)
      .executeTakeFirstOrThrow();
    const dump = Object.values(row)
      .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value)))
      .join('\n');
    for (const secret of [
      'snowdrop-unique',
      'He keeps messaging me',
      '07700 900123',
      'jordan@example.org',
      'Weekdays after 6pm',
    ]) {
      assert.equal(dump.includes(secret), false, `${secret} is stored in clear`);
    }
    assert.ok(row.phone_index && row.email_index, 'phone and email are blind-indexed for matching');
  });

  it('is for triage staff only: caseworkers, police liaison and auditors are refused', async () => {
    const { referralId } = await givenReferral(test, admin.organisationId);
    for (const role of ['caseworker', 'police_liaison', 'auditor'] as const) {
      const browser = new TestBrowser(test);
      await browser.signIn(await givenStaff(test, admin.organisationId, role));
      assert.equal((await browser.get('/referrals')).statusCode, 403, role);
      assert.equal((await browser.get(`/referrals/${referralId}`)).statusCode, 403, role);
      assert.doesNotMatch((await browser.get('/')).body, /href="\/referrals"/, role);
    }
  });

  it('flags a referral with no safe way to contact the person, on the queue and at the top of the referral', async () => {
    const none = await givenReferral(test, admin.organisationId, {
      personName: 'Nobody Safe',
      phone: null,
      phoneSafe: null,
      voicemailAllowed: null,
      maySayWhoWeAre: null,
      safeTimes: null,
      email: null,
      emailSafe: null,
      noSafeContact: true,
    });
    const unsafePhone = await givenReferral(test, admin.organisationId, {
      personName: 'Phone Watched',
      phoneSafe: false,
      email: null,
      emailSafe: null,
    });
    const queue = await managerBrowser.get('/referrals');
    const rowOf = (name: string) =>
      [...queue.body.matchAll(/<tr class="govuk-table__row" data-qa="referral-row">[\s\S]*?<\/tr>/g)]
        .map((match) => match[0])
        .find((row) => row.includes(name))!;
    assert.match(rowOf('Nobody Safe'), /data-qa="no-safe-contact">No safe contact method</);
    assert.match(rowOf('Phone Watched'), /data-qa="no-safe-contact"/);
    assert.doesNotMatch(rowOf('Read Carefully'), /no-safe-contact/);

    const page = await managerBrowser.get(`/referrals/${none.referralId}`);
    const warning = /data-qa="no-safe-contact"[\s\S]*?<\/div>/.exec(page.body)?.[0] ?? '';
    assert.match(
      warning,
      /No safe contact method: the person said there is no safe way to contact them right now/,
    );
    assert.ok(
      page.body.indexOf('data-qa="no-safe-contact"') < page.body.indexOf('data-qa="referral-section"'),
      'the warning comes before the answers',
    );
    assert.match(page.body, /None: they said there is no safe way right now/);
    const watched = await managerBrowser.get(`/referrals/${unsafePhone.referralId}`);
    assert.match(
      watched.body,
      /No safe contact method: no phone number or email address given is safe to use/,
    );
  });

  it('does not show another organisation’s referral', async () => {
    const other = await givenOrganisation(test, 'Elsewhere Service');
    const { referralId } = await givenReferral(test, other.organisationId);
    await managerBrowser.signIn(manager);
    assert.equal((await managerBrowser.get(`/referrals/${referralId}`)).statusCode, 404);
  });
});

describe('Service settings', () => {
  let test: TestApp;
  let admin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
  });
  after(async () => test.close());

  it('lets an administrator rename the service and set the team email, keeping what was typed on error', async () => {
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    await browser.get('/settings');
    const invalid = await browser.post('/settings', {
      serviceName: 'Renamed Service',
      teamEmail: 'not an email',
    });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /value="Renamed Service"/);
    const saved = await browser.post('/settings', {
      serviceName: 'Renamed Service',
      teamEmail: 'team@example.org',
    });
    assert.equal(saved.headers.location, '/settings?saved=1');
    const home = await browser.get('/');
    assert.match(home.body, /<h1 class="govuk-heading-l">Renamed Service<\/h1>/);
    assert.match(home.body, /data-qa="public-referral-link">http:\/\/localhost:3000\/r\/[a-z0-9]{8}</);
  });

  it('sets the phone number and hours the public form gives people with no safe contact', async () => {
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    await browser.get('/settings');
    const base = { serviceName: 'Renamed Service', teamEmail: 'team@example.org' };
    await browser.post('/settings', base);
    const invalid = await browser.post('/settings', {
      ...base,
      publicPhone: 'ring us',
      publicContactHours: 'h'.repeat(201),
    });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /href="#publicPhone">Enter a phone number in the correct format/);
    assert.match(invalid.body, /href="#publicContactHours">Opening hours must be 200 characters or fewer/);
    const hoursAlone = await browser.post('/settings', {
      ...base,
      publicPhone: ' ',
      publicContactHours: '9 to 5',
    });
    assert.match(hoursAlone.body, /Enter the phone number these hours are for, or remove the hours/);

    const saved = await browser.post('/settings', {
      ...base,
      publicPhone: ' 01632 960 001 ',
      publicContactHours: 'Weekdays, 9am to 5pm',
    });
    assert.equal(saved.headers.location, '/settings?saved=1');
    const shown = await browser.get('/settings');
    assert.match(shown.body, /id="publicPhone" name="publicPhone" type="tel" value="01632 960 001"/);
    assert.match(shown.body, /value="Weekdays, 9am to 5pm"/);
    const audit = await test.database.ownerDb
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'organisation.settings_changed')
      .where('organisation_id', '=', admin.organisationId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...(audit.details as object) },
      {
        serviceNameChanged: false,
        teamEmailChanged: false,
        publicPhoneChanged: true,
        publicContactHoursChanged: true,
      },
    );

    const { referral_code: code } = await test.database.ownerDb
      .selectFrom('organisations')
      .select('referral_code')
      .where('organisation_id', '=', admin.organisationId)
      .executeTakeFirstOrThrow();
    const visitor = new TestBrowser(test);
    await visitor.get(`/r/${code}`);
    await visitor.post(`/r/${code}`);
    await visitor.post(`/r/${code}/who`, { route: 'self', website: '' });
    const contact = await visitor.get(`/r/${code}/contact`);
    assert.match(contact.body, /data-qa="service-phone">01632 960 001<\/a> \(Weekdays, 9am to 5pm\)/);

    await browser.post('/settings', { ...base, publicPhone: '', publicContactHours: '' });
    const without = await visitor.get(`/r/${code}/contact`);
    assert.doesNotMatch(without.body, /data-qa="service-phone"/);
    assert.match(without.body, /Call the National Stalking Helpline/);
  });
});

describe('describeWaiting', () => {
  it('says how long in the largest whole unit', () => {
    assert.equal(describeWaiting(30_000), '0 minutes');
    assert.equal(describeWaiting(60_000), '1 minute');
    assert.equal(describeWaiting(59 * 60_000), '59 minutes');
    assert.equal(describeWaiting(HOUR), '1 hour');
    assert.equal(describeWaiting(47 * HOUR), '47 hours');
    assert.equal(describeWaiting(72 * HOUR), '3 days');
  });
});

describe('noSafeContactWarning', () => {
  const safe = { ...EMPTY_ANSWERS, route: 'self' as const, email: 'a@example.org', emailSafe: true };

  it('says nothing when a phone or email is safe to use', () => {
    assert.equal(noSafeContactWarning(safe), null);
  });

  it('tells triage who to contact instead, by who referred', () => {
    const none = { ...safe, email: null, emailSafe: null, noSafeContact: true };
    assert.match(noSafeContactWarning(none)!, /Wait for them to contact the service/);
    assert.match(noSafeContactWarning({ ...none, route: 'professional' })!, /Contact the referrer instead/);
    const unsafe = { ...safe, emailSafe: false };
    assert.match(noSafeContactWarning(unsafe)!, /^No safe contact method: no phone number or email/);
    assert.match(noSafeContactWarning({ ...unsafe, route: 'professional' })!, /Contact the referrer/);
  });
});

describe('Triage decisions', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let caseworker: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    caseworker = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
  });
  after(async () => test.close());

  async function managerOn(referralId: string): Promise<TestBrowser> {
    const browser = new TestBrowser(test);
    await browser.signIn(manager);
    await browser.get(`/referrals/${referralId}`);
    return browser;
  }

  it('accepts a referral: creates the client with their safe-contact answers, opens a case and allocates it', async () => {
    const { referralId, reference } = await givenReferral(test, admin.organisationId, {
      personName: 'Riley Accepted',
      ...urgent,
    });
    const browser = await managerOn(referralId);
    const page = await browser.get(`/referrals/${referralId}`);
    assert.match(page.body, /Casey Worker – No open cases/);
    const done = await browser.post(`/referrals/${referralId}/decision`, {
      decision: 'accepted',
      reason: 'Stalking by an ex-partner, meets our criteria',
      allocateTo: caseworker.userId,
      linkToClientId: 'new',
    });
    assert.equal(done.headers.location, `/referrals/${referralId}?decided=accepted`);
    const after = await browser.get(done.headers.location);
    assert.match(after.body, /Accepted: case opened/);
    assert.match(after.body, /Stalking by an ex-partner, meets our criteria/);
    assert.doesNotMatch(after.body, /data-qa="decision-form"/, 'a decided referral cannot be decided again');

    const kase = await test.database.ownerDb.selectFrom('cases').selectAll().executeTakeFirstOrThrow();
    assert.equal(kase.allocated_to, caseworker.userId);
    assert.equal(kase.status, 'active');
    assert.equal(kase.urgent, true);
    const client = await test.database.ownerDb.selectFrom('clients').selectAll().executeTakeFirstOrThrow();
    assert.equal(client.name, 'Riley Accepted');
    assert.equal(client.voicemail_allowed, false);
    assert.equal(client.code_word_sealed?.includes(Buffer.from('bluebell')), false);
    const referral = await test.database.ownerDb
      .selectFrom('referrals')
      .select('phone_index')
      .where('referral_id', '=', referralId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(client.phone_index, referral.phone_index, 'the client matches the referral by phone');

    const actions = await test.database.ownerDb
      .selectFrom('audit_events')
      .select(['action', 'reason'])
      .where('action', 'in', ['referral.accepted', 'case.opened', 'case.allocated'])
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      actions.map((a) => a.action),
      ['case.opened', 'case.allocated', 'referral.accepted'],
    );
    assert.equal(actions[2]?.reason, 'Stalking by an ex-partner, meets our criteria');
    assert.doesNotMatch(reference, /Riley/);
  });

  it('needs a reason, and for signposting, where to; answers are kept', async () => {
    const { referralId } = await givenReferral(test, admin.organisationId);
    const browser = await managerOn(referralId);
    const response = await browser.post(`/referrals/${referralId}/decision`, {
      decision: 'signposted',
      reason: '',
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /href="#reason">Enter why you are signposting them elsewhere/);
    assert.match(response.body, /href="#signpostedTo">Enter where you signposted them/);
    const nothing = await browser.post(`/referrals/${referralId}/decision`, {});
    assert.match(nothing.body, /Select what to do with this referral/);
  });

  it('records more-information-then-accept as two decisions, and refuses a second decision after the last', async () => {
    const { referralId } = await givenReferral(test, admin.organisationId);
    const browser = await managerOn(referralId);
    await browser.post(`/referrals/${referralId}/decision`, {
      decision: 'information_requested',
      reason: 'Need the crime reference',
    });
    const queue = await browser.get('/referrals');
    assert.match(queue.body, /Waiting for more information/);
    await browser.get(`/referrals/${referralId}`);
    await browser.post(`/referrals/${referralId}/decision`, {
      decision: 'declined',
      reason: 'Not stalking: a neighbour dispute, referred to mediation',
    });
    const again = await browser.post(`/referrals/${referralId}/decision`, {
      decision: 'accepted',
      reason: 'Changed my mind',
    });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /Someone has already made a decision/);
    const decisions = await test.database.ownerDb
      .selectFrom('referral_decisions')
      .select('decision')
      .where('referral_id', '=', referralId)
      .orderBy('decided_at')
      .execute();
    assert.deepEqual(
      decisions.map((d) => d.decision),
      ['information_requested', 'declined'],
    );
  });

  it('refuses to allocate to someone who is not a caseworker, and opens no case', async () => {
    const { referralId } = await givenReferral(test, admin.organisationId);
    const police = await givenStaff(test, admin.organisationId, 'police_liaison');
    const before = await test.database.ownerDb.selectFrom('cases').select('case_id').execute();
    const browser = await managerOn(referralId);
    const response = await browser.post(`/referrals/${referralId}/decision`, {
      decision: 'accepted',
      reason: 'Meets criteria',
      allocateTo: police.userId,
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Select a caseworker from the list/);
    const after = await test.database.ownerDb.selectFrom('cases').select('case_id').execute();
    assert.equal(after.length, before.length);
  });

  it('shows possible duplicates by phone, email or similar name, and can link to the existing client', async () => {
    const first = await givenReferral(test, admin.organisationId, {
      personName: 'Taylor Duplicate',
      phone: '07700 900555',
      email: 'taylor@example.org',
    });
    let browser = await managerOn(first.referralId);
    await browser.post(`/referrals/${first.referralId}/decision`, {
      decision: 'accepted',
      reason: 'Meets criteria',
      allocateTo: 'none',
    });

    const second = await givenReferral(test, admin.organisationId, {
      personName: 'Tayler Duplicat',
      phone: '+44 7700 900555',
      email: 'someone.else@example.org',
    });
    browser = await managerOn(second.referralId);
    const page = await browser.get(`/referrals/${second.referralId}`);
    assert.match(page.body, /Possibly already known to the service/);
    assert.match(page.body, /Same phone number/);
    assert.match(page.body, /Similar name/);
    const client = await test.database.ownerDb
      .selectFrom('clients')
      .select('client_id')
      .where('name', '=', 'Taylor Duplicate')
      .executeTakeFirstOrThrow();
    await browser.post(`/referrals/${second.referralId}/decision`, {
      decision: 'accepted',
      reason: 'Same person, new incidents',
      allocateTo: 'none',
      linkToClientId: client.client_id,
    });
    const clients = await test.database.ownerDb
      .selectFrom('clients')
      .select('client_id')
      .where('name', 'in', ['Taylor Duplicate', 'Tayler Duplicat'])
      .execute();
    assert.equal(clients.length, 1, 'linked, not duplicated');
    const cases = await test.database.ownerDb
      .selectFrom('cases')
      .select('case_id')
      .where('client_id', '=', client.client_id)
      .execute();
    assert.equal(cases.length, 2);
  });

  it('does not flag unrelated people', async () => {
    const { referralId } = await givenReferral(test, admin.organisationId, {
      personName: 'Quentin Unrelated',
      phone: '07700 900999',
      email: 'quentin@example.org',
      personDateOfBirth: '1975-01-01',
    });
    const browser = await managerOn(referralId);
    const page = await browser.get(`/referrals/${referralId}`);
    assert.doesNotMatch(page.body, /Possibly already known to the service/);
  });
});
