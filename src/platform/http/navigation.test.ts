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
import { givenSerialAlert } from '../../../test/support/perpetrators.ts';
import { givenReferral, sessionFor } from '../../../test/support/referrals.ts';

/** The service navigation's links, as the words a person sees. */
const navigation = (body: string) =>
  [
    ...(/aria-label="Menu"([\s\S]*?)<\/nav>/.exec(body)?.[1] ?? '').matchAll(
      /href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g,
    ),
  ].map((match) => `${match[2]!.replace(/<[^>]+>/g, '').trim()} ${match[1]}`);

describe('The navigation', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let caseworker: StaffCredentials;
  let managerBrowser: TestBrowser;
  let caseworkerBrowser: TestBrowser;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager');
    caseworker = await givenStaff(test, admin.organisationId, 'caseworker');
    managerBrowser = new TestBrowser(test);
    await managerBrowser.signIn(manager);
    caseworkerBrowser = new TestBrowser(test);
    await caseworkerBrowser.signIn(caseworker);
  });
  after(async () => test.close());

  it('shows a manager how many serial-perpetrator alerts wait, and the count falls when one is acknowledged', async () => {
    assert.ok(navigation((await managerBrowser.get('/')).body).includes('Alerts /perpetrators/alerts'));

    const { alertId } = await givenSerialAlert(test, manager, caseworker);
    const waiting = await test.database.ownerDb
      .selectFrom('perpetrator_alerts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('organisation_id', '=', manager.organisationId)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirstOrThrow();
    const count = Number(waiting.count);
    assert.ok(count > 0);
    const links = navigation((await managerBrowser.get('/')).body);
    assert.ok(links.includes(`Alerts (${count}) /perpetrators/alerts`), links.join(', '));

    await test.services.perpetrators.acknowledgeAlert(await sessionFor(test, manager), alertId);
    const after = navigation((await managerBrowser.get('/cases')).body);
    const expected =
      count === 1 ? 'Alerts /perpetrators/alerts' : `Alerts (${count - 1}) /perpetrators/alerts`;
    assert.ok(after.includes(expected), `counted afresh on every page: ${after.join(', ')}`);
  });

  it('counts waiting referrals for triage staff, on every page', async () => {
    const before = await managerBrowser.get('/account');
    const waiting = Number(/Referrals \((\d+)\)/.exec(before.body)?.[1] ?? 0);
    await givenReferral(test, manager.organisationId);
    const links = navigation((await managerBrowser.get('/account')).body);
    assert.ok(links.includes(`Referrals (${waiting + 1}) /referrals`), links.join(', '));
  });

  it('shows neither count to a caseworker, who may not see them', async () => {
    const page = await caseworkerBrowser.get('/');
    assert.equal(page.statusCode, 200);
    const links = navigation(page.body);
    assert.ok(links.length > 1, 'the navigation was read');
    assert.equal(
      links.some((link) => /Alerts|Referrals/.test(link)),
      false,
      links.join(', '),
    );
  });
});
