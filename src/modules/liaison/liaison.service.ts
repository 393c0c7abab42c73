import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { inOrganisation, type Trx } from '../../db/database.ts';
import type {
  CourtType,
  CrimeStatus,
  HearingOutcome,
  HearingSupport,
  HearingType,
  Offence,
  PoliceContactRole,
  SpecialMeasure,
} from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import { can } from '../../platform/permissions.ts';
import { caseVisibleTo } from '../cases/case-access.ts';
import {
  CaseScopedService,
  lockCase,
  type CaseServiceDeps,
  type InScope,
  type ScopedCase,
} from '../cases/case-scope.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import {
  calendarHearings,
  crimeReferencesOf,
  crimeUpdatesOf,
  hearingsOf,
  policeContactVersions,
  type CalendarRow,
  type HearingRow,
  type PoliceContactVersionRow,
} from './liaison.repository.ts';
import {
  closeHearingReminder,
  DEFAULT_COURT_SETTINGS,
  syncHearingReminder,
  type CourtSettings,
} from './reminders.ts';

export type PoliceContactForm = {
  force: string;
  officerName: string;
  collarNumber: string | null;
  role: PoliceContactRole;
  phone: string | null;
  email: string | null;
  notes: string | null;
};

export type PoliceContactVersion = PoliceContactForm & {
  version: number;
  involved: boolean;
  recordedAt: Date;
  recordedBy: string;
};

export type PoliceContact = {
  contactId: string;
  current: PoliceContactVersion;
  /** Earlier versions, most recent first. */
  earlier: PoliceContactVersion[];
};

export type CrimeReferenceForm = {
  reference: string;
  force: string;
  offence: Offence;
  offenceDetail: string | null;
  status: CrimeStatus;
  statusOn: string;
  note: string | null;
};

export type CrimeUpdateForm = { status: CrimeStatus; statusOn: string; note: string | null };

export type CrimeUpdate = CrimeUpdateForm & { updateId: string; recordedAt: Date; recordedBy: string };

export type CrimeReference = {
  crimeReferenceId: string;
  reference: string;
  force: string;
  offence: Offence;
  offenceDetail: string | null;
  recordedAt: Date;
  recordedBy: string;
  /** Status updates, oldest first; the last is where it stands. */
  updates: CrimeUpdate[];
};

export type HearingForm = {
  courtType: CourtType;
  venue: string;
  startsAt: Date;
  hearingType: HearingType;
  hearingTypeOther: string | null;
  crimeReferenceId: string | null;
  support: HearingSupport[];
  measuresRequested: SpecialMeasure[];
  measuresGranted: SpecialMeasure[];
  notes: string | null;
};

export type Hearing = HearingForm & {
  hearingId: string;
  outcome: HearingOutcome | null;
  outcomeNote: string | null;
  hasReminder: boolean;
};

export type CaseLiaison = {
  contacts: PoliceContact[];
  crimeReferences: CrimeReference[];
  hearings: Hearing[];
};

export type CalendarHearing = {
  hearingId: string;
  caseId: string;
  reference: string;
  courtType: CourtType;
  venue: string;
  startsAt: Date;
  hearingType: HearingType;
  support: HearingSupport[];
  measuresRequested: SpecialMeasure[];
  measuresGranted: SpecialMeasure[];
  outcome: HearingOutcome | null;
  updatedAt: Date;
};

export type CalendarView = 'mine' | 'team';

export type Created = 'recorded' | 'stale_form';

/** How far back the calendar reaches: hearings in the last this-many days still show (awaiting an outcome). */
export const CALENDAR_PAST_DAYS = 28;

const contactAad = (caseId: string, contactId: string, version: number) =>
  `case:${caseId}:police-contact:${contactId}:${version}`;
const offenceAad = (caseId: string, id: string) => `case:${caseId}:crime-offence:${id}`;
const crimeNoteAad = (caseId: string, updateId: string) => `case:${caseId}:crime-update:${updateId}`;
const hearingNotesAad = (caseId: string, hearingId: string) => `case:${caseId}:hearing-notes:${hearingId}`;
const outcomeAad = (caseId: string, hearingId: string) => `case:${caseId}:hearing-outcome:${hearingId}`;

const contactDetailsShape = z.object({
  phone: z.string().nullable(),
  email: z.string().nullable(),
  notes: z.string().nullable(),
});
const hearingNotesShape = z.object({ hearingTypeOther: z.string().nullable(), notes: z.string().nullable() });

