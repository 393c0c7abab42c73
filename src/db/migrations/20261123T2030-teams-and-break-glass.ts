// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Teams within an organisation. When a team shares cases, its members may open each other's cases.
    CREATE TABLE teams (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      team_id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      shares_cases boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, team_id),
      UNIQUE (organisation_id, name)
    );

    ALTER TABLE users ADD COLUMN team_id uuid;
    ALTER TABLE users ADD FOREIGN KEY (organisation_id, team_id) REFERENCES teams (organisation_id, team_id);
    CREATE INDEX users_team ON users (organisation_id, team_id) WHERE team_id IS NOT NULL;

    -- "Break glass": opening a case outside one's scope, with a reason (sealed under the case key) that
    -- managers review. The grant lasts a few hours; the reading itself is audited like any other.
    CREATE TABLE case_access_grants (
      organisation_id uuid NOT NULL,
      grant_id uuid NOT NULL,
      case_id uuid NOT NULL,
      user_id uuid NOT NULL,
      reason_sealed bytea NOT NULL,
      granted_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      reviewed_by uuid,
      reviewed_at timestamptz,
      PRIMARY KEY (organisation_id, grant_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, user_id) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, reviewed_by) REFERENCES users (organisation_id, user_id),
      CHECK (expires_at > granted_at),
      CHECK ((reviewed_at IS NULL) = (reviewed_by IS NULL))
    );
    CREATE INDEX case_access_grants_holder ON case_access_grants (organisation_id, user_id, case_id, expires_at);
    CREATE INDEX case_access_grants_unreviewed ON case_access_grants (organisation_id, granted_at)
      WHERE reviewed_at IS NULL;
  `.execute(db);

  for (const table of ['teams', 'case_access_grants']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT, UPDATE ON teams TO vigil_app;
    GRANT SELECT, INSERT ON case_access_grants TO vigil_app;
    GRANT UPDATE (reviewed_by, reviewed_at) ON case_access_grants TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
