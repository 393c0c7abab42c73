import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCodeAt } from '../../platform/auth/totp.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';

const linkFrom = (body: string) => /data-qa="invitation-link">([^<]+)</.exec(body)?.[1] ?? '';
const secretFrom = (body: string) => /data-secret="([A-Z2-7]+)"/.exec(body)?.[1] ?? '';

async function auditActions(test: TestApp, recordId: string): Promise<string[]> {
  const rows = await test.database.ownerDb
    .selectFrom('audit_events')
    .select('action')
    .where('record_id', '=', recordId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

describe('Staff management', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let adminBrowser: TestBrowser;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    adminBrowser = new TestBrowser(test);
    await adminBrowser.signIn(admin);
  });
  after(async () => test.close());

  describe('invite', () => {
    it('creates a one-time link that lets the new caseworker set a passphrase, enrol and sign in', async () => {
      await adminBrowser.get('/staff/invite');
      const created = await adminBrowser.post('/staff/invite', {
        displayName: 'Casey Worker',
        email: 'Casey.Worker@example.org',
        role: 'caseworker',
      });
      assert.equal(created.statusCode, 200);
      const link = linkFrom(created.body);
      assert.match(link, /^http:\/\/localhost:3000\/invitation\/[0-9a-f-]{36}\.[\w-]{43}$/);
      const path = new URL(link).pathname;

      const caseworker = new TestBrowser(test);
      const page = await caseworker.get(path);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /casey.worker@example.org/);
      const weak = await caseworker.post(path, {
        passphrase: 'Casey Worker 1',
        confirmPassphrase: 'Casey Worker 1',
      });
      assert.equal(weak.statusCode, 400);
      assert.match(weak.body, /must not be based on your name/);
      const accepted = await caseworker.post(path, {
        passphrase: 'marble pigeon tundra 77',
        confirmPassphrase: 'marble pigeon tundra 77',
      });
      assert.equal(accepted.headers.location, '/account/authenticator');

      assert.equal((await new TestBrowser(test).get(path)).statusCode, 404, 'the link works once');

      const enrolPage = await caseworker.get('/account/authenticator');
      const secret = secretFrom(enrolPage.body);
      assert.equal(secret.length, 32);
      assert.equal(
        (await caseworker.get('/')).headers.location,
        '/account/authenticator',
        'nothing else until enrolled',
      );
      const enrolled = await caseworker.post('/account/authenticator', {
        code: totpCodeAt(secret, test.clock.now()),
      });
      assert.equal(enrolled.headers.location, '/');
      const home = await caseworker.get('/');
      assert.equal(home.statusCode, 200);
      assert.doesNotMatch(home.body, /href="\/staff"/, 'a caseworker is not offered staff management');
      assert.doesNotMatch(home.body, /href="\/audit"/);
      assert.equal((await caseworker.get('/staff')).statusCode, 403);

      const staff = await adminBrowser.get('/staff');
      assert.match(staff.body, /Casey Worker/);
    });

    it('refuses a second account with the same email, keeping what was typed', async () => {
      await adminBrowser.get('/staff/invite');
      const first = await adminBrowser.post('/staff/invite', {
        displayName: 'Pat Police',
        email: 'pat@example.org',
        role: 'police_liaison',
      });
      assert.equal(first.statusCode, 200);
      await adminBrowser.get('/staff/invite');
      const second = await adminBrowser.post('/staff/invite', {
        displayName: 'Pat Police',
        email: 'PAT@example.org',
        role: 'police_liaison',
      });
      assert.equal(second.statusCode, 400);
      assert.match(second.body, /already has an account with this email address/);
      assert.match(second.body, /value="Pat Police"/);
      const count = await test.database.ownerDb
        .selectFrom('users')
        .select('user_id')
        .where('email', '=', 'pat@example.org')
        .execute();
      assert.equal(count.length, 1);
    });

    it('shows every problem at once with GOV.UK error messages', async () => {
      await adminBrowser.get('/staff/invite');
      const response = await adminBrowser.post('/staff/invite', { displayName: '', email: 'not-an-email' });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /<title>Error: Invite a member of staff/);
      assert.match(response.body, /href="#displayName">Enter the full name/);
      assert.match(response.body, /href="#email">Enter an email address in the correct format/);
      assert.match(response.body, /href="#role">Select a role/);
      assert.match(response.body, /value="not-an-email"/);
    });

    it('refuses a tampered form with unexpected fields', async () => {
      await adminBrowser.get('/staff/invite');
      const response = await adminBrowser.post('/staff/invite', {
        displayName: 'X',
        email: 'x@example.org',
        role: 'caseworker',
        isAdmin: 'yes',
      });
      assert.equal(response.statusCode, 400);
    });
  });

  describe('disable', () => {
    it('ends every session of the disabled user at once and records who did it', async () => {
      const manager = await givenStaff(test, admin.organisationId, 'manager');
      const phone = new TestBrowser(test);
      const laptop = new TestBrowser(test);
      await phone.signIn(manager);
      await laptop.signIn(manager);
      assert.equal((await phone.get('/staff')).statusCode, 200);

      await adminBrowser.get(`/staff/${manager.userId}`);
      const disabled = await adminBrowser.post(`/staff/${manager.userId}/disable`);
      assert.equal(disabled.headers.location, `/staff/${manager.userId}?done=disabled`);
      assert.equal((await phone.get('/staff')).headers.location, '/sign-in');
      assert.equal((await laptop.get('/')).headers.location, '/sign-in');
      const again = await new TestBrowser(test).post('/sign-in', {
        email: manager.email,
        passphrase: manager.passphrase,
      });
      assert.equal(again.statusCode, 400);
      assert.deepEqual((await auditActions(test, manager.userId)).slice(-2), [
        'staff.viewed',
        'staff.disabled',
      ]);

      await adminBrowser.get(`/staff/${manager.userId}`);
      await adminBrowser.post(`/staff/${manager.userId}/enable`);
      const back = new TestBrowser(test);
      await back.signIn(manager);
      assert.equal((await back.get('/staff')).statusCode, 200);
    });

    it('does not let an administrator disable or demote themselves', async () => {
      await adminBrowser.get(`/staff/${admin.userId}`);
      const response = await adminBrowser.post(`/staff/${admin.userId}/disable`);
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /cannot change your own role or disable your own account/);
    });
  });

  describe('change role', () => {
    it('signs the person out so their next sign-in carries the new role', async () => {
      const auditor = await givenStaff(test, admin.organisationId, 'auditor');
      const browser = new TestBrowser(test);
      await browser.signIn(auditor);
      assert.equal((await browser.get('/audit')).statusCode, 200);
      await adminBrowser.get(`/staff/${auditor.userId}`);
      await adminBrowser.post(`/staff/${auditor.userId}/role`, { role: 'caseworker' });
      assert.equal((await browser.get('/audit')).headers.location, '/sign-in');
      const fresh = new TestBrowser(test);
      await fresh.signIn(auditor);
      assert.equal((await fresh.get('/audit')).statusCode, 403);
    });
  });

  describe('new set-up link', () => {
    it('replaces a lost authenticator: the old passphrase stops working and the new link works once', async () => {
      const caseworker = await givenStaff(test, admin.organisationId, 'caseworker');
      await adminBrowser.get(`/staff/${caseworker.userId}`);
      const response = await adminBrowser.post(`/staff/${caseworker.userId}/invitation`);
      const link = new URL(linkFrom(response.body)).pathname;
      const old = await new TestBrowser(test).post('/sign-in', {
        email: caseworker.email,
        passphrase: caseworker.passphrase,
      });
      assert.equal(old.statusCode, 400);
      const browser = new TestBrowser(test);
      await browser.get(link);
      const accepted = await browser.post(link, {
        passphrase: 'glacier violin meadow 3',
        confirmPassphrase: 'glacier violin meadow 3',
      });
      assert.equal(accepted.headers.location, '/account/authenticator');
    });
  });
});

