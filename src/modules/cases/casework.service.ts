import { randomUUID } from 'node:crypto';
import { inOrganisation, type Trx } from '../../db/database.ts';
import type {
  AgencyType,
  CaseServiceType,
  CaseStatus,
  CloseOutcome,
  ContactMethod,
  ContactOutcome,
  OnwardReferralOutcome,
} from '../../db/schema.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { ukDate } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import { caseVisibleTo } from './case-access.ts';
import { CaseScopedService, type InScope, type ScopedCase } from './case-scope.ts';
import {
  allocationsOfCase,
  onwardOutcomesOfCase,
  onwardReferralsOfCase,
  openingOfCase,
  servicesOfCase,
  type OnwardOutcomeRow,
  type OnwardReferralRow,
  type ServiceRow,
} from './casework.repository.ts';
import { momentOf, type CaseEvent, type TimelineFilter } from './timeline.ts';

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
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
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

/**
 * A create form's result. Its submission id became the record's id, so sending the same form again finds the
 * record already made and makes no other; an id already used on another case means the form was altered.
 */
export type Recorded = { kind: 'recorded'; id: string } | { kind: 'stale_form' };

export type NewService = { service: CaseServiceType; startedOn: string; note: string | null };
export type ServiceEntry = NewService & {
  serviceId: string;
  recordedBy: string;
  recordedAt: Date;
  endedOn: string | null;
  endedBy: string | null;
  endedAt: Date | null;
};
export type EndServiceResult = 'done' | 'not_found' | 'already_ended' | 'before_start';

export type NewOnwardReferral = {
  agencyType: AgencyType;
  agencyName: string;
  referredOn: string;
  reason: string;
  consentGiven: boolean;
  /** Why the referral was made without the client's consent; required when it was. */
  consentOverride: string | null;
};
export type NewOnwardOutcome = { outcome: OnwardReferralOutcome; outcomeOn: string; note: string | null };
export type OnwardOutcomeEntry = NewOnwardOutcome & {
  outcomeId: string;
  recordedBy: string;
  recordedAt: Date;
};
export type OnwardReferralEntry = NewOnwardReferral & {
  onwardReferralId: string;
  recordedBy: string;
  recordedAt: Date;
  /** Newest first: the first is the outcome now. Empty while nothing has been heard. */
  outcomes: OnwardOutcomeEntry[];
};

const aad = (caseId: string, kind: string, id: string) => `case:${caseId}:${kind}:${id}`;

/**
 * The day-to-day record of a case: contacts, notes, tasks, and closing or reopening. Every operation first
 * checks the case is within the caller's scope (their caseload, or any case with case:read_all), and writes an
 * audit event in the same transaction. Free text is sealed under the case's own data key.
 */
export class CaseworkService extends CaseScopedService {
  /** The case itself, if the caller may work on it: for checking scope before reading a form. */
  async caseInScope(
    session: CurrentSession,
    caseId: string,
  ): Promise<InScope<{ caseId: string; reference: string; status: CaseStatus }>> {
    return this.scoped(session, caseId, async (_trx, kase) => ({
      caseId: kase.caseId,
      reference: kase.reference,
      status: kase.status,
    }));
  }

  /**
   * Inserts a record whose id came from the form, once: a repeat of the same form on the same case is
   * `repeat` (nothing new is written or audited); the id on another case is `stale`.
   */
  private async once(
    insert: () => Promise<{ numInsertedOrUpdatedRows?: bigint } | undefined>,
    existingCaseId: () => Promise<{ case_id: string } | undefined>,
    caseId: string,
  ): Promise<'created' | 'repeat' | 'stale'> {
    const result = await insert();
    if (Number(result?.numInsertedOrUpdatedRows ?? 0) === 1) return 'created';
    return (await existingCaseId())?.case_id === caseId ? 'repeat' : 'stale';
  }

