// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The police officers working on a case. A contact is never overwritten: each change (including "no longer
    -- involved") is the next version, so who the case dealt with, and when, stays on record. The officer's force,
    -- name, collar number and role are plain; their phone, email and the notes are sealed under the case key.
    -- The first version's id is the form's one-time submission id; every version carries its own.
    CREATE TABLE police_contact_versions (
      organisation_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      case_id uuid NOT NULL,
      submission_id uuid NOT NULL,
      force text NOT NULL CHECK (length(force) BETWEEN 1 AND 100),
      officer_name text NOT NULL CHECK (length(officer_name) BETWEEN 1 AND 200),
      collar_number text CHECK (length(collar_number) BETWEEN 1 AND 20),
      role text NOT NULL CHECK (role IN ('officer_in_case', 'single_point_of_contact', 'other')),
      details_sealed bytea NOT NULL,
      involved boolean NOT NULL,
      recorded_at timestamptz NOT NULL,
      recorded_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, contact_id, version),
      UNIQUE (organisation_id, submission_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX police_contact_versions_case ON police_contact_versions (organisation_id, case_id, contact_id);

    -- A crime reported to police: the force's reference, the offence, and (in crime_reference_updates) where the
    -- investigation has got to. Both are written once: a change of status is a new update.
    CREATE TABLE crime_references (
      organisation_id uuid NOT NULL,
      crime_reference_id uuid NOT NULL,
      case_id uuid NOT NULL,
      reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 50),
      force text NOT NULL CHECK (length(force) BETWEEN 1 AND 100),
      offence text NOT NULL CHECK (offence IN ('stalking_s2a', 'stalking_fear_s4a', 'harassment',
        'breach_of_order', 'malicious_communications', 'criminal_damage', 'other')),
      offence_detail_sealed bytea,
      recorded_at timestamptz NOT NULL,
      recorded_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, crime_reference_id),
      UNIQUE (organisation_id, case_id, crime_reference_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX crime_references_case ON crime_references (organisation_id, case_id, recorded_at);

    CREATE TABLE crime_reference_updates (
      organisation_id uuid NOT NULL,
      update_id uuid NOT NULL,
      crime_reference_id uuid NOT NULL,
      case_id uuid NOT NULL,
      status text NOT NULL CHECK (status IN ('reported', 'investigating', 'charged', 'no_further_action',
        'at_court', 'convicted', 'acquitted')),
      status_on date NOT NULL,
      note_sealed bytea,
      recorded_at timestamptz NOT NULL,
      recorded_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, update_id),
      FOREIGN KEY (organisation_id, case_id, crime_reference_id)
        REFERENCES crime_references (organisation_id, case_id, crime_reference_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX crime_reference_updates_reference
      ON crime_reference_updates (organisation_id, crime_reference_id, recorded_at);

    -- A court hearing the caseworker supports the client at: which court, where, when, what kind of hearing, the
    -- crime it is about (if any), the support given and the special measures asked for and granted, and the
    -- outcome afterwards. A hearing can move (an adjournment, a new listing), so it is changed in place and
    -- each change audited; its reminder task (one per hearing) moves with it.
    CREATE TABLE court_hearings (
      organisation_id uuid NOT NULL,
      hearing_id uuid NOT NULL,
      case_id uuid NOT NULL,
      court_type text NOT NULL CHECK (court_type IN ('criminal', 'family', 'civil')),
      venue text NOT NULL CHECK (length(venue) BETWEEN 1 AND 200),
      starts_at timestamptz NOT NULL,
      hearing_type text NOT NULL CHECK (hearing_type IN ('first_appearance', 'trial', 'sentencing',
        'spo_application', 'interim_spo', 'directions', 'final_hearing', 'other')),
      crime_reference_id uuid,
      support text[] NOT NULL DEFAULT '{}'
        CHECK (support <@ ARRAY['accompany', 'pre_trial_visit', 'separate_waiting_room']),
      measures_requested text[] NOT NULL DEFAULT '{}'
        CHECK (measures_requested <@ ARRAY['screens', 'live_link', 'video_recorded_evidence']),
      measures_granted text[] NOT NULL DEFAULT '{}'
        CHECK (measures_granted <@ ARRAY['screens', 'live_link', 'video_recorded_evidence']),
      notes_sealed bytea NOT NULL,
      outcome text CHECK (outcome IN ('went_ahead', 'adjourned', 'vacated')),
      outcome_sealed bytea,
      outcome_recorded_at timestamptz,
      outcome_recorded_by uuid,
      reminder_task_id uuid,
      created_at timestamptz NOT NULL,
      created_by uuid NOT NULL,
      updated_at timestamptz NOT NULL,
      updated_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, hearing_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, case_id, crime_reference_id)
        REFERENCES crime_references (organisation_id, case_id, crime_reference_id),
      FOREIGN KEY (organisation_id, reminder_task_id) REFERENCES tasks (organisation_id, task_id),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, updated_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, outcome_recorded_by) REFERENCES users (organisation_id, user_id),
      UNIQUE (organisation_id, reminder_task_id),
      CHECK ((outcome IS NULL) = (outcome_recorded_at IS NULL)),
      CHECK ((outcome_recorded_at IS NULL) = (outcome_recorded_by IS NULL))
    );
    CREATE INDEX court_hearings_case ON court_hearings (organisation_id, case_id, starts_at);
    CREATE INDEX court_hearings_when ON court_hearings (organisation_id, starts_at);

    -- A request to police to apply for a Stalking Protection Order, as given to the officer: its content (taken
    -- from the case, with the prohibitions, requirements and places the caseworker proposed) sealed whole, and
    -- the SHA-256 of the document made from it, so the same document can be given again and checked.
    CREATE TABLE spo_requests (
      organisation_id uuid NOT NULL,
      request_id uuid NOT NULL,
      case_id uuid NOT NULL,
      request_number integer NOT NULL CHECK (request_number > 0),
      requested_at timestamptz NOT NULL,
      requested_by uuid NOT NULL,
      -- Sharing with the police needs the client's consent or a recorded reason to go ahead without it; the
      -- reason is in the sealed content.
      consent text NOT NULL CHECK (consent IN ('consents', 'without_consent')),
      content_sealed bytea NOT NULL,
      document_sha256 bytea NOT NULL CHECK (length(document_sha256) = 32),
      PRIMARY KEY (organisation_id, request_id),
      UNIQUE (organisation_id, case_id, request_number),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, requested_by) REFERENCES users (organisation_id, user_id)
    );
  `.execute(db);

  // History is never rewritten: contact versions, crime references, their updates and SPO requests refuse
  // UPDATE, DELETE and TRUNCATE whoever asks (vigil_refuse_change comes from the audit chain's migration).
  const appendOnly = [
    'police_contact_versions',
    'crime_references',
    'crime_reference_updates',
    'spo_requests',
  ];
  for (const table of appendOnly) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_no_update_or_delete`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
    `.execute(db);
  }
  for (const table of [...appendOnly, 'court_hearings']) {
    await sql`
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
        USING (organisation_id = vigil_current_organisation())
        WITH CHECK (organisation_id = vigil_current_organisation());
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT ON police_contact_versions, crime_references, crime_reference_updates, spo_requests
      TO vigil_app;
    GRANT SELECT, INSERT, UPDATE ON court_hearings TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
