import type { DbOrTrx } from '../../db/database.ts';
import type { CaseCondition } from '../cases/case-access.ts';

const byUser = 'u.display_name as recorded_by_name' as const;

/** Every version of every police contact on a case, oldest first. */
export async function policeContactVersions(db: DbOrTrx, organisationId: string, caseId: string) {
  return db
    .selectFrom('police_contact_versions as v')
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'v.organisation_id').onRef('u.user_id', '=', 'v.recorded_by'),
    )
    .select([
      'v.contact_id',
      'v.version',
      'v.submission_id',
      'v.force',
      'v.officer_name',
      'v.collar_number',
      'v.role',
      'v.details_sealed',
      'v.involved',
      'v.recorded_at',
      byUser,
    ])
    .where('v.organisation_id', '=', organisationId)
    .where('v.case_id', '=', caseId)
    .orderBy('v.contact_id')
    .orderBy('v.version')
    .execute();
}

export type PoliceContactVersionRow = Awaited<ReturnType<typeof policeContactVersions>>[number];

/** A case's crime references, oldest first. */
export async function crimeReferencesOf(db: DbOrTrx, organisationId: string, caseId: string) {
  return db
    .selectFrom('crime_references as c')
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'c.organisation_id').onRef('u.user_id', '=', 'c.recorded_by'),
    )
    .select([
      'c.crime_reference_id',
      'c.reference',
      'c.force',
      'c.offence',
      'c.offence_detail_sealed',
      'c.recorded_at',
      byUser,
    ])
    .where('c.organisation_id', '=', organisationId)
    .where('c.case_id', '=', caseId)
    .orderBy('c.recorded_at')
    .orderBy('c.crime_reference_id')
    .execute();
}

export type CrimeReferenceRow = Awaited<ReturnType<typeof crimeReferencesOf>>[number];

/** Every status update of a case's crime references, oldest first. */
export async function crimeUpdatesOf(db: DbOrTrx, organisationId: string, caseId: string) {
  return db
    .selectFrom('crime_reference_updates as c')
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'c.organisation_id').onRef('u.user_id', '=', 'c.recorded_by'),
    )
    .select([
      'c.update_id',
      'c.crime_reference_id',
      'c.status',
      'c.status_on',
      'c.note_sealed',
      'c.recorded_at',
      byUser,
    ])
    .where('c.organisation_id', '=', organisationId)
    .where('c.case_id', '=', caseId)
    .orderBy('c.recorded_at')
    .orderBy('c.status_on')
    .orderBy('c.update_id')
    .execute();
}

export type CrimeUpdateRow = Awaited<ReturnType<typeof crimeUpdatesOf>>[number];

const hearingColumns = [
  'h.hearing_id',
  'h.case_id',
  'h.court_type',
  'h.venue',
  'h.starts_at',
  'h.hearing_type',
  'h.crime_reference_id',
  'h.support',
  'h.measures_requested',
  'h.measures_granted',
  'h.notes_sealed',
  'h.outcome',
  'h.outcome_sealed',
  'h.outcome_recorded_at',
  'h.reminder_task_id',
  'h.updated_at',
] as const;

/** A case's court hearings, soonest first. */
export async function hearingsOf(db: DbOrTrx, organisationId: string, caseId: string) {
  return db
    .selectFrom('court_hearings as h')
    .select(hearingColumns)
    .where('h.organisation_id', '=', organisationId)
    .where('h.case_id', '=', caseId)
    .orderBy('h.starts_at')
    .orderBy('h.hearing_id')
    .execute();
}

export type HearingRow = Awaited<ReturnType<typeof hearingsOf>>[number];

/** At most this many hearings on a calendar page or file. */
export const CALENDAR_LIMIT = 500;

/**
 * Hearings from `from` on, on cases the condition allows (the caller's own, or every case they may open), with
 * the case's reference only: no name, no sealed field. Soonest first.
 */
export async function calendarHearings(
  db: DbOrTrx,
  organisationId: string,
  from: Date,
  visible: CaseCondition,
  ownerId: string | null,
) {
  let query = db
    .selectFrom('court_hearings as h')
    .innerJoin('cases', (join) =>
      join.onRef('cases.organisation_id', '=', 'h.organisation_id').onRef('cases.case_id', '=', 'h.case_id'),
    )
    .select([
      'h.hearing_id',
      'h.case_id',
      'cases.reference',
      'h.court_type',
      'h.venue',
      'h.starts_at',
      'h.hearing_type',
      'h.support',
      'h.measures_requested',
      'h.measures_granted',
      'h.outcome',
      'h.updated_at',
    ])
    .where('h.organisation_id', '=', organisationId)
    .where('h.starts_at', '>=', from)
    .where(visible);
  if (ownerId) query = query.where('cases.allocated_to', '=', ownerId);
  return query.orderBy('h.starts_at').orderBy('h.hearing_id').limit(CALENDAR_LIMIT).execute();
}

export type CalendarRow = Awaited<ReturnType<typeof calendarHearings>>[number];
