// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // How people can reach the service themselves: shown on the public referral form to someone with no safe way
  // for the service to contact them. Both optional; the hours say nothing without a number.
  await sql`
    ALTER TABLE organisations
      ADD COLUMN public_phone text CHECK (length(public_phone) BETWEEN 1 AND 30),
      ADD COLUMN public_contact_hours text CHECK (length(public_contact_hours) BETWEEN 1 AND 200),
      ADD CONSTRAINT organisations_hours_need_phone CHECK (public_contact_hours IS NULL OR public_phone IS NOT NULL);
  `.execute(db);

  // The person said there is no safe way to contact them right now: no phone or email is given, and triage
  // must see it before anyone tries to reach them.
  await sql`
    ALTER TABLE referrals
      ADD COLUMN no_safe_contact boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT referrals_no_safe_contact_has_no_channel
        CHECK (NOT no_safe_contact OR (phone_sealed IS NULL AND email_sealed IS NULL));
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
