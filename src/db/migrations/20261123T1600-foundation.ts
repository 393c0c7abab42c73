// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vigil_app') THEN
        CREATE ROLE vigil_app NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
      END IF;
    END
    $$;
  `.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`.execute(db);

  // The organisation the current transaction works for, set with set_config(..., true) per transaction.
  await sql`
    CREATE FUNCTION vigil_current_organisation() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('vigil.organisation_id', true), '')::uuid $$;
  `.execute(db);

  // Installation-level state that exists before any organisation does (first-run setup).
  await sql`
    CREATE TABLE installation (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      setup_token_hash bytea,
      setup_token_created_at timestamptz,
      setup_completed_at timestamptz
    );
    INSERT INTO installation (singleton) VALUES (true);
  `.execute(db);

  // Guessing throttle: keyed by HMACs of the account name and of the client address; nothing in clear.
  await sql`
    CREATE TABLE sign_in_failures (
      key_hash bytea NOT NULL,
      failed_at timestamptz NOT NULL
    );
    CREATE INDEX sign_in_failures_key_time ON sign_in_failures (key_hash, failed_at);
  `.execute(db);

  await sql`
    CREATE TABLE organisations (
      organisation_id uuid PRIMARY KEY,
      service_name text NOT NULL CHECK (length(service_name) BETWEEN 2 AND 120),
      created_at timestamptz NOT NULL
    );

    CREATE TABLE organisation_keys (
      organisation_id uuid PRIMARY KEY REFERENCES organisations (organisation_id),
      master_key_id text NOT NULL,
      wrapped_key bytea NOT NULL,
      created_at timestamptz NOT NULL
    );

    CREATE TABLE users (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      user_id uuid NOT NULL,
      email text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
      role text NOT NULL CHECK (role IN ('administrator', 'manager', 'caseworker', 'police_liaison', 'auditor')),
      status text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
      passphrase_hash text,
      totp_secret_sealed bytea,
      totp_enrolled_at timestamptz,
      totp_last_step bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      disabled_at timestamptz,
      PRIMARY KEY (organisation_id, user_id),
      UNIQUE (organisation_id, email)
    );
    CREATE INDEX users_email ON users (email);

    CREATE TABLE invitations (
      organisation_id uuid NOT NULL,
      invitation_id uuid NOT NULL,
      user_id uuid NOT NULL,
      token_hash bytea NOT NULL,
      invited_by uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      withdrawn_at timestamptz,
      PRIMARY KEY (organisation_id, invitation_id),
      UNIQUE (organisation_id, token_hash),
      FOREIGN KEY (organisation_id, user_id) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, invited_by) REFERENCES users (organisation_id, user_id)
    );

    CREATE TABLE sessions (
      organisation_id uuid NOT NULL,
      session_id uuid NOT NULL,
      token_hash bytea NOT NULL,
      user_id uuid NOT NULL,
      stage text NOT NULL CHECK (stage IN ('second_factor', 'enrolment', 'active')),
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      end_reason text,
      client_address text,
      user_agent text,
      PRIMARY KEY (organisation_id, session_id),
      UNIQUE (organisation_id, token_hash),
      FOREIGN KEY (organisation_id, user_id) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX sessions_user ON sessions (organisation_id, user_id) WHERE ended_at IS NULL;

    CREATE TABLE audit_events (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      seq bigint NOT NULL CHECK (seq > 0),
      event_id uuid NOT NULL,
      occurred_at timestamptz NOT NULL,
      actor_user_id uuid,
      action text NOT NULL,
      record_type text,
      record_id text,
      reason text,
      details jsonb NOT NULL DEFAULT '{}',
      previous_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (organisation_id, seq),
      UNIQUE (organisation_id, event_id)
    );
    CREATE INDEX audit_events_actor ON audit_events (organisation_id, actor_user_id, occurred_at);
    CREATE INDEX audit_events_record ON audit_events (organisation_id, record_type, record_id, occurred_at);
    CREATE INDEX audit_events_time ON audit_events (organisation_id, occurred_at);
  `.execute(db);

  // The audit trail is append-only whoever asks: even the table owner cannot UPDATE, DELETE or TRUNCATE it.
  await sql`
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
  `.execute(db);

  for (const table of [
    'organisations',
    'organisation_keys',
    'users',
    'invitations',
    'sessions',
    'audit_events',
  ]) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }

  // Sign-in has to find an account before it knows the organisation: this narrow function is the only
  // way the application role can look across organisations, and it returns identifiers only.
  await sql`
    CREATE FUNCTION vigil_sign_in_candidates(p_email text)
    RETURNS TABLE (organisation_id uuid, user_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT u.organisation_id, u.user_id FROM users u WHERE u.email = lower(trim(p_email)) $$;
    REVOKE ALL ON FUNCTION vigil_sign_in_candidates(text) FROM PUBLIC;
  `.execute(db);

  await sql`
    GRANT USAGE ON SCHEMA public TO vigil_app;
    GRANT EXECUTE ON FUNCTION vigil_current_organisation() TO vigil_app;
    GRANT EXECUTE ON FUNCTION vigil_sign_in_candidates(text) TO vigil_app;
    GRANT SELECT, UPDATE ON installation TO vigil_app;
    GRANT SELECT, INSERT, DELETE ON sign_in_failures TO vigil_app;
    GRANT SELECT, INSERT, UPDATE ON organisations, organisation_keys TO vigil_app;
    GRANT SELECT, INSERT, UPDATE ON users, invitations, sessions TO vigil_app;
    GRANT SELECT, INSERT ON audit_events TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The foundation migration cannot be reversed; restore from a backup instead.');
}
