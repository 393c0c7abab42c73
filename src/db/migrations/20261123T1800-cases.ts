// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE clients (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      client_id uuid NOT NULL,
      data_key_wrapped bytea NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      date_of_birth date,
      age_at_referral integer CHECK (age_at_referral BETWEEN 0 AND 120),
      gender text,
      gender_description text,
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
      language text,
      interpreter_needed boolean,
      accessibility_needs_sealed bytea,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, client_id)
    );
    CREATE INDEX clients_name ON clients USING gin (name gin_trgm_ops);
    CREATE INDEX clients_phone_index ON clients (organisation_id, phone_index);
    CREATE INDEX clients_email_index ON clients (organisation_id, email_index);

    CREATE TABLE cases (
      organisation_id uuid NOT NULL,
      case_id uuid NOT NULL,
      reference text NOT NULL CHECK (reference ~ '^[A-Z0-9]{4}-[A-Z0-9]{4}$'),
      client_id uuid NOT NULL,
      -- The case's own data key (wrapped by the organisation key): notes and diary entries are sealed under it,
      -- and destroying it erases them.
      data_key_wrapped bytea NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'active', 'closed')),
      urgent boolean NOT NULL DEFAULT false,
      allocated_to uuid,
      opened_at timestamptz NOT NULL,
      opened_by uuid NOT NULL,
      closed_at timestamptz,
      PRIMARY KEY (organisation_id, case_id),
      UNIQUE (organisation_id, reference),
      FOREIGN KEY (organisation_id, client_id) REFERENCES clients (organisation_id, client_id),
      FOREIGN KEY (organisation_id, allocated_to) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, opened_by) REFERENCES users (organisation_id, user_id),
      CHECK ((status = 'closed') = (closed_at IS NOT NULL))
    );
    CREATE INDEX cases_caseload ON cases (organisation_id, allocated_to) WHERE status <> 'closed';

    -- Who held a case, from when to when: reallocation keeps the history.
    CREATE TABLE case_allocations (
      organisation_id uuid NOT NULL,
      allocation_id uuid NOT NULL,
      case_id uuid NOT NULL,
      allocated_to uuid NOT NULL,
      allocated_by uuid NOT NULL,
      allocated_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (organisation_id, allocation_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, allocated_to) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, allocated_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE UNIQUE INDEX case_allocations_current ON case_allocations (organisation_id, case_id) WHERE ended_at IS NULL;

    -- Every triage decision on a referral, in order: asking for more information can come before accepting.
    CREATE TABLE referral_decisions (
      organisation_id uuid NOT NULL,
      decision_id uuid NOT NULL,
      referral_id uuid NOT NULL,
      decision text NOT NULL CHECK (decision IN ('accepted', 'signposted', 'declined', 'information_requested')),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
      signposted_to text CHECK (length(signposted_to) <= 200),
      case_id uuid,
      decided_by uuid NOT NULL,
      decided_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, decision_id),
      FOREIGN KEY (organisation_id, referral_id) REFERENCES referrals (organisation_id, referral_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, decided_by) REFERENCES users (organisation_id, user_id),
      CHECK ((decision = 'accepted') = (case_id IS NOT NULL)),
      CHECK (decision <> 'signposted' OR signposted_to IS NOT NULL)
    );
    CREATE INDEX referral_decisions_referral ON referral_decisions (organisation_id, referral_id, decided_at);
  `.execute(db);

  for (const table of ['clients', 'cases', 'case_allocations', 'referral_decisions']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT, UPDATE ON clients, cases, case_allocations TO vigil_app;
    GRANT SELECT, INSERT ON referral_decisions TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
