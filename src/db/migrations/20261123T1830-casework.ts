// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Calls, visits and messages with the client: when, how long, what, and whether safe-contact rules were kept.
    CREATE TABLE case_contacts (
      organisation_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      case_id uuid NOT NULL,
      occurred_at timestamptz NOT NULL,
      duration_minutes integer CHECK (duration_minutes BETWEEN 0 AND 1440),
      method text NOT NULL CHECK (method IN ('phone', 'text_message', 'email', 'in_person', 'video', 'letter', 'other')),
      direction text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
      outcome text NOT NULL CHECK (outcome IN ('spoke', 'no_answer', 'left_voicemail', 'message_sent', 'met')),
      summary_sealed bytea NOT NULL,
      safe_contact_followed boolean NOT NULL,
      safe_contact_note_sealed bytea,
      recorded_by uuid NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, contact_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id),
      CHECK (safe_contact_followed OR safe_contact_note_sealed IS NOT NULL)
    );
    CREATE INDEX case_contacts_case ON case_contacts (organisation_id, case_id, occurred_at);

    -- Case notes are written once; a correction is a new note.
    CREATE TABLE case_notes (
      organisation_id uuid NOT NULL,
      note_id uuid NOT NULL,
      case_id uuid NOT NULL,
      body_sealed bytea NOT NULL,
      recorded_by uuid NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, note_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX case_notes_case ON case_notes (organisation_id, case_id, recorded_at);

    CREATE TABLE tasks (
      organisation_id uuid NOT NULL,
      task_id uuid NOT NULL,
      case_id uuid NOT NULL,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      due_on date NOT NULL,
      owner_id uuid NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL,
      completed_at timestamptz,
      completed_by uuid,
      PRIMARY KEY (organisation_id, task_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, owner_id) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, completed_by) REFERENCES users (organisation_id, user_id),
      CHECK ((completed_at IS NULL) = (completed_by IS NULL))
    );
    CREATE INDEX tasks_open_by_owner ON tasks (organisation_id, owner_id, due_on) WHERE completed_at IS NULL;
    CREATE INDEX tasks_case ON tasks (organisation_id, case_id);

    -- Opening, closing and reopening: reopening keeps the history.
    CREATE TABLE case_status_changes (
      organisation_id uuid NOT NULL,
      change_id uuid NOT NULL,
      case_id uuid NOT NULL,
      from_status text NOT NULL,
      to_status text NOT NULL CHECK (to_status IN ('open', 'active', 'closed')),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
      outcome text CHECK (outcome IN ('support_completed', 'client_disengaged', 'client_declined', 'moved_away', 'transferred', 'other')),
      changed_by uuid NOT NULL,
      changed_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, change_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, changed_by) REFERENCES users (organisation_id, user_id),
      CHECK ((to_status = 'closed') = (outcome IS NOT NULL))
    );
    CREATE INDEX case_status_changes_case ON case_status_changes (organisation_id, case_id, changed_at);
  `.execute(db);

  for (const table of ['case_contacts', 'case_notes', 'tasks', 'case_status_changes']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT ON case_contacts, case_notes, case_status_changes TO vigil_app;
    GRANT SELECT, INSERT, UPDATE ON tasks TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
