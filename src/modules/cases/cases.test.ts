import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inOrganisation } from '../../db/database.ts';
import type { ReferralAnswers } from '../referrals/referral-answers.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenReferral, urgent } from '../../../test/support/referrals.ts';

describe('Cases', () => {
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

  /** A session for calling services directly as the manager, started now. */
  async function managerSession(
    organisationId = admin.organisationId,
    user = manager,
  ): Promise<CurrentSession> {
    const token = await inOrganisation(test.database.db, organisationId, (trx) =>
      test.services.sessions.start(trx, organisationId, user.userId, 'active', {
        clientAddress: null,
        userAgent: null,
      }),
    );
    const lookup = await test.services.sessions.lookup(token);
    if (lookup.kind !== 'active') throw new Error('no manager session');
    return lookup.session;
  }

  /** A case opened by accepting a referral, allocated to someone or to no one yet. */
  async function givenCase(
    allocateTo: StaffCredentials | null,
    answers: Partial<ReferralAnswers> = {},
    organisation: { organisationId: string; manager: StaffCredentials } = {
      organisationId: admin.organisationId,
      manager,
    },
  ): Promise<{ caseId: string; reference: string; referralId: string }> {
    const { referralId } = await givenReferral(test, organisation.organisationId, answers);
    const session = await managerSession(organisation.organisationId, organisation.manager);
    const outcome = await test.services.triage.decide(session, referralId, {
      decision: 'accepted',
      reason: 'Meets criteria',
      allocateTo: allocateTo?.userId ?? null,
      linkToClientId: null,
    });
    if (outcome.kind !== 'decided' || !outcome.caseId) throw new Error(`no case opened: ${outcome.kind}`);
    // Read straight from the table, so that no one is recorded as having viewed the case.
    const { reference } = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', outcome.caseId)
      .executeTakeFirstOrThrow();
    return { caseId: outcome.caseId, reference, referralId };
  }

  /** A browser signed in now: cases made earlier move the clock on, and sessions idle out. */
  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  /** The service navigation's links, as the words a person sees. */
  const navigation = (body: string) =>
    [
      ...(/aria-label="Menu"([\s\S]*?)<\/nav>/.exec(body)?.[1] ?? '').matchAll(
        /href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g,
      ),
    ].map((match) => `${match[2]!.replace(/<[^>]+>/g, '').trim()} ${match[1]}`);

  const references = (body: string) =>
    [...body.matchAll(/>([A-Z0-9]{4}-[A-Z0-9]{4})</g)].map((match) => match[1]);

  async function auditEvents(action: string, reference: string) {
    return test.database.ownerDb
      .selectFrom('audit_events')
      .select(['actor_user_id', 'details'])
      .where('action', '=', action)
      .where('record_id', '=', reference)
      .orderBy('seq')
      .execute();
  }

  describe('caseload', () => {
    it('shows a caseworker only the cases allocated to them', async () => {
      const mine = await givenCase(casey, { personName: 'Jordan Mine' });
      const theirs = await givenCase(robin, { personName: 'Taylor Theirs' });
      const waiting = await givenCase(null, { personName: 'Sky Waiting' });

      const browser = await signedIn(casey);
      const page = await browser.get('/cases');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<title>Your caseload &ndash; /);
      assert.match(page.body, /Jordan Mine/);
      assert.ok(references(page.body).includes(mine.reference));
      for (const hidden of ['Taylor Theirs', 'Sky Waiting', theirs.reference, waiting.reference]) {
        assert.equal(page.body.includes(hidden), false, `${hidden} is on someone else's caseload`);
      }
      assert.doesNotMatch(page.body, /Team cases/, 'caseworkers have no team view');
      assert.deepEqual(navigation(page.body), [
        'Home /',
        'Your caseload /cases',
        'Search /search',
        'Court hearings /hearings',
        'Your account /account',
      ]);
      assert.equal((await browser.get('/cases?view=team')).statusCode, 403);
    });

    it('says so plainly when a caseworker has no cases', async () => {
      const newcomer = await givenStaff(test, admin.organisationId, 'caseworker');
      const page = await (await signedIn(newcomer)).get('/cases');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /You have no open cases/);
    });

    it('shows a manager the team’s cases, unallocated first, with who holds each', async () => {
      const held = await givenCase(casey, { personName: 'Held Case' });
      const waitingUrgent = await givenCase(null, { ...urgent, personName: 'Waiting Urgent' });
      const browser = await signedIn(manager);

      const own = await browser.get('/cases');
      assert.equal(own.statusCode, 200);
      assert.match(own.body, /You have no open cases/);
      assert.match(own.body, /href="\/cases\?view=team"/, 'the team view is one click away');

      const team = await browser.get('/cases?view=team');
      assert.equal(team.statusCode, 200);
      assert.match(team.body, /<title>Team cases &ndash; /);
      const order = references(team.body.split('data-qa="team-cases"')[1] ?? '');
      assert.ok(order.indexOf(waitingUrgent.reference) < order.indexOf(held.reference));
      const rowOf = (reference: string) =>
        team.body
          .split('data-qa="case-row"')
          .slice(1)
          .find((row) => row.includes(reference)) ?? '';
      assert.match(rowOf(held.reference), /data-qa="held-by">Casey Worker</);
      assert.match(rowOf(waitingUrgent.reference), /data-qa="held-by">Not allocated</);
      assert.match(rowOf(waitingUrgent.reference), /Urgent/);
      assert.ok(navigation(team.body).includes('Cases /cases'), 'managers see “Cases” in the navigation');
    });
  });

  describe('case record', () => {
    it('refuses a caseworker a case someone else holds, and shows it to a manager', async () => {
      const theirs = await givenCase(robin);
      const other = await givenOrganisation(test, 'Elsewhere Service');
      const otherManager = await givenStaff(test, other.organisationId, 'manager');
      const elsewhere = await givenCase(
        null,
        {},
        { organisationId: other.organisationId, manager: otherManager },
      );

      const caseworker = await signedIn(casey);
      const refused = await caseworker.get(`/cases/${theirs.caseId}`);
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /This case is not on your caseload/);
      assert.equal(refused.body.includes(theirs.reference), false);

      const holder = await signedIn(robin);
      assert.equal((await holder.get(`/cases/${theirs.caseId}`)).statusCode, 200);

      const browser = await signedIn(manager);
      assert.equal((await browser.get(`/cases/${theirs.caseId}`)).statusCode, 200);
      assert.equal((await browser.get(`/cases/${crypto.randomUUID()}`)).statusCode, 404);
      assert.equal((await browser.get('/cases/not-a-case')).statusCode, 404);
      assert.equal(
        (await browser.get(`/cases/${elsewhere.caseId}`)).statusCode,
        404,
        'other services’ cases',
      );
    });

    it('puts safe contact first, before who the client is, and keeps their name out of the title', async () => {
      const record = await givenCase(casey, {
        personName: 'Quinn Private',
        phone: '07700 900456',
        phoneSafe: false,
        email: 'quinn@example.org',
        emailSafe: true,
        voicemailAllowed: false,
        maySayWhoWeAre: false,
        codeWord: 'snowdrop',
        safeTimes: 'Tuesdays 10am to noon',
        language: 'Polish',
        interpreterNeeded: true,
        accessibilityNeeds: 'Prefers text to calls',
      });
      const page = await (await signedIn(casey)).get(`/cases/${record.caseId}`);
      assert.equal(page.statusCode, 200);

      const title = /<title>([^<]*)<\/title>/.exec(page.body)?.[1] ?? '';
      assert.match(title, new RegExp(`^Case ${record.reference} &ndash; `));
      assert.equal(title.includes('Quinn'), false, 'no client name in the title');

      const safeContact = page.body.indexOf('data-qa="safe-contact"');
      const identity = page.body.indexOf('data-qa="client-identity"');
      assert.ok(safeContact > 0 && identity > 0, 'both sections are shown');
      assert.ok(safeContact < identity, 'safe contact comes before identity');
      assert.ok(safeContact < page.body.indexOf('Quinn Private'), 'safe contact comes before the name');

      const block = page.body.slice(safeContact, identity);
      for (const line of [
        '<strong>07700 900456 – NOT safe to call</strong>',
        'quinn@example.org – safe to email',
        'Tuesdays 10am to noon',
        '<strong>Do not leave a voicemail</strong>',
        '<strong>Do not say who is calling or where from</strong>',
        'snowdrop',
        'Polish – interpreter needed',
        'Prefers text to calls',
      ]) {
        assert.ok(block.includes(line), `safe contact shows: ${line}`);
      }
      assert.match(page.body, /Quinn Private/);
      assert.match(page.body, /12 April 1990/);
      assert.doesNotMatch(page.body, /data-qa="allocation-form"/, 'caseworkers do not allocate');
      assert.doesNotMatch(page.body, /data-qa="referral-link"/, 'caseworkers do not triage referrals');

      assert.deepEqual(
        (await auditEvents('case.viewed', record.reference)).map((event) => event.actor_user_id),
        [casey.userId],
      );
    });

    it('links managers to the referral the case came from', async () => {
      const record = await givenCase(null);
      const page = await (await signedIn(manager)).get(`/cases/${record.caseId}`);
      assert.match(page.body, new RegExp(`href="/referrals/${record.referralId}" data-qa="referral-link"`));
      assert.match(page.body, /Nobody has held this case yet/);
      assert.match(page.body, /Waiting for allocation/);
    });
  });

  describe('allocation', () => {
    it('allocates and reallocates, keeping who held the case and auditing each change', async () => {
      const record = await givenCase(null);
      const browser = await signedIn(manager);
      const form = await browser.get(`/cases/${record.caseId}`);
      assert.match(form.body, /data-qa="allocation-form"/);
      assert.match(form.body, /Casey Worker[\s\S]*?\d+ open cases?/, 'each person’s caseload is shown');
      assert.doesNotMatch(form.body, /Pat Police/, 'police liaison officers do not hold cases');

      const first = await browser.post(`/cases/${record.caseId}/allocation`, { allocateTo: casey.userId });
      assert.equal(first.statusCode, 303);
      assert.equal(first.headers.location, `/cases/${record.caseId}?done=allocated`);
      const allocated = await browser.get(String(first.headers.location));
      assert.match(allocated.body, /Case allocated to Casey Worker/);
      assert.match(allocated.body, /Reallocate case/);

      test.clock.advance(60_000);
      const second = await browser.post(`/cases/${record.caseId}/allocation`, { allocateTo: robin.userId });
      assert.equal(second.statusCode, 303);
      const page = await browser.get(String(second.headers.location));
      assert.match(page.body, /Case allocated to Robin Worker/);
      const rows = page.body
        .split('data-qa="allocation-row"')
        .slice(1)
        .map((row) =>
          [...row.matchAll(/<td class="govuk-table__cell">([^<]*)<\/td>/g)].map((cell) => cell[1]),
        );
      assert.equal(rows.length, 2);
      assert.deepEqual([rows[0]![0], rows[0]![1], rows[0]![3]], ['Robin Worker', 'Morgan Manager', 'Now']);
      assert.deepEqual([rows[1]![0], rows[1]![1]], ['Casey Worker', 'Morgan Manager']);
      assert.notEqual(rows[1]![3], 'Now', 'the earlier allocation has ended');

      assert.deepEqual(await auditEvents('case.allocated', record.reference), [
        { actor_user_id: manager.userId, details: { from: null, to: casey.userId } },
      ]);
      assert.deepEqual(await auditEvents('case.reallocated', record.reference), [
        { actor_user_id: manager.userId, details: { from: casey.userId, to: robin.userId } },
      ]);

      assert.equal((await (await signedIn(casey)).get(`/cases/${record.caseId}`)).statusCode, 403);
      assert.equal((await (await signedIn(robin)).get(`/cases/${record.caseId}`)).statusCode, 200);
    });

    it('refuses to allocate to a police liaison officer, or to no one, with an error', async () => {
      const record = await givenCase(null);
      const browser = await signedIn(manager);
      await browser.get(`/cases/${record.caseId}`);

      const toPolice = await browser.post(`/cases/${record.caseId}/allocation`, {
        allocateTo: police.userId,
      });
      assert.equal(toPolice.statusCode, 400);
      assert.match(toPolice.body, /<title>Error: Case /);
      assert.match(toPolice.body, /There is a problem/);
      assert.match(toPolice.body, /href="#allocateTo">Select a caseworker or manager from the list/);

      const toNoOne = await browser.post(`/cases/${record.caseId}/allocation`, {});
      assert.equal(toNoOne.statusCode, 400);
      assert.match(toNoOne.body, /href="#allocateTo">Select who will hold the case/);

      const unknownField = await browser.post(`/cases/${record.caseId}/allocation`, {
        allocateTo: casey.userId,
        role: 'manager',
      });
      assert.equal(unknownField.statusCode, 400, 'a form with fields it never had is refused');

      assert.deepEqual(await auditEvents('case.allocated', record.reference), []);
      const unknownCase = await browser.post(`/cases/${crypto.randomUUID()}/allocation`, {
        allocateTo: casey.userId,
      });
      assert.equal(unknownCase.statusCode, 404);
    });

    it('is for managers only: a caseworker cannot allocate, even their own case', async () => {
      const record = await givenCase(casey);
      const browser = await signedIn(casey);
      await browser.get(`/cases/${record.caseId}`);
      const response = await browser.post(`/cases/${record.caseId}/allocation`, { allocateTo: robin.userId });
      assert.equal(response.statusCode, 403);
      assert.deepEqual(await auditEvents('case.reallocated', record.reference), []);
    });
  });

  it('is refused to police liaison, auditors and administrators, who see no link to it', async () => {
    const record = await givenCase(casey);
    const auditor = await givenStaff(test, admin.organisationId, 'auditor');
    for (const user of [police, auditor, admin]) {
      const browser = await signedIn(user);
      assert.equal((await browser.get('/cases')).statusCode, 403, user.role);
      assert.equal((await browser.get(`/cases/${record.caseId}`)).statusCode, 403, user.role);
      const links = navigation((await browser.get('/')).body);
      assert.ok(links.length > 1, 'the navigation was read');
      assert.equal(
        links.some((link) => link.endsWith(' /cases')),
        false,
        user.role,
      );
    }
  });
});
