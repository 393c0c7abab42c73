// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

/**
 * Searching by name never used its trigram index. Under row-level security, PostgreSQL evaluates a query's own
 * conditions only after the policy's, unless they are leakproof, and pg_trgm's `%` is not: so `clients.name % $1`
 * was checked against every client of the organisation (about 25 ms of database time per search at 10,000
 * clients). These two narrow functions find the names inside the organisation the transaction is set to (none
 * when it is not set), where the index can be used, and return identifiers only: nothing the application role
 * could not already read, faster. The indexes start with the organisation (btree_gin), so a search reads only
 * its own organisation's entries; they replace the name-only ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE EXTENSION IF NOT EXISTS btree_gin;
    CREATE INDEX clients_organisation_name ON clients USING gin (organisation_id, name gin_trgm_ops);
    DROP INDEX clients_name;
    CREATE INDEX perpetrators_organisation_name ON perpetrators USING gin (organisation_id, name gin_trgm_ops);
    DROP INDEX perpetrators_name;

    CREATE FUNCTION vigil_clients_named(p_name text) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
      SELECT client_id FROM clients
      WHERE organisation_id = NULLIF(current_setting('vigil.organisation_id', true), '')::uuid
        AND name % p_name
    $$;
    REVOKE ALL ON FUNCTION vigil_clients_named(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_clients_named(text) TO vigil_app;

    CREATE FUNCTION vigil_perpetrators_named(p_name text) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
      SELECT perpetrator_id FROM perpetrators
      WHERE organisation_id = NULLIF(current_setting('vigil.organisation_id', true), '')::uuid
        AND name % p_name
    $$;
    REVOKE ALL ON FUNCTION vigil_perpetrators_named(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_perpetrators_named(text) TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
