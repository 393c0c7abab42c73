import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase } from '../../../test/support/referrals.ts';
import { HOUR } from '../../platform/clock.ts';

const REASON = 'Covering the duty line while the allocated caseworker is on leave';

describe('Who may open a case: caseload, team, and break glass', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;
  let police: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
    police = await givenStaff(test, admin.organisationId, 'police_liaison', { displayName: 'Pat Police' });
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  async function referenceOf(caseId: string): Promise<string> {
    const row = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    return row.reference;
  }

  async function auditActions(userId: string): Promise<string[]> {
    const rows = await test.database.ownerDb
      .selectFrom('audit_events')
      .select('action')
      .where('actor_user_id', '=', userId)
      .execute();
    return rows.map((row) => row.action);
  }

  describe('break glass', () => {
    it('asks for a reason instead of opening a case on someone else’s caseload, and records nothing yet', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const robinBrowser = await signedIn(robin);
      const page = await robinBrowser.get(`/cases/${caseId}`);
      assert.equal(page.statusCode, 403);
      assert.match(page.body, /This case is not on your caseload/);
      assert.match(page.body, /Why do you need to open this case\?/);
      assert.doesNotMatch(page.body, /Safe contact/, 'nothing from the case is shown');
      const grants = await test.database.ownerDb
        .selectFrom('case_access_grants')
        .select('grant_id')
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(grants.length, 0);
    });

    it('refuses a missing or thin reason with a message, keeping what was typed', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const robinBrowser = await signedIn(robin);
      await robinBrowser.get(`/cases/${caseId}`);
      const empty = await robinBrowser.post(`/cases/${caseId}/access`, { reason: '  ' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /Say why you need to open this case/);
      const thin = await robinBrowser.post(`/cases/${caseId}/access`, { reason: 'because' });
      assert.equal(thin.statusCode, 400);
      assert.match(thin.body, /Give a fuller reason/);
      assert.match(thin.body, />because</);
    });

    it('opens the case for 8 hours once a reason is given, audits it, and seals the reason', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const reference = await referenceOf(caseId);
      const robinBrowser = await signedIn(robin);
      await robinBrowser.get(`/cases/${caseId}`);
      const opened = await robinBrowser.post(`/cases/${caseId}/access`, { reason: REASON });
      assert.equal(opened.statusCode, 303);
      assert.equal(opened.headers.location, `/cases/${caseId}`);

      const page = await robinBrowser.get(`/cases/${caseId}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /You opened it with a recorded reason/);
      assert.match(page.body, /Safe contact/);

      // Working on the case (not only reading it) is allowed while the grant lasts.
      const note = await robinBrowser.post(`/cases/${caseId}/notes`, {
        body: 'Client called the duty line',
        submissionId: randomUUID(),
      });
      assert.equal(note.statusCode, 303);

      const events = await test.database.ownerDb
        .selectFrom('audit_events')
        .select(['action', 'record_id', 'details'])
        .where('actor_user_id', '=', robin.userId)
        .where('action', '=', 'case.opened_outside_scope')
        .execute();
      assert.equal(events.length, 1);
      assert.equal(events[0]!.record_id, reference);
      assert.doesNotMatch(JSON.stringify(events[0]), /duty line/, 'the reason is not in the audit details');

      const grant = await test.database.ownerDb
        .selectFrom('case_access_grants')
        .select(['reason_sealed', 'granted_at', 'expires_at'])
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      assert.equal(grant.reason_sealed.includes(Buffer.from('duty line')), false);
      assert.equal(grant.expires_at.getTime() - grant.granted_at.getTime(), 8 * HOUR);

      // After 8 hours the reason must be given again (and sessions idle out, so sign in again).
      test.clock.advance(8 * HOUR + 1000);
      const later = await signedIn(robin);
      assert.equal((await later.get(`/cases/${caseId}`)).statusCode, 403);
      assert.equal(
        (await later.post(`/cases/${caseId}/notes`, { body: 'Another note', submissionId: randomUUID() }))
          .statusCode,
        403,
      );
    });

    it('lets a double click open the case once', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const robinBrowser = await signedIn(robin);
      await robinBrowser.get(`/cases/${caseId}`);
      const [first, second] = await Promise.all([
        robinBrowser.post(`/cases/${caseId}/access`, { reason: REASON }),
        robinBrowser.post(`/cases/${caseId}/access`, { reason: REASON }),
      ]);
      assert.deepEqual([first.statusCode, second.statusCode], [303, 303]);
      const grants = await test.database.ownerDb
        .selectFrom('case_access_grants')
        .select('grant_id')
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(grants.length, 1);
    });

    it('shows managers every opening with its reason until they mark it reviewed', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const reference = await referenceOf(caseId);
      const robinBrowser = await signedIn(robin);
      await robinBrowser.get(`/cases/${caseId}`);
      await robinBrowser.post(`/cases/${caseId}/access`, { reason: REASON });

      const managerBrowser = await signedIn(manager);
      const home = await managerBrowser.get('/');
      assert.match(home.body, /Cases opened outside caseloads \(\d+ to review\)/);
      const reviews = await managerBrowser.get('/case-access');
      assert.equal(reviews.statusCode, 200);
      const waiting = reviews.body.slice(reviews.body.indexOf('data-qa="waiting-reviews"'));
      assert.match(waiting, new RegExp(reference));
      assert.match(waiting, /Robin Worker/);
      assert.match(waiting, /duty line/);

      const grant = await test.database.ownerDb
        .selectFrom('case_access_grants')
        .select('grant_id')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      const marked = await managerBrowser.post(`/case-access/${grant.grant_id}/reviewed`);
      assert.equal(marked.statusCode, 303);
      const again = await managerBrowser.post(`/case-access/${grant.grant_id}/reviewed`);
      assert.equal(again.statusCode, 303, 'a second click is harmless');
      const after = await managerBrowser.get('/case-access?done=reviewed');
      const done = after.body.slice(after.body.indexOf('data-qa="done-reviews"'));
      assert.match(done, new RegExp(reference));
      assert.match(done, /Morgan Manager/);
      assert.ok((await auditActions(manager.userId)).includes('case.access_reviewed'));
    });

    it('is not offered to roles that cannot open cases at all', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const policeBrowser = await signedIn(police);
      const page = await policeBrowser.get(`/cases/${caseId}`);
      assert.equal(page.statusCode, 403);
      assert.doesNotMatch(page.body, /Why do you need to open this case/);
      const attempt = await policeBrowser.post(`/cases/${caseId}/access`, { reason: REASON });
      assert.equal(attempt.statusCode, 403);
      const caseyBrowser = await signedIn(casey);
      assert.equal((await caseyBrowser.get('/case-access')).statusCode, 403, 'caseworkers do not review');
    });

    it('tells someone searching for an exact reference that the case exists, and nothing else about it', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const reference = await referenceOf(caseId);
      const robinBrowser = await signedIn(robin);
      await robinBrowser.get('/search');
      const found = await robinBrowser.post('/search', { q: reference });
      assert.equal(found.statusCode, 200);
      assert.match(found.body, new RegExp(`Case ${reference} is not on your caseload`));
      assert.doesNotMatch(found.body, /data-qa="search-result"/);
      const client = await test.database.ownerDb
        .selectFrom('clients')
        .innerJoin('cases', 'cases.client_id', 'clients.client_id')
        .select('clients.name')
        .where('cases.case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      assert.equal(found.body.includes(client.name), false, 'the client’s name is not shown');
    });

    it('lets the perpetrator records on a case opened with a reason be read', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const perpetratorId = await givenPerpetrator(test, casey, caseId);
      const robinBrowser = await signedIn(robin);
      assert.equal((await robinBrowser.get(`/perpetrators/${perpetratorId}`)).statusCode, 404);
      await robinBrowser.get(`/cases/${caseId}`);
      await robinBrowser.post(`/cases/${caseId}/access`, { reason: REASON });
      assert.equal((await robinBrowser.get(`/perpetrators/${perpetratorId}`)).statusCode, 200);
    });
  });

  describe('teams', () => {
    async function givenTeam(name: string, sharesCases: boolean, members: StaffCredentials[]) {
      const adminBrowser = await signedIn(admin);
      await adminBrowser.get('/staff/teams');
      const created = await adminBrowser.post('/staff/teams', {
        name,
        sharesCases: sharesCases ? 'yes' : 'no',
      });
      assert.equal(created.statusCode, 303);
      const team = await test.database.ownerDb
        .selectFrom('teams')
        .select('team_id')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      for (const member of members) {
        await adminBrowser.get(`/staff/${member.userId}`);
        const assigned = await adminBrowser.post(`/staff/${member.userId}/team`, { teamId: team.team_id });
        assert.equal(assigned.statusCode, 303);
      }
      return team.team_id;
    }

    it('lets members of a team that shares cases open each other’s cases, and list them', async () => {
      const north = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Nell North' });
      const northToo = await givenStaff(test, admin.organisationId, 'caseworker', {
        displayName: 'Ned North',
      });
      await givenTeam('North', true, [north, northToo]);
      const { caseId } = await givenCase(test, manager, { holder: north });
      const reference = await referenceOf(caseId);

      const browser = await signedIn(northToo);
      const page = await browser.get(`/cases/${caseId}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /held by someone in your team/);
      const team = await browser.get('/cases?view=team');
      assert.equal(team.statusCode, 200);
      assert.match(team.body, new RegExp(reference));
      const mine = await browser.get('/cases');
      assert.doesNotMatch(mine.body, new RegExp(reference), 'their own caseload stays their own');
      // Someone outside the team still needs a reason.
      assert.equal((await (await signedIn(robin)).get(`/cases/${caseId}`)).statusCode, 403);
    });

    it('keeps cases private within a team that does not share them', async () => {
      const south = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Sol South' });
      const southToo = await givenStaff(test, admin.organisationId, 'caseworker', {
        displayName: 'Sue South',
      });
      const teamId = await givenTeam('South', false, [south, southToo]);
      const { caseId } = await givenCase(test, manager, { holder: south });
      const browser = await signedIn(southToo);
      assert.equal((await browser.get(`/cases/${caseId}`)).statusCode, 403);
      assert.equal((await browser.get('/cases?view=team')).statusCode, 403);

      // Switching sharing on takes effect at once; every change is audited.
      const adminBrowser = await signedIn(admin);
      await adminBrowser.get(`/staff/teams/${teamId}`);
      const changed = await adminBrowser.post(`/staff/teams/${teamId}`, {
        name: 'South',
        sharesCases: 'yes',
      });
      assert.equal(changed.statusCode, 303);
      const again = await signedIn(southToo);
      assert.equal((await again.get(`/cases/${caseId}`)).statusCode, 200);
      const actions = await auditActions(admin.userId);
      for (const action of ['team.created', 'team.changed', 'staff.team_changed']) {
        assert.ok(actions.includes(action), action);
      }
    });

    it('refuses a team with no name, or a name already used, with messages', async () => {
      const adminBrowser = await signedIn(admin);
      await adminBrowser.get('/staff/teams');
      const empty = await adminBrowser.post('/staff/teams', { name: '', sharesCases: 'no' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /Enter a name for the team/);
      await adminBrowser.post('/staff/teams', { name: 'East', sharesCases: 'no' });
      const taken = await adminBrowser.post('/staff/teams', { name: 'east', sharesCases: 'yes' });
      assert.equal(taken.statusCode, 400);
      assert.match(taken.body, /There is already a team with this name/);
      const noChoice = await adminBrowser.post('/staff/teams', { name: 'West' });
      assert.match(noChoice.body, /Select whether members may open each other’s cases/);
      assert.match(noChoice.body, /value="West"/);
    });
  });
});
