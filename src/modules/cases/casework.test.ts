import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY } from '../../platform/clock.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { ukDate } from '../../platform/clock.ts';

describe('CaseworkService', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let holder: StaffCredentials;
  let other: StaffCredentials;
  let caseId: string;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager');
    holder = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Holly Holder' });
    other = await givenStaff(test, admin.organisationId, 'caseworker');
    ({ caseId } = await givenCase(test, manager, { holder }));
  });
  after(async () => test.close());

  describe('contacts', () => {
    it('records a contact with its summary sealed, and whether safe-contact rules were followed', async () => {
      const session = await sessionFor(test, holder);
      const recorded = await test.services.casework.addContact(session, caseId, {
        occurredAt: test.clock.now(),
        durationMinutes: 25,
        method: 'phone',
        direction: 'outgoing',
        outcome: 'spoke',
        summary: 'Talked through the safety plan; she will keep the diary going.',
        safeContactFollowed: true,
        safeContactNote: null,
      });
      assert.equal(recorded.kind, 'ok');
      const stored = await test.database.ownerDb
        .selectFrom('case_contacts')
        .select('summary_sealed')
        .executeTakeFirstOrThrow();
      assert.equal(stored.summary_sealed.includes(Buffer.from('safety plan')), false);
      const listed = await test.services.casework.contacts(session, caseId);
      assert.equal(listed.kind, 'ok');
      assert.equal(
        listed.kind === 'ok' && listed.value[0]?.summary,
        'Talked through the safety plan; she will keep the diary going.',
      );
      assert.equal(listed.kind === 'ok' && listed.value[0]?.recordedBy, 'Holly Holder');
    });

    it('refuses anyone whose caseload the case is not on, and lets a manager in', async () => {
      const refused = await test.services.casework.notes(await sessionFor(test, other), caseId);
      assert.equal(refused.kind, 'not_on_caseload');
      const allowed = await test.services.casework.notes(await sessionFor(test, manager), caseId);
      assert.equal(allowed.kind, 'ok');
      assert.equal(
        (await test.services.casework.notes(await sessionFor(test, manager), crypto.randomUUID())).kind,
        'not_found',
      );
    });
  });

  describe('notes', () => {
    it('keeps notes sealed and lists them newest first', async () => {
      const session = await sessionFor(test, holder);
      await test.services.casework.addNote(session, caseId, 'First note about the client’s new address.');
      test.clock.advance(60_000);
      await test.services.casework.addNote(session, caseId, 'Second note.');
      const notes = await test.services.casework.notes(session, caseId);
      assert.deepEqual(notes.kind === 'ok' && notes.value.map((n) => n.body), [
        'Second note.',
        'First note about the client’s new address.',
      ]);
      const rows = await test.database.ownerDb.selectFrom('case_notes').select('body_sealed').execute();
      assert.ok(rows.every((row) => !row.body_sealed.includes(Buffer.from('address'))));
    });
  });

  describe('tasks', () => {
    it('flags overdue tasks and lists the owner’s open tasks soonest first', async () => {
      const session = await sessionFor(test, holder);
      const yesterday = ukDate(new Date(test.clock.now().getTime() - DAY));
      const nextWeek = ukDate(new Date(test.clock.now().getTime() + 7 * DAY));
      await test.services.casework.addTask(session, caseId, {
        title: 'Chase police for crime reference',
        dueOn: nextWeek,
        ownerId: holder.userId,
      });
      await test.services.casework.addTask(session, caseId, {
        title: 'Call back about court date',
        dueOn: yesterday,
        ownerId: holder.userId,
      });
      const mine = await test.services.casework.myOpenTasks(session);
      assert.deepEqual(
        mine.map((t) => [t.title, t.overdue]),
        [
          ['Call back about court date', true],
          ['Chase police for crime reference', false],
        ],
      );
      const done = await test.services.casework.completeTask(session, caseId, mine[0]!.taskId);
      assert.deepEqual(done, { kind: 'ok', value: true });
      assert.equal((await test.services.casework.myOpenTasks(session)).length, 1);
    });

    it('gives tasks only to caseworkers and managers', async () => {
      const police = await givenStaff(test, manager.organisationId, 'police_liaison');
      const result = await test.services.casework.addTask(await sessionFor(test, holder), caseId, {
        title: 'X',
        dueOn: ukDate(test.clock.now()),
        ownerId: police.userId,
      });
      assert.deepEqual(
        result,
        { kind: 'ok', value: null },
        'a task is given only to a caseworker or manager',
      );
    });
  });

  describe('closing and reopening', () => {
    it('closes with a reason and outcome, reopens, and keeps both in the history and the audit trail', async () => {
      const session = await sessionFor(test, holder);
      assert.deepEqual(
        await test.services.casework.close(session, caseId, {
          reason: 'Support plan finished',
          outcome: 'support_completed',
        }),
        { kind: 'ok', value: 'done' },
      );
      assert.deepEqual(
        await test.services.casework.close(session, caseId, { reason: 'Again', outcome: 'other' }),
        { kind: 'ok', value: 'already_closed' },
      );
      const closed = await test.database.ownerDb
        .selectFrom('cases')
        .select(['status', 'closed_at'])
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      assert.equal(closed.status, 'closed');
      assert.deepEqual(await test.services.casework.reopen(session, caseId, 'New incidents reported'), {
        kind: 'ok',
        value: 'done',
      });
      const history = await test.services.casework.statusHistory(session, caseId);
      assert.deepEqual(history.kind === 'ok' && history.value.map((h) => [h.toStatus, h.reason]), [
        ['active', 'New incidents reported'],
        ['closed', 'Support plan finished'],
      ]);
      const audit = await test.database.ownerDb
        .selectFrom('audit_events')
        .select(['action', 'reason'])
        .where('action', 'in', ['case.closed', 'case.reopened'])
        .orderBy('seq')
        .execute();
      assert.deepEqual(audit, [
        { action: 'case.closed', reason: 'Support plan finished' },
        { action: 'case.reopened', reason: 'New incidents reported' },
      ]);
    });
  });
});
