// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The services the client is given (the service's own list), from a start date to an end date once ended.
    CREATE TABLE case_services (
      organisation_id uuid NOT NULL,
      service_id uuid NOT NULL,
      case_id uuid NOT NULL,
      service text NOT NULL CHECK (service IN ('trauma_informed_support', 'advice_and_advocacy', 'risk_and_safety_planning', 'court_support', 'police_liaison', 'programmes', 'family_court_legal_support', 'counselling')),
      started_on date NOT NULL,
      note_sealed bytea,
      recorded_by uuid NOT NULL,
      recorded_at timestamptz NOT NULL,
      ended_on date,
      ended_by uuid,
      ended_at timestamptz,
      PRIMARY KEY (organisation_id, service_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, ended_by) REFERENCES users (organisation_id, user_id),
      CHECK ((ended_on IS NULL) = (ended_by IS NULL) AND (ended_on IS NULL) = (ended_at IS NULL)),
      CHECK (ended_on IS NULL OR ended_on >= started_on)
    );
    CREATE INDEX case_services_case ON case_services (organisation_id, case_id, started_on);

    -- Referrals on to other agencies. Written once: what happened next is a new outcome row.
    CREATE TABLE onward_referrals (
      organisation_id uuid NOT NULL,
      onward_referral_id uuid NOT NULL,
      case_id uuid NOT NULL,
      agency_type text NOT NULL CHECK (agency_type IN ('counselling', 'legal_advice', 'housing', 'idva', 'childrens_services', 'adult_social_care', 'mental_health', 'health', 'police', 'substance_use', 'victim_support', 'other')),
      agency_name_sealed bytea NOT NULL,
      referred_on date NOT NULL,
      reason_sealed bytea NOT NULL,
      consent_given boolean NOT NULL,
      consent_override_sealed bytea,
      recorded_by uuid NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, onward_referral_id),
      UNIQUE (organisation_id, case_id, onward_referral_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id),
      CHECK (consent_given OR consent_override_sealed IS NOT NULL)
    );
    CREATE INDEX onward_referrals_case ON onward_referrals (organisation_id, case_id, referred_on);

    -- Each answer from the agency (or the client), kept: the latest is the referral's outcome now.
    CREATE TABLE onward_referral_outcomes (
      organisation_id uuid NOT NULL,
      outcome_id uuid NOT NULL,
      case_id uuid NOT NULL,
      onward_referral_id uuid NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('accepted', 'declined', 'no_response', 'client_declined', 'waiting')),
      outcome_on date NOT NULL,
      note_sealed bytea,
      recorded_by uuid NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, outcome_id),
      FOREIGN KEY (organisation_id, case_id, onward_referral_id)
        REFERENCES onward_referrals (organisation_id, case_id, onward_referral_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX onward_referral_outcomes_referral
      ON onward_referral_outcomes (organisation_id, onward_referral_id, recorded_at);
    CREATE INDEX onward_referral_outcomes_case ON onward_referral_outcomes (organisation_id, case_id);
  `.execute(db);

  for (const table of ['case_services', 'onward_referrals', 'onward_referral_outcomes']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT ON case_services, onward_referrals, onward_referral_outcomes TO vigil_app;
    -- Ending a service is the only change to one: what was given, from when, and the note stay as recorded.
    GRANT UPDATE (ended_on, ended_by, ended_at) ON case_services TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
