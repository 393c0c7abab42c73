// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The rest of a client's record, one row per client, each part sealed under the client's own data key
    -- (clients.data_key_wrapped): other names, the address, equality monitoring and support needs. Each is
    -- one sealed document, padded before sealing so its length does not give the answers away.
    -- alias_indexes holds a keyed blind index (HMAC) of each other name, so search and duplicate checks can
    -- match a name exactly without the name being stored in clear.
    CREATE TABLE client_details (
      organisation_id uuid NOT NULL,
      client_id uuid NOT NULL,
      aliases_sealed bytea,
      alias_indexes bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(alias_indexes) <= 20),
      address_sealed bytea,
      equality_sealed bytea,
      support_needs_sealed bytea,
      updated_at timestamptz NOT NULL,
      updated_by uuid NOT NULL,
      PRIMARY KEY (organisation_id, client_id),
      FOREIGN KEY (organisation_id, client_id) REFERENCES clients (organisation_id, client_id),
      FOREIGN KEY (organisation_id, updated_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX client_details_aliases ON client_details USING gin (alias_indexes);

    -- Children and other dependants. Removing one keeps the row (and who removed it, and when): the record
    -- never loses history silently. The details are sealed under the client's data key.
    CREATE TABLE client_dependants (
      organisation_id uuid NOT NULL,
      dependant_id uuid NOT NULL,
      client_id uuid NOT NULL,
      details_sealed bytea NOT NULL,
      added_at timestamptz NOT NULL,
      added_by uuid NOT NULL,
      removed_at timestamptz,
      removed_by uuid,
      PRIMARY KEY (organisation_id, dependant_id),
      FOREIGN KEY (organisation_id, client_id) REFERENCES clients (organisation_id, client_id),
      FOREIGN KEY (organisation_id, added_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, removed_by) REFERENCES users (organisation_id, user_id),
      CHECK ((removed_at IS NULL) = (removed_by IS NULL))
    );
    CREATE INDEX client_dependants_current ON client_dependants (organisation_id, client_id, added_at)
      WHERE removed_at IS NULL;
  `.execute(db);

  for (const table of ['client_details', 'client_dependants']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT, UPDATE ON client_details, client_dependants TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