export type LiaisonDeps = CaseServiceDeps & { court?: CourtSettings };

/**
 * Police liaison and court support on a case: the officers involved (kept as versions, never overwritten),
 * crime references with their history of updates (append-only), and court hearings with the support given and
 * one reminder each. Every operation is within the caller's record scope and audited, never with content.
 */
export class LiaisonService extends CaseScopedService {
  readonly court: CourtSettings;

  constructor(deps: LiaisonDeps) {
    super(deps);
    this.court = deps.court ?? DEFAULT_COURT_SETTINGS;
  }

  // Police contacts.

  private contactsOf(kase: ScopedCase, rows: PoliceContactVersionRow[]): PoliceContact[] {
    const byContact = new Map<string, PoliceContactVersion[]>();
    for (const row of rows) {
      const details = openDocument(
        kase.key,
        row.details_sealed,
        contactAad(kase.caseId, row.contact_id, row.version),
        contactDetailsShape,
      );
      const versions = byContact.get(row.contact_id) ?? [];
      versions.push({
        version: row.version,
        force: row.force,
        officerName: row.officer_name,
        collarNumber: row.collar_number,
        role: row.role,
        ...details,
        involved: row.involved,
        recordedAt: row.recorded_at,
        recordedBy: row.recorded_by_name,
      });
      byContact.set(row.contact_id, versions);
    }
    return [...byContact.entries()]
      .map(([contactId, versions]) => ({
        contactId,
        current: versions.at(-1)!,
        earlier: versions.slice(0, -1).reverse(),
      }))
      .sort(
        (a, b) =>
          Number(b.current.involved) - Number(a.current.involved) ||
          a.current.officerName.localeCompare(b.current.officerName),
      );
  }

  private async insertContactVersion(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    version: { contactId: string; version: number; submissionId: string; involved: boolean },
    form: PoliceContactForm,
  ) {
    await trx
      .insertInto('police_contact_versions')
      .values({
        organisation_id: session.organisationId,
        contact_id: version.contactId,
        version: version.version,
        case_id: kase.caseId,
        submission_id: version.submissionId,
        force: form.force,
        officer_name: form.officerName,
        collar_number: form.collarNumber,
        role: form.role,
        details_sealed: sealDocument(
          kase.key,
          { phone: form.phone, email: form.email, notes: form.notes },
          contactAad(kase.caseId, version.contactId, version.version),
        ),
        involved: version.involved,
        recorded_at: this.clock.now(),
        recorded_by: session.user.userId,
      })
      .execute();
  }

  /** A submission id already used: the same form again (done), or one from another record (stale). */
  private async submissionUsed(trx: Trx, session: CurrentSession, submissionId: string) {
    return trx
      .selectFrom('police_contact_versions')
      .select(['case_id', 'contact_id'])
      .where('organisation_id', '=', session.organisationId)
      .where('submission_id', '=', submissionId)
      .executeTakeFirst();
  }

