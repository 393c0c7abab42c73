import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { CaseStatus, CloseOutcome, ContactMethod, ContactOutcome } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { caseAccessBasis } from './case-access.ts';

export type NewContact = {
  occurredAt: Date;
  durationMinutes: number | null;
  method: ContactMethod;
  direction: 'outgoing' | 'incoming';
  outcome: ContactOutcome;
  summary: string;
  safeContactFollowed: boolean;
  safeContactNote: string | null;
};

export type ContactEntry = NewContact & { contactId: string; recordedBy: string; recordedAt: Date };
export type NoteEntry = { noteId: string; body: string; recordedBy: string; recordedAt: Date };
export type TaskEntry = {
  taskId: string;
  caseId: string;
  caseReference: string;
  title: string;
  dueOn: string;
  ownerName: string;
  completedAt: Date | null;
  overdue: boolean;
};
export type StatusChangeEntry = {
  fromStatus: string;
  toStatus: CaseStatus;
  reason: string;
  outcome: CloseOutcome | null;
  changedBy: string;
  changedAt: Date;
};

export type StatusChangeResult = 'done' | 'already_closed' | 'not_closed';

export type InScope<T> = { kind: 'ok'; value: T } | { kind: 'not_on_caseload' } | { kind: 'not_found' };

type ScopedCase = {
  caseId: string;
  reference: string;
  status: CaseStatus;
  allocatedTo: string | null;
  key: Buffer;
};

const aad = (caseId: string, kind: string, id: string) => `case:${caseId}:${kind}:${id}`;

/**
 * The day-to-day record of a case: contacts, notes, tasks, and closing or reopening. Every operation first
 * checks the case is within the caller's scope (their caseload, or any case with case:read_all), and writes an
 * audit event in the same transaction. Free text is sealed under the case's own data key.
 */
