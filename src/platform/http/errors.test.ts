import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, TestBrowser, type TestApp } from '../../../test/support/app.ts';

describe('error pages', () => {
  let test: TestApp;

  before(async () => {
    test = await buildTestApp();
    test.app.get('/explode', () => {
      throw new Error('connection to 10.0.0.5 failed for user jane.doe@example.org');
    });
  });
  after(async () => test.close());

  it('shows a generic 500 page with a reference, never the error itself', async () => {
    const response = await new TestBrowser(test).get('/explode');
    assert.equal(response.statusCode, 500);
    assert.match(response.body, /Sorry, there is a problem with the service/);
    assert.match(response.body, /data-qa="error-reference">[0-9a-f-]{36}</);
    assert.doesNotMatch(response.body, /10\.0\.0\.5|jane\.doe|Error:/);
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('answers API callers with JSON rather than a page', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: '/explode',
      headers: { accept: 'application/json' },
    });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(Object.keys(response.json<object>()).sort(), ['error', 'requestId']);
  });

  it('refuses an oversized form with a 413 page', async () => {
    const browser = new TestBrowser(test);
    const response = await browser.post('/sign-in', {
      email: 'a@example.org',
      passphrase: 'x'.repeat(70_000),
    });
    assert.equal(response.statusCode, 413);
    assert.match(response.body, /What you sent is too large/);
  });
});
