// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

/**
 * The audit chain moves out of audit_events into audit_chain (ADR 0012). Recording an event no longer takes a
 * per-organisation lock: the event is inserted in the action's transaction, and a chainer links settled events
 * into the chain afterwards, in the order their transactions settled.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Insert-only, like audit_events. seq is the position in the organisation's chain (1, 2, 3...); hash is the
    -- SHA-256 of previous_hash and the canonical JSON of the event with that position.
    CREATE TABLE audit_chain (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      seq bigint NOT NULL CHECK (seq > 0),
      event_id uuid NOT NULL,
      previous_hash text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      PRIMARY KEY (organisation_id, seq),
      UNIQUE (organisation_id, event_id),
      FOREIGN KEY (organisation_id, event_id) REFERENCES audit_events (organisation_id, event_id)
    );

    -- Every event recorded so far was chained in place: its position and hashes move over unchanged, so the
    -- chains verify exactly as before.
    INSERT INTO audit_chain (organisation_id, seq, event_id, previous_hash, hash)
    SELECT organisation_id, seq, event_id, previous_hash, hash FROM audit_events;

    CREATE FUNCTION vigil_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    CREATE TRIGGER audit_chain_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_chain
      FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
    CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
      FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

    ALTER TABLE audit_chain ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON audit_chain TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
  `.execute(db);

  // New events: seq becomes the order of recording (a sequence, unique but with gaps and shared by all
  // organisations), the hashes stay empty (they live in audit_chain), and recorded_xid tells the chainer which
  // transaction wrote the event, so it can wait until no earlier transaction can still commit one.
  await sql`
    CREATE SEQUENCE audit_events_seq AS bigint OWNED BY audit_events.seq;
    SELECT setval('audit_events_seq', coalesce((SELECT max(seq) FROM audit_events), 0) + 1, false);
    ALTER TABLE audit_events
      ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq'),
      ALTER COLUMN previous_hash DROP NOT NULL,
      ALTER COLUMN hash DROP NOT NULL,
      ADD COLUMN recorded_xid xid8;
    ALTER TABLE audit_events ALTER COLUMN recorded_xid SET DEFAULT pg_current_xact_id();
    ALTER TABLE audit_events ADD CONSTRAINT audit_events_chained_in_place_or_later
      CHECK ((recorded_xid IS NULL) = (previous_hash IS NOT NULL AND hash IS NOT NULL));
    CREATE INDEX audit_events_recorded_xid ON audit_events (organisation_id, recorded_xid)
      WHERE recorded_xid IS NOT NULL;
  `.execute(db);

  // The application records events and reads them; it names only the event's own fields, so the sequence and
  // the transaction id always come from their defaults. It has no access to the chain: the chainer runs as
  // the owner.
  await sql`
    REVOKE INSERT ON audit_events FROM vigil_app;
    GRANT INSERT (organisation_id, event_id, occurred_at, actor_user_id, action, record_type, record_id, reason,
                  details) ON audit_events TO vigil_app;
    GRANT USAGE ON SEQUENCE audit_events_seq TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The audit chain migration cannot be reversed; restore from a backup instead.');
}
