// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- An age typed by a caseworker (when the date of birth is not known) is an age on that day, not at
    -- referral: age_recorded_on says which day. NULL means the age was given with the referral.
    ALTER TABLE clients ADD COLUMN age_recorded_on date;

    -- The client's contact details before each change a caseworker made to them: a previous phone number may
    -- be the one the stalker has, and is evidence. One row per change, sealed under the client's own data key
    -- (clients.data_key_wrapped) as one padded document; changed names the fields that changed, never values.
    -- Rows are only ever added: the application role may not change or delete them.
    CREATE TABLE client_contact_history (
      organisation_id uuid NOT NULL,
      change_id uuid NOT NULL,
      client_id uuid NOT NULL,
      previous_sealed bytea NOT NULL,
      changed text[] NOT NULL CHECK (
        cardinality(changed) BETWEEN 1 AND 8
        AND changed <@ ARRAY['phone', 'phoneSafe', 'email', 'emailSafe', 'safeTimes', 'voicemailAllowed',
                             'maySayWhoWeAre', 'codeWord']::text[]
      ),
      changed_at timestamptz NOT NULL,
      changed_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, change_id),
      FOREIGN KEY (organisation_id, client_id) REFERENCES clients (organisation_id, client_id),
      FOREIGN KEY (organisation_id, changed_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX client_contact_history_client
      ON client_contact_history (organisation_id, client_id, changed_at);

    ALTER TABLE client_contact_history ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON client_contact_history TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
    GRANT SELECT, INSERT ON client_contact_history TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
