import type { Selectable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { ReferralsTable } from '../../db/schema.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { ReferralAnswers } from './referral-answers.ts';

export type ReferralRow = Selectable<ReferralsTable>;

/** The answers kept encrypted under the referral's own data key, with the column each lives in. */
const SEALED = {
  referrerPhone: 'referrer_phone_sealed',
  referrerEmail: 'referrer_email_sealed',
  phone: 'phone_sealed',
  email: 'email_sealed',
  safeTimes: 'safe_times_sealed',
  codeWord: 'code_word_sealed',
  accessibilityNeeds: 'accessibility_needs_sealed',
  whatIsHappening: 'what_is_happening_sealed',
} as const satisfies Partial<Record<keyof ReferralAnswers, keyof ReferralsTable>>;

/** The answers kept as plain columns: categories, flags, and the names used for duplicate matching. */
const PLAIN = {
  route: 'route',
  referrerName: 'referrer_name',
  referrerRole: 'referrer_role',
  referrerAgency: 'referrer_agency',
  consentConfirmed: 'consent_confirmed',
  inImmediateDanger: 'in_immediate_danger',
  personName: 'person_name',
  personDateOfBirth: 'person_date_of_birth',
  personAge: 'person_age',
  gender: 'gender',
  genderDescription: 'gender_description',
  phoneSafe: 'phone_safe',
  emailSafe: 'email_safe',
  noSafeContact: 'no_safe_contact',
  voicemailAllowed: 'voicemail_allowed',
  maySayWhoWeAre: 'may_say_who_we_are',
  language: 'language',
  interpreterNeeded: 'interpreter_needed',
  behaviours: 'behaviours',
  duration: 'duration',
  perpetratorKnown: 'perpetrator_known',
  perpetratorName: 'perpetrator_name',
  perpetratorRelationship: 'perpetrator_relationship',
  policeInvolved: 'police_involved',
  crimeReference: 'crime_reference',
  childrenInHousehold: 'children_in_household',
} as const satisfies Partial<Record<keyof ReferralAnswers, keyof ReferralsTable>>;

const aad = (referralId: string, field: string) => `referral:${referralId}:${field}`;

/** Turns answers into column values: sensitive text sealed, phone and email blind-indexed for matching. */
export function answersToColumns(
  changes: Partial<ReferralAnswers>,
  referralId: string,
  dataKey: Buffer,
  organisationKey: Buffer,
): Updateable<ReferralsTable> {
  const columns: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes) as [keyof ReferralAnswers, unknown][]) {
    if (field in SEALED) {
      const column = SEALED[field as keyof typeof SEALED];
      columns[column] =
        typeof value === 'string' && value !== '' ? seal(dataKey, value, aad(referralId, field)) : null;
    } else if (field in PLAIN) {
      columns[PLAIN[field as keyof typeof PLAIN]] = value;
    }
  }
  const indexKey = blindIndexKey(organisationKey);
  if ('phone' in changes)
    columns.phone_index = changes.phone ? blindIndex(indexKey, 'phone', changes.phone) : null;
  if ('email' in changes)
    columns.email_index = changes.email ? blindIndex(indexKey, 'email', changes.email) : null;
  return columns;
}

export function columnsToAnswers(row: ReferralRow, dataKey: Buffer): ReferralAnswers {
  const answers: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(PLAIN)) answers[field] = row[column];
  for (const [field, column] of Object.entries(SEALED)) {
    const sealed = row[column];
    answers[field] = sealed ? openText(dataKey, sealed, aad(row.referral_id, field)) : null;
  }
  return answers as ReferralAnswers;
}

export async function findReferral(
  trx: DbOrTrx,
  organisationId: string,
  referralId: string,
): Promise<ReferralRow | undefined> {
  return trx
    .selectFrom('referrals')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('referral_id', '=', referralId)
    .executeTakeFirst();
}

export async function updateReferral(
  trx: DbOrTrx,
  organisationId: string,
  referralId: string,
  changes: Updateable<ReferralsTable>,
): Promise<void> {
  await trx
    .updateTable('referrals')
    .set(changes)
    .where('organisation_id', '=', organisationId)
    .where('referral_id', '=', referralId)
    .execute();
}
