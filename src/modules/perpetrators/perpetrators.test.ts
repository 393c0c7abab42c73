import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inOrganisation } from '../../db/database.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';

/** The add-a-perpetrator form as a person fills it in; overrides change what a test cares about. */
function formFields(submissionId: string, overrides: Record<string, string | string[]> = {}) {
  return {
    submissionId,
    name: 'Robin Hatherley',
    aliases: 'Rob H\nRobbie',
    'dateOfBirth-day': '2',
    'dateOfBirth-month': '6',
    'dateOfBirth-year': '1984',
    approximateAge: '',
    description: 'Scar through the left eyebrow, usually in a grey parka.',
    relationship: 'ex_partner',
    addresses: '22 Quarry Lane\nSouthtown ST2 9QP',
    phones: '+44 7700 900111\n07700 900222',
    emails: 'robin.h@example.net',
    socialAccounts: 'Instagram: @RobinH_Quarry',
    vehicles: 'XY21 ZZZ',
    riskFactors: ['weapons', 'threats_to_kill'],
    riskNotes: 'Owns a crossbow, according to the client.',
    ...overrides,
  };
}

async function openForm(browser: TestBrowser, caseId: string): Promise<string> {
  const page = await browser.get(`/cases/${caseId}/perpetrators/new`);
  assert.equal(page.statusCode, 200, page.body.slice(0, 300));
  const match = /name="submissionId" value="([^"]+)"/.exec(page.body);
  assert.ok(match, 'the form carries a submission id');
  return match[1]!;
}

async function auditActions(test: TestApp, action: string, recordId?: string) {
  let query = test.database.ownerDb
    .selectFrom('audit_events')
    .select(['actor_user_id', 'record_id', 'details'])
    .where('action', '=', action);
  if (recordId) query = query.where('record_id', '=', recordId);
  return query.execute();
}