  async addContact(
    session: CurrentSession,
    caseId: string,
    contact: NewContact,
    contactId: string = randomUUID(),
  ): Promise<InScope<Recorded>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const inserted = await this.once(
        () =>
          trx
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
            .onConflict((conflict) => conflict.columns(['organisation_id', 'contact_id']).doNothing())
            .executeTakeFirst(),
        () =>
          trx
            .selectFrom('case_contacts')
            .select('case_id')
            .where('organisation_id', '=', session.organisationId)
            .where('contact_id', '=', contactId)
            .executeTakeFirst(),
        caseId,
      );
      if (inserted === 'stale') return { kind: 'stale_form' } as const;
      if (inserted === 'created')
        await this.audit(trx, session, kase, 'case.contact_recorded', {
          method: contact.method,
          safeContactFollowed: contact.safeContactFollowed,
        });
      return { kind: 'recorded', id: contactId } as const;
    });
  }

  async contacts(session: CurrentSession, caseId: string): Promise<InScope<ContactEntry[]>> {
    return this.scoped(session, caseId, (trx, kase) => this.contactsIn(trx, session, kase));
  }

  private async contactsIn(trx: Trx, session: CurrentSession, kase: ScopedCase): Promise<ContactEntry[]> {
    const caseId = kase.caseId;
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
  }

  async addNote(
    session: CurrentSession,
    caseId: string,
    body: string,
    noteId: string = randomUUID(),
  ): Promise<InScope<Recorded>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const inserted = await this.once(
        () =>
          trx
            .insertInto('case_notes')
            .values({
              organisation_id: session.organisationId,
              note_id: noteId,
              case_id: caseId,
              body_sealed: seal(kase.key, body, aad(caseId, 'note', noteId)),
              recorded_by: session.user.userId,
              recorded_at: this.clock.now(),
            })
            .onConflict((conflict) => conflict.columns(['organisation_id', 'note_id']).doNothing())
            .executeTakeFirst(),
        () =>
          trx
            .selectFrom('case_notes')
            .select('case_id')
            .where('organisation_id', '=', session.organisationId)
            .where('note_id', '=', noteId)
            .executeTakeFirst(),
        caseId,
      );
      if (inserted === 'stale') return { kind: 'stale_form' } as const;
      if (inserted === 'created') await this.audit(trx, session, kase, 'case.note_added');
      return { kind: 'recorded', id: noteId } as const;
    });
  }

  async notes(session: CurrentSession, caseId: string): Promise<InScope<NoteEntry[]>> {
    return this.scoped(session, caseId, (trx, kase) => this.notesIn(trx, session, kase));
  }

  private async notesIn(trx: Trx, session: CurrentSession, kase: ScopedCase): Promise<NoteEntry[]> {
    const caseId = kase.caseId;
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
  }

  /** Adds a task on the case for its owner; null when the owner is not an active caseworker or manager. */
  async addTask(
    session: CurrentSession,
    caseId: string,
    task: { title: string; dueOn: string; ownerId: string },
    taskId: string = randomUUID(),
  ): Promise<InScope<Recorded | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const owner = await trx
        .selectFrom('users')
        .select(['role', 'status'])
        .where('organisation_id', '=', session.organisationId)
        .where('user_id', '=', task.ownerId)
        .executeTakeFirst();
      if (!owner || owner.status !== 'active' || !['caseworker', 'manager'].includes(owner.role)) return null;
      const inserted = await this.once(
        () =>
          trx
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
            .onConflict((conflict) => conflict.columns(['organisation_id', 'task_id']).doNothing())
            .executeTakeFirst(),
        () =>
          trx
            .selectFrom('tasks')
            .select('case_id')
            .where('organisation_id', '=', session.organisationId)
            .where('task_id', '=', taskId)
            .executeTakeFirst(),
        caseId,
      );
      if (inserted === 'stale') return { kind: 'stale_form' } as const;
      if (inserted === 'created')
        await this.audit(trx, session, kase, 'case.task_added', { dueOn: task.dueOn });
      return { kind: 'recorded', id: taskId } as const;
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

  /**
   * Open tasks due by `through` (YYYY-MM-DD), overdue ones included, on cases that are not closed: the signed-in
   * user's own, or for `team` those on every case they may open (see `caseVisibleTo`). Soonest due first. In the
   * caller's transaction: the caseload page reads them with its cases.
   */
  async openTasksDueIn(
    trx: Trx,
    session: CurrentSession,
    view: 'mine' | 'team',
    through: string,
  ): Promise<TaskEntry[]> {
    let query = this.taskQuery(trx, session)
      .where('tasks.completed_at', 'is', null)
      .where('tasks.due_on', '<=', through)
      .where('cases.status', '<>', 'closed');
    query =
      view === 'mine'
        ? query.where('tasks.owner_id', '=', session.user.userId)
        : query.where(caseVisibleTo(session, this.clock.now()));
    const rows = await query.limit(200).execute();
    return rows.map((row) => this.toTask(row));
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
      .innerJoin('users as creator', (join) =>
        join
          .onRef('creator.organisation_id', '=', 'tasks.organisation_id')
          .onRef('creator.user_id', '=', 'tasks.created_by'),
      )
      .leftJoin('users as completer', (join) =>
        join
          .onRef('completer.organisation_id', '=', 'tasks.organisation_id')
          .onRef('completer.user_id', '=', 'tasks.completed_by'),
      )
      .select([
        'tasks.task_id',
        'tasks.case_id',
        'cases.reference',
        'tasks.title',
        'tasks.due_on',
        'users.display_name',
        'creator.display_name as created_by_name',
        'tasks.created_at',
        'tasks.completed_at',
        'completer.display_name as completed_by_name',
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
    created_by_name: string;
    created_at: Date;
    completed_at: Date | null;
    completed_by_name: string | null;
  }): TaskEntry {
    return {
      taskId: row.task_id,
      caseId: row.case_id,
      caseReference: row.reference,
      title: row.title,
      dueOn: row.due_on,
      ownerName: row.display_name,
      createdBy: row.created_by_name,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      completedBy: row.completed_by_name,
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
    return this.scoped(session, caseId, (trx) => this.statusHistoryIn(trx, session, caseId));
  }

  private async statusHistoryIn(
    trx: Trx,
    session: CurrentSession,
    caseId: string,
  ): Promise<StatusChangeEntry[]> {
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
  }

  /** Records a service given to the client, from a start date; the note is sealed under the case key. */
  async addService(
    session: CurrentSession,
    caseId: string,
    service: NewService,
    serviceId: string = randomUUID(),
  ): Promise<InScope<Recorded>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const inserted = await this.once(
        () =>
          trx
            .insertInto('case_services')
            .values({
              organisation_id: session.organisationId,
              service_id: serviceId,
              case_id: caseId,
              service: service.service,
              started_on: service.startedOn,
              note_sealed: service.note
                ? seal(kase.key, service.note, aad(caseId, 'service', serviceId))
                : null,
              recorded_by: session.user.userId,
              recorded_at: this.clock.now(),
              ended_on: null,
              ended_by: null,
              ended_at: null,
            })
            .onConflict((conflict) => conflict.columns(['organisation_id', 'service_id']).doNothing())
            .executeTakeFirst(),
        () =>
          trx
            .selectFrom('case_services')
            .select('case_id')
            .where('organisation_id', '=', session.organisationId)
            .where('service_id', '=', serviceId)
            .executeTakeFirst(),
        caseId,
      );
      if (inserted === 'stale') return { kind: 'stale_form' } as const;
      if (inserted === 'created')
        await this.audit(trx, session, kase, 'case.service_recorded', {
          service: service.service,
          startedOn: service.startedOn,
        });
      return { kind: 'recorded', id: serviceId } as const;
    });
  }

  /** The services given on a case, in the order they started. */
  async services(session: CurrentSession, caseId: string): Promise<InScope<ServiceEntry[]>> {
    return this.scoped(session, caseId, (trx, kase) => this.servicesIn(trx, session, kase));
  }

  private async servicesIn(trx: Trx, session: CurrentSession, kase: ScopedCase): Promise<ServiceEntry[]> {
    const rows = await servicesOfCase(trx, session.organisationId, kase.caseId).execute();
    return rows.map((row) => this.toService(row, kase));
  }

  private toService(row: ServiceRow, kase: ScopedCase): ServiceEntry {
    return {
      serviceId: row.service_id,
      service: row.service,
      startedOn: row.started_on,
      note: row.note_sealed
        ? openText(kase.key, row.note_sealed, aad(kase.caseId, 'service', row.service_id))
        : null,
      recordedBy: row.recorded_by_name,
      recordedAt: row.recorded_at,
      endedOn: row.ended_on,
      endedBy: row.ended_by_name,
      endedAt: row.ended_at,
    };
  }

  /** One service on a case, for the form that ends it; null when the case has no such service. Audited. */
  async service(
    session: CurrentSession,
    caseId: string,
    serviceId: string,
  ): Promise<InScope<ServiceEntry | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await servicesOfCase(trx, session.organisationId, caseId)
        .where('case_services.service_id', '=', serviceId)
        .executeTakeFirst();
      if (!row) return null;
      await this.audit(trx, session, kase, 'case.service_viewed', { service: row.service });
      return this.toService(row, kase);
    });
  }

  /** Ends a service on a date no earlier than its start; ending it again changes nothing. */
  async endService(
    session: CurrentSession,
    caseId: string,
    serviceId: string,
    endedOn: string,
  ): Promise<InScope<EndServiceResult>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const found = await trx
        .selectFrom('case_services')
        .select(['service', 'started_on', 'ended_on'])
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('service_id', '=', serviceId)
        .forUpdate()
        .executeTakeFirst();
      if (!found) return 'not_found' as const;
      if (found.ended_on !== null) return 'already_ended' as const;
      if (endedOn < found.started_on) return 'before_start' as const;
      await trx
        .updateTable('case_services')
        .set({ ended_on: endedOn, ended_by: session.user.userId, ended_at: this.clock.now() })
        .where('organisation_id', '=', session.organisationId)
        .where('service_id', '=', serviceId)
        .where('ended_on', 'is', null)
        .execute();
      await this.audit(trx, session, kase, 'case.service_ended', { service: found.service, endedOn });
      return 'done' as const;
    });
  }

  /** Records a referral on to another agency. Without the client's consent, the reason for going ahead is kept. */
  async addOnwardReferral(
    session: CurrentSession,
    caseId: string,
    referral: NewOnwardReferral,
    onwardReferralId: string = randomUUID(),
  ): Promise<InScope<Recorded>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const sealed = (field: string, value: string) =>
        seal(kase.key, value, aad(caseId, `onward-referral-${field}`, onwardReferralId));
      const inserted = await this.once(
        () =>
          trx
            .insertInto('onward_referrals')
            .values({
              organisation_id: session.organisationId,
              onward_referral_id: onwardReferralId,
              case_id: caseId,
              agency_type: referral.agencyType,
              agency_name_sealed: sealed('agency', referral.agencyName),
              referred_on: referral.referredOn,
              reason_sealed: sealed('reason', referral.reason),
              consent_given: referral.consentGiven,
              consent_override_sealed:
                !referral.consentGiven && referral.consentOverride
                  ? sealed('consent-override', referral.consentOverride)
                  : null,
              recorded_by: session.user.userId,
              recorded_at: this.clock.now(),
            })
            .onConflict((conflict) => conflict.columns(['organisation_id', 'onward_referral_id']).doNothing())
            .executeTakeFirst(),
        () =>
          trx
            .selectFrom('onward_referrals')
            .select('case_id')
            .where('organisation_id', '=', session.organisationId)
            .where('onward_referral_id', '=', onwardReferralId)
            .executeTakeFirst(),
        caseId,
      );
      if (inserted === 'stale') return { kind: 'stale_form' } as const;
      if (inserted === 'created')
        await this.audit(trx, session, kase, 'case.onward_referral_recorded', {
          agencyType: referral.agencyType,
          consentGiven: referral.consentGiven,
        });
      return { kind: 'recorded', id: onwardReferralId } as const;
    });
  }

  /** Referrals on from a case, in the order they were made, each with every outcome heard (newest first). */
  async onwardReferrals(session: CurrentSession, caseId: string): Promise<InScope<OnwardReferralEntry[]>> {
    return this.scoped(session, caseId, (trx, kase) => this.onwardReferralsIn(trx, session, kase));
  }

  private async onwardReferralsIn(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
  ): Promise<OnwardReferralEntry[]> {
    const [referrals, outcomes] = await Promise.all([
      onwardReferralsOfCase(trx, session.organisationId, kase.caseId).execute(),
      onwardOutcomesOfCase(trx, session.organisationId, kase.caseId).execute(),
    ]);
    return referrals.map((row) =>
      this.toOnwardReferral(
        row,
        outcomes.filter((outcome) => outcome.onward_referral_id === row.onward_referral_id),
        kase,
      ),
    );
  }

  private toOnwardReferral(
    row: OnwardReferralRow,
    outcomes: OnwardOutcomeRow[],
    kase: ScopedCase,
  ): OnwardReferralEntry {
    const open = (field: string, value: Buffer) =>
      openText(kase.key, value, aad(kase.caseId, `onward-referral-${field}`, row.onward_referral_id));
    return {
      onwardReferralId: row.onward_referral_id,
      agencyType: row.agency_type,
      agencyName: open('agency', row.agency_name_sealed),
      referredOn: row.referred_on,
      reason: open('reason', row.reason_sealed),
      consentGiven: row.consent_given,
      consentOverride: row.consent_override_sealed
        ? open('consent-override', row.consent_override_sealed)
        : null,
      recordedBy: row.recorded_by_name,
      recordedAt: row.recorded_at,
      outcomes: outcomes
        .map((outcome) => ({
          outcomeId: outcome.outcome_id,
          outcome: outcome.outcome,
          outcomeOn: outcome.outcome_on,
          note: outcome.note_sealed
            ? openText(kase.key, outcome.note_sealed, aad(kase.caseId, 'onward-outcome', outcome.outcome_id))
            : null,
          recordedBy: outcome.recorded_by_name,
          recordedAt: outcome.recorded_at,
        }))
        .reverse(),
    };
  }

  /** One referral on, with its outcomes, for the form that adds one; null when not this case's. Audited. */
  async onwardReferral(
    session: CurrentSession,
    caseId: string,
    onwardReferralId: string,
  ): Promise<InScope<OnwardReferralEntry | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const [row, outcomes] = await Promise.all([
        onwardReferralsOfCase(trx, session.organisationId, caseId)
          .where('onward_referrals.onward_referral_id', '=', onwardReferralId)
          .executeTakeFirst(),
        onwardOutcomesOfCase(trx, session.organisationId, caseId)
          .where('onward_referral_outcomes.onward_referral_id', '=', onwardReferralId)
          .execute(),
      ]);
      if (!row) return null;
      await this.audit(trx, session, kase, 'case.onward_referral_viewed', { agencyType: row.agency_type });
      return this.toOnwardReferral(row, outcomes, kase);
    });
  }

  /**
   * Adds what has happened to a referral on (accepted, declined, still waiting...). Earlier outcomes stay: the
   * newest is the outcome now. `not_found` when the referral is not one of this case's.
   */
  async addOnwardOutcome(
    session: CurrentSession,
    caseId: string,
    onwardReferralId: string,
    outcome: NewOnwardOutcome,
    outcomeId: string = randomUUID(),
  ): Promise<InScope<Recorded | { kind: 'not_found' } | { kind: 'before_referral' }>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const referral = await trx
        .selectFrom('onward_referrals')
        .select(['agency_type', 'referred_on'])
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('onward_referral_id', '=', onwardReferralId)
        .executeTakeFirst();
      if (!referral) return { kind: 'not_found' } as const;
      if (outcome.outcomeOn < referral.referred_on) return { kind: 'before_referral' } as const;
      const inserted = await this.once(
        () =>
          trx
            .insertInto('onward_referral_outcomes')
            .values({
              organisation_id: session.organisationId,
              outcome_id: outcomeId,
              case_id: caseId,
              onward_referral_id: onwardReferralId,
              outcome: outcome.outcome,
              outcome_on: outcome.outcomeOn,
              note_sealed: outcome.note
                ? seal(kase.key, outcome.note, aad(caseId, 'onward-outcome', outcomeId))
                : null,
              recorded_by: session.user.userId,
              recorded_at: this.clock.now(),
            })
            .onConflict((conflict) => conflict.columns(['organisation_id', 'outcome_id']).doNothing())
            .executeTakeFirst(),
        () =>
          trx
            .selectFrom('onward_referral_outcomes')
            .select('case_id')
            .where('organisation_id', '=', session.organisationId)
            .where('outcome_id', '=', outcomeId)
            .where('onward_referral_id', '=', onwardReferralId)
            .executeTakeFirst(),
        caseId,
      );
      if (inserted === 'stale') return { kind: 'stale_form' } as const;
      if (inserted === 'created')
        await this.audit(trx, session, kase, 'case.onward_referral_outcome_recorded', {
          agencyType: referral.agency_type,
          outcome: outcome.outcome,
        });
      return { kind: 'recorded', id: outcomeId } as const;
    });
  }

  /**
   * Everything recorded on a case, as events (newest first once arranged), of one kind or all: opening,
   * allocations, contacts, notes, tasks, closing and reopening, services and referrals on. Perpetrators linked
   * come from their own module. Reading it is audited like opening the case.
   */
  async timeline(
    session: CurrentSession,
    caseId: string,
    filter: TimelineFilter,
  ): Promise<InScope<CaseEvent[]>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const wants = (kind: TimelineFilter) => filter === 'all' || filter === kind;
      const events: CaseEvent[] = [];
      const organisationId = session.organisationId;
      if (wants('case')) {
        const opening = await openingOfCase(trx, organisationId, caseId);
        events.push({ type: 'opened', at: opening.opened_at, by: opening.display_name });
        const allocations = await allocationsOfCase(trx, organisationId, caseId);
        allocations.forEach((allocation, index) =>
          events.push({
            type: 'allocated',
            at: allocation.allocated_at,
            by: allocation.allocator_name,
            to: allocation.holder_name,
            reallocation: index > 0,
          }),
        );
        for (const change of (await this.statusHistoryIn(trx, session, caseId)).reverse()) {
          events.push(
            change.toStatus === 'closed'
              ? {
                  type: 'closed',
                  at: change.changedAt,
                  by: change.changedBy,
                  reason: change.reason,
                  outcome: change.outcome,
                }
              : { type: 'reopened', at: change.changedAt, by: change.changedBy, reason: change.reason },
          );
        }
      }
      if (wants('contacts')) {
        for (const contact of (await this.contactsIn(trx, session, kase)).reverse())
          events.push({ type: 'contact', at: contact.occurredAt, by: contact.recordedBy, contact });
      }
      if (wants('notes')) {
        for (const note of (await this.notesIn(trx, session, kase)).reverse())
          events.push({ type: 'note', at: note.recordedAt, by: note.recordedBy, body: note.body });
      }
      if (wants('tasks')) {
        const tasks = await this.taskQuery(trx, session).where('tasks.case_id', '=', caseId).execute();
        for (const task of tasks.map((row) => this.toTask(row))) {
          events.push({
            type: 'task_added',
            at: task.createdAt,
            by: task.createdBy,
            title: task.title,
            dueOn: task.dueOn,
            owner: task.ownerName,
          });
          if (task.completedAt)
            events.push({
              type: 'task_completed',
              at: task.completedAt,
              by: task.completedBy,
              title: task.title,
            });
        }
      }
      if (wants('services')) {
        for (const service of await this.servicesIn(trx, session, kase)) {
          events.push({
            type: 'service_started',
            at: momentOf(service.startedOn, service.recordedAt),
            on: service.startedOn,
            by: service.recordedBy,
            service: service.service,
            note: service.note,
          });
          if (service.endedOn && service.endedAt)
            events.push({
              type: 'service_ended',
              at: momentOf(service.endedOn, service.endedAt),
              on: service.endedOn,
              by: service.endedBy,
              service: service.service,
            });
        }
      }
      if (wants('onward_referrals')) {
        for (const referral of await this.onwardReferralsIn(trx, session, kase)) {
          events.push({
            type: 'onward_referral',
            at: momentOf(referral.referredOn, referral.recordedAt),
            on: referral.referredOn,
            by: referral.recordedBy,
            agencyType: referral.agencyType,
            agencyName: referral.agencyName,
            reason: referral.reason,
            consentGiven: referral.consentGiven,
            consentOverride: referral.consentOverride,
          });
          for (const outcome of [...referral.outcomes].reverse())
            events.push({
              type: 'onward_outcome',
              at: momentOf(outcome.outcomeOn, outcome.recordedAt),
              on: outcome.outcomeOn,
              by: outcome.recordedBy,
              agencyType: referral.agencyType,
              agencyName: referral.agencyName,
              outcome: outcome.outcome,
              note: outcome.note,
            });
        }
      }
      await this.audit(trx, session, kase, 'case.timeline_viewed', { kind: filter });
      return events;
    });
  }
}
