import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { MaracConsent } from '../../db/schema.ts';

/** When each incident in the case's diary happened: the current version of every entry not redacted. */
export async function incidentDates(trx: DbOrTrx, organisationId: string, caseId: string): Promise<Date[]> {
  const result = await sql<{ occurred_from: Date }>`
    SELECT cv.occurred_from
    FROM diary_entry_versions cv
    WHERE cv.organisation_id = ${organisationId} AND cv.case_id = ${caseId}
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_versions later
        WHERE later.organisation_id = cv.organisation_id AND later.entry_id = cv.entry_id
          AND later.version > cv.version)
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_redactions r
        WHERE r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id)
    ORDER BY cv.occurred_from
  `.execute(trx);
  return result.rows.map((row) => row.occurred_from);
}

export type IncidentRow = {
  entry_id: string;
  entry_number: number;
  version: number;
  occurred_from: Date;
  occurred_to: Date | null;
  behaviours: string[];
  reported_to_police: boolean;
  details_sealed: Buffer;
};

/** The current version of each entry (not redacted) about an incident from `since` on, oldest first. */
export async function incidentsSince(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  since: Date,
): Promise<IncidentRow[]> {
  const result = await sql<IncidentRow>`
    SELECT e.entry_id, e.entry_number, cv.version, cv.occurred_from, cv.occurred_to, cv.behaviours,
      cv.reported_to_police, cv.details_sealed
    FROM diary_entry_versions cv
    JOIN diary_entries e ON e.organisation_id = cv.organisation_id AND e.entry_id = cv.entry_id
    WHERE cv.organisation_id = ${organisationId} AND cv.case_id = ${caseId}
      AND coalesce(cv.occurred_to, cv.occurred_from) >= ${since}
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_versions later
        WHERE later.organisation_id = cv.organisation_id AND later.entry_id = cv.entry_id
          AND later.version > cv.version)
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_redactions r
        WHERE r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id)
    ORDER BY cv.occurred_from, e.entry_number
  `.execute(trx);
  return result.rows;
}

export type ReferralRow = {
  referral_id: string;
  referral_number: number;
  referred_at: Date;
  referred_by_name: string;
  criteria: string[];
  consent: MaracConsent;
  repeat_of: string | null;
  content_sealed: Buffer;
  document_sha256: Buffer;
  meeting_on: string | null;
  outcome_sealed: Buffer | null;
};

/** The case's MARAC referrals, oldest first. */
export async function referralsOfCase(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<ReferralRow[]> {
  return trx
    .selectFrom('marac_referrals as m')
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'm.organisation_id').onRef('u.user_id', '=', 'm.referred_by'),
    )
    .select([
      'm.referral_id',
      'm.referral_number',
      'm.referred_at',
      'u.display_name as referred_by_name',
      'm.criteria',
      'm.consent',
      'm.repeat_of',
      'm.content_sealed',
      'm.document_sha256',
      'm.meeting_on',
      'm.outcome_sealed',
    ])
    .where('m.organisation_id', '=', organisationId)
    .where('m.case_id', '=', caseId)
    .orderBy('m.referral_number')
    .execute();
}

/** The case's MARAC referral dates alone, oldest first (for the criteria). */
export async function referralDates(trx: DbOrTrx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('marac_referrals')
    .select(['referral_id', 'referral_number', 'referred_at', 'repeat_of', 'meeting_on'])
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .orderBy('referral_number')
    .execute();
}

export type ActionRow = {
  action_id: string;
  referral_id: string;
  details_sealed: Buffer;
  due_on: string | null;
  added_at: Date;
  done_at: Date | null;
};

/** The actions agreed at the case's MARAC meetings, in the order they were added. */
export async function actionsOfCase(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<ActionRow[]> {
  return trx
    .selectFrom('marac_actions')
    .select(['action_id', 'referral_id', 'details_sealed', 'due_on', 'added_at', 'done_at'])
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .orderBy('added_at')
    .orderBy('action_id')
    .execute();
}
