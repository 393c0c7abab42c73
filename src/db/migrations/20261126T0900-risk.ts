// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A questionnaire's versions. Each version is data (sections, questions, answer types, scoring,
    -- thresholds, guidance) and never changes once written: an assessment names the version it was made with.
    -- Versions Vigil ships are copied into each organisation as they appear (origin 'shipped'); an
    -- administrator can add a local template or a new version of any template (origin 'local'). Numbers count
    -- up per template within an organisation.
    CREATE TABLE risk_templates (
      organisation_id uuid NOT NULL,
      template_version_id uuid NOT NULL,
      template_key text NOT NULL CHECK (template_key ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(template_key) <= 60),
      version_number integer NOT NULL CHECK (version_number > 0),
      purpose text NOT NULL CHECK (purpose IN ('risk_checklist', 'stalking_screening', 'other')),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      definition jsonb NOT NULL,
      origin text NOT NULL CHECK (origin IN ('shipped', 'local')),
      created_by uuid,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, template_version_id),
      UNIQUE (organisation_id, template_key, version_number),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id),
      CHECK ((origin = 'shipped') = (created_by IS NULL))
    );

    -- One assessment of a case's risk with one template version. Answers (and the victim's own words against
    -- them) are sealed under the case key and saved as the assessor goes; once completed, the row is fixed:
    -- score, computed level, any professional judgement (which can raise the level, never lower it, and
    -- gives a sealed reason) and the resulting level.
    CREATE TABLE risk_assessments (
      organisation_id uuid NOT NULL,
      assessment_id uuid NOT NULL,
      case_id uuid NOT NULL,
      template_version_id uuid NOT NULL,
      status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
      answers_sealed bytea NOT NULL,
      started_by uuid NOT NULL,
      started_at timestamptz NOT NULL,
      saved_at timestamptz NOT NULL,
      submission_id uuid NOT NULL,
      completed_by uuid,
      completed_at timestamptz,
      score integer CHECK (score >= 0),
      computed_level text CHECK (computed_level IN ('standard', 'medium', 'high')),
      judgement_level text CHECK (judgement_level IN ('medium', 'high')),
      judgement_reason_sealed bytea,
      level text CHECK (level IN ('standard', 'medium', 'high')),
      PRIMARY KEY (organisation_id, assessment_id),
      UNIQUE (organisation_id, submission_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, template_version_id) REFERENCES risk_templates (organisation_id, template_version_id),
      FOREIGN KEY (organisation_id, started_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, completed_by) REFERENCES users (organisation_id, user_id),
      CHECK (
        (status = 'in_progress' AND completed_at IS NULL AND completed_by IS NULL AND score IS NULL
          AND computed_level IS NULL AND level IS NULL AND judgement_level IS NULL)
        OR (status = 'completed' AND completed_at IS NOT NULL AND completed_by IS NOT NULL AND score IS NOT NULL
          AND computed_level IS NOT NULL AND level IS NOT NULL)
      ),
      CHECK ((judgement_level IS NULL) = (judgement_reason_sealed IS NULL))
    );
    CREATE INDEX risk_assessments_case ON risk_assessments (organisation_id, case_id, completed_at);

    -- The case's current level, from its latest completed risk checklist, kept beside the case so the
    -- caseload and the queue show it without reading assessments.
    ALTER TABLE cases
      ADD COLUMN risk_level text CHECK (risk_level IN ('standard', 'medium', 'high')),
      ADD COLUMN risk_assessed_at timestamptz,
      ADD CHECK ((risk_level IS NULL) = (risk_assessed_at IS NULL));

    -- Tasks Vigil raises and later closes or moves itself are marked with their purpose: a task to reassess the
    -- risk (raised by escalation in the diary, a breach, or the periodic review), closed when an assessment is
    -- completed; a reminder of a protection order's date, moved when the date moves.
    ALTER TABLE tasks ADD COLUMN purpose text CHECK (purpose IN ('risk_review', 'order_reminder'));
    CREATE INDEX tasks_open_risk_reviews ON tasks (organisation_id, case_id)
      WHERE purpose = 'risk_review' AND completed_at IS NULL;
  `.execute(db);

  // A template version and a completed assessment are fixed whoever asks; an assessment in progress may be
  // saved and completed once.
  await sql`
    CREATE FUNCTION risk_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'risk_assessments' AND TG_OP = 'UPDATE' THEN
        IF OLD.status = 'in_progress' AND NEW.assessment_id = OLD.assessment_id AND NEW.case_id = OLD.case_id
          AND NEW.template_version_id = OLD.template_version_id AND NEW.started_by = OLD.started_by
          AND NEW.started_at = OLD.started_at AND NEW.submission_id = OLD.submission_id THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION '% cannot be changed once written: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $$;
  `.execute(db);
  for (const table of ['risk_templates', 'risk_assessments']) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_fixed`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION risk_refuse_change();
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION risk_refuse_change();
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
        USING (organisation_id = vigil_current_organisation())
        WITH CHECK (organisation_id = vigil_current_organisation());
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT ON risk_templates TO vigil_app;
    GRANT SELECT, INSERT, UPDATE ON risk_assessments TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
