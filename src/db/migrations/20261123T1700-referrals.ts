// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  // Sign-in failures become one table of rate-limited events for every limiter (sign-in, public forms).
  await sql`
    ALTER TABLE sign_in_failures RENAME TO rate_limit_events;
    ALTER TABLE rate_limit_events RENAME COLUMN failed_at TO occurred_at;
    ALTER INDEX sign_in_failures_key_time RENAME TO rate_limit_events_key_time;
    CREATE INDEX rate_limit_events_time ON rate_limit_events (occurred_at);
  `.execute(db);

  // Each organisation's public referral form lives at a neutral address (/r/<code>) that says nothing about
  // stalking in a browser's history; team_email is where "a referral is waiting" notices go.
  await sql`
    ALTER TABLE organisations
      ADD COLUMN referral_code text UNIQUE CHECK (referral_code ~ '^[a-z0-9]{8}$'),
      ADD COLUMN team_email text CHECK (team_email IS NULL OR length(team_email) <= 254);
    UPDATE organisations SET referral_code = substr(md5(random()::text || organisation_id::text), 1, 8);
    ALTER TABLE organisations ALTER COLUMN referral_code SET NOT NULL;
  `.execute(db);

  await sql`
    CREATE TABLE referrals (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      referral_id uuid NOT NULL,
      reference text NOT NULL CHECK (reference ~ '^[A-Z0-9]{4}-[A-Z0-9]{4}$'),
      status text NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'signposted', 'declined', 'information_requested')),
      route text CHECK (route IN ('self', 'professional')),
      draft_token_hash bytea,
      data_key_wrapped bytea NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      draft_expires_at timestamptz,
      submitted_at timestamptz,

      person_name text CHECK (length(person_name) <= 200),
      person_date_of_birth date,
      person_age integer CHECK (person_age BETWEEN 0 AND 120),
      gender text CHECK (gender IN ('woman', 'man', 'non_binary', 'self_described', 'prefer_not_to_say')),
      gender_description text CHECK (length(gender_description) <= 100),
      phone_sealed bytea,
      phone_index bytea,
      phone_safe boolean,
      email_sealed bytea,
      email_index bytea,
      email_safe boolean,
      safe_times_sealed bytea,
      voicemail_allowed boolean,
      may_say_who_we_are boolean,
      code_word_sealed bytea,
      language text CHECK (length(language) <= 100),
      interpreter_needed boolean,
      accessibility_needs_sealed bytea,
      in_immediate_danger boolean,
      behaviours text[] NOT NULL DEFAULT '{}',
      what_is_happening_sealed bytea,
      duration text CHECK (duration IN ('under_1_month', '1_to_6_months', '6_to_12_months', '1_to_2_years', 'over_2_years', 'not_sure')),
      perpetrator_known boolean,
      perpetrator_name text CHECK (length(perpetrator_name) <= 200),
      perpetrator_relationship text CHECK (perpetrator_relationship IN ('ex_partner', 'partner', 'family_member', 'acquaintance', 'colleague', 'online_only', 'stranger', 'unknown')),
      police_involved text CHECK (police_involved IN ('yes', 'no', 'not_sure')),
      crime_reference text CHECK (length(crime_reference) <= 60),
      children_in_household text CHECK (children_in_household IN ('yes', 'no', 'prefer_not_to_say')),
      referrer_name text CHECK (length(referrer_name) <= 200),
      referrer_role text CHECK (length(referrer_role) <= 100),
      referrer_agency text CHECK (length(referrer_agency) <= 200),
      referrer_phone_sealed bytea,
      referrer_email_sealed bytea,
      consent_confirmed boolean,

      PRIMARY KEY (organisation_id, referral_id),
      UNIQUE (organisation_id, reference),
      UNIQUE (organisation_id, draft_token_hash),
      CHECK (status = 'draft' OR submitted_at IS NOT NULL),
      CHECK (status <> 'draft' OR draft_expires_at IS NOT NULL)
    );
    CREATE INDEX referrals_queue ON referrals (organisation_id, in_immediate_danger DESC, submitted_at)
      WHERE status = 'submitted';
    CREATE INDEX referrals_draft_expiry ON referrals (draft_expires_at) WHERE status = 'draft';
    CREATE INDEX referrals_person_name ON referrals USING gin (person_name gin_trgm_ops);
    CREATE INDEX referrals_phone_index ON referrals (organisation_id, phone_index);
    CREATE INDEX referrals_email_index ON referrals (organisation_id, email_index);
  `.execute(db);

  await sql`
    ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON referrals TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
    GRANT SELECT, INSERT, UPDATE, DELETE ON referrals TO vigil_app;
  `.execute(db);

  // The public form knows only its neutral code; this returns the organisation it belongs to, nothing more.
  await sql`
    CREATE FUNCTION vigil_referral_organisation(p_code text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT organisation_id FROM organisations WHERE referral_code = p_code $$;
    REVOKE ALL ON FUNCTION vigil_referral_organisation(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_referral_organisation(text) TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
