import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyAuditChains } from '../../platform/audit/audit-chain.ts';
import { totpCodeAt } from '../../platform/auth/totp.ts';
import { buildTestApp, TestBrowser, type TestApp } from '../../../test/support/app.ts';

describe('First-run setup', () => {
  let test: TestApp;

  before(async () => {
    test = await buildTestApp();
  });
  after(async () => test.close());

  it('creates the organisation and its administrator once, then enrols an authenticator before anything else', async () => {
    const stale = await test.services.setup.issueSetupToken();
    const token = await test.services.setup.issueSetupToken();
    assert.ok(stale && token);
    const browser = new TestBrowser(test);
    assert.equal(
      (await browser.get(`/setup/${stale}`)).statusCode,
      404,
      'a newer link replaces an older one',
    );

    const form = await browser.get(`/setup/${token}`);
    assert.equal(form.statusCode, 200);
    const invalid = await browser.post(`/setup/${token}`, {
      serviceName: 'Westshire Stalking Service',
      displayName: 'Robin Admin',
      email: 'robin@example.org',
      passphrase: 'westshire stalking',
      confirmPassphrase: 'westshire stalking',
    });
    assert.equal(invalid.statusCode, 400);
    assert.match(
      invalid.body,
      /must not be based on your name, your email address or the name of the service/,
    );
    assert.match(invalid.body, /value="Westshire Stalking Service"/);
    assert.doesNotMatch(invalid.body, /westshire stalking"/, 'passphrases are never sent back');

    const created = await browser.post(`/setup/${token}`, {
      serviceName: 'Westshire Stalking Service',
      displayName: 'Robin Admin',
      email: 'robin@example.org',
      passphrase: 'copper lantern orchard 9',
      confirmPassphrase: 'copper lantern orchard 9',
    });
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, '/account/authenticator');
    assert.equal((await new TestBrowser(test).get(`/setup/${token}`)).statusCode, 404, 'the link works once');
    assert.equal(await test.services.setup.issueSetupToken(), null, 'no new link once set up');

    const resubmit = await new TestBrowser(test).post(`/setup/${token}`, {
      serviceName: 'Another',
      displayName: 'X',
      email: 'x@example.org',
      passphrase: 'copper lantern orchard 9',
      confirmPassphrase: 'copper lantern orchard 9',
    });
    assert.equal(resubmit.statusCode, 404);
    assert.equal((await test.database.ownerDb.selectFrom('organisations').selectAll().execute()).length, 1);

    assert.equal((await browser.get('/staff')).headers.location, '/account/authenticator');
    const enrol = await browser.get('/account/authenticator');
    assert.match(enrol.body, /<svg/);
    const secret = /data-secret="([A-Z2-7]+)"/.exec(enrol.body)?.[1] ?? '';
    const wrong = await browser.post('/account/authenticator', { code: '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(
      /data-secret="([A-Z2-7]+)"/.exec(wrong.body)?.[1],
      secret,
      'the same secret is offered until enrolment succeeds',
    );
    const done = await browser.post('/account/authenticator', { code: totpCodeAt(secret, test.clock.now()) });
    assert.equal(done.headers.location, '/');
    const home = await browser.get('/');
    assert.match(home.body, /<h1 class="govuk-heading-l">Westshire Stalking Service<\/h1>/);

    const stored = await test.database.ownerDb
      .selectFrom('users')
      .select(['totp_secret_sealed', 'passphrase_hash'])
      .executeTakeFirstOrThrow();
    assert.equal(
      stored.totp_secret_sealed?.includes(Buffer.from(secret)),
      false,
      'the TOTP secret is encrypted',
    );
    assert.match(stored.passphrase_hash ?? '', /^\$argon2id\$/);
    const [chain] = await verifyAuditChains(test.database.ownerDb);
    assert.equal(chain?.firstBroken, null);
    assert.ok((chain?.events ?? 0) >= 4);
  });
});