describe('Your account', () => {
  let test: TestApp;
  let admin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
  });
  after(async () => test.close());

  it('lists the user’s sessions and lets them end one they do not recognise', async () => {
    const mine = new TestBrowser(test);
    const stolen = new TestBrowser(test);
    await mine.signIn(admin);
    await stolen.signIn(admin);
    const account = await mine.get('/account');
    const rows = account.body.match(/data-qa="session-row"/g) ?? [];
    assert.equal(rows.length, 2);
    const otherSessionId = /action="\/account\/sessions\/([0-9a-f-]{36})\/end"/.exec(account.body)?.[1];
    assert.ok(otherSessionId);
    const ended = await mine.post(`/account/sessions/${otherSessionId}/end`);
    assert.equal(ended.headers.location, '/account?ended=1');
    assert.equal((await stolen.get('/')).headers.location, '/sign-in');
    assert.equal((await mine.get('/')).statusCode, 200);
  });

  it('cannot end someone else’s session', async () => {
    const other = await givenStaff(test, admin.organisationId, 'caseworker');
    const theirs = new TestBrowser(test);
    await theirs.signIn(other);
    const session = await test.database.ownerDb
      .selectFrom('sessions')
      .select('session_id')
      .where('user_id', '=', other.userId)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    const mine = new TestBrowser(test);
    await mine.signIn(admin);
    await mine.get('/account');
    assert.equal((await mine.post(`/account/sessions/${session.session_id}/end`)).statusCode, 404);
    assert.equal((await theirs.get('/')).statusCode, 200);
  });
});

describe('Audit trail page', () => {
  let test: TestApp;
  let admin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
  });
  after(async () => test.close());

  it('lets an auditor filter by who, which record and when, and records the search itself', async () => {
    const caseworker = await givenStaff(test, admin.organisationId, 'caseworker', {
      displayName: 'Casey Filter',
    });
    const auditor = await givenStaff(test, admin.organisationId, 'auditor');
    await new TestBrowser(test).signIn(caseworker);
    const browser = new TestBrowser(test);
    await browser.signIn(auditor);

    const byUser = await browser.get(`/audit?user=${caseworker.userId}`);
    assert.equal(byUser.statusCode, 200);
    const rows = byUser.body.split('data-qa="audit-row"').slice(1);
    assert.ok(rows.length >= 2);
    assert.ok(
      rows.every((row) => row.includes('<td class="govuk-table__cell">Casey Filter</td>')),
      'only the chosen person’s events',
    );

    const byRecord = await browser.get(`/audit?record=${caseworker.userId}`);
    assert.match(byRecord.body, /sign_in.succeeded/);

    const tomorrow = new Date(test.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    const future = await browser.get(`/audit?from=${tomorrow}`);
    assert.match(future.body, /No events match this filter/);

    const invalid = await browser.get('/audit?from=2026-02-31');
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /From must be a real date/);

    const searches = await test.database.ownerDb
      .selectFrom('audit_events')
      .select('actor_user_id')
      .where('action', '=', 'audit.searched')
      .execute();
    assert.equal(searches.length, 3);
    assert.ok(searches.every((row) => row.actor_user_id === auditor.userId));
  });
});
