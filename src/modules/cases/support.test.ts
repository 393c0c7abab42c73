import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { givenPerpetrator, perpetratorDetails, perpetratorForm } from '../../../test/support/perpetrators.ts';
import { givenCase, givenReferral, sessionFor } from '../../../test/support/referrals.ts';
import { DAY, MINUTE, ukDate } from '../../platform/clock.ts';

describe('Services, referrals on, the timeline and the caseload', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    // Midday tomorrow (UTC): every test runs well inside one UK day, so dated records sort predictably.
    const noon = new Date(Date.now() + DAY);
    noon.setUTCHours(12, 0, 0, 0);
    test.clock.set(noon);
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  /** The day, month and year boxes of a date input, `daysFromToday` away from today in the UK. */
  function dateParts(prefix: string, daysFromToday: number): Record<string, string> {
    const [year, month, day] = isoDay(daysFromToday).split('-') as [string, string, string];
    return { [`${prefix}-day`]: day, [`${prefix}-month`]: month, [`${prefix}-year`]: year };
  }
  const isoDay = (daysFromToday: number) =>
    ukDate(new Date(test.clock.now().getTime() + daysFromToday * DAY));

  async function referenceOf(caseId: string): Promise<string> {
    const row = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    return row.reference;
  }

  async function audited(action: string, reference: string) {
    return test.database.ownerDb
      .selectFrom('audit_events')
      .select(['actor_user_id', 'details'])
      .where('action', '=', action)
      .where('record_id', '=', reference)
      .orderBy('seq')
      .execute();
  }

  /** Every column of a row as it lies in the database, bytes as Latin-1, to look for clear text in. */
  const dump = (row: Record<string, unknown>) =>
    Object.values(row)
      .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value)))
      .join('\n');

  const cardsOf = (body: string, qa: string) => body.split(`data-qa="${qa}"`).slice(1);
  const location = (response: LightMyRequestResponse) => String(response.headers.location);

  describe('services provided', () => {
    it('records a service with its note sealed, once however often it is sent, and ends it', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const reference = await referenceOf(caseId);
      const browser = await signedIn(casey);

      const page = await browser.get(`/cases/${caseId}`);
      assert.match(page.body, new RegExp(`href="/cases/${caseId}/services/new"`));
      assert.match(page.body, /data-qa="no-services"/);

      const form = await browser.get(`/cases/${caseId}/services/new`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<title>Record a service &ndash; /);
      assert.match(form.body, /Legal support \(family court\)/);
      const submissionId = submissionIdIn(form.body, 'service-form');

      const empty = await browser.post(`/cases/${caseId}/services/new`, { submissionId });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /<title>Error: Record a service &ndash; /);
      assert.deepEqual(errorSummary(empty.body), [
        'Select the service',
        'Enter the date the service started',
      ]);

      const wrongDate = await browser.post(`/cases/${caseId}/services/new`, {
        submissionId,
        service: 'court_support',
        'startedOn-day': '31',
        'startedOn-month': '2',
        'startedOn-year': '2026',
        note: 'Goes with her to the magistrates’ court.',
      });
      assert.equal(wrongDate.statusCode, 400);
      assert.deepEqual(errorSummary(wrongDate.body), ['Start date must be a real date']);
      assert.match(wrongDate.body, /value="court_support" checked/, 'the service chosen is kept');
      assert.match(wrongDate.body, /Goes with her to the magistrates’ court\./, 'the note is kept');

      const fields = {
        submissionId,
        service: 'court_support',
        ...dateParts('startedOn', -10),
        note: 'Goes with her to the magistrates’ court.',
      };
      const saved = await browser.post(`/cases/${caseId}/services/new`, fields);
      assert.equal(saved.statusCode, 303);
      assert.equal(location(saved), `/cases/${caseId}?done=service#services`);
      const again = await browser.post(`/cases/${caseId}/services/new`, fields);
      assert.equal(again.statusCode, 303, 'sent twice: the same outcome');

      const rows = await test.database.ownerDb
        .selectFrom('case_services')
        .selectAll()
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(rows.length, 1, 'one service however often the form is sent');
      assert.equal(rows[0]!.service_id, submissionId);
      assert.equal(dump(rows[0]!).includes('magistrates'), false, 'the note is not stored in clear');

      const listed = await browser.get(location(saved));
      assert.match(listed.body, /Service recorded/);
      const [card] = cardsOf(listed.body, 'service');
      assert.match(card!, /Court support/);
      assert.match(card!, /Ongoing/);
      assert.match(card!, /Goes with her to the magistrates’ court\./);
      assert.match(card!, /Casey Worker/);

      const endPath = `/cases/${caseId}/services/${submissionId}/end`;
      assert.match(card!, new RegExp(`href="${endPath}"`));
      const endForm = await browser.get(endPath);
      assert.equal(endForm.statusCode, 200);
      assert.match(endForm.body, /<title>End a service &ndash; /);
      const tooEarly = await browser.post(endPath, dateParts('endedOn', -11));
      assert.equal(tooEarly.statusCode, 400);
      assert.match(errorSummary(tooEarly.body)[0]!, /^End date must be on or after the date it started/);
      const ended = await browser.post(endPath, dateParts('endedOn', -1));
      assert.equal(ended.statusCode, 303);
      const afterEnd = await browser.get(location(ended));
      assert.match(afterEnd.body, /Service ended/);
      const [endedCard] = cardsOf(afterEnd.body, 'service');
      assert.match(endedCard!, /Ended/);
      assert.doesNotMatch(endedCard!, /data-qa="end-service"/);
      assert.equal((await browser.get(endPath)).statusCode, 303, 'an ended service cannot be ended again');
      assert.equal((await browser.post(endPath, dateParts('endedOn', 0))).statusCode, 303);
      const stored = await test.database.ownerDb
        .selectFrom('case_services')
        .select('ended_on')
        .where('service_id', '=', submissionId)
        .executeTakeFirstOrThrow();
      assert.equal(stored.ended_on, isoDay(-1), 'the first end date stands');
      assert.equal(
        (await browser.get(`/cases/${caseId}/services/${crypto.randomUUID()}/end`)).statusCode,
        404,
      );

      assert.deepEqual(
        (await audited('case.service_recorded', reference)).map((event) => event.details),
        [{ service: 'court_support', startedOn: isoDay(-10) }],
      );
      assert.equal((await audited('case.service_ended', reference)).length, 1);
    });
  });

  describe('referrals on to other agencies', () => {
    it('needs consent or a reason to go without it, seals what was written, and keeps every outcome', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const reference = await referenceOf(caseId);
      const browser = await signedIn(casey);

      const form = await browser.get(`/cases/${caseId}/onward-referrals/new`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<title>Refer to another agency &ndash; /);
      assert.doesNotMatch(form.body, /value="marac"/i, 'MARAC referrals belong with risk');
      const submissionId = submissionIdIn(form.body, 'onward-referral-form');

      const empty = await browser.post(`/cases/${caseId}/onward-referrals/new`, { submissionId });
      assert.equal(empty.statusCode, 400);
      assert.deepEqual(errorSummary(empty.body), [
        'Select the kind of agency',
        'Enter the name of the agency',
        'Enter the date of the referral',
        'Enter why the client is being referred',
        'Select yes if the client agreed to this referral',
      ]);

      const fields = {
        submissionId,
        agencyType: 'housing',
        agencyName: 'Larkhill Refuge',
        ...dateParts('referredOn', -7),
        reason: 'Needs to leave the address he knows tonight.',
        consentGiven: 'no',
        consentOverride: '',
      };
      const noReason = await browser.post(`/cases/${caseId}/onward-referrals/new`, fields);
      assert.equal(noReason.statusCode, 400);
      assert.deepEqual(errorSummary(noReason.body), [
        'Enter why the referral is being made without the client’s consent',
      ]);
      assert.match(noReason.body, /value="Larkhill Refuge"/, 'answers are kept');
      assert.match(noReason.body, /<option value="housing" selected>/);
      assert.match(noReason.body, /value="no" checked/);

      const withReason = { ...fields, consentOverride: 'She could not be reached and is at risk tonight.' };
      const saved = await browser.post(`/cases/${caseId}/onward-referrals/new`, withReason);
      assert.equal(saved.statusCode, 303);
      assert.equal(location(saved), `/cases/${caseId}?done=onward_referral#onward-referrals`);
      assert.equal((await browser.post(`/cases/${caseId}/onward-referrals/new`, withReason)).statusCode, 303);

      const stored = await test.database.ownerDb
        .selectFrom('onward_referrals')
        .selectAll()
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(stored.length, 1, 'one referral however often the form is sent');
      assert.equal(stored[0]!.consent_given, false);
      for (const secret of ['Larkhill', 'address he knows', 'could not be reached'])
        assert.equal(dump(stored[0]!).includes(secret), false, `${secret} is stored in clear`);

      const page = await browser.get(location(saved));
      assert.match(page.body, /Referral to another agency recorded/);
      const [card] = cardsOf(page.body, 'onward-referral');
      assert.match(card!, /Housing or refuge: Larkhill Refuge/);
      assert.match(card!, /Needs to leave the address he knows tonight\./);
      assert.match(
        card!,
        /data-qa="consent-override"><strong>NOT given\. Referred without it because: She could not be reached/,
      );
      assert.match(card!, /Still waiting: no outcome recorded yet/);

      const outcomePath = `/cases/${caseId}/onward-referrals/${submissionId}/outcome`;
      assert.match(card!, new RegExp(`href="${outcomePath}"`));
      const outcomeForm = await browser.get(outcomePath);
      assert.equal(outcomeForm.statusCode, 200);
      assert.match(outcomeForm.body, /Larkhill Refuge/);
      const first = submissionIdIn(outcomeForm.body, 'outcome-form');
      const early = await browser.post(outcomePath, {
        submissionId: first,
        outcome: 'no_response',
        ...dateParts('outcomeOn', -8),
      });
      assert.equal(early.statusCode, 400);
      assert.match(
        errorSummary(early.body)[0]!,
        /^Date of the outcome must be on or after the date of the referral/,
      );
      assert.match(early.body, /value="no_response" checked/);

      const noResponse = {
        submissionId: first,
        outcome: 'no_response',
        ...dateParts('outcomeOn', -5),
        note: 'Chased',
      };
      assert.equal((await browser.post(outcomePath, noResponse)).statusCode, 303);
      assert.equal((await browser.post(outcomePath, noResponse)).statusCode, 303, 'sent twice');
      test.clock.advance(MINUTE);
      const second = submissionIdIn((await browser.get(outcomePath)).body, 'outcome-form');
      const accepted = await browser.post(outcomePath, {
        submissionId: second,
        outcome: 'accepted',
        ...dateParts('outcomeOn', -2),
      });
      assert.equal(accepted.statusCode, 303);

      const withOutcomes = await browser.get(location(accepted));
      assert.match(withOutcomes.body, /Outcome recorded/);
      const [updated] = cardsOf(withOutcomes.body, 'onward-referral');
      assert.match(
        updated!,
        /data-qa="outcome-now">\s*<strong class="govuk-tag govuk-tag--green">Accepted<\/strong>/,
      );
      const history = updated!.split('data-qa="outcome-entry"').slice(1);
      assert.equal(history.length, 2, 'both outcomes are kept');
      assert.match(history[0]!, /Accepted/);
      assert.match(history[1]!, /No response[\s\S]*Chased/);

      const outcomes = await test.database.ownerDb
        .selectFrom('onward_referral_outcomes')
        .selectAll()
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(outcomes.length, 2);
      assert.ok(
        outcomes.every((row) => !dump(row).includes('Chased')),
        'the note is sealed',
      );
      await assert.rejects(
        test.database.db.updateTable('onward_referral_outcomes').set({ outcome: 'declined' }).execute(),
        /permission denied/,
        'outcomes are written once',
      );
      await assert.rejects(
        test.database.db.updateTable('onward_referrals').set({ consent_given: true }).execute(),
        /permission denied/,
      );

      assert.deepEqual(
        (await audited('case.onward_referral_recorded', reference)).map((event) => event.details),
        [{ agencyType: 'housing', consentGiven: false }],
      );
      assert.deepEqual(
        (await audited('case.onward_referral_outcome_recorded', reference)).map(
          (event) => (event.details as { outcome: string }).outcome,
        ),
        ['no_response', 'accepted'],
      );
      assert.equal(
        (await browser.get(`/cases/${caseId}/onward-referrals/${crypto.randomUUID()}/outcome`)).statusCode,
        404,
      );
    });
  });

  describe('timeline', () => {
    it('shows everything on the case, newest first, and narrows to one kind', async () => {
      const { caseId } = await givenCase(test, manager, {
        holder: casey,
        answers: { personName: 'Wren Private' },
      });
      const reference = await referenceOf(caseId);
      const session = await sessionFor(test, casey);
      const step = () => test.clock.advance(MINUTE);
      const casework = test.services.casework;

      step();
      await casework.addContact(session, caseId, {
        occurredAt: test.clock.now(),
        durationMinutes: 20,
        method: 'phone',
        direction: 'outgoing',
        outcome: 'spoke',
        summary: 'First call: agreed a safe time.',
        safeContactFollowed: true,
        safeContactNote: null,
      });
      step();
      const perpetratorId = await givenPerpetrator(test, casey, caseId, { name: 'Casey Marlowe' });
      step();
      await casework.addNote(session, caseId, 'He has found her new workplace.');
      step();
      const task = await casework.addTask(session, caseId, {
        title: 'Ask police for the crime reference',
        dueOn: isoDay(2),
        ownerId: casey.userId,
      });
      step();
      await casework.addService(session, caseId, {
        service: 'police_liaison',
        startedOn: isoDay(0),
        note: null,
      });
      step();
      const onward = await casework.addOnwardReferral(session, caseId, {
        agencyType: 'counselling',
        agencyName: 'Harbour Counselling',
        referredOn: isoDay(0),
        reason: 'Asked for counselling',
        consentGiven: true,
        consentOverride: null,
      });
      step();
      assert.ok(onward.kind === 'ok' && onward.value.kind === 'recorded');
      await casework.addOnwardOutcome(session, caseId, onward.value.id, {
        outcome: 'accepted',
        outcomeOn: isoDay(0),
        note: null,
      });
      step();
      assert.ok(task.kind === 'ok' && task.value?.kind === 'recorded');
      await casework.completeTask(session, caseId, task.value.id);
      step();
      await casework.close(session, caseId, { outcome: 'support_completed', reason: 'Safe now' });
      step();
      await casework.reopen(session, caseId, 'He is back');

      const browser = await signedIn(casey);
      const page = await browser.get(`/cases/${caseId}`);
      assert.match(page.body, new RegExp(`href="/cases/${caseId}/timeline"`));
      const timeline = await browser.get(`/cases/${caseId}/timeline`);
      assert.equal(timeline.statusCode, 200);
      assert.match(timeline.body, /<title>Case timeline &ndash; /);
      assert.doesNotMatch(timeline.body, /<title>[^<]*Wren/, 'no personal data in the title');
      assert.match(timeline.body, /class="moj-timeline"/);
      const labels = [...timeline.body.matchAll(/<h2 class="moj-timeline__title">([^<]+)<\/h2>/g)].map(
        (match) => match[1],
      );
      assert.deepEqual(labels, [
        'Case reopened',
        'Case closed',
        'Task done: Ask police for the crime reference',
        'Referral to Harbour Counselling: Accepted',
        'Referred to Harbour Counselling (Counselling or therapy)',
        'Service started: Police liaison',
        'Task added: Ask police for the crime reference',
        'Note added',
        'Perpetrator linked: Casey Marlowe',
        'Contact: Phone call',
        'Allocated to Casey Worker',
        'Case opened',
      ]);
      assert.match(timeline.body, /He has found her new workplace\./);
      assert.match(timeline.body, /First call: agreed a safe time\./);
      assert.match(timeline.body, new RegExp(`href="/perpetrators/${perpetratorId}"`));
      assert.match(timeline.body, /by Morgan Manager/);

      const notes = await browser.get(`/cases/${caseId}/timeline?kind=notes`);
      assert.equal(notes.statusCode, 200);
      assert.deepEqual(
        [...notes.body.matchAll(/data-kind="([a-z_]+)"/g)].map((match) => match[1]),
        ['notes'],
      );
      assert.match(notes.body, /<option value="notes" selected>/);
      const perpetrators = await browser.get(`/cases/${caseId}/timeline?kind=perpetrators`);
      assert.deepEqual(
        [...perpetrators.body.matchAll(/data-kind="([a-z_]+)"/g)].map((match) => match[1]),
        ['perpetrators'],
      );
      const odd = await browser.get(`/cases/${caseId}/timeline?kind=everything-else`);
      assert.equal(odd.statusCode, 200, 'an unknown kind shows everything');
      assert.equal([...odd.body.matchAll(/data-qa="timeline-item"/g)].length, 12);

      assert.deepEqual(
        (await audited('case.timeline_viewed', reference)).map((event) => event.details),
        [{ kind: 'all' }, { kind: 'notes' }, { kind: 'perpetrators' }, { kind: 'all' }],
      );
    });
  });

  describe('perpetrators', () => {
    it('lists the case’s perpetrators with a link to each, and offers to add one', async () => {
      const first = await givenCase(test, manager, { holder: casey });
      const second = await givenCase(test, manager, { holder: robin });
      const perpetratorId = await givenPerpetrator(test, casey, first.caseId, {
        name: 'Florian Ashdown',
        phones: ['07700 900871'],
      });
      await test.services.perpetrators.addToCase(
        await sessionFor(test, manager),
        second.caseId,
        perpetratorForm({
          details: perpetratorDetails({ name: 'Florian Ashdown', phones: ['07700 900871'] }),
          choice: { perpetratorId },
        }),
      );

      const caseworker = await signedIn(casey);
      const page = await caseworker.get(`/cases/${first.caseId}`);
      const [card] = cardsOf(page.body, 'perpetrator');
      assert.ok(card, 'the perpetrator is listed');
      assert.match(card, new RegExp(`href="/perpetrators/${perpetratorId}"[^>]*>Florian Ashdown<`));
      assert.match(card, /An ex-partner/);
      assert.doesNotMatch(card, /other case/, 'caseworkers are not told about other people’s cases');
      assert.match(page.body, new RegExp(`href="/cases/${first.caseId}/perpetrators/new"`));

      const managerPage = await (await signedIn(manager)).get(`/cases/${first.caseId}`);
      assert.match(cardsOf(managerPage.body, 'perpetrator')[0]!, /Linked to 1 other case/);

      const empty = await caseworker.get(
        `/cases/${(await givenCase(test, manager, { holder: casey })).caseId}`,
      );
      assert.match(empty.body, /data-qa="no-perpetrators"/);
    });

    it('shows a manager on the referral page who the named perpetrator may already be', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const perpetratorId = await givenPerpetrator(test, casey, caseId, {
        name: 'Evangeline Thistlewood',
        phones: [],
        emails: [],
        socialAccounts: [],
        vehicles: [],
      });
      const { referralId } = await givenReferral(test, admin.organisationId, {
        perpetratorKnown: true,
        perpetratorName: 'Evangeline Thistlewod',
      });
      const browser = await signedIn(manager);
      const page = await browser.get(`/referrals/${referralId}`);
      assert.equal(page.statusCode, 200);
      const block = page.body.split('data-qa="possible-perpetrators"')[1] ?? '';
      assert.match(block, new RegExp(`href="/perpetrators/${perpetratorId}">Evangeline Thistlewood<`));
      assert.match(block, /Similar name/);
      assert.match(block, new RegExp(`href="/cases/${caseId}">${await referenceOf(caseId)}<`));

      const { referralId: unrelated } = await givenReferral(test, admin.organisationId, {
        perpetratorKnown: true,
        perpetratorName: 'Bartholomew Quince',
      });
      assert.doesNotMatch((await browser.get(`/referrals/${unrelated}`)).body, /possible-perpetrators/);
    });
  });

  describe('caseload', () => {
    it('calls out overdue tasks, tasks due soon, new cases and the last contact, for the holder and the team', async () => {
      const nia = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Nia Newcomer' });
      const fresh = await givenCase(test, manager, { holder: nia, answers: { personName: 'Fresh Start' } });
      const contacted = await givenCase(test, manager, { holder: nia, answers: { personName: 'Spoken To' } });
      const session = await sessionFor(test, nia);
      test.clock.advance(MINUTE);
      await test.services.casework.addContact(session, contacted.caseId, {
        occurredAt: test.clock.now(),
        durationMinutes: null,
        method: 'phone',
        direction: 'incoming',
        outcome: 'spoke',
        summary: 'Called in',
        safeContactFollowed: true,
        safeContactNote: null,
      });
      const task = (title: string, days: number, ownerId = nia.userId, caseId = fresh.caseId) =>
        test.services.casework.addTask(session, caseId, { title, dueOn: isoDay(days), ownerId });
      await task('Overdue call back', -2);
      await task('Book the court visit', 3);
      await task('Review in a month', 30);
      await task('Robin’s task', -1, robin.userId);
      const freshReference = await referenceOf(fresh.caseId);
      const contactedReference = await referenceOf(contacted.caseId);

      const browser = await signedIn(nia);
      const page = await browser.get('/cases');
      assert.equal(page.statusCode, 200);
      const overdue = page.body.split('data-qa="overdue-tasks"')[1]?.split('</table>')[0] ?? '';
      assert.match(overdue, /Overdue call back/);
      assert.match(overdue, /<strong class="govuk-tag govuk-tag--red" data-qa="overdue">Overdue<\/strong>/);
      assert.doesNotMatch(overdue, /Robin’s task/, 'only the user’s own tasks');
      const dueSoon = page.body.split('data-qa="tasks-due-soon"')[1]?.split('</table>')[0] ?? '';
      assert.match(dueSoon, /Book the court visit/);
      assert.doesNotMatch(page.body, /Review in a month/, 'tasks due later wait on the case');
      const newCases = page.body.split('data-qa="new-cases"')[1]?.split('</table>')[0] ?? '';
      assert.match(newCases, new RegExp(freshReference));
      assert.doesNotMatch(newCases, new RegExp(contactedReference), 'a client contacted since is not new');
      const rowOf = (body: string, reference: string) =>
        body
          .split('data-qa="case-row"')
          .slice(1)
          .find((row) => row.includes(reference)) ?? '';
      assert.match(rowOf(page.body, freshReference), /data-qa="last-contact">No contact yet</);
      assert.match(rowOf(page.body, freshReference), /data-qa="new">New</);
      assert.match(rowOf(page.body, contactedReference), /data-qa="last-contact">\d{1,2} [A-Z][a-z]+ \d{4}</);

      const team = await (await signedIn(manager)).get('/cases?view=team');
      const teamOverdue = team.body.split('data-qa="overdue-tasks"')[1]?.split('</table>')[0] ?? '';
      assert.match(teamOverdue, /Overdue call back[\s\S]*Nia Newcomer/);
      assert.match(teamOverdue, /Robin’s task[\s\S]*Robin Worker/);
      const teamNew = team.body.split('data-qa="new-cases"')[1]?.split('</table>')[0] ?? '';
      assert.match(teamNew, new RegExp(`${freshReference}[\\s\\S]*Nia Newcomer`));

      test.clock.advance(8 * DAY);
      const later = await (await signedIn(nia)).get('/cases');
      assert.doesNotMatch(
        later.body.split('data-qa="new-cases"')[1]?.split('</table>')[0] ?? '',
        new RegExp(freshReference),
        'a case is new for seven days',
      );
      assert.match(later.body, /Book the court visit[\s\S]*Overdue/);
    });
  });

  it('refuses a caseworker every new page and action on a case they do not hold', async () => {
    const { caseId } = await givenCase(test, manager, { holder: robin });
    const session = await sessionFor(test, manager);
    const service = await test.services.casework.addService(session, caseId, {
      service: 'counselling',
      startedOn: isoDay(-3),
      note: null,
    });
    const onward = await test.services.casework.addOnwardReferral(session, caseId, {
      agencyType: 'idva',
      agencyName: 'Northshire IDVA',
      referredOn: isoDay(-3),
      reason: 'High risk',
      consentGiven: true,
      consentOverride: null,
    });
    assert.ok(service.kind === 'ok' && service.value.kind === 'recorded');
    assert.ok(onward.kind === 'ok' && onward.value.kind === 'recorded');
    const browser = await signedIn(casey);
    const submissionId = crypto.randomUUID();
    const gets = [
      `/cases/${caseId}/timeline`,
      `/cases/${caseId}/timeline?kind=notes`,
      `/cases/${caseId}/services/new`,
      `/cases/${caseId}/services/${service.value.id}/end`,
      `/cases/${caseId}/onward-referrals/new`,
      `/cases/${caseId}/onward-referrals/${onward.value.id}/outcome`,
    ];
    for (const url of gets) assert.equal((await browser.get(url)).statusCode, 403, url);
    const posts: [string, Record<string, string>][] = [
      [
        `/cases/${caseId}/services/new`,
        { submissionId, service: 'court_support', ...dateParts('startedOn', 0) },
      ],
      [`/cases/${caseId}/services/new`, {}],
      [`/cases/${caseId}/services/${service.value.id}/end`, dateParts('endedOn', 0)],
      [
        `/cases/${caseId}/onward-referrals/new`,
        {
          submissionId,
          agencyType: 'police',
          agencyName: 'Not mine',
          ...dateParts('referredOn', 0),
          reason: 'Not mine',
          consentGiven: 'yes',
        },
      ],
      [
        `/cases/${caseId}/onward-referrals/${onward.value.id}/outcome`,
        { submissionId, outcome: 'declined', ...dateParts('outcomeOn', 0) },
      ],
    ];
    for (const [url, form] of posts) assert.equal((await browser.post(url, form)).statusCode, 403, url);

    const count = async (table: 'case_services' | 'onward_referrals' | 'onward_referral_outcomes') =>
      (
        await test.database.ownerDb
          .selectFrom(table)
          .select('case_id')
          .where('case_id', '=', caseId)
          .execute()
      ).length;
    assert.deepEqual(
      [
        await count('case_services'),
        await count('onward_referrals'),
        await count('onward_referral_outcomes'),
      ],
      [1, 1, 0],
    );
    const stillOngoing = await test.database.ownerDb
      .selectFrom('case_services')
      .select('ended_on')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(stillOngoing.ended_on, null);
    assert.equal((await (await signedIn(robin)).get(`/cases/${caseId}/timeline`)).statusCode, 200);
  });
});
