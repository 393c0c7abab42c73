import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  buildTestApp,
  givenOrganisation,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../test/support/app.ts';
import { redactUrl } from './logging.ts';

describe('logs', () => {
  const lines: string[] = [];
  let test: TestApp;
  let admin: StaffCredentials;

  before(async () => {
    test = await buildTestApp({
      logStream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      }),
    });
    admin = await givenOrganisation(test);
  });
  after(async () => test.close());

  it('masks one-time tokens in paths and drops query strings', () => {
    assert.equal(redactUrl('/invitation/abc.def'), '/invitation/[token]');
    assert.equal(redactUrl('/setup/xyz?x=1'), '/setup/[token]?[query]');
    assert.equal(redactUrl('/audit?user=someone'), '/audit?[query]');
    assert.equal(redactUrl('/staff'), '/staff');
  });

  it('writes JSON lines in UTC with request ids, and never the email, passphrase, code, cookie or token', async () => {
    const browser = new TestBrowser(test);
    await browser.post('/sign-in', { email: admin.email, passphrase: 'a wrong passphrase typed here' });
    await browser.signIn(admin);
    await browser.get(`/invitation/${admin.organisationId}.${'s'.repeat(43)}`);
    await browser.get('/audit?record=secret-record-filter');
    assert.ok(lines.length > 5);
    for (const line of lines) {
      const entry = JSON.parse(line) as { time: string };
      assert.match(entry.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    assert.ok(lines.some((line) => /"reqId":"[0-9a-f-]{36}"/.test(line)));
    const everything = lines.join('\n');
    for (const secret of [
      admin.email,
      admin.passphrase,
      'a wrong passphrase typed here',
      browser.sessionToken!,
      's'.repeat(43),
      'secret-record-filter',
    ]) {
      assert.equal(everything.includes(secret), false, `logs contain ${secret}`);
    }
  });
});
