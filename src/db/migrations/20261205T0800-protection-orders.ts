// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

const ORDER_TYPES = ['spo', 'restraining_order', 'non_molestation_order', 'dapn', 'dapo', 'bail_conditions'];
const STATUSES = [
  'requested',
  'applied',
  'interim_in_force',
  'full_in_force',
  'varied',
  'renewed',
  'refused',
  'withdrawn',
  'discharged',
  'expired',
];
const CONDITION_KINDS = [
  'no_contact',
  'no_online_contact',
  'exclusion_zone',
  'distance',
  'no_publishing',
  'no_monitoring',
  'other_prohibition',
  'attend_assessment',
  'attend_programme',
  'surrender_devices',
  'report_to_police',
  'other_requirement',
];
const OUTCOMES = ['no_further_action', 'arrest', 'charge', 'conviction', 'sentence', 'other'];
const list = (values: string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '));

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A protection order on a case: its kind, who it is against, where it stands and its dates, kept current;
    -- who applied, the court and its reference, and notes are sealed under the case key. Every change is also
    -- written to protection_order_changes, which is never changed.
    CREATE TABLE protection_orders (
      organisation_id uuid NOT NULL,
      order_id uuid NOT NULL,
      case_id uuid NOT NULL,
      order_number integer NOT NULL CHECK (order_number > 0),
      order_type text NOT NULL CHECK (order_type IN (${list(ORDER_TYPES)})),
      perpetrator_id uuid,
      status text NOT NULL CHECK (status IN (${list(STATUSES)})),
      requested_on date,
      applied_on date,
      interim_made_on date,
      made_on date,
      served_on date,
      expires_on date,
      until_further_order boolean NOT NULL DEFAULT false,
      ended_on date,
      details_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL,
      created_by uuid NOT NULL,
      updated_at timestamptz NOT NULL,
      updated_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, order_id),
      UNIQUE (organisation_id, case_id, order_number),
      UNIQUE (organisation_id, case_id, order_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, perpetrator_id) REFERENCES perpetrators (organisation_id, perpetrator_id),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, updated_by) REFERENCES users (organisation_id, user_id),
      CHECK (NOT (until_further_order AND expires_on IS NOT NULL))
    );

    -- The history of an order: each status it moved to and the dates it then had, with a sealed note.
    CREATE TABLE protection_order_changes (
      organisation_id uuid NOT NULL,
      change_id uuid NOT NULL,
      case_id uuid NOT NULL,
      order_id uuid NOT NULL,
      from_status text CHECK (from_status IN (${list(STATUSES)})),
      to_status text NOT NULL CHECK (to_status IN (${list(STATUSES)})),
      dates jsonb NOT NULL,
      note_sealed bytea,
      changed_at timestamptz NOT NULL,
      changed_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, change_id),
      FOREIGN KEY (organisation_id, case_id, order_id) REFERENCES protection_orders (organisation_id, case_id, order_id),
      FOREIGN KEY (organisation_id, changed_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX protection_order_changes_order ON protection_order_changes (organisation_id, order_id, changed_at);

    -- An order's conditions: the kind in clear, the exact wording and any places named sealed. A condition
    -- binds from the order's start (or from_on, when added by a variation) until ended_on, set once.
    CREATE TABLE protection_order_conditions (
      organisation_id uuid NOT NULL,
      condition_id uuid NOT NULL,
      case_id uuid NOT NULL,
      order_id uuid NOT NULL,
      condition_number integer NOT NULL CHECK (condition_number > 0),
      kind text NOT NULL CHECK (kind IN (${list(CONDITION_KINDS)})),
      terms_sealed bytea NOT NULL,
      from_on date,
      ended_on date,
      added_at timestamptz NOT NULL,
      added_by uuid NOT NULL,
      ended_at timestamptz,
      ended_by uuid,
      PRIMARY KEY (organisation_id, condition_id),
      UNIQUE (organisation_id, order_id, condition_number),
      FOREIGN KEY (organisation_id, case_id, order_id) REFERENCES protection_orders (organisation_id, case_id, order_id),
      FOREIGN KEY (organisation_id, added_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, ended_by) REFERENCES users (organisation_id, user_id),
      CHECK ((ended_on IS NULL) = (ended_at IS NULL) AND (ended_at IS NULL) = (ended_by IS NULL))
    );

    -- The task each of an order's reminders became, so a changed date moves the task rather than adding one.
    CREATE TABLE protection_order_reminders (
      organisation_id uuid NOT NULL,
      order_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('interim_expiry', 'full_expiry', 'notification_due')),
      task_id uuid NOT NULL,
      PRIMARY KEY (organisation_id, order_id, kind),
      FOREIGN KEY (organisation_id, order_id) REFERENCES protection_orders (organisation_id, order_id),
      FOREIGN KEY (organisation_id, task_id) REFERENCES tasks (organisation_id, task_id)
    );

    -- A diary incident recorded as a suspected breach of conditions of an order. The police report (when, how,
    -- officer, crime reference, sealed) is added once; outcomes follow in protection_order_breach_outcomes.
    CREATE TABLE protection_order_breaches (
      organisation_id uuid NOT NULL,
      breach_id uuid NOT NULL,
      case_id uuid NOT NULL,
      order_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      breach_number integer NOT NULL CHECK (breach_number > 0),
      condition_ids uuid[] NOT NULL CHECK (cardinality(condition_ids) >= 1),
      note_sealed bytea,
      recorded_at timestamptz NOT NULL,
      recorded_by uuid NOT NULL,
      reported_at timestamptz,
      report_sealed bytea,
      report_recorded_by uuid,
      PRIMARY KEY (organisation_id, breach_id),
      UNIQUE (organisation_id, order_id, breach_number),
      UNIQUE (organisation_id, order_id, entry_id),
      UNIQUE (organisation_id, case_id, breach_id),
      FOREIGN KEY (organisation_id, case_id, order_id) REFERENCES protection_orders (organisation_id, case_id, order_id),
      FOREIGN KEY (organisation_id, entry_id) REFERENCES diary_entries (organisation_id, entry_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, report_recorded_by) REFERENCES users (organisation_id, user_id),
      CHECK ((reported_at IS NULL) = (report_sealed IS NULL) AND (reported_at IS NULL) = (report_recorded_by IS NULL))
    );
    CREATE INDEX protection_order_breaches_unreported ON protection_order_breaches (organisation_id, recorded_at)
      WHERE reported_at IS NULL;

    CREATE TABLE protection_order_breach_outcomes (
      organisation_id uuid NOT NULL,
      outcome_id uuid NOT NULL,
      case_id uuid NOT NULL,
      breach_id uuid NOT NULL,
      outcome text NOT NULL CHECK (outcome IN (${list(OUTCOMES)})),
      outcome_on date NOT NULL,
      note_sealed bytea,
      recorded_at timestamptz NOT NULL,
      recorded_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, outcome_id),
      FOREIGN KEY (organisation_id, case_id, breach_id) REFERENCES protection_order_breaches (organisation_id, case_id, breach_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id)
    );
  `.execute(db);

  // History never changes; a condition is ended once; a breach's police report is added once; an order's
  // identity stays as recorded while its state moves on.
  await sql`
    CREATE FUNCTION protection_orders_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'protection_orders' THEN
        IF NEW.organisation_id = OLD.organisation_id AND NEW.order_id = OLD.order_id AND NEW.case_id = OLD.case_id
          AND NEW.order_number = OLD.order_number AND NEW.order_type = OLD.order_type
          AND NEW.created_at = OLD.created_at AND NEW.created_by = OLD.created_by THEN
          RETURN NEW;
        END IF;
      END IF;
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'protection_order_conditions' THEN
        IF OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL
          AND NEW.organisation_id = OLD.organisation_id AND NEW.condition_id = OLD.condition_id
          AND NEW.case_id = OLD.case_id AND NEW.order_id = OLD.order_id
          AND NEW.condition_number = OLD.condition_number AND NEW.kind = OLD.kind
          AND NEW.terms_sealed = OLD.terms_sealed AND NEW.from_on IS NOT DISTINCT FROM OLD.from_on
          AND NEW.added_at = OLD.added_at AND NEW.added_by = OLD.added_by THEN
          RETURN NEW;
        END IF;
      END IF;
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'protection_order_breaches' THEN
        IF OLD.reported_at IS NULL AND NEW.reported_at IS NOT NULL
          AND NEW.organisation_id = OLD.organisation_id AND NEW.breach_id = OLD.breach_id
          AND NEW.case_id = OLD.case_id AND NEW.order_id = OLD.order_id AND NEW.entry_id = OLD.entry_id
          AND NEW.breach_number = OLD.breach_number AND NEW.condition_ids = OLD.condition_ids
          AND NEW.note_sealed IS NOT DISTINCT FROM OLD.note_sealed
          AND NEW.recorded_at = OLD.recorded_at AND NEW.recorded_by = OLD.recorded_by THEN
          RETURN NEW;
        END IF;
      END IF;
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'protection_order_reminders' THEN
        IF NEW.organisation_id = OLD.organisation_id AND NEW.order_id = OLD.order_id AND NEW.kind = OLD.kind THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION '% cannot be changed that way: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $$;
  `.execute(db);
  for (const table of [
    'protection_orders',
    'protection_order_changes',
    'protection_order_conditions',
    'protection_order_reminders',
    'protection_order_breaches',
    'protection_order_breach_outcomes',
  ]) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_fixed`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION protection_orders_refuse_change();
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION protection_orders_refuse_change();
      ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
        USING (organisation_id = vigil_current_organisation())
        WITH CHECK (organisation_id = vigil_current_organisation());
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT, UPDATE ON protection_orders, protection_order_conditions, protection_order_reminders,
      protection_order_breaches TO vigil_app;
    GRANT SELECT, INSERT ON protection_order_changes, protection_order_breach_outcomes TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
