// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A person who stalks, known to the organisation. One record can be linked to several cases (serial
    -- stalking). Names and the date of birth stay in clear for fuzzy matching; the description, addresses and
    -- notes on risk are sealed under the perpetrator's own data key (wrapped by the organisation key).
    CREATE TABLE perpetrators (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      perpetrator_id uuid NOT NULL,
      data_key_wrapped bytea NOT NULL,
      name text CHECK (length(name) BETWEEN 1 AND 200),
      aliases text[] NOT NULL DEFAULT '{}' CHECK (cardinality(aliases) <= 20),
      date_of_birth date,
      approximate_age integer CHECK (approximate_age BETWEEN 0 AND 120),
      description_sealed bytea,
      addresses_sealed bytea,
      risk_factors text[] NOT NULL DEFAULT '{}' CHECK (
        risk_factors <@ ARRAY['weapons', 'violence', 'previous_orders', 'previous_convictions',
                              'substance_misuse', 'threats_to_kill']::text[]
      ),
      risk_notes_sealed bytea,
      created_at timestamptz NOT NULL,
      created_by uuid NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, perpetrator_id),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id),
      CHECK (date_of_birth IS NULL OR approximate_age IS NULL)
    );
    CREATE INDEX perpetrators_name ON perpetrators USING gin (name gin_trgm_ops);

    -- Phone numbers, emails, social media handles and vehicle registrations: as many of each as are known.
    -- The value is sealed; its keyed blind index (HMAC of the normalised value) makes matching an equality.
    CREATE TABLE perpetrator_identifiers (
      organisation_id uuid NOT NULL,
      identifier_id uuid NOT NULL,
      perpetrator_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('phone', 'email', 'handle', 'vehicle')),
      index bytea NOT NULL CHECK (length(index) = 32),
      value_sealed bytea NOT NULL,
      platform text CHECK (length(platform) BETWEEN 1 AND 50),
      PRIMARY KEY (organisation_id, identifier_id),
      UNIQUE (organisation_id, perpetrator_id, kind, index),
      FOREIGN KEY (organisation_id, perpetrator_id) REFERENCES perpetrators (organisation_id, perpetrator_id),
      CHECK (kind = 'handle' OR platform IS NULL)
    );
    CREATE INDEX perpetrator_identifiers_match ON perpetrator_identifiers (organisation_id, kind, index);

    -- Which cases a perpetrator is involved in, and how they are related to that case's client.
    CREATE TABLE case_perpetrators (
      organisation_id uuid NOT NULL,
      case_id uuid NOT NULL,
      perpetrator_id uuid NOT NULL,
      relationship text NOT NULL CHECK (relationship IN ('ex_partner', 'partner', 'family_member',
        'acquaintance', 'colleague', 'online_only', 'stranger', 'unknown')),
      linked_at timestamptz NOT NULL,
      linked_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, case_id, perpetrator_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, perpetrator_id) REFERENCES perpetrators (organisation_id, perpetrator_id),
      FOREIGN KEY (organisation_id, linked_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX case_perpetrators_perpetrator ON case_perpetrators (organisation_id, perpetrator_id);

    -- For managers: a case that involves (or may involve) a perpetrator already known from another case.
    CREATE TABLE perpetrator_alerts (
      organisation_id uuid NOT NULL,
      alert_id uuid NOT NULL,
      perpetrator_id uuid NOT NULL,
      case_id uuid NOT NULL,
      reasons text NOT NULL CHECK (length(reasons) BETWEEN 1 AND 1000),
      created_at timestamptz NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by uuid,
      PRIMARY KEY (organisation_id, alert_id),
      FOREIGN KEY (organisation_id, perpetrator_id) REFERENCES perpetrators (organisation_id, perpetrator_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, acknowledged_by) REFERENCES users (organisation_id, user_id),
      CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
    );
    -- At most one alert waiting per perpetrator and case.
    CREATE UNIQUE INDEX perpetrator_alerts_open ON perpetrator_alerts (organisation_id, perpetrator_id, case_id)
      WHERE acknowledged_at IS NULL;
    CREATE INDEX perpetrator_alerts_waiting ON perpetrator_alerts (organisation_id, created_at)
      WHERE acknowledged_at IS NULL;
  `.execute(db);

  for (const table of [
    'perpetrators',
    'perpetrator_identifiers',
    'case_perpetrators',
    'perpetrator_alerts',
  ]) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT, UPDATE ON perpetrators, perpetrator_alerts TO vigil_app;
    GRANT SELECT, INSERT ON perpetrator_identifiers, case_perpetrators TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
