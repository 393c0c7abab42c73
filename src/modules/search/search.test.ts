import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { givenCase } from '../../../test/support/referrals.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { classifySearch } from './search.service.ts';

describe('classifySearch', () => {
  it('tells references, emails, phone numbers and names apart', () => {
    assert.equal(classifySearch('AB3D-7KQ2'), 'reference');
    assert.equal(classifySearch('ab3d7kq2'), 'reference');
    assert.equal(classifySearch('TGAB-ARPL'), 'reference', 'a reference may have no digits');
    assert.equal(classifySearch('someone@example.org'), 'email');
    assert.equal(classifySearch('+44 (0)7700 900123'), 'phone');
    assert.equal(classifySearch('07700900123'), 'phone');
    assert.equal(classifySearch('Jordan Example'), 'name');
    assert.equal(classifySearch('Abbotsford'), 'name', 'an 8-letter name without digits is not a reference');
  });
});

describe('Search', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let holder: StaffCredentials;
  let other: StaffCredentials;
  let reference: string;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager');
    holder = await givenStaff(test, admin.organisationId, 'caseworker');
    other = await givenStaff(test, admin.organisationId, 'caseworker');
    const { caseId } = await givenCase(test, manager, {
      holder,
      answers: { personName: 'Frankie Findable', phone: '07700 900321', email: 'frankie@example.org' },
    });
    await givenCase(test, manager, {
      holder: other,
      answers: { personName: 'Someone Else Entirely', phone: '07700 900777', email: 'else@example.org' },
    });
    reference = (
      await test.database.ownerDb
        .selectFrom('cases')
        .select('reference')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow()
    ).reference;
  });
  after(async () => test.close());

  async function searchAs(user: StaffCredentials, q: string) {
    const browser = new TestBrowser(test);
    await browser.signIn(user);
    await browser.get('/search');
    return browser.post('/search', { q });
  }

  it('finds a case by reference, by a misspelt name, and by phone or email in any format', async () => {
    for (const q of [
      reference,
      // Typed without its dash, eight letters with no digit are a name (a reference is random, so sometimes).
      ...(/\d/.test(reference) ? [reference.replace('-', '').toLowerCase()] : []),
      'Franky Findabel',
      '+44 7700 900 321',
      'FRANKIE@example.org',
    ]) {
      const page = await searchAs(holder, q);
      assert.equal(page.statusCode, 200, q);
      assert.match(page.body, /Frankie Findable/, q);
      assert.doesNotMatch(page.body, /Someone Else Entirely/, q);
    }
  });

  it('finds a case by the name (misspelt), phone or email of the person responsible, within scope', async () => {
    const { caseId } = await givenCase(test, manager, {
      holder,
      answers: { personName: 'Dorrie Quillfeather' },
    });
    await givenPerpetrator(test, holder, caseId, {
      name: 'Barnaby Thistlewood',
      phones: ['07700 900456'],
      emails: ['barnaby@example.net'],
    });
    for (const [q, matchedOn] of [
      ['Barnabe Thistlewod', 'Name of the person responsible'],
      ['+44 7700 900456', 'Phone number of the person responsible'],
      ['BARNABY@example.net', 'Email address of the person responsible'],
    ] as const) {
      const page = await searchAs(holder, q);
      assert.match(page.body, /Dorrie Quillfeather/, q);
      assert.match(page.body, new RegExp(matchedOn), q);
    }
    assert.match((await searchAs(other, 'Barnaby Thistlewood')).body, /data-qa="no-results"/);
  });

  it('finds only cases on the caseworker’s own caseload; a manager finds any', async () => {
    assert.match((await searchAs(other, 'Frankie Findable')).body, /data-qa="no-results"/);
    assert.match((await searchAs(manager, 'Frankie Findable')).body, /Frankie Findable/);
  });

  it('keeps search terms out of the address and the audit trail', async () => {
    const page = await searchAs(manager, 'frankie@example.org');
    assert.match(page.body, /<form method="post"/);
    const events = await test.database.ownerDb
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'case.searched')
      .execute();
    assert.ok(events.length > 0);
    assert.ok(events.every((event) => !JSON.stringify(event.details).includes('frankie')));
  });

  it('asks for at least 3 characters and refuses roles without cases', async () => {
    const short = await searchAs(manager, 'ab');
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /Enter at least 3 characters/);
    const police = await givenStaff(test, manager.organisationId, 'police_liaison');
    const browser = new TestBrowser(test);
    await browser.signIn(police);
    assert.equal((await browser.get('/search')).statusCode, 403);
  });
});
