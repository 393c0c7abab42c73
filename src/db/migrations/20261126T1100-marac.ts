// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A referral of a case to its local MARAC. What was referred is fixed once written: the criteria it was
    -- referred under, the consent position, and the sealed content (everything the referral document shows,
    -- taken from the case when it was made), with the SHA-256 of the document generated from that content.
    -- The document is regenerated from the content and checked against the hash. The referral id is the
    -- form's one-time submission id. A referral within 12 months of an earlier one names it (repeat_of).
    -- Only the meeting date and the outcome note change later, as the MARAC meets.
    CREATE TABLE marac_referrals (
      organisation_id uuid NOT NULL,
      referral_id uuid NOT NULL,
      case_id uuid NOT NULL,
      referral_number integer NOT NULL CHECK (referral_number > 0),
      referred_at timestamptz NOT NULL,
      referred_by uuid NOT NULL,
      criteria text[] NOT NULL CHECK (
        cardinality(criteria) BETWEEN 1 AND 4
        AND criteria <@ ARRAY['visible_high_risk', 'professional_judgement', 'escalation', 'repeat']
      ),
      consent text NOT NULL CHECK (consent IN ('consents', 'proceeds_without_consent', 'not_yet_asked')),
      repeat_of uuid,
      content_sealed bytea NOT NULL,
      document_sha256 bytea NOT NULL CHECK (length(document_sha256) = 32),
      meeting_on date,
      outcome_sealed bytea,
      tracking_updated_at timestamptz,
      tracking_updated_by uuid,
      PRIMARY KEY (organisation_id, referral_id),
      UNIQUE (organisation_id, case_id, referral_number),
      UNIQUE (organisation_id, case_id, referral_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, referred_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, tracking_updated_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, case_id, repeat_of) REFERENCES marac_referrals (organisation_id, case_id, referral_id)
    );
    CREATE INDEX marac_referrals_case ON marac_referrals (organisation_id, case_id, referred_at);

    -- Actions the MARAC agreed: what and who owns it (an agency or a person, sealed together), when it is due,
    -- and when it was done. Only "done" is ever set later, once.
    CREATE TABLE marac_actions (
      organisation_id uuid NOT NULL,
      action_id uuid NOT NULL,
      case_id uuid NOT NULL,
      referral_id uuid NOT NULL,
      details_sealed bytea NOT NULL,
      due_on date,
      added_at timestamptz NOT NULL,
      added_by uuid NOT NULL,
      done_at timestamptz,
      done_by uuid,
      PRIMARY KEY (organisation_id, action_id),
      FOREIGN KEY (organisation_id, case_id, referral_id)
        REFERENCES marac_referrals (organisation_id, case_id, referral_id),
      FOREIGN KEY (organisation_id, added_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, done_by) REFERENCES users (organisation_id, user_id),
      CHECK ((done_at IS NULL) = (done_by IS NULL))
    );
    CREATE INDEX marac_actions_referral ON marac_actions (organisation_id, referral_id, added_at);
    CREATE INDEX marac_actions_case ON marac_actions (organisation_id, case_id) WHERE done_at IS NULL;
  `.execute(db);

  await sql`
    CREATE FUNCTION marac_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'marac_referrals' THEN
        IF NEW.organisation_id = OLD.organisation_id AND NEW.referral_id = OLD.referral_id
          AND NEW.case_id = OLD.case_id AND NEW.referral_number = OLD.referral_number
          AND NEW.referred_at = OLD.referred_at AND NEW.referred_by = OLD.referred_by
          AND NEW.criteria = OLD.criteria AND NEW.consent = OLD.consent
          AND NEW.repeat_of IS NOT DISTINCT FROM OLD.repeat_of
          AND NEW.content_sealed = OLD.content_sealed AND NEW.document_sha256 = OLD.document_sha256 THEN
          RETURN NEW;
        END IF;
      END IF;
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'marac_actions' THEN
        IF OLD.done_at IS NULL AND NEW.done_at IS NOT NULL
          AND NEW.organisation_id = OLD.organisation_id AND NEW.action_id = OLD.action_id
          AND NEW.case_id = OLD.case_id AND NEW.referral_id = OLD.referral_id
          AND NEW.details_sealed = OLD.details_sealed AND NEW.due_on IS NOT DISTINCT FROM OLD.due_on
          AND NEW.added_at = OLD.added_at AND NEW.added_by = OLD.added_by THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION '% cannot be changed that way: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $$;
  `.execute(db);
  for (const table of ['marac_referrals', 'marac_actions']) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_fixed`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION marac_refuse_change();
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION marac_refuse_change();
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
        USING (organisation_id = vigil_current_organisation())
        WITH CHECK (organisation_id = vigil_current_organisation());
    `.execute(db);
  }
  await sql`GRANT SELECT, INSERT, UPDATE ON marac_referrals, marac_actions TO vigil_app`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