  /** Adds a police contact; the submission id is its id, so a double submit adds one. */
  async addContact(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: PoliceContactForm,
  ): Promise<InScope<Created>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<Created> => {
      const used = await this.submissionUsed(trx, session, submissionId);
      if (used)
        return used.case_id === caseId && used.contact_id === submissionId ? 'recorded' : 'stale_form';
      await this.insertContactVersion(
        trx,
        session,
        kase,
        { contactId: submissionId, version: 1, submissionId, involved: true },
        form,
      );
      await this.audit(trx, session, kase, 'police.contact_added', { role: form.role });
      return 'recorded';
    });
  }

  private async loadContact(trx: Trx, session: CurrentSession, kase: ScopedCase, contactId: string) {
    const rows = (await policeContactVersions(trx, session.organisationId, kase.caseId)).filter(
      (row) => row.contact_id === contactId,
    );
    return rows.length ? this.contactsOf(kase, rows)[0]! : null;
  }

  /** One police contact with its earlier versions. */
  async contact(
    session: CurrentSession,
    caseId: string,
    contactId: string,
  ): Promise<InScope<PoliceContact | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const found = await this.loadContact(trx, session, kase, contactId);
      if (found)
        await this.audit(trx, session, kase, 'police.contact_viewed', { versions: found.earlier.length + 1 });
      return found;
    });
  }

  /**
   * Changes a police contact: the change is the next version, the earlier ones kept. The submission id is the
   * version's, so a double submit changes it once.
   */
  async changeContact(
    session: CurrentSession,
    caseId: string,
    contactId: string,
    submissionId: string,
    form: PoliceContactForm,
  ): Promise<InScope<'changed' | 'not_found' | 'stale_form'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      await lockCase(trx, session.organisationId, caseId);
      const used = await this.submissionUsed(trx, session, submissionId);
      if (used) return used.case_id === caseId && used.contact_id === contactId ? 'changed' : 'stale_form';
      const found = await this.loadContact(trx, session, kase, contactId);
      if (!found) return 'not_found';
      const version = found.current.version + 1;
      await this.insertContactVersion(
        trx,
        session,
        kase,
        { contactId, version, submissionId, involved: found.current.involved },
        form,
      );
      await this.audit(trx, session, kase, 'police.contact_changed', { version });
      return 'changed';
    });
  }

  /** Marks a police contact as no longer involved (a new version); once is enough. */
  async markNotInvolved(
    session: CurrentSession,
    caseId: string,
    contactId: string,
  ): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      await lockCase(trx, session.organisationId, caseId);
      const found = await this.loadContact(trx, session, kase, contactId);
      if (!found) return false;
      if (!found.current.involved) return true;
      const version = found.current.version + 1;
      const current = found.current;
      await this.insertContactVersion(
        trx,
        session,
        kase,
        { contactId, version, submissionId: randomUUID(), involved: false },
        {
          force: current.force,
          officerName: current.officerName,
          collarNumber: current.collarNumber,
          role: current.role,
          phone: current.phone,
          email: current.email,
          notes: current.notes,
        },
      );
      await this.audit(trx, session, kase, 'police.contact_not_involved', { version });
      return true;
    });
  }

  // Crime references.

  private crimeReferencesFrom(
    kase: ScopedCase,
    references: Awaited<ReturnType<typeof crimeReferencesOf>>,
    updates: Awaited<ReturnType<typeof crimeUpdatesOf>>,
  ): CrimeReference[] {
    return references.map((row) => ({
      crimeReferenceId: row.crime_reference_id,
      reference: row.reference,
      force: row.force,
      offence: row.offence,
      offenceDetail: row.offence_detail_sealed
        ? openText(kase.key, row.offence_detail_sealed, offenceAad(kase.caseId, row.crime_reference_id))
        : null,
      recordedAt: row.recorded_at,
      recordedBy: row.recorded_by_name,
      updates: updates
        .filter((update) => update.crime_reference_id === row.crime_reference_id)
        .map((update) => ({
          updateId: update.update_id,
          status: update.status,
          statusOn: update.status_on,
          note: update.note_sealed
            ? openText(kase.key, update.note_sealed, crimeNoteAad(kase.caseId, update.update_id))
            : null,
          recordedAt: update.recorded_at,
          recordedBy: update.recorded_by_name,
        })),
    }));
  }

  private async insertCrimeUpdate(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    crimeReferenceId: string,
    updateId: string,
    update: CrimeUpdateForm,
  ) {
    await trx
      .insertInto('crime_reference_updates')
      .values({
        organisation_id: session.organisationId,
        update_id: updateId,
        crime_reference_id: crimeReferenceId,
        case_id: kase.caseId,
        status: update.status,
        status_on: update.statusOn,
        note_sealed: update.note ? seal(kase.key, update.note, crimeNoteAad(kase.caseId, updateId)) : null,
        recorded_at: this.clock.now(),
        recorded_by: session.user.userId,
      })
      .execute();
  }

  /** Adds a crime reference with its first status; the submission id is its id (and its first update's). */
  async addCrimeReference(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: CrimeReferenceForm,
  ): Promise<InScope<Created>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<Created> => {
      const existing = await trx
        .selectFrom('crime_references')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('crime_reference_id', '=', submissionId)
        .executeTakeFirst();
      if (existing) return existing.case_id === caseId ? 'recorded' : 'stale_form';
      await trx
        .insertInto('crime_references')
        .values({
          organisation_id: session.organisationId,
          crime_reference_id: submissionId,
          case_id: caseId,
          reference: form.reference,
          force: form.force,
          offence: form.offence,
          offence_detail_sealed: form.offenceDetail
            ? seal(kase.key, form.offenceDetail, offenceAad(caseId, submissionId))
            : null,
          recorded_at: this.clock.now(),
          recorded_by: session.user.userId,
        })
        .execute();
      await this.insertCrimeUpdate(trx, session, kase, submissionId, submissionId, form);
      await this.audit(trx, session, kase, 'police.crime_reference_added', {
        offence: form.offence,
        status: form.status,
      });
      return 'recorded';
    });
  }

  private async loadCrimeReference(trx: Trx, session: CurrentSession, kase: ScopedCase, id: string) {
    const references = (await crimeReferencesOf(trx, session.organisationId, kase.caseId)).filter(
      (row) => row.crime_reference_id === id,
    );
    if (!references.length) return null;
    const updates = await crimeUpdatesOf(trx, session.organisationId, kase.caseId);
    return this.crimeReferencesFrom(kase, references, updates)[0]!;
  }

  /** One crime reference with its history of updates. */
  async crimeReference(
    session: CurrentSession,
    caseId: string,
    crimeReferenceId: string,
  ): Promise<InScope<CrimeReference | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const found = await this.loadCrimeReference(trx, session, kase, crimeReferenceId);
      if (found)
        await this.audit(trx, session, kase, 'police.crime_reference_viewed', {
          updates: found.updates.length,
        });
      return found;
    });
  }

  /** Adds a status update to a crime reference; the submission id is the update's id. */
  async addCrimeUpdate(
    session: CurrentSession,
    caseId: string,
    crimeReferenceId: string,
    submissionId: string,
    update: CrimeUpdateForm,
  ): Promise<InScope<'added' | 'not_found' | 'stale_form'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const reference = await trx
        .selectFrom('crime_references')
        .select('crime_reference_id')
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('crime_reference_id', '=', crimeReferenceId)
        .executeTakeFirst();
      if (!reference) return 'not_found';
      const existing = await trx
        .selectFrom('crime_reference_updates')
        .select('crime_reference_id')
        .where('organisation_id', '=', session.organisationId)
        .where('update_id', '=', submissionId)
        .executeTakeFirst();
      if (existing) return existing.crime_reference_id === crimeReferenceId ? 'added' : 'stale_form';
      await this.insertCrimeUpdate(trx, session, kase, crimeReferenceId, submissionId, update);
      await this.audit(trx, session, kase, 'police.crime_reference_updated', { status: update.status });
      return 'added';
    });
  }

  // Court hearings.

  private hearingFrom(kase: ScopedCase, row: HearingRow, openTask: boolean): Hearing {
    const notes = openDocument(
      kase.key,
      row.notes_sealed,
      hearingNotesAad(kase.caseId, row.hearing_id),
      hearingNotesShape,
    );
    return {
      hearingId: row.hearing_id,
      courtType: row.court_type,
      venue: row.venue,
      startsAt: row.starts_at,
      hearingType: row.hearing_type,
      hearingTypeOther: notes.hearingTypeOther,
      crimeReferenceId: row.crime_reference_id,
      support: row.support,
      measuresRequested: row.measures_requested,
      measuresGranted: row.measures_granted,
      notes: notes.notes,
      outcome: row.outcome,
      outcomeNote: row.outcome_sealed
        ? openText(kase.key, row.outcome_sealed, outcomeAad(kase.caseId, row.hearing_id))
        : null,
      hasReminder: openTask,
    };
  }

  private async hearingsWithReminders(trx: Trx, session: CurrentSession, kase: ScopedCase) {
    const rows = await hearingsOf(trx, session.organisationId, kase.caseId);
    const taskIds = rows.map((row) => row.reminder_task_id).filter((id): id is string => id !== null);
    const open = new Set(
      taskIds.length
        ? (
            await trx
              .selectFrom('tasks')
              .select('task_id')
              .where('organisation_id', '=', session.organisationId)
              .where('task_id', 'in', taskIds)
              .where('completed_at', 'is', null)
              .execute()
          ).map((row) => row.task_id)
        : [],
    );
    return rows.map((row) =>
      this.hearingFrom(kase, row, row.reminder_task_id !== null && open.has(row.reminder_task_id)),
    );
  }

  /** Whether a crime reference chosen on a hearing form belongs to the case. */
  private async crimeReferenceOnCase(trx: Trx, session: CurrentSession, caseId: string, id: string | null) {
    if (id === null) return true;
    const found = await trx
      .selectFrom('crime_references')
      .select('crime_reference_id')
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .where('crime_reference_id', '=', id)
      .executeTakeFirst();
    return found !== undefined;
  }

  /** The reminder's owner: the case's caseworker, or (unallocated) whoever is recording. */
  private async reminderOwner(trx: Trx, session: CurrentSession, kase: ScopedCase): Promise<string> {
    if (!kase.allocatedTo) return session.user.userId;
    const owner = await trx
      .selectFrom('users')
      .select(['role', 'status'])
      .where('organisation_id', '=', session.organisationId)
      .where('user_id', '=', kase.allocatedTo)
      .executeTakeFirst();
    return owner?.status === 'active' && ['caseworker', 'manager'].includes(owner.role)
      ? kase.allocatedTo
      : session.user.userId;
  }

  private async syncReminder(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    hearingId: string,
    at: Date,
  ) {
    return syncHearingReminder(
      trx,
      {
        organisationId: session.organisationId,
        caseId: kase.caseId,
        hearingId,
        startsAt: at,
        ownerId: await this.reminderOwner(trx, session, kase),
        userId: session.user.userId,
        now: this.clock.now(),
      },
      this.court,
    );
  }

  /**
   * Adds a court hearing and its reminder task; the submission id is its id, so a double submit adds one.
   * 'no_such_reference' when the crime reference chosen is not the case's (an altered form).
   */
  async addHearing(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: HearingForm,
  ): Promise<InScope<Created | 'no_such_reference'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const existing = await trx
        .selectFrom('court_hearings')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('hearing_id', '=', submissionId)
        .executeTakeFirst();
      if (existing) return existing.case_id === caseId ? 'recorded' : 'stale_form';
      if (!(await this.crimeReferenceOnCase(trx, session, caseId, form.crimeReferenceId)))
        return 'no_such_reference';
      const now = this.clock.now();
      await trx
        .insertInto('court_hearings')
        .values({
          organisation_id: session.organisationId,
          hearing_id: submissionId,
          case_id: caseId,
          ...this.hearingColumns(kase, submissionId, form),
          outcome: null,
          outcome_sealed: null,
          outcome_recorded_at: null,
          outcome_recorded_by: null,
          reminder_task_id: null,
          created_at: now,
          created_by: session.user.userId,
          updated_at: now,
          updated_by: session.user.userId,
        })
        .execute();
      const reminder = await this.syncReminder(trx, session, kase, submissionId, form.startsAt);
      await this.audit(trx, session, kase, 'court.hearing_added', {
        courtType: form.courtType,
        hearingType: form.hearingType,
        reminder: reminder === 'raised',
      });
      return 'recorded';
    });
  }

  private hearingColumns(kase: ScopedCase, hearingId: string, form: HearingForm) {
    return {
      court_type: form.courtType,
      venue: form.venue,
      starts_at: form.startsAt,
      hearing_type: form.hearingType,
      crime_reference_id: form.crimeReferenceId,
      support: form.support,
      measures_requested: form.measuresRequested,
      measures_granted: form.measuresGranted,
      notes_sealed: sealDocument(
        kase.key,
        { hearingTypeOther: form.hearingTypeOther, notes: form.notes },
        hearingNotesAad(kase.caseId, hearingId),
      ),
    };
  }

  /** One hearing (for its change and outcome pages). */
  async hearing(
    session: CurrentSession,
    caseId: string,
    hearingId: string,
  ): Promise<InScope<{ hearing: Hearing; crimeReferences: CrimeReference[] } | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const hearing = (await this.hearingsWithReminders(trx, session, kase)).find(
        (candidate) => candidate.hearingId === hearingId,
      );
      if (!hearing) return null;
      await this.audit(trx, session, kase, 'court.hearing_viewed', {});
      return { hearing, crimeReferences: await this.crimeReferencesOfCase(trx, session, kase) };
    });
  }

  private async crimeReferencesOfCase(trx: Trx, session: CurrentSession, kase: ScopedCase) {
    const [references, updates] = await Promise.all([
      crimeReferencesOf(trx, session.organisationId, kase.caseId),
      crimeUpdatesOf(trx, session.organisationId, kase.caseId),
    ]);
    return this.crimeReferencesFrom(kase, references, updates);
  }

  /** The case's crime references, to choose from on a hearing form. */
  async crimeReferences(session: CurrentSession, caseId: string): Promise<InScope<CrimeReference[]>> {
    return this.scoped(session, caseId, (trx, kase) => this.crimeReferencesOfCase(trx, session, kase));
  }

  /** Changes a hearing (it moved, or the support changed); its reminder moves with it. */
  async changeHearing(
    session: CurrentSession,
    caseId: string,
    hearingId: string,
    form: HearingForm,
  ): Promise<InScope<'changed' | 'not_found' | 'no_such_reference'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const before = await trx
        .selectFrom('court_hearings')
        .select(['starts_at', 'outcome'])
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('hearing_id', '=', hearingId)
        .executeTakeFirst();
      if (!before) return 'not_found';
      if (!(await this.crimeReferenceOnCase(trx, session, caseId, form.crimeReferenceId)))
        return 'no_such_reference';
      await trx
        .updateTable('court_hearings')
        .set({
          ...this.hearingColumns(kase, hearingId, form),
          updated_at: this.clock.now(),
          updated_by: session.user.userId,
        })
        .where('organisation_id', '=', session.organisationId)
        .where('hearing_id', '=', hearingId)
        .execute();
      const moved = before.starts_at.getTime() !== form.startsAt.getTime();
      const reminder = before.outcome
        ? 'none'
        : await this.syncReminder(trx, session, kase, hearingId, form.startsAt);
      await this.audit(trx, session, kase, 'court.hearing_changed', { moved, reminder });
      return 'changed';
    });
  }

  /** Records what happened at a hearing; its reminder, if still open, is closed. */
  async recordOutcome(
    session: CurrentSession,
    caseId: string,
    hearingId: string,
    outcome: { outcome: HearingOutcome; note: string | null },
  ): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const now = this.clock.now();
      const updated = await trx
        .updateTable('court_hearings')
        .set({
          outcome: outcome.outcome,
          outcome_sealed: outcome.note ? seal(kase.key, outcome.note, outcomeAad(caseId, hearingId)) : null,
          outcome_recorded_at: now,
          outcome_recorded_by: session.user.userId,
          updated_at: now,
          updated_by: session.user.userId,
        })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('hearing_id', '=', hearingId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      await closeHearingReminder(trx, {
        organisationId: session.organisationId,
        hearingId,
        userId: session.user.userId,
        now,
      });
      await this.audit(trx, session, kase, 'court.hearing_outcome_recorded', { outcome: outcome.outcome });
      return true;
    });
  }

  // The case page and the calendar.

  /** For the case page (whose reading is audited as case.viewed): contacts, crime references, hearings. */
  async forCase(session: CurrentSession, caseId: string): Promise<InScope<CaseLiaison>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const [versions, crimeReferences, hearings] = await Promise.all([
        policeContactVersions(trx, session.organisationId, caseId),
        this.crimeReferencesOfCase(trx, session, kase),
        this.hearingsWithReminders(trx, session, kase),
      ]);
      return { contacts: this.contactsOf(kase, versions), crimeReferences, hearings };
    });
  }

  /**
   * Hearings on the caller's own cases, or (managers) on every case they may open, from CALENDAR_PAST_DAYS ago
   * on: what the calendar page shows and the .ics file holds. Only the case's reference identifies a case.
   * Null when the caller may not see the team's.
   */
  async calendar(
    session: CurrentSession,
    view: CalendarView,
    purpose: 'viewed' | 'exported',
  ): Promise<CalendarHearing[] | null> {
    if (view === 'team' && !can(session.user.role, 'case:read_all')) return null;
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      const rows = await calendarHearings(
        trx,
        session.organisationId,
        new Date(now.getTime() - CALENDAR_PAST_DAYS * DAY),
        caseVisibleTo(session, now),
        view === 'mine' ? session.user.userId : null,
      );
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: `court.calendar_${purpose}`,
          details: { view, hearings: rows.length },
        },
        now,
      );
      return rows.map((row: CalendarRow) => ({
        hearingId: row.hearing_id,
        caseId: row.case_id,
        reference: row.reference,
        courtType: row.court_type,
        venue: row.venue,
        startsAt: row.starts_at,
        hearingType: row.hearing_type,
        support: row.support,
        measuresRequested: row.measures_requested,
        measuresGranted: row.measures_granted,
        outcome: row.outcome,
        updatedAt: row.updated_at,
      }));
    });
  }
}