describe('Perpetrators', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let caseworker: StaffCredentials;
  let otherCaseworker: StaffCredentials;
  let police: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    caseworker = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    otherCaseworker = await givenStaff(test, admin.organisationId, 'caseworker');
    police = await givenStaff(test, admin.organisationId, 'police_liaison');
  });
  after(async () => test.close());

  describe('adding one to a case', () => {
    it('seals the addresses, description and notes, and seals and blind-indexes each identifier', async () => {
      const target = await givenCase(test, manager, { holder: caseworker });
      const browser = new TestBrowser(test);
      await browser.signIn(caseworker);
      const submissionId = await openForm(browser, target.caseId);

      const sent = await browser.post(`/cases/${target.caseId}/perpetrators/new`, formFields(submissionId));
      assert.equal(sent.statusCode, 303, sent.body.slice(0, 500));
      assert.equal(sent.headers.location, `/perpetrators/${submissionId}?done=created`);

      const row = await test.database.ownerDb
        .selectFrom('perpetrators')
        .selectAll()
        .where('perpetrator_id', '=', submissionId)
        .executeTakeFirstOrThrow();
      assert.equal(row.name, 'Robin Hatherley', 'names stay in clear for matching');
      assert.deepEqual(row.aliases, ['Rob H', 'Robbie']);
      assert.equal(row.date_of_birth, '1984-06-02');
      assert.deepEqual(row.risk_factors, ['weapons', 'threats_to_kill']);
      const identifiers = await test.database.ownerDb
        .selectFrom('perpetrator_identifiers')
        .selectAll()
        .where('perpetrator_id', '=', submissionId)
        .execute();
      const dump = [...Object.values(row), ...identifiers.flatMap((identifier) => Object.values(identifier))]
        .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value)))
        .join('\n');
      for (const secret of [
        'Quarry Lane',
        'Scar through the left eyebrow',
        'crossbow',
        '900111',
        '900222',
        'robin.h@example.net',
        'RobinH_Quarry',
        'XY21',
      ]) {
        assert.equal(dump.includes(secret), false, `${secret} is stored in clear`);
      }
      assert.deepEqual(identifiers.map((identifier) => identifier.kind).sort(), [
        'email',
        'handle',
        'phone',
        'phone',
        'vehicle',
      ]);
      assert.equal(identifiers.find((identifier) => identifier.kind === 'handle')?.platform, 'Instagram');
      const indexKey = await inOrganisation(test.database.db, admin.organisationId, async (trx) =>
        blindIndexKey(await test.services.keys.organisationKey(trx, admin.organisationId)),
      );
      const phoneIndexes = identifiers
        .filter((identifier) => identifier.kind === 'phone')
        .map((identifier) => identifier.index.toString('hex'));
      assert.ok(
        phoneIndexes.includes(blindIndex(indexKey, 'phone', '07700 900111').toString('hex')),
        'the phone typed as +44 is indexed as the UK number',
      );

      const page = await browser.get(sent.headers.location);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<title>Perpetrator &ndash; /, 'no name in the title');
      assert.match(page.body, /Perpetrator added to the case/);
      assert.match(page.body, /22 Quarry Lane<br>Southtown ST2 9QP/);
      assert.match(page.body, /\+44 7700 900111/);
      assert.match(page.body, /Instagram: @RobinH_Quarry/);
      assert.match(page.body, /Has or has used weapons/);
      assert.match(page.body, /Threats to kill/);
      assert.match(page.body, /Owns a crossbow/);
      assert.match(page.body, /2 June 1984/);
      assert.match(page.body, new RegExp(`href="/cases/${target.caseId}"[^>]*>${target.reference}<`));
      assert.match(page.body, /An ex-partner/);

      const created = await auditActions(test, 'perpetrator.created', submissionId);
      assert.equal(created.length, 1);
      assert.equal(created[0]!.actor_user_id, caseworker.userId);
      assert.equal(created[0]!.details.case, target.reference);
      const viewed = await auditActions(test, 'perpetrator.viewed', submissionId);
      assert.deepEqual(
        viewed.map((event) => event.actor_user_id),
        [caseworker.userId],
      );
    });

    it('makes one record when the same form is sent twice', async () => {
      const target = await givenCase(test, manager, { holder: caseworker });
      const browser = new TestBrowser(test);
      await browser.signIn(caseworker);
      const submissionId = await openForm(browser, target.caseId);
      const fields = formFields(submissionId, {
        name: 'Twice Sent',
        aliases: '',
        phones: '07700 900301',
        emails: '',
        socialAccounts: '',
        vehicles: '',
      });
      const first = await browser.post(`/cases/${target.caseId}/perpetrators/new`, fields);
      const second = await browser.post(`/cases/${target.caseId}/perpetrators/new`, fields);
      assert.equal(first.statusCode, 303);
      assert.equal(second.statusCode, 303);
      assert.equal(second.headers.location, first.headers.location);
      const rows = await test.database.ownerDb
        .selectFrom('perpetrators')
        .select('perpetrator_id')
        .where('name', '=', 'Twice Sent')
        .execute();
      assert.equal(rows.length, 1);
    });

    it('keeps what was typed when something needs fixing, and refuses impossible dates', async () => {
      const target = await givenCase(test, manager, { holder: caseworker });
      const browser = new TestBrowser(test);
      await browser.signIn(caseworker);
      const submissionId = await openForm(browser, target.caseId);
      const url = `/cases/${target.caseId}/perpetrators/new`;

      const impossible = await browser.post(
        url,
        formFields(submissionId, {
          name: 'Kept Typed Name',
          'dateOfBirth-day': '31',
          'dateOfBirth-month': '2',
          'dateOfBirth-year': '1990',
          phones: 'not a phone',
          riskFactors: ['weapons'],
          relationship: '',
        }),
      );
      assert.equal(impossible.statusCode, 400);
      assert.match(impossible.body, /<title>Error: Add a perpetrator &ndash; /);
      assert.match(impossible.body, /href="#dateOfBirth-day">Date of birth must be a real date</);
      assert.match(impossible.body, /Select how the client knows them/);
      assert.match(impossible.body, /Enter the phone number in the correct format/);
      assert.match(impossible.body, /value="Kept Typed Name"/);
      assert.match(impossible.body, />not a phone<\/textarea>/);
      assert.match(impossible.body, /name="dateOfBirth-day" type="text" value="31"/);
      assert.match(impossible.body, /value="weapons" checked/);
      assert.match(impossible.body, new RegExp(`name="submissionId" value="${submissionId}"`));
      const order = [...impossible.body.matchAll(/<a href="#([\w-]+)">/g)].map((match) => match[1]);
      assert.deepEqual(order, ['dateOfBirth-day', 'relationship', 'phones'], 'errors follow the page');

      const future = await browser.post(
        url,
        formFields(submissionId, { 'dateOfBirth-year': String(new Date().getFullYear() + 2) }),
      );
      assert.equal(future.statusCode, 400);
      assert.match(future.body, /Date of birth must be in the past/);

      const both = await browser.post(url, formFields(submissionId, { approximateAge: '40' }));
      assert.equal(both.statusCode, 400);
      assert.match(both.body, /Enter a date of birth or an approximate age, not both/);

      const nothing = await browser.post(
        url,
        formFields(submissionId, {
          name: '',
          description: '',
          phones: '',
          emails: '',
          socialAccounts: '',
          vehicles: '',
        }),
      );
      assert.equal(nothing.statusCode, 400);
      assert.match(nothing.body, /Enter their name, or if it is not known/);

      const rows = await test.database.ownerDb
        .selectFrom('perpetrators')
        .select('perpetrator_id')
        .where('perpetrator_id', '=', submissionId)
        .execute();
      assert.equal(rows.length, 0, 'nothing was saved');
    });

    it('refuses unknown fields as a bad request', async () => {
      const target = await givenCase(test, manager, { holder: caseworker });
      const browser = new TestBrowser(test);
      await browser.signIn(caseworker);
      const submissionId = await openForm(browser, target.caseId);
      const response = await browser.post(
        `/cases/${target.caseId}/perpetrators/new`,
        formFields(submissionId, { isAdmin: 'yes' }),
      );
      assert.equal(response.statusCode, 400);
      assert.doesNotMatch(response.body, /There is a problem/);
    });
  });

  describe('matching people already known (serial stalking)', () => {
    it('shows a manager the match on a phone number typed another way, links it, and raises one alert', async () => {
      const first = await givenCase(test, manager, { holder: caseworker });
      const second = await givenCase(test, manager, { holder: otherCaseworker });
      const known = await givenPerpetrator(test, caseworker, first.caseId, {
        name: 'Dorian Featherstone',
        phones: ['+44 7700 900555'],
        emails: [],
        socialAccounts: [],
        vehicles: [],
      });
      const browser = new TestBrowser(test);
      await browser.signIn(manager);
      const submissionId = await openForm(browser, second.caseId);
      const url = `/cases/${second.caseId}/perpetrators/new`;
      const fields = formFields(submissionId, {
        name: 'D. Feathers',
        aliases: '',
        'dateOfBirth-day': '',
        'dateOfBirth-month': '',
        'dateOfBirth-year': '',
        phones: '07700 900555',
        emails: '',
        socialAccounts: '',
        vehicles: 'QQ11 QQQ',
        riskFactors: ['violence'],
      });

      const matches = await browser.post(url, fields);
      assert.equal(matches.statusCode, 200);
      assert.match(matches.body, /data-qa="possible-matches"/);
      assert.match(matches.body, /Yes – Dorian Featherstone/);
      assert.match(matches.body, /Same phone number/);
      assert.match(matches.body, new RegExp(`Linked to case ${first.reference}`));
      assert.doesNotMatch(matches.body, /A manager has been told/);
      const stillNone = await test.database.ownerDb
        .selectFrom('case_perpetrators')
        .select('perpetrator_id')
        .where('case_id', '=', second.caseId)
        .execute();
      assert.equal(stillNone.length, 0, 'nothing is linked before the manager chooses');

      const unchosen = await browser.post(url, { ...fields, matchesShown: 'yes' });
      assert.equal(unchosen.statusCode, 400);
      assert.match(unchosen.body, /Select if this is one of the people listed, or someone new/);

      const linked = await browser.post(url, {
        ...fields,
        matchesShown: 'yes',
        existingPerpetratorId: known,
      });
      assert.equal(linked.statusCode, 303, linked.body.slice(0, 400));
      assert.equal(linked.headers.location, `/perpetrators/${known}?done=linked`);

      const links = await test.database.ownerDb
        .selectFrom('case_perpetrators')
        .select(['case_id', 'relationship', 'linked_by'])
        .where('perpetrator_id', '=', known)
        .orderBy('linked_at')
        .execute();
      assert.deepEqual(
        links.map((link) => link.case_id),
        [first.caseId, second.caseId],
      );
      assert.equal(links[1]!.linked_by, manager.userId);
      const record = await test.database.ownerDb
        .selectFrom('perpetrators')
        .select(['name', 'aliases', 'risk_factors'])
        .where('perpetrator_id', '=', known)
        .executeTakeFirstOrThrow();
      assert.equal(record.name, 'Dorian Featherstone');
      assert.deepEqual(record.aliases, ['D. Feathers'], 'the name typed is kept as another name');
      const identifiers = await test.database.ownerDb
        .selectFrom('perpetrator_identifiers')
        .select('kind')
        .where('perpetrator_id', '=', known)
        .execute();
      assert.deepEqual(identifiers.map((identifier) => identifier.kind).sort(), ['phone', 'vehicle']);
      assert.equal(
        (
          await test.database.ownerDb
            .selectFrom('perpetrators')
            .select('perpetrator_id')
            .where('perpetrator_id', '=', submissionId)
            .execute()
        ).length,
        0,
        'no duplicate record was made',
      );

      const alerts = await test.database.ownerDb
        .selectFrom('perpetrator_alerts')
        .selectAll()
        .where('perpetrator_id', '=', known)
        .execute();
      assert.equal(alerts.length, 1, 'one alert');
      assert.equal(alerts[0]!.case_id, second.caseId);
      assert.match(alerts[0]!.reasons, /now linked to 2 cases/);
      assert.match(alerts[0]!.reasons, /same phone number/);

      const again = await browser.post(url, { ...fields, matchesShown: 'yes', existingPerpetratorId: known });
      assert.equal(again.statusCode, 303, 'sending the link twice changes nothing');
      assert.equal(
        (
          await test.database.ownerDb
            .selectFrom('perpetrator_alerts')
            .select('alert_id')
            .where('perpetrator_id', '=', known)
            .execute()
        ).length,
        1,
      );

      const page = await browser.get('/perpetrators/alerts');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Dorian Featherstone/);
      assert.match(page.body, new RegExp(`>${second.reference}<`));
      assert.match(page.body, new RegExp(`>${first.reference}<`));
      assert.match(page.body, /Linked to more than one case/);

      const acknowledged = await browser.post(`/perpetrators/alerts/${alerts[0]!.alert_id}/acknowledge`);
      assert.equal(acknowledged.statusCode, 303);
      assert.equal(acknowledged.headers.location, '/perpetrators/alerts?done=acknowledged');
      const after = await test.database.ownerDb
        .selectFrom('perpetrator_alerts')
        .select(['acknowledged_at', 'acknowledged_by'])
        .where('alert_id', '=', alerts[0]!.alert_id)
        .executeTakeFirstOrThrow();
      assert.equal(after.acknowledged_by, manager.userId);
      assert.ok(after.acknowledged_at);
      const listed = await browser.get('/perpetrators/alerts?done=acknowledged');
      assert.match(listed.body, /Alert acknowledged/);
      assert.doesNotMatch(listed.body, /Dorian Featherstone/);
      const events = await auditActions(test, 'perpetrator.alert_acknowledged', known);
      assert.deepEqual(
        events.map((event) => event.actor_user_id),
        [manager.userId],
      );
      assert.equal((await auditActions(test, 'perpetrator.linked', known)).length, 1);
    });

    it('tells a caseworker only that the person may be known when the match is on someone else’s case', async () => {
      const theirs = await givenCase(test, manager, { holder: caseworker });
      const mine = await givenCase(test, manager, { holder: otherCaseworker });
      const known = await givenPerpetrator(test, caseworker, theirs.caseId, {
        name: 'Quentin Ashdown-Vale',
        phones: [],
        emails: [],
        socialAccounts: [{ platform: 'Instagram', handle: '@ShadowFox_77' }],
        vehicles: [],
      });
      const browser = new TestBrowser(test);
      await browser.signIn(otherCaseworker);
      const submissionId = await openForm(browser, mine.caseId);
      const url = `/cases/${mine.caseId}/perpetrators/new`;
      const fields = formFields(submissionId, {
        name: 'Unrelated Person Name',
        aliases: '',
        phones: '',
        emails: '',
        socialAccounts: 'TikTok: shadowfox_77',
        vehicles: '',
      });

      const page = await browser.post(url, fields);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /This person may already be known to the service. A manager has been told./);
      for (const detail of ['Quentin', 'Ashdown', theirs.reference, 'Same social media account', known]) {
        assert.equal(page.body.includes(detail), false, `${detail} is shown to the caseworker`);
      }
      const alerts = await test.database.ownerDb
        .selectFrom('perpetrator_alerts')
        .selectAll()
        .where('perpetrator_id', '=', known)
        .execute();
      assert.equal(alerts.length, 1, 'a manager has been told');
      assert.equal(alerts[0]!.case_id, mine.caseId);
      assert.match(alerts[0]!.reasons, /same social media account/);

      const created = await browser.post(url, {
        ...fields,
        matchesShown: 'yes',
        existingPerpetratorId: 'new',
      });
      assert.equal(created.statusCode, 303);
      assert.equal(created.headers.location, `/perpetrators/${submissionId}?done=created`);
      assert.equal(
        (
          await test.database.ownerDb
            .selectFrom('perpetrator_alerts')
            .select('alert_id')
            .where('perpetrator_id', '=', known)
            .execute()
        ).length,
        1,
        'the alert is not repeated',
      );

      const forged = await browser.post(url, {
        ...fields,
        submissionId: await openForm(browser, mine.caseId),
        matchesShown: 'yes',
        existingPerpetratorId: known,
      });
      assert.equal(forged.statusCode, 400, 'a caseworker cannot link someone they were not shown');
      assert.equal(
        (
          await test.database.ownerDb
            .selectFrom('case_perpetrators')
            .select('case_id')
            .where('perpetrator_id', '=', known)
            .execute()
        ).length,
        1,
      );

      const managerView = new TestBrowser(test);
      await managerView.signIn(manager);
      const alertsPage = await managerView.get('/perpetrators/alerts');
      assert.match(alertsPage.body, /Quentin Ashdown-Vale/);
      assert.match(alertsPage.body, /Possible match/);
    });

    it('lets a caseworker link someone already on one of their own cases', async () => {
      const older = await givenCase(test, manager, { holder: caseworker });
      const newer = await givenCase(test, manager, { holder: caseworker });
      const known = await givenPerpetrator(test, caseworker, older.caseId, {
        name: 'Perpetua Linfield',
        phones: [],
        emails: ['p.linfield@example.org'],
        socialAccounts: [],
        vehicles: [],
      });
      const browser = new TestBrowser(test);
      await browser.signIn(caseworker);
      const submissionId = await openForm(browser, newer.caseId);
      const fields = formFields(submissionId, {
        name: 'Perpetua Linfield',
        phones: '',
        emails: 'P.Linfield@Example.org',
        socialAccounts: '',
        vehicles: '',
      });
      const page = await browser.post(`/cases/${newer.caseId}/perpetrators/new`, fields);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Yes – Perpetua Linfield/);
      assert.match(page.body, /Same email address/);
      assert.doesNotMatch(page.body, /A manager has been told/);
      const linked = await browser.post(`/cases/${newer.caseId}/perpetrators/new`, {
        ...fields,
        matchesShown: 'yes',
        existingPerpetratorId: known,
      });
      assert.equal(linked.headers.location, `/perpetrators/${known}?done=linked`);
    });

    it('offers the referral and case pages matches and the case’s perpetrators, within each person’s scope', async () => {
      const first = await givenCase(test, manager, { holder: caseworker });
      const second = await givenCase(test, manager, { holder: caseworker });
      const known = await givenPerpetrator(test, caseworker, first.caseId, {
        name: 'Evangeline Thistlewood',
        dateOfBirth: '1979-01-30',
        phones: [],
        emails: [],
        socialAccounts: [],
        vehicles: [],
      });
      await test.services.perpetrators.addToCase(await sessionFor(test, caseworker), second.caseId, {
        details: {
          name: 'Evangeline Thistlewood',
          aliases: [],
          dateOfBirth: null,
          approximateAge: null,
          description: null,
          addresses: null,
          phones: [],
          emails: [],
          socialAccounts: [],
          vehicles: [],
          riskFactors: [],
          riskNotes: null,
        },
        relationship: 'stranger',
        choice: { perpetratorId: known },
        submissionId: crypto.randomUUID(),
        matchesShown: true,
      });

      const managerSession = await sessionFor(test, manager);
      const found = await test.services.perpetrators.matchesForReferral(managerSession, {
        name: 'Evangeline Thistlewod',
        dateOfBirth: null,
      });
      assert.deepEqual(
        found.matches.map((match) => match.perpetratorId),
        [known],
      );
      assert.match(found.matches[0]!.reasons[0]!, /Similar name/);
      assert.equal(found.matches[0]!.cases.length, 2);
      const otherBirthday = await test.services.perpetrators.matchesForReferral(managerSession, {
        name: 'Evangeline Thistlewood',
        dateOfBirth: '1980-01-30',
      });
      assert.equal(otherBirthday.matches.length, 0, 'a different date of birth is not a name match');
      const hidden = await test.services.perpetrators.matchesForReferral(
        await sessionFor(test, otherCaseworker),
        { name: 'Evangeline Thistlewood', dateOfBirth: null },
      );
      assert.deepEqual(hidden, { matches: [], hiddenCount: 1 });

      const forManager = await test.services.perpetrators.listForCase(managerSession, first.caseId);
      assert.equal(forManager.length, 1);
      assert.equal(forManager[0]!.name, 'Evangeline Thistlewood');
      assert.equal(forManager[0]!.otherCases, 1);
      const forHolder = await test.services.perpetrators.listForCase(
        await sessionFor(test, caseworker),
        second.caseId,
      );
      assert.equal(forHolder[0]!.relationship, 'stranger');
      assert.equal(forHolder[0]!.otherCases, null, 'caseworkers are not told about other cases');
      assert.deepEqual(
        await test.services.perpetrators.listForCase(await sessionFor(test, otherCaseworker), first.caseId),
        [],
      );
    });
  });

  describe('record scope', () => {
    it('opens a perpetrator only for those who may: their caseworker, managers and police liaison', async () => {
      const target = await givenCase(test, manager, { holder: caseworker });
      const perpetratorId = await givenPerpetrator(test, caseworker, target.caseId, {
        name: 'Scoped Person',
        addresses: '9 Hidden Mews',
      });
      const url = `/perpetrators/${perpetratorId}`;
      const as = async (user: StaffCredentials) => {
        const browser = new TestBrowser(test);
        await browser.signIn(user);
        return browser;
      };
      const other = await as(otherCaseworker);
      assert.equal((await other.get(url)).statusCode, 404);
      assert.equal((await other.get(`/cases/${target.caseId}/perpetrators/new`)).statusCode, 403);
      assert.equal((await (await as(caseworker)).get(url)).statusCode, 200);
      const managerPage = await (await as(manager)).get(url);
      assert.equal(managerPage.statusCode, 200);
      assert.match(managerPage.body, new RegExp(target.reference));
      const policePage = await (await as(police)).get(url);
      assert.equal(policePage.statusCode, 200);
      assert.match(policePage.body, /9 Hidden Mews/);
      assert.doesNotMatch(policePage.body, new RegExp(target.reference), 'police cannot open cases');
      assert.equal((await (await as(police)).get('/perpetrators/alerts')).statusCode, 403);
      assert.equal((await (await as(caseworker)).get('/perpetrators/alerts')).statusCode, 403);
      const auditor = await givenStaff(test, admin.organisationId, 'auditor');
      assert.equal((await (await as(auditor)).get(url)).statusCode, 403);
      assert.equal((await (await as(admin)).get(url)).statusCode, 403);

      const viewers = await auditActions(test, 'perpetrator.viewed', perpetratorId);
      assert.deepEqual(
        new Set(viewers.map((event) => event.actor_user_id)),
        new Set([caseworker.userId, manager.userId, police.userId]),
      );
    });

    it('does not show another organisation’s perpetrator', async () => {
      const elsewhere = await givenOrganisation(test, 'Elsewhere Service');
      const theirManager = await givenStaff(test, elsewhere.organisationId, 'manager');
      const theirCase = await givenCase(test, theirManager, { holder: theirManager });
      const theirs = await givenPerpetrator(test, theirManager, theirCase.caseId, {
        phones: ['07700 900999'],
      });
      const browser = new TestBrowser(test);
      await browser.signIn(manager);
      assert.equal((await browser.get(`/perpetrators/${theirs}`)).statusCode, 404);
      const ours = await givenCase(test, manager, { holder: caseworker });
      await browser.signIn(manager);
      const submissionId = await openForm(browser, ours.caseId);
      const page = await browser.post(
        `/cases/${ours.caseId}/perpetrators/new`,
        formFields(submissionId, {
          name: 'Fresh Name Here',
          aliases: '',
          phones: '07700 900999',
          emails: '',
          socialAccounts: '',
          vehicles: '',
        }),
      );
      assert.equal(page.statusCode, 303, 'no match with another organisation’s records');
    });
  });
});