export class CaseworkService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  private async scoped<T>(
    session: CurrentSession,
    caseId: string,
    work: (trx: Trx, kase: ScopedCase) => Promise<T>,
  ): Promise<InScope<T>> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await trx
        .selectFrom('cases')
        .select(['case_id', 'reference', 'status', 'allocated_to', 'data_key_wrapped'])
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      if (!row) return { kind: 'not_found' } as const;
      const access = await caseAccessBasis(
        trx,
        session,
        { caseId: row.case_id, allocatedTo: row.allocated_to },
        this.clock.now(),
      );
      if (!access) return { kind: 'not_on_caseload' } as const;
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const key = this.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, `case:${row.case_id}`);
      const value = await work(trx, {
        caseId: row.case_id,
        reference: row.reference,
        status: row.status,
        allocatedTo: row.allocated_to,
        key,
      });
      return { kind: 'ok', value } as const;
    });
  }

  private audit(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    action: string,
    details?: Record<string, unknown>,
    reason?: string,
  ) {
    return appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action,
        recordType: 'case',
        recordId: kase.reference,
        details,
        reason,
      },
      this.clock.now(),
    );
  }

  async addContact(session: CurrentSession, caseId: string, contact: NewContact): Promise<InScope<string>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const contactId = randomUUID();
      await trx
        .insertInto('case_contacts')
        .values({
          organisation_id: session.organisationId,
          contact_id: contactId,
          case_id: caseId,
          occurred_at: contact.occurredAt,
          duration_minutes: contact.durationMinutes,
          method: contact.method,
          direction: contact.direction,
          outcome: contact.outcome,
          summary_sealed: seal(kase.key, contact.summary, aad(caseId, 'contact', contactId)),
          safe_contact_followed: contact.safeContactFollowed,
          safe_contact_note_sealed: contact.safeContactNote
            ? seal(kase.key, contact.safeContactNote, aad(caseId, 'contact-safety', contactId))
            : null,
          recorded_by: session.user.userId,
          recorded_at: this.clock.now(),
        })
        .execute();
      await this.audit(trx, session, kase, 'case.contact_recorded', {
        method: contact.method,
        safeContactFollowed: contact.safeContactFollowed,
      });
      return contactId;
    });
  }

  async contacts(session: CurrentSession, caseId: string): Promise<InScope<ContactEntry[]>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const rows = await trx
        .selectFrom('case_contacts')
        .innerJoin('users', (join) =>
          join
            .onRef('users.organisation_id', '=', 'case_contacts.organisation_id')
            .onRef('users.user_id', '=', 'case_contacts.recorded_by'),
        )
        .selectAll('case_contacts')
        .select('users.display_name')
        .where('case_contacts.organisation_id', '=', session.organisationId)
        .where('case_contacts.case_id', '=', caseId)
        .orderBy('case_contacts.occurred_at', 'desc')
        .execute();
      return rows.map((row) => ({
        contactId: row.contact_id,
        occurredAt: row.occurred_at,
        durationMinutes: row.duration_minutes,
        method: row.method,
        direction: row.direction,
        outcome: row.outcome,
        summary: openText(kase.key, row.summary_sealed, aad(caseId, 'contact', row.contact_id)),
        safeContactFollowed: row.safe_contact_followed,
        safeContactNote: row.safe_contact_note_sealed
          ? openText(kase.key, row.safe_contact_note_sealed, aad(caseId, 'contact-safety', row.contact_id))
          : null,
        recordedBy: row.display_name,
        recordedAt: row.recorded_at,
      }));
    });
  }

  async addNote(session: CurrentSession, caseId: string, body: string): Promise<InScope<string>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const noteId = randomUUID();
      await trx
        .insertInto('case_notes')
        .values({
          organisation_id: session.organisationId,
          note_id: noteId,
          case_id: caseId,
          body_sealed: seal(kase.key, body, aad(caseId, 'note', noteId)),
          recorded_by: session.user.userId,
          recorded_at: this.clock.now(),
        })
        .execute();
      await this.audit(trx, session, kase, 'case.note_added');
      return noteId;
    });
  }

  async notes(session: CurrentSession, caseId: string): Promise<InScope<NoteEntry[]>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const rows = await trx
        .selectFrom('case_notes')
        .innerJoin('users', (join) =>
          join
            .onRef('users.organisation_id', '=', 'case_notes.organisation_id')
            .onRef('users.user_id', '=', 'case_notes.recorded_by'),
        )
        .select([
          'case_notes.note_id',
          'case_notes.body_sealed',
          'case_notes.recorded_at',
          'users.display_name',
        ])
        .where('case_notes.organisation_id', '=', session.organisationId)
        .where('case_notes.case_id', '=', caseId)
        .orderBy('case_notes.recorded_at', 'desc')
        .execute();
      return rows.map((row) => ({
        noteId: row.note_id,
        body: openText(kase.key, row.body_sealed, aad(caseId, 'note', row.note_id)),
        recordedBy: row.display_name,
        recordedAt: row.recorded_at,
      }));
    });
  }

  /** Adds a task on the case for its owner; null when the owner is not an active caseworker or manager. */
  async addTask(
    session: CurrentSession,
    caseId: string,
    task: { title: string; dueOn: string; ownerId: string },
  ): Promise<InScope<string | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const owner = await trx
        .selectFrom('users')
        .select(['role', 'status'])
        .where('organisation_id', '=', session.organisationId)
        .where('user_id', '=', task.ownerId)
        .executeTakeFirst();
      if (!owner || owner.status !== 'active' || !['caseworker', 'manager'].includes(owner.role)) return null;
      const taskId = randomUUID();
      await trx
        .insertInto('tasks')
        .values({
          organisation_id: session.organisationId,
          task_id: taskId,
          case_id: caseId,
          title: task.title,
          due_on: task.dueOn,
          owner_id: task.ownerId,
          created_by: session.user.userId,
          created_at: this.clock.now(),
          completed_at: null,
          completed_by: null,
        })
        .execute();
      await this.audit(trx, session, kase, 'case.task_added', { dueOn: task.dueOn });
      return taskId;
    });
  }

  async completeTask(session: CurrentSession, caseId: string, taskId: string): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const result = await trx
        .updateTable('tasks')
        .set({ completed_at: this.clock.now(), completed_by: session.user.userId })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('task_id', '=', taskId)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      const done = Number(result.numUpdatedRows) === 1;
      if (done) await this.audit(trx, session, kase, 'case.task_completed');
      return done;
    });
  }

  async tasksForCase(session: CurrentSession, caseId: string): Promise<InScope<TaskEntry[]>> {
    return this.scoped(session, caseId, async (trx) =>
      this.taskQuery(trx, session)
        .where('tasks.case_id', '=', caseId)
        .execute()
        .then((rows) => rows.map((row) => this.toTask(row))),
    );
  }

  /** The signed-in user's open tasks across their cases, soonest due first; overdue ones flagged. */
  async myOpenTasks(session: CurrentSession): Promise<TaskEntry[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const rows = await this.taskQuery(trx, session)
        .where('tasks.owner_id', '=', session.user.userId)
        .where('tasks.completed_at', 'is', null)
        .limit(200)
        .execute();
      return rows.map((row) => this.toTask(row));
    });
  }

  private taskQuery(trx: Trx, session: CurrentSession) {
    return trx
      .selectFrom('tasks')
      .innerJoin('cases', (join) =>
        join
          .onRef('cases.organisation_id', '=', 'tasks.organisation_id')
          .onRef('cases.case_id', '=', 'tasks.case_id'),
      )
      .innerJoin('users', (join) =>
        join
          .onRef('users.organisation_id', '=', 'tasks.organisation_id')
          .onRef('users.user_id', '=', 'tasks.owner_id'),
      )
      .select([
        'tasks.task_id',
        'tasks.case_id',
        'cases.reference',
        'tasks.title',
        'tasks.due_on',
        'users.display_name',
        'tasks.completed_at',
      ])
      .where('tasks.organisation_id', '=', session.organisationId)
      .orderBy('tasks.completed_at', (ob) => ob.desc().nullsFirst())
      .orderBy('tasks.due_on', 'asc');
  }

  private toTask(row: {
    task_id: string;
    case_id: string;
    reference: string;
    title: string;
    due_on: string;
    display_name: string;
    completed_at: Date | null;
  }): TaskEntry {
    return {
      taskId: row.task_id,
      caseId: row.case_id,
      caseReference: row.reference,
      title: row.title,
      dueOn: row.due_on,
      ownerName: row.display_name,
      completedAt: row.completed_at,
      overdue: !row.completed_at && row.due_on < ukDate(this.clock.now()),
    };
  }

  /** Closes a case with a reason and an outcome; open tasks stay as they are, shown on the closed case. */
  async close(
    session: CurrentSession,
    caseId: string,
    change: { reason: string; outcome: CloseOutcome },
  ): Promise<InScope<StatusChangeResult>> {
    return this.changeStatus(session, caseId, 'closed', change.reason, change.outcome);
  }

  /** Reopens a closed case; the history of closing and reopening is kept. */
  async reopen(
    session: CurrentSession,
    caseId: string,
    reason: string,
  ): Promise<InScope<StatusChangeResult>> {
    return this.changeStatus(session, caseId, 'active', reason, null);
  }

  private async changeStatus(
    session: CurrentSession,
    caseId: string,
    to: CaseStatus,
    reason: string,
    outcome: CloseOutcome | null,
  ): Promise<InScope<StatusChangeResult>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      if (to === 'closed' && kase.status === 'closed') return 'already_closed' as const;
      if (to !== 'closed' && kase.status !== 'closed') return 'not_closed' as const;
      const now = this.clock.now();
      const next: CaseStatus = to === 'closed' ? 'closed' : kase.allocatedTo ? 'active' : 'open';
      await trx
        .updateTable('cases')
        .set({ status: next, closed_at: next === 'closed' ? now : null })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .execute();
      await trx
        .insertInto('case_status_changes')
        .values({
          organisation_id: session.organisationId,
          change_id: randomUUID(),
          case_id: caseId,
          from_status: kase.status,
          to_status: next,
          reason,
          outcome,
          changed_by: session.user.userId,
          changed_at: now,
        })
        .execute();
      await this.audit(
        trx,
        session,
        kase,
        next === 'closed' ? 'case.closed' : 'case.reopened',
        outcome ? { outcome } : undefined,
        reason,
      );
      return 'done' as const;
    });
  }

  async statusHistory(session: CurrentSession, caseId: string): Promise<InScope<StatusChangeEntry[]>> {
    return this.scoped(session, caseId, async (trx) => {
      const rows = await trx
        .selectFrom('case_status_changes')
        .innerJoin('users', (join) =>
          join
            .onRef('users.organisation_id', '=', 'case_status_changes.organisation_id')
            .onRef('users.user_id', '=', 'case_status_changes.changed_by'),
        )
        .select(['from_status', 'to_status', 'reason', 'outcome', 'users.display_name', 'changed_at'])
        .where('case_status_changes.organisation_id', '=', session.organisationId)
        .where('case_status_changes.case_id', '=', caseId)
        .orderBy('changed_at', 'desc')
        .execute();
      return rows.map((row) => ({
        fromStatus: row.from_status,
        toStatus: row.to_status,
        reason: row.reason,
        outcome: row.outcome,
        changedBy: row.display_name,
        changedAt: row.changed_at,
      }));
    });
  }
}
