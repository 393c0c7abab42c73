// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Every signed-in request starts by finding its session. That took a transaction of its own (BEGIN, set the
 * organisation, SELECT, COMMIT), and the navigation counts another, before the page's own work. This narrow
 * function answers both in one round trip: given the organisation and the hash of a session token, the
 * session with its user and organisation name, and what the navigation counts for that organisation. It finds
 * nothing without the token's hash, so it lets the application role see no more than it could before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION vigil_request_context(p_organisation_id uuid, p_token_hash bytea)
    RETURNS TABLE (
      session_id uuid,
      stage text,
      created_at timestamptz,
      last_seen_at timestamptz,
      expires_at timestamptz,
      ended_at timestamptz,
      user_id uuid,
      display_name text,
      email text,
      role text,
      status text,
      service_name text,
      referrals_waiting bigint,
      perpetrator_alerts_waiting bigint
    )
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
      SELECT s.session_id, s.stage, s.created_at, s.last_seen_at, s.expires_at, s.ended_at,
             u.user_id, u.display_name, u.email, u.role, u.status, o.service_name,
             (SELECT count(*) FROM referrals r
              WHERE r.organisation_id = s.organisation_id AND r.status = 'submitted'),
             (SELECT count(*) FROM perpetrator_alerts a
              WHERE a.organisation_id = s.organisation_id AND a.acknowledged_at IS NULL)
      FROM sessions s
      JOIN users u ON u.organisation_id = s.organisation_id AND u.user_id = s.user_id
      JOIN organisations o ON o.organisation_id = s.organisation_id
      WHERE s.organisation_id = p_organisation_id AND s.token_hash = p_token_hash
    $$;
    REVOKE ALL ON FUNCTION vigil_request_context(uuid, bytea) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION vigil_request_context(uuid, bytea) TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
