import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { ReferralRow } from './referrals.repository.ts';

/** How alike two names must be (pg_trgm similarity, 0 to 1) to be shown as a possible match. */
export const NAME_SIMILARITY_THRESHOLD = 0.45;

export type PossibleMatch = {
  kind: 'client' | 'referral';
  id: string;
  name: string;
  dateOfBirth: string | null;
  label: string | null;
  reasons: string[];
};

type Candidate = {
  id: string;
  name: string;
  date_of_birth: string | null;
  label: string | null;
  same_phone: boolean;
  same_email: boolean;
  known_as: boolean;
  name_similarity: number;
};

function reasons(candidate: Candidate, dateOfBirth: string | null): string[] {
  const found: string[] = [];
  if (candidate.same_phone) found.push('Same phone number');
  if (candidate.same_email) found.push('Same email address');
  if (candidate.known_as) found.push('Known by this name: it is one of their other names');
  if (candidate.name_similarity >= NAME_SIMILARITY_THRESHOLD) {
    const percent = Math.round(candidate.name_similarity * 100);
    found.push(
      dateOfBirth && candidate.date_of_birth === dateOfBirth
        ? `Similar name (${percent}% alike) and the same date of birth`
        : `Similar name (${percent}% alike)`,
    );
  }
  return found;
}

/**
 * People already known to the organisation who may be the person in this referral: existing clients and other
 * referrals, matched by fuzzy name (pg_trgm), date of birth, or an exact phone number or email (blind indexes).
 * A client's other names are sealed, so they match only in full, by `nameIndex` (the blind index of the
 * referral's name). Shown to the manager to decide; nothing is ever merged automatically.
 */
export async function possibleDuplicates(
  trx: Trx,
  referral: ReferralRow,
  nameIndex: Buffer | null = null,
): Promise<PossibleMatch[]> {
  const name = referral.person_name ?? '';
  const phone = referral.phone_index;
  const email = referral.email_index;
  const dob = referral.person_date_of_birth;
  const knownAs = sql`
    SELECT client_id FROM client_details
    WHERE organisation_id = ${referral.organisation_id}
      AND alias_indexes @> ARRAY[${nameIndex}]::bytea[]`;
  const clients = await sql<Candidate>`
    SELECT client_id AS id, name, date_of_birth::text AS date_of_birth, NULL AS label,
           coalesce(phone_index = ${phone}, false) AS same_phone,
           coalesce(email_index = ${email}, false) AS same_email,
           client_id IN (${knownAs}) AS known_as,
           similarity(name, ${name}) AS name_similarity
    FROM clients
    WHERE organisation_id = ${referral.organisation_id}
      AND (phone_index = ${phone} OR email_index = ${email} OR client_id IN (${knownAs})
           OR (name % ${name} AND similarity(name, ${name}) >= ${NAME_SIMILARITY_THRESHOLD}
               AND (${dob}::date IS NULL OR date_of_birth IS NULL OR date_of_birth = ${dob}::date)))
    ORDER BY (phone_index = ${phone} OR email_index = ${email} OR client_id IN (${knownAs})) DESC NULLS LAST,
             similarity(name, ${name}) DESC
    LIMIT 10
  `.execute(trx);
  const referrals = await sql<Candidate>`
    SELECT referral_id AS id, coalesce(person_name, '') AS name, person_date_of_birth::text AS date_of_birth, reference AS label,
           coalesce(phone_index = ${phone}, false) AS same_phone,
           coalesce(email_index = ${email}, false) AS same_email,
           false AS known_as,
           similarity(coalesce(person_name, ''), ${name}) AS name_similarity
    FROM referrals
    WHERE organisation_id = ${referral.organisation_id}
      AND referral_id <> ${referral.referral_id}
      AND status <> 'draft'
      AND (phone_index = ${phone} OR email_index = ${email}
           OR (person_name % ${name} AND similarity(person_name, ${name}) >= ${NAME_SIMILARITY_THRESHOLD}
               AND (${dob}::date IS NULL OR person_date_of_birth IS NULL OR person_date_of_birth = ${dob}::date)))
    ORDER BY submitted_at DESC
    LIMIT 10
  `.execute(trx);
  const toMatch =
    (kind: PossibleMatch['kind']) =>
    (candidate: Candidate): PossibleMatch => ({
      kind,
      id: candidate.id,
      name: candidate.name,
      dateOfBirth: candidate.date_of_birth,
      label: candidate.label,
      reasons: reasons({ ...candidate, name_similarity: Number(candidate.name_similarity) }, dob),
    });
  return [...clients.rows.map(toMatch('client')), ...referrals.rows.map(toMatch('referral'))];
}
