// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A case's safety plan, kept as whole versions: each save writes the next version, sealed under the case's
    -- data key with the case and the version number in the additional authenticated data, so a version cannot
    -- be moved to another case or renumbered. Nothing is ever changed or removed: the history is the record of
    -- what was agreed with the client and when. What changed is said in plain words without personal data
    -- (change_summary), so the history can be listed without opening every version. The plan's review date is
    -- in clear, with the task that reminds the caseworker of it. The submission id is the form's one-time id,
    -- so the same form sent twice writes one version.
    CREATE TABLE safety_plan_versions (
      organisation_id uuid NOT NULL,
      case_id uuid NOT NULL,
      version_number integer NOT NULL CHECK (version_number > 0),
      plan_sealed bytea NOT NULL,
      change_summary text NOT NULL CHECK (length(change_summary) BETWEEN 1 AND 1000),
      review_on date,
      review_task_id uuid,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL,
      submission_id uuid NOT NULL,
      PRIMARY KEY (organisation_id, case_id, version_number),
      UNIQUE (organisation_id, submission_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, review_task_id) REFERENCES tasks (organisation_id, task_id),
      CHECK (review_task_id IS NULL OR review_on IS NOT NULL)
    );
  `.execute(db);

  await sql`
    CREATE FUNCTION safety_plan_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    CREATE TRIGGER safety_plan_versions_no_update_or_delete BEFORE UPDATE OR DELETE ON safety_plan_versions
      FOR EACH ROW EXECUTE FUNCTION safety_plan_refuse_change();
    CREATE TRIGGER safety_plan_versions_no_truncate BEFORE TRUNCATE ON safety_plan_versions
      FOR EACH STATEMENT EXECUTE FUNCTION safety_plan_refuse_change();
    ALTER TABLE safety_plan_versions ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON safety_plan_versions TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
    GRANT SELECT, INSERT ON safety_plan_versions TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
