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
import { describeWaiting } from './referral-view.ts';

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
    assert.match(page.body, /<title>Referral – /, 'the title carries no name');
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
