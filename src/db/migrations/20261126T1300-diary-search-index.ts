// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

/**
 * Searching a case's diary opened every entry of the case (386 ms at p95 at 5,000 entries). Each version of an
 * entry now has a row of keyed hashes of the starts of its words (ADR 0017): the key is derived from the case's
 * data key, so the same word has a different hash in every case, and no word is stored in clear. A search
 * finds the versions that have every hash it looks for, and opens only those.
 *
 * `@>` on arrays is not leakproof, so under row-level security PostgreSQL would check it only after the
 * policy, row by row, never with the index. As for names (20261124T1000), a narrow function finds the versions
 * inside the organisation the transaction is set to (none when it is not set), where the index can be used,
 * and returns identifiers only: nothing the application role could not already read. It is expected to return
 * tens of rows, not the default thousand, so its versions are looked up by key rather than the case's all read.
 *
 * Versions written before this have no row; the application indexes a case's current versions that have none
 * when the case's diary is next searched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE diary_entry_words (
      organisation_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      version integer NOT NULL,
      case_id uuid NOT NULL,
      words bigint[] NOT NULL,
      PRIMARY KEY (organisation_id, entry_id, version),
      FOREIGN KEY (organisation_id, entry_id, version)
        REFERENCES diary_entry_versions (organisation_id, entry_id, version),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id)
    );
    CREATE INDEX diary_entry_words_search ON diary_entry_words USING gin (organisation_id, case_id, words);

    CREATE TRIGGER diary_entry_words_no_update_or_delete BEFORE UPDATE OR DELETE ON diary_entry_words
      FOR EACH ROW EXECUTE FUNCTION diary_refuse_change();
    CREATE TRIGGER diary_entry_words_no_truncate BEFORE TRUNCATE ON diary_entry_words
      FOR EACH STATEMENT EXECUTE FUNCTION diary_refuse_change();

    ALTER TABLE diary_entry_words ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON diary_entry_words TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
    GRANT SELECT, INSERT ON diary_entry_words TO vigil_app;

    CREATE FUNCTION vigil_diary_versions_with_words(p_case_id uuid, p_words bigint[])
    RETURNS TABLE (entry_id uuid, version integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    ROWS 100
    AS $$
      SELECT w.entry_id, w.version FROM diary_entry_words w
      WHERE w.organisation_id = NULLIF(current_setting('vigil.organisation_id', true), '')::uuid
        AND w.case_id = p_case_id
        AND w.words @> p_words
    $$;
    REVOKE ALL ON FUNCTION vigil_diary_versions_with_words(uuid, bigint[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_diary_versions_with_words(uuid, bigint[]) TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
