import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { totpCodeAt } from '../../platform/auth/totp.ts';
import { MINUTE } from '../../platform/clock.ts';
import {
  buildTestApp,
  givenOrganisation,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';

describe('Staff sign-in', () => {
  let test: TestApp;
  let admin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
  });
  after(async () => test.close());
  beforeEach(async () => {
    await test.database.ownerDb.deleteFrom('rate_limit_events').execute();
    test.clock.advance(MINUTE);
  });

  it('signs in with passphrase then authenticator code, and shows the user and their service', async () => {
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    const home = await browser.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Northshire Stalking Service/);
    assert.match(home.body, /Signed in as <strong>Alex Admin<\/strong>/);
  });

  it('issues a new session identifier at sign-in and again when the code is accepted', async () => {
    const browser = new TestBrowser(test);
    browser.cookies.set('__Host-vigil-session', `${admin.organisationId}.${'a'.repeat(43)}`);
    await browser.post('/sign-in', { email: admin.email, passphrase: admin.passphrase });
    const afterPassphrase = browser.sessionToken;
    assert.ok(afterPassphrase);
    assert.notEqual(afterPassphrase, `${admin.organisationId}.${'a'.repeat(43)}`);
    test.clock.advance(30_000);
    await browser.post('/sign-in/code', { code: totpCodeAt(admin.totpSecret, test.clock.now()) });
    assert.ok(browser.sessionToken);
    assert.notEqual(browser.sessionToken, afterPassphrase);

    const stale = new TestBrowser(test);
    stale.cookies.set('__Host-vigil-session', afterPassphrase);
    const response = await stale.get('/');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/sign-in');
  });

  it('answers unknown accounts exactly as it answers a wrong passphrase', async () => {
    const wrong = await new TestBrowser(test).post('/sign-in', {
      email: admin.email,
      passphrase: 'not the passphrase at all',
    });
    const unknown = await new TestBrowser(test).post('/sign-in', {
      email: 'nobody@example.org',
      passphrase: 'not the passphrase at all',
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(unknown.statusCode, 400);
    const message = (body: string) =>
      /<p id="email-error" class="govuk-error-message">([\s\S]*?)<\/p>/.exec(body)?.[1]?.replace(/\s+/g, ' ');
    assert.equal(message(wrong.body), message(unknown.body));
    assert.match(wrong.body, /value="[^"]*@example.org"/, 'the email typed is kept');
  });

  it('refuses a code that has already been used (replay)', async () => {
    const browser = new TestBrowser(test);
    await browser.post('/sign-in', { email: admin.email, passphrase: admin.passphrase });
    test.clock.advance(30_000);
    const code = totpCodeAt(admin.totpSecret, test.clock.now());
    assert.equal((await browser.post('/sign-in/code', { code })).statusCode, 303);

    const attacker = new TestBrowser(test);
    await attacker.post('/sign-in', { email: admin.email, passphrase: admin.passphrase });
    const replay = await attacker.post('/sign-in/code', { code });
    assert.equal(replay.statusCode, 400);
    assert.match(replay.body, /The code is not correct or has been used/);
  });

  it('throttles the 11th wrong passphrase in 5 minutes, then lets the right passphrase and code in after the wait', async () => {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const response = await new TestBrowser(test).post('/sign-in', {
        email: admin.email,
        passphrase: `wrong guess number ${attempt}`,
      });
      assert.match(response.body, /Enter a correct email address and passphrase/);
    }
    const eleventh = await new TestBrowser(test).post('/sign-in', {
      email: admin.email,
      passphrase: admin.passphrase,
    });
    assert.equal(eleventh.statusCode, 400);
    assert.match(eleventh.body, /Too many attempts/);

    test.clock.advance(5 * MINUTE + 1000);
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    assert.equal((await browser.get('/')).statusCode, 200);
  });

  it('signs the user out after 30 minutes without activity, and says why', async () => {
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    test.clock.advance(29 * MINUTE);
    assert.equal((await browser.get('/')).statusCode, 200);
    test.clock.advance(29 * MINUTE);
    assert.equal((await browser.get('/')).statusCode, 200, 'activity resets the idle timer');
    test.clock.advance(31 * MINUTE);
    const expired = await browser.get('/');
    assert.equal(expired.statusCode, 303);
    assert.equal(expired.headers.location, '/sign-in?signed-out=idle');
    const page = await browser.get(expired.headers.location);
    assert.match(page.body, /had not done anything for 30 minutes/);
  });

  it('ends a session after 12 hours however active it is', async () => {
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    for (let step = 0; step < 35; step += 1) {
      test.clock.advance(20 * MINUTE);
      assert.equal((await browser.get('/')).statusCode, 200);
    }
    test.clock.advance(20 * MINUTE);
    const response = await browser.get('/');
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /signed-out=expired/);
  });

  it('refuses a form posted without its CSRF token', async () => {
    const browser = new TestBrowser(test);
    await browser.get('/sign-in');
    const response = await browser.post(
      '/sign-in',
      { email: admin.email, passphrase: admin.passphrase },
      { csrf: false },
    );
    assert.equal(response.statusCode, 403);
    assert.equal(browser.sessionToken, undefined);
  });

  it('records sign-ins in the user’s own history', async () => {
    await new TestBrowser(test).post('/sign-in', {
      email: admin.email,
      passphrase: 'a wrong passphrase here',
    });
    const browser = new TestBrowser(test);
    await browser.signIn(admin);
    const account = await browser.get('/account');
    assert.match(account.body, /Wrong passphrase/);
    assert.match(account.body, /Signed in/);
  });
});
