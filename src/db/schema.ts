// Table types, kept in one place. Rows keep snake_case; services map them to domain objects.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

export type Role = 'administrator' | 'manager' | 'caseworker' | 'police_liaison' | 'auditor';
export type UserStatus = 'invited' | 'active' | 'disabled';
export type SessionStage = 'second_factor' | 'enrolment' | 'active';

export interface InstallationTable {
  singleton: Generated<boolean>;
  setup_token_hash: Buffer | null;
  setup_token_created_at: Timestamp | null;
  setup_completed_at: Timestamp | null;
}

export interface SignInFailuresTable {
  key_hash: Buffer;
  failed_at: Timestamp;
}

export interface OrganisationsTable {
  organisation_id: string;
  service_name: string;
  created_at: Timestamp;
}

export interface OrganisationKeysTable {
  organisation_id: string;
  master_key_id: string;
  wrapped_key: Buffer;
  created_at: Timestamp;
}

export interface UsersTable {
  organisation_id: string;
  user_id: string;
  email: string;
  display_name: string;
  role: Role;
  status: UserStatus;
  passphrase_hash: string | null;
  totp_secret_sealed: Buffer | null;
  totp_enrolled_at: Timestamp | null;
  totp_last_step: Generated<number>;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
}

export interface InvitationsTable {
  organisation_id: string;
  invitation_id: string;
  user_id: string;
  token_hash: Buffer;
  invited_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  withdrawn_at: Timestamp | null;
}

export interface SessionsTable {
  organisation_id: string;
  session_id: string;
  token_hash: Buffer;
  user_id: string;
  stage: SessionStage;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  end_reason: string | null;
  client_address: string | null;
  user_agent: string | null;
}

export interface AuditEventsTable {
  organisation_id: string;
  seq: number;
  event_id: string;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  reason: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  previous_hash: string;
  hash: string;
}

export interface Database {
  installation: InstallationTable;
  sign_in_failures: SignInFailuresTable;
  organisations: OrganisationsTable;
  organisation_keys: OrganisationKeysTable;
  users: UsersTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
}
