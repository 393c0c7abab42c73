// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Each organisation's key for signing evidence bundles' manifests (Ed25519). The private half is sealed
    -- with the organisation key; the public half is published, so anyone can check a bundle's signature.
    -- One active key per organisation; a retired key stays, so bundles it signed still verify.
    CREATE TABLE bundle_signing_keys (
      organisation_id uuid NOT NULL REFERENCES organisations (organisation_id),
      key_id text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
      public_key bytea NOT NULL,
      private_key_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL,
      retired_at timestamptz,
      PRIMARY KEY (organisation_id, key_id),
      UNIQUE (key_id)
    );
    CREATE UNIQUE INDEX bundle_signing_keys_active ON bundle_signing_keys (organisation_id)
      WHERE retired_at IS NULL;

    -- An evidence bundle asked for on a case, and the background job that builds it. What goes in (dates,
    -- behaviours, perpetrator, attachments, redaction), the purpose and, for police, the consent position or
    -- the override's sealed reason are fixed when asked for; the bundle's contents are the case as it stood at
    -- requested_at, so building it again gives the same bytes. The built ZIP is stored encrypted under the
    -- SHA-256 of its bytes (storage_key).
    CREATE TABLE bundle_jobs (
      organisation_id uuid NOT NULL,
      bundle_id uuid NOT NULL,
      case_id uuid NOT NULL,
      requested_by uuid NOT NULL,
      requested_at timestamptz NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('police_spo', 'police_investigation', 'court', 'victim')),
      from_date date,
      to_date date,
      behaviours text[] NOT NULL DEFAULT '{}',
      perpetrator_id uuid,
      with_attachments boolean NOT NULL,
      redact_contact boolean NOT NULL,
      consent text CHECK (consent IN ('consents', 'override')),
      consent_reason_sealed bytea,
      signing_key_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
      progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
      stage text NOT NULL DEFAULT 'Waiting to start',
      attempts integer NOT NULL DEFAULT 0,
      heartbeat_at timestamptz,
      finished_at timestamptz,
      failure text,
      incidents integer,
      exhibits integer,
      pages integer,
      pdf_sha256 bytea CHECK (length(pdf_sha256) = 32),
      zip_sha256 bytea CHECK (length(zip_sha256) = 32),
      zip_size bigint,
      storage_key text,
      PRIMARY KEY (organisation_id, bundle_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, requested_by) REFERENCES users (organisation_id, user_id),
      FOREIGN KEY (organisation_id, perpetrator_id) REFERENCES perpetrators (organisation_id, perpetrator_id),
      FOREIGN KEY (organisation_id, signing_key_id) REFERENCES bundle_signing_keys (organisation_id, key_id),
      CHECK ((purpose IN ('police_spo', 'police_investigation')) = (consent IS NOT NULL)),
      CHECK ((consent = 'override') = (consent_reason_sealed IS NOT NULL)),
      CHECK (from_date IS NULL OR to_date IS NULL OR from_date <= to_date),
      CHECK ((status = 'done') = (storage_key IS NOT NULL))
    );
    CREATE INDEX bundle_jobs_case ON bundle_jobs (organisation_id, case_id, requested_at);
    CREATE INDEX bundle_jobs_waiting ON bundle_jobs (requested_at) WHERE status IN ('queued', 'running');
    CREATE INDEX bundle_jobs_police ON bundle_jobs (organisation_id, requested_at)
      WHERE purpose IN ('police_spo', 'police_investigation') AND status = 'done';

    ALTER TABLE bundle_signing_keys ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON bundle_signing_keys TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
    ALTER TABLE bundle_jobs ENABLE ROW LEVEL SECURITY;
    CREATE POLICY organisation_isolation ON bundle_jobs TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation());
    GRANT SELECT, INSERT, UPDATE ON bundle_signing_keys, bundle_jobs TO vigil_app;

    -- A bundle's signature is checked by anyone, signed in or not: this is the only way to read a signing key
    -- across organisations, and it gives the public half alone.
    CREATE FUNCTION vigil_bundle_public_key(p_key_id text)
    RETURNS TABLE (public_key bytea, organisation_name text, created_at timestamptz, retired_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
      SELECT k.public_key, o.service_name, k.created_at, k.retired_at
      FROM bundle_signing_keys k JOIN organisations o ON o.organisation_id = k.organisation_id
      WHERE k.key_id = p_key_id
    $$;
    REVOKE ALL ON FUNCTION vigil_bundle_public_key(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_bundle_public_key(text) TO vigil_app;

    -- The background worker takes the oldest waiting job of any organisation (or one whose worker stopped
    -- beating, after a restart), marks it running and learns only its identifiers; it then works inside that
    -- organisation as usual.
    CREATE FUNCTION vigil_claim_bundle_job(p_stale_after interval)
    RETURNS TABLE (organisation_id uuid, bundle_id uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
      UPDATE bundle_jobs j SET status = 'running', attempts = j.attempts + 1, heartbeat_at = now()
      FROM (
        SELECT w.organisation_id, w.bundle_id FROM bundle_jobs w
        WHERE w.status = 'queued' OR (w.status = 'running' AND w.heartbeat_at < now() - p_stale_after)
        ORDER BY w.requested_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      ) chosen
      WHERE j.organisation_id = chosen.organisation_id AND j.bundle_id = chosen.bundle_id
      RETURNING j.organisation_id, j.bundle_id
    $$;
    REVOKE ALL ON FUNCTION vigil_claim_bundle_job(interval) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_claim_bundle_job(interval) TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
