import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { submissionIdIn } from '../../../test/support/forms.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { ukDate } from '../../platform/clock.ts';

describe('Casework on the case page', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  /** The day, month and year boxes of a date input, `daysFromToday` away from today in the UK. */
  function dateParts(prefix: string, daysFromToday: number): Record<string, string> {
    const [year, month, day] = ukDate(
      new Date(test.clock.now().getTime() + daysFromToday * 86_400_000),
    ).split('-') as [string, string, string];
    return { [`${prefix}-day`]: day, [`${prefix}-month`]: month, [`${prefix}-year`]: year };
  }

  const errorSummary = (body: string) =>
    [
      ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/>([^<>]+)<\/a>/g),
    ].map((match) => match[1]!.trim());

  it('records a contact, explaining every mistake first and keeping what was typed', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey, answers: { codeWord: 'bluebell' } });
    const browser = await signedIn(casey);

    const form = await browser.get(`/cases/${caseId}/contacts/new`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /data-qa="safe-contact"[\s\S]*bluebell/, 'the safe-contact rules come first');
    assert.match(form.body, /Were the client’s safe-contact rules followed\?/);

    const submissionId = submissionIdIn(form.body, 'contact-form');
    const empty = await browser.post(`/cases/${caseId}/contacts/new`, {
      submissionId,
      durationMinutes: 'ten',
    });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      'Enter the date of the contact',
      'Enter the time of the contact',
      'Duration must be a whole number of minutes between 1 and 1440',
      'Select how the contact happened',
      'Select who made contact',
      'Select what happened',
      'Enter a summary of the contact',
      'Select yes if the client’s safe-contact rules were followed',
    ]);
    assert.match(empty.body, /href="#occurredOn-day"/);
    assert.match(empty.body, /name="durationMinutes" type="text" value="ten"|value="ten"/);

    const future = await browser.post(`/cases/${caseId}/contacts/new`, {
      submissionId,
      ...dateParts('occurredOn', 2),
      occurredTime: '10:00',
      method: 'phone',
      direction: 'outgoing',
      outcome: 'spoke',
      summary: 'Talked through the safety plan.',
      safeContactFollowed: 'no',
    });
    assert.equal(future.statusCode, 400);
    assert.deepEqual(errorSummary(future.body), [
      'Date of the contact must be today or in the past',
      'Enter why the safe-contact rules were not followed',
    ]);
    assert.match(future.body, /Talked through the safety plan\./, 'the summary is kept');
    assert.match(future.body, /value="phone" checked/);
    assert.match(future.body, /value="10:00"/);

    const saved = await browser.post(`/cases/${caseId}/contacts/new`, {
      submissionId,
      ...dateParts('occurredOn', -1),
      occurredTime: '14:30',
      durationMinutes: '25',
      method: 'phone',
      direction: 'outgoing',
      outcome: 'spoke',
      summary: 'Talked through the safety plan.',
      safeContactFollowed: 'no',
      safeContactNote: 'Called outside the safe times: the client asked us to.',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `/cases/${caseId}?done=contact`);

    const page = await browser.get(String(saved.headers.location));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Contact recorded/);
    const contact = page.body.split('data-qa="contact"')[1] ?? '';
    assert.match(contact, /Phone call/);
    assert.match(contact, /2:30pm/);
    assert.match(contact, /25 minutes/);
    assert.match(contact, /Spoke to the client/);
    assert.match(contact, /We contacted the client/);
    assert.match(contact, /Casey Worker/);
    assert.match(contact, /Talked through the safety plan\./);
    assert.match(contact, /Safe-contact rules NOT followed/);
    assert.match(contact, /Called outside the safe times: the client asked us to\./);
  });

  it('adds notes, newest first, and says they cannot be changed', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const noteForm = async () => submissionIdIn((await browser.get(`/cases/${caseId}`)).body, 'note-form');

    const submissionId = await noteForm();
    const empty = await browser.post(`/cases/${caseId}/notes`, { submissionId, body: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Enter the note']);
    const tooLong = await browser.post(`/cases/${caseId}/notes`, { submissionId, body: 'x'.repeat(10_001) });
    assert.deepEqual(errorSummary(tooLong.body), ['Note must be 10,000 characters or fewer']);

    const first = await browser.post(`/cases/${caseId}/notes`, { submissionId, body: 'First note' });
    assert.equal(first.statusCode, 303);
    test.clock.advance(60_000);
    const second = await browser.post(`/cases/${caseId}/notes`, {
      submissionId: await noteForm(),
      body: 'Second note',
    });
    assert.equal(second.headers.location, `/cases/${caseId}?done=note`);

    const page = await browser.get(String(second.headers.location));
    assert.match(page.body, /Note added/);
    assert.match(page.body, /Notes cannot be changed once saved\. Add another note to correct one\./);
    const notes = page.body.split('data-qa="note"').slice(1);
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /Second note/);
    assert.match(notes[0]!, /Casey Worker/);
    assert.match(notes[1]!, /First note/);
  });

  it('adds a task for the case holder by default, flags it overdue, and marks it done', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(manager);

    const page = await browser.get(`/cases/${caseId}`);
    assert.match(page.body, /<option value="[^"]+" selected>Casey Worker<\/option>/, 'the holder is chosen');

    const submissionId = submissionIdIn(page.body, 'task-form');
    const empty = await browser.post(`/cases/${caseId}/tasks`, { submissionId, title: '', ownerId: '' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      'Enter what needs doing',
      'Enter the date the task is due',
      'Select who will do the task',
    ]);

    const added = await browser.post(`/cases/${caseId}/tasks`, {
      submissionId,
      title: 'Check the safety plan',
      ...dateParts('dueOn', -3),
      ownerId: casey.userId,
    });
    assert.equal(added.statusCode, 303);
    const withTask = await browser.get(String(added.headers.location));
    assert.match(withTask.body, /Task added/);
    const row = withTask.body.split('data-qa="task-row"')[1] ?? '';
    assert.match(row, /Check the safety plan/);
    assert.match(row, /Casey Worker/);
    assert.match(row, /Overdue/);

    const action = /action="(\/cases\/[^"]+\/tasks\/[^"]+\/done)"/.exec(withTask.body)?.[1];
    assert.ok(action, 'each open task has a Mark as done button');
    const done = await browser.post(action);
    assert.equal(done.statusCode, 303);
    const after = await browser.get(String(done.headers.location));
    assert.match(after.body, /Task marked as done/);
    const doneRow = after.body.split('data-qa="task-row"')[1] ?? '';
    assert.match(doneRow, /data-qa="task-done"/);
    assert.doesNotMatch(doneRow, /Overdue|Mark as done/);

    assert.equal((await browser.post(`/cases/${caseId}/tasks/${crypto.randomUUID()}/done`)).statusCode, 404);
    assert.equal((await browser.post(`/cases/${caseId}/tasks/not-a-task/done`)).statusCode, 404);
  });

  it('closes a case with a reason and outcome, then reopens it, keeping the history', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);

    const page = await browser.get(`/cases/${caseId}`);
    assert.match(page.body, new RegExp(`href="/cases/${caseId}/close"`));
    const form = await browser.get(`/cases/${caseId}/close`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Transferred to another service/);

    const empty = await browser.post(`/cases/${caseId}/close`, {});
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      'Select the outcome of the case',
      'Enter why the case is being closed',
    ]);

    const closed = await browser.post(`/cases/${caseId}/close`, {
      outcome: 'support_completed',
      reason: 'Safety plan in place and the client feels safe.',
    });
    assert.equal(closed.statusCode, 303);
    const closedPage = await browser.get(String(closed.headers.location));
    assert.match(closedPage.body, /Case closed/);
    assert.match(closedPage.body, /data-qa="reopen-form"/);
    assert.doesNotMatch(closedPage.body, /data-qa="close-case"/);
    assert.match(closedPage.body, /Support completed/);
    assert.equal((await browser.get(`/cases/${caseId}/close`)).statusCode, 303, 'already closed');

    const noReason = await browser.post(`/cases/${caseId}/reopen`, { reopenReason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(errorSummary(noReason.body), ['Enter why the case is being reopened']);

    const reopened = await browser.post(`/cases/${caseId}/reopen`, {
      reopenReason: 'The client has been contacted again.',
    });
    assert.equal(reopened.statusCode, 303);
    const reopenedPage = await browser.get(String(reopened.headers.location));
    assert.match(reopenedPage.body, /Case reopened/);
    const history = reopenedPage.body.split('data-qa="status-row"').slice(1);
    assert.equal(history.length, 2);
    assert.match(history[0]!, /Reopened[\s\S]*The client has been contacted again\./);
    assert.match(history[1]!, /Closed[\s\S]*Support completed[\s\S]*Safety plan in place/);
  });

  it('makes one record when a form is sent twice, and refuses a form without its id or with another case’s', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const other = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}`);
    const contactId = submissionIdIn(
      (await browser.get(`/cases/${caseId}/contacts/new`)).body,
      'contact-form',
    );
    const contact = {
      submissionId: contactId,
      ...dateParts('occurredOn', 0),
      occurredTime: '00:01',
      method: 'phone',
      direction: 'incoming',
      outcome: 'spoke',
      summary: 'Sent twice',
      safeContactFollowed: 'yes',
    };
    const note = { submissionId: submissionIdIn(page.body, 'note-form'), body: 'Sent twice' };
    const task = {
      submissionId: submissionIdIn(page.body, 'task-form'),
      title: 'Sent twice',
      ...dateParts('dueOn', 1),
      ownerId: casey.userId,
    };
    for (const [path, form] of [
      ['contacts/new', contact],
      ['notes', note],
      ['tasks', task],
    ] as const) {
      for (let attempt = 0; attempt < 2; attempt++) {
        assert.equal((await browser.post(`/cases/${caseId}/${path}`, form)).statusCode, 303, path);
      }
      const withoutId: Record<string, string> = { ...form };
      delete withoutId.submissionId;
      assert.equal((await browser.post(`/cases/${caseId}/${path}`, withoutId)).statusCode, 400, path);
      const elsewhere = await browser.post(`/cases/${other.caseId}/${path}`, form);
      assert.equal(elsewhere.statusCode, 400, `${path}: an id already used on another case`);
    }
    const count = async (table: 'case_contacts' | 'case_notes' | 'tasks') =>
      (
        await test.database.ownerDb
          .selectFrom(table)
          .select('case_id')
          .where('case_id', 'in', [caseId, other.caseId])
          .execute()
      ).length;
    assert.equal(await count('case_contacts'), 1);
    assert.equal(await count('case_notes'), 1);
    assert.equal(await count('tasks'), 1);
    const { reference } = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    const audited = await test.database.ownerDb
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'in', ['case.contact_recorded', 'case.note_added', 'case.task_added'])
      .where('record_id', '=', reference)
      .execute();
    assert.equal(audited.length, 3, 'each recorded once in the audit trail');
  });

  it('refuses every change to a case a caseworker does not hold', async () => {
    const { caseId } = await givenCase(test, manager, { holder: robin });
    const taskId = await test.services.casework.addTask(await sessionFor(test, manager), caseId, {
      title: 'Call back',
      dueOn: ukDate(test.clock.now()),
      ownerId: robin.userId,
    });
    assert.equal(taskId.kind, 'ok');
    const browser = await signedIn(casey);

    assert.equal((await browser.get(`/cases/${caseId}/contacts/new`)).statusCode, 403);
    assert.equal((await browser.get(`/cases/${caseId}/close`)).statusCode, 403);
    const posts: [string, Record<string, string>][] = [
      [
        `/cases/${caseId}/contacts/new`,
        {
          ...dateParts('occurredOn', 0),
          occurredTime: '00:01',
          method: 'phone',
          direction: 'incoming',
          outcome: 'spoke',
          summary: 'Not my case',
          safeContactFollowed: 'yes',
        },
      ],
      [`/cases/${caseId}/contacts/new`, {}],
      [`/cases/${caseId}/notes`, { body: 'Not my case' }],
      [`/cases/${caseId}/notes`, {}],
      [`/cases/${caseId}/tasks`, { title: 'Not mine', ...dateParts('dueOn', 1), ownerId: casey.userId }],
      [
        `/cases/${caseId}/tasks/${taskId.kind === 'ok' && taskId.value?.kind === 'recorded' ? taskId.value.id : ''}/done`,
        {},
      ],
      [`/cases/${caseId}/close`, { outcome: 'other', reason: 'Not my case' }],
      [`/cases/${caseId}/reopen`, { reopenReason: 'Not my case' }],
    ];
    for (const [url, form] of posts) {
      assert.equal((await browser.post(url, form)).statusCode, 403, url);
    }
  });
});
