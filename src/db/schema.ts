// Table types, kept in one place. Rows keep snake_case; services map them to domain objects.
import type { ColumnType, Generated } from 'kysely';
import type { ConditionKind } from '../modules/orders/conditions.ts';
import type { OrderStatus, OrderType, ReminderKind } from '../modules/orders/order-rules.ts';

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

export interface RateLimitEventsTable {
  key_hash: Buffer;
  occurred_at: Timestamp;
}

export interface OrganisationsTable {
  organisation_id: string;
  service_name: string;
  created_at: Timestamp;
  referral_code: string;
  team_email: string | null;
  public_phone: string | null;
  public_contact_hours: string | null;
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
  team_id: string | null;
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
  /** The order of recording: unique and rising, with gaps, shared by all organisations (ADR 0012). */
  seq: ColumnType<number, never, never>;
  event_id: string;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  reason: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  /** Only on events recorded before the chain moved to audit_chain (which holds theirs too). */
  previous_hash: ColumnType<string | null, never, never>;
  hash: ColumnType<string | null, never, never>;
  /** The recording transaction (xid8, as text); null on events recorded before the chain moved. */
  recorded_xid: ColumnType<string | null, never, never>;
}

/** Each organisation's hash chain over its audit events, in the order they settled (ADR 0012). */
export interface AuditChainTable {
  organisation_id: string;
  seq: number;
  event_id: string;
  previous_hash: string;
  hash: string;
}

export type ReferralStatus =
  'draft' | 'submitted' | 'accepted' | 'signposted' | 'declined' | 'information_requested';

export interface ReferralsTable {
  organisation_id: string;
  referral_id: string;
  reference: string;
  status: ReferralStatus;
  route: 'self' | 'professional' | null;
  draft_token_hash: Buffer | null;
  data_key_wrapped: Buffer;
  created_at: Timestamp;
  updated_at: Timestamp;
  draft_expires_at: Timestamp | null;
  submitted_at: Timestamp | null;
  person_name: string | null;
  person_date_of_birth: ColumnType<string | null, string | null, string | null>;
  person_age: number | null;
  gender: string | null;
  gender_description: string | null;
  phone_sealed: Buffer | null;
  phone_index: Buffer | null;
  phone_safe: boolean | null;
  email_sealed: Buffer | null;
  email_index: Buffer | null;
  email_safe: boolean | null;
  safe_times_sealed: Buffer | null;
  voicemail_allowed: boolean | null;
  may_say_who_we_are: boolean | null;
  code_word_sealed: Buffer | null;
  language: string | null;
  interpreter_needed: boolean | null;
  accessibility_needs_sealed: Buffer | null;
  in_immediate_danger: boolean | null;
  behaviours: Generated<string[]>;
  what_is_happening_sealed: Buffer | null;
  duration: string | null;
  perpetrator_known: boolean | null;
  perpetrator_name: string | null;
  perpetrator_relationship: string | null;
  police_involved: string | null;
  crime_reference: string | null;
  children_in_household: string | null;
  referrer_name: string | null;
  referrer_role: string | null;
  referrer_agency: string | null;
  referrer_phone_sealed: Buffer | null;
  referrer_email_sealed: Buffer | null;
  consent_confirmed: boolean | null;
  no_safe_contact: Generated<boolean>;
}

export interface ClientsTable {
  organisation_id: string;
  client_id: string;
  data_key_wrapped: Buffer;
  name: string;
  date_of_birth: ColumnType<string | null, string | null, string | null>;
  age_at_referral: number | null;
  gender: string | null;
  gender_description: string | null;
  phone_sealed: Buffer | null;
  phone_index: Buffer | null;
  phone_safe: boolean | null;
  email_sealed: Buffer | null;
  email_index: Buffer | null;
  email_safe: boolean | null;
  safe_times_sealed: Buffer | null;
  voicemail_allowed: boolean | null;
  may_say_who_we_are: boolean | null;
  code_word_sealed: Buffer | null;
  language: string | null;
  interpreter_needed: boolean | null;
  accessibility_needs_sealed: Buffer | null;
  created_at: Timestamp;
  /** The day a caseworker recorded the age (without a date of birth); null when it came with the referral. */
  age_recorded_on: ColumnType<string | null, string | null | undefined, string | null>;
}

export type CaseStatus = 'open' | 'active' | 'closed';

export interface CasesTable {
  organisation_id: string;
  case_id: string;
  reference: string;
  client_id: string;
  data_key_wrapped: Buffer;
  status: CaseStatus;
  urgent: Generated<boolean>;
  allocated_to: string | null;
  opened_at: Timestamp;
  opened_by: string;
  closed_at: Timestamp | null;
  risk_level: ColumnType<RiskLevel | null, RiskLevel | null | undefined, RiskLevel | null>;
  risk_assessed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface CaseAllocationsTable {
  organisation_id: string;
  allocation_id: string;
  case_id: string;
  allocated_to: string;
  allocated_by: string;
  allocated_at: Timestamp;
  ended_at: Timestamp | null;
}

export type TriageDecision = 'accepted' | 'signposted' | 'declined' | 'information_requested';

export interface ReferralDecisionsTable {
  organisation_id: string;
  decision_id: string;
  referral_id: string;
  decision: TriageDecision;
  reason: string;
  signposted_to: string | null;
  case_id: string | null;
  decided_by: string;
  decided_at: Timestamp;
}

export type ContactMethod = 'phone' | 'text_message' | 'email' | 'in_person' | 'video' | 'letter' | 'other';
export type ContactOutcome = 'spoke' | 'no_answer' | 'left_voicemail' | 'message_sent' | 'met';
export type CloseOutcome =
  'support_completed' | 'client_disengaged' | 'client_declined' | 'moved_away' | 'transferred' | 'other';

export interface CaseContactsTable {
  organisation_id: string;
  contact_id: string;
  case_id: string;
  occurred_at: Timestamp;
  duration_minutes: number | null;
  method: ContactMethod;
  direction: 'outgoing' | 'incoming';
  outcome: ContactOutcome;
  summary_sealed: Buffer;
  safe_contact_followed: boolean;
  safe_contact_note_sealed: Buffer | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface CaseNotesTable {
  organisation_id: string;
  note_id: string;
  case_id: string;
  body_sealed: Buffer;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface TasksTable {
  organisation_id: string;
  task_id: string;
  case_id: string;
  title: string;
  due_on: ColumnType<string, string, string>;
  owner_id: string;
  created_by: string;
  created_at: Timestamp;
  completed_at: Timestamp | null;
  completed_by: string | null;
  /** Set on tasks Vigil raises for a purpose it later closes them for: reassessing the risk. */
  purpose: ColumnType<TaskPurpose | null, TaskPurpose | null | undefined, never>;
}

export type TaskPurpose = 'risk_review' | 'order_reminder';

export interface CaseStatusChangesTable {
  organisation_id: string;
  change_id: string;
  case_id: string;
  from_status: string;
  to_status: CaseStatus;
  reason: string;
  outcome: CloseOutcome | null;
  changed_by: string;
  changed_at: Timestamp;
}

export type PerpetratorIdentifierKind = 'phone' | 'email' | 'handle' | 'vehicle';

export interface PerpetratorsTable {
  organisation_id: string;
  perpetrator_id: string;
  data_key_wrapped: Buffer;
  name: string | null;
  aliases: Generated<string[]>;
  date_of_birth: ColumnType<string | null, string | null, string | null>;
  approximate_age: number | null;
  description_sealed: Buffer | null;
  addresses_sealed: Buffer | null;
  risk_factors: Generated<string[]>;
  risk_notes_sealed: Buffer | null;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
}

export interface PerpetratorIdentifiersTable {
  organisation_id: string;
  identifier_id: string;
  perpetrator_id: string;
  kind: PerpetratorIdentifierKind;
  index: Buffer;
  value_sealed: Buffer;
  platform: string | null;
}

export interface CasePerpetratorsTable {
  organisation_id: string;
  case_id: string;
  perpetrator_id: string;
  relationship: string;
  linked_at: Timestamp;
  linked_by: string;
}

export interface PerpetratorAlertsTable {
  organisation_id: string;
  alert_id: string;
  perpetrator_id: string;
  case_id: string;
  reasons: string;
  created_at: Timestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
}

export interface TeamsTable {
  organisation_id: string;
  team_id: string;
  name: string;
  shares_cases: Generated<boolean>;
  created_at: Timestamp;
}

export interface CaseAccessGrantsTable {
  organisation_id: string;
  grant_id: string;
  case_id: string;
  user_id: string;
  reason_sealed: Buffer;
  granted_at: Timestamp;
  expires_at: Timestamp;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
}

export interface ClientDetailsTable {
  organisation_id: string;
  client_id: string;
  aliases_sealed: Buffer | null;
  alias_indexes: Generated<Buffer[]>;
  address_sealed: Buffer | null;
  equality_sealed: Buffer | null;
  support_needs_sealed: Buffer | null;
  updated_at: Timestamp;
  updated_by: string;
}

export interface ClientDependantsTable {
  organisation_id: string;
  dependant_id: string;
  client_id: string;
  details_sealed: Buffer;
  added_at: Timestamp;
  added_by: string;
  removed_at: Timestamp | null;
  removed_by: string | null;
}

export type CaseServiceType =
  | 'trauma_informed_support'
  | 'advice_and_advocacy'
  | 'risk_and_safety_planning'
  | 'court_support'
  | 'police_liaison'
  | 'programmes'
  | 'family_court_legal_support'
  | 'counselling';

export interface CaseServicesTable {
  organisation_id: string;
  service_id: string;
  case_id: string;
  service: CaseServiceType;
  started_on: ColumnType<string, string, string>;
  note_sealed: Buffer | null;
  recorded_by: string;
  recorded_at: Timestamp;
  ended_on: ColumnType<string | null, string | null, string | null>;
  ended_by: string | null;
  ended_at: Timestamp | null;
}

export type AgencyType =
  | 'counselling'
  | 'legal_advice'
  | 'housing'
  | 'idva'
  | 'childrens_services'
  | 'adult_social_care'
  | 'mental_health'
  | 'health'
  | 'police'
  | 'substance_use'
  | 'victim_support'
  | 'other';

export interface OnwardReferralsTable {
  organisation_id: string;
  onward_referral_id: string;
  case_id: string;
  agency_type: AgencyType;
  agency_name_sealed: Buffer;
  referred_on: ColumnType<string, string, string>;
  reason_sealed: Buffer;
  consent_given: boolean;
  consent_override_sealed: Buffer | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export type OnwardReferralOutcome = 'accepted' | 'declined' | 'no_response' | 'client_declined' | 'waiting';

export interface OnwardReferralOutcomesTable {
  organisation_id: string;
  outcome_id: string;
  case_id: string;
  onward_referral_id: string;
  outcome: OnwardReferralOutcome;
  outcome_on: ColumnType<string, string, string>;
  note_sealed: Buffer | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

/** Contact field names, as client_contact_history.changed records them. */
export type ContactField =
  | 'phone'
  | 'phoneSafe'
  | 'email'
  | 'emailSafe'
  | 'safeTimes'
  | 'voicemailAllowed'
  | 'maySayWhoWeAre'
  | 'codeWord';

export interface ClientContactHistoryTable {
  organisation_id: string;
  change_id: string;
  client_id: string;
  previous_sealed: Buffer;
  changed: ContactField[];
  changed_at: Timestamp;
  changed_by: string;
}

export type DiaryOrigin = 'staff' | 'victim' | 'import';

export interface DiaryEntriesTable {
  organisation_id: string;
  entry_id: string;
  case_id: string;
  entry_number: number;
  origin: DiaryOrigin;
  recorded_by: string | null;
  recorded_at: Timestamp;
  import_id: string | null;
  submission_id: string;
}

export interface DiaryEntryVersionsTable {
  organisation_id: string;
  entry_id: string;
  version: number;
  case_id: string;
  occurred_from: Timestamp;
  occurred_to: Timestamp | null;
  behaviours: string[];
  impacts: Generated<string[]>;
  channel: string | null;
  perpetrator_id: string | null;
  reported_to_police: boolean;
  details_sealed: Buffer;
  correction_reason_sealed: Buffer | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
}

export interface DiaryEntryRedactionsTable {
  organisation_id: string;
  entry_id: string;
  case_id: string;
  reason_sealed: Buffer;
  redacted_by: string;
  redacted_at: Timestamp;
}

export interface DiaryEntryIdentifiersTable {
  organisation_id: string;
  entry_id: string;
  version: number;
  kind: 'phone' | 'email' | 'handle';
  index: Buffer;
  value_sealed: Buffer;
  platform: string | null;
}

/** Keyed hashes of the starts of an entry version's words (ADR 0017), as decimal strings (bigint). */
export interface DiaryEntryWordsTable {
  organisation_id: string;
  entry_id: string;
  version: number;
  case_id: string;
  words: string[];
}

export interface EvidenceFilesTable {
  organisation_id: string;
  evidence_id: string;
  case_id: string;
  entry_id: string;
  exhibit_number: number;
  sha256: Buffer;
  size_bytes: number;
  media_type: string;
  original_name_sealed: Buffer;
  metadata_sealed: Buffer | null;
  captured_at: Timestamp | null;
  storage_key: string;
  uploaded_by: string | null;
  uploaded_at: Timestamp;
}

export interface EvidenceDerivativesTable {
  organisation_id: string;
  evidence_id: string;
  kind: 'thumbnail' | 'display';
  media_type: string;
  size_bytes: number;
  width: number;
  height: number;
  storage_key: string;
}

export interface DiaryImportsTable {
  organisation_id: string;
  import_id: string;
  case_id: string;
  rows_sealed: Buffer;
  row_count: number;
  created_by: string;
  created_at: Timestamp;
  imported_at: Timestamp | null;
}

export interface DiaryEscalationsTable {
  organisation_id: string;
  escalation_id: string;
  case_id: string;
  rule: string;
  reason: string;
  detected_at: Timestamp;
  task_id: string | null;
}

export type RiskLevel = 'standard' | 'medium' | 'high';
export type RiskTemplatePurpose = 'risk_checklist' | 'stalking_screening' | 'other';

export interface RiskTemplatesTable {
  organisation_id: string;
  template_version_id: string;
  template_key: string;
  version_number: number;
  purpose: RiskTemplatePurpose;
  title: string;
  definition: ColumnType<unknown, string, never>;
  origin: 'shipped' | 'local';
  created_by: string | null;
  created_at: Timestamp;
}

export interface RiskAssessmentsTable {
  organisation_id: string;
  assessment_id: string;
  case_id: string;
  template_version_id: string;
  status: 'in_progress' | 'completed';
  answers_sealed: Buffer;
  started_by: string;
  started_at: Timestamp;
  saved_at: Timestamp;
  submission_id: string;
  completed_by: string | null;
  completed_at: Timestamp | null;
  score: number | null;
  computed_level: RiskLevel | null;
  judgement_level: Exclude<RiskLevel, 'standard'> | null;
  judgement_reason_sealed: Buffer | null;
  level: RiskLevel | null;
}

export type MaracConsent = 'consents' | 'proceeds_without_consent' | 'not_yet_asked';

type DateColumn = ColumnType<string | null, string | null | undefined, string | null>;

export interface ProtectionOrdersTable {
  organisation_id: string;
  order_id: string;
  case_id: string;
  order_number: number;
  order_type: OrderType;
  perpetrator_id: string | null;
  status: OrderStatus;
  requested_on: DateColumn;
  applied_on: DateColumn;
  interim_made_on: DateColumn;
  made_on: DateColumn;
  served_on: DateColumn;
  expires_on: DateColumn;
  until_further_order: boolean;
  ended_on: DateColumn;
  details_sealed: Buffer;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
  updated_by: string;
}

export interface ProtectionOrderChangesTable {
  organisation_id: string;
  change_id: string;
  case_id: string;
  order_id: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  dates: ColumnType<unknown, string, never>;
  note_sealed: Buffer | null;
  changed_at: Timestamp;
  changed_by: string;
}

export interface ProtectionOrderConditionsTable {
  organisation_id: string;
  condition_id: string;
  case_id: string;
  order_id: string;
  condition_number: number;
  kind: ConditionKind;
  terms_sealed: Buffer;
  from_on: DateColumn;
  ended_on: DateColumn;
  added_at: Timestamp;
  added_by: string;
  ended_at: Timestamp | null;
  ended_by: string | null;
}

export interface ProtectionOrderRemindersTable {
  organisation_id: string;
  order_id: string;
  kind: ReminderKind;
  task_id: string;
}

export interface ProtectionOrderBreachesTable {
  organisation_id: string;
  breach_id: string;
  case_id: string;
  order_id: string;
  entry_id: string;
  breach_number: number;
  condition_ids: string[];
  note_sealed: Buffer | null;
  recorded_at: Timestamp;
  recorded_by: string;
  reported_at: Timestamp | null;
  report_sealed: Buffer | null;
  report_recorded_by: string | null;
}

export type BreachOutcome = 'no_further_action' | 'arrest' | 'charge' | 'conviction' | 'sentence' | 'other';

export interface ProtectionOrderBreachOutcomesTable {
  organisation_id: string;
  outcome_id: string;
  case_id: string;
  breach_id: string;
  outcome: BreachOutcome;
  outcome_on: ColumnType<string, string, string>;
  note_sealed: Buffer | null;
  recorded_at: Timestamp;
  recorded_by: string;
}

export interface MaracReferralsTable {
  organisation_id: string;
  referral_id: string;
  case_id: string;
  referral_number: number;
  referred_at: Timestamp;
  referred_by: string;
  criteria: string[];
  consent: MaracConsent;
  repeat_of: string | null;
  content_sealed: Buffer;
  document_sha256: Buffer;
  meeting_on: ColumnType<string | null, string | null | undefined, string | null>;
  outcome_sealed: Buffer | null;
  tracking_updated_at: Timestamp | null;
  tracking_updated_by: string | null;
}

export interface MaracActionsTable {
  organisation_id: string;
  action_id: string;
  case_id: string;
  referral_id: string;
  details_sealed: Buffer;
  due_on: ColumnType<string | null, string | null, string | null>;
  added_at: Timestamp;
  added_by: string;
  done_at: Timestamp | null;
  done_by: string | null;
}

export interface SafetyPlanVersionsTable {
  organisation_id: string;
  case_id: string;
  version_number: number;
  plan_sealed: Buffer;
  change_summary: string;
  review_on: ColumnType<string | null, string | null, never>;
  review_task_id: string | null;
  created_by: string;
  created_at: Timestamp;
  submission_id: string;
}

export type PoliceContactRole = 'officer_in_case' | 'single_point_of_contact' | 'other';

export interface PoliceContactVersionsTable {
  organisation_id: string;
  contact_id: string;
  version: number;
  case_id: string;
  submission_id: string;
  force: string;
  officer_name: string;
  collar_number: string | null;
  role: PoliceContactRole;
  details_sealed: Buffer;
  involved: boolean;
  recorded_at: Timestamp;
  recorded_by: string;
}

export type Offence =
  | 'stalking_s2a'
  | 'stalking_fear_s4a'
  | 'harassment'
  | 'breach_of_order'
  | 'malicious_communications'
  | 'criminal_damage'
  | 'other';

export type CrimeStatus =
  'reported' | 'investigating' | 'charged' | 'no_further_action' | 'at_court' | 'convicted' | 'acquitted';

export interface CrimeReferencesTable {
  organisation_id: string;
  crime_reference_id: string;
  case_id: string;
  reference: string;
  force: string;
  offence: Offence;
  offence_detail_sealed: Buffer | null;
  recorded_at: Timestamp;
  recorded_by: string;
}

export interface CrimeReferenceUpdatesTable {
  organisation_id: string;
  update_id: string;
  crime_reference_id: string;
  case_id: string;
  status: CrimeStatus;
  status_on: ColumnType<string, string, string>;
  note_sealed: Buffer | null;
  recorded_at: Timestamp;
  recorded_by: string;
}

export type CourtType = 'criminal' | 'family' | 'civil';
export type HearingType =
  | 'first_appearance'
  | 'trial'
  | 'sentencing'
  | 'spo_application'
  | 'interim_spo'
  | 'directions'
  | 'final_hearing'
  | 'other';
export type HearingSupport = 'accompany' | 'pre_trial_visit' | 'separate_waiting_room';
export type SpecialMeasure = 'screens' | 'live_link' | 'video_recorded_evidence';
export type HearingOutcome = 'went_ahead' | 'adjourned' | 'vacated';

export interface CourtHearingsTable {
  organisation_id: string;
  hearing_id: string;
  case_id: string;
  court_type: CourtType;
  venue: string;
  starts_at: Timestamp;
  hearing_type: HearingType;
  crime_reference_id: string | null;
  support: HearingSupport[];
  measures_requested: SpecialMeasure[];
  measures_granted: SpecialMeasure[];
  notes_sealed: Buffer;
  outcome: HearingOutcome | null;
  outcome_sealed: Buffer | null;
  outcome_recorded_at: Timestamp | null;
  outcome_recorded_by: string | null;
  reminder_task_id: string | null;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
  updated_by: string;
}

export interface SpoRequestsTable {
  organisation_id: string;
  request_id: string;
  case_id: string;
  request_number: number;
  requested_at: Timestamp;
  requested_by: string;
  consent: 'consents' | 'without_consent';
  content_sealed: Buffer;
  document_sha256: Buffer;
}

export interface Database {
  installation: InstallationTable;
  rate_limit_events: RateLimitEventsTable;
  organisations: OrganisationsTable;
  organisation_keys: OrganisationKeysTable;
  users: UsersTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  audit_chain: AuditChainTable;
  referrals: ReferralsTable;
  clients: ClientsTable;
  cases: CasesTable;
  case_allocations: CaseAllocationsTable;
  referral_decisions: ReferralDecisionsTable;
  case_contacts: CaseContactsTable;
  case_notes: CaseNotesTable;
  tasks: TasksTable;
  case_status_changes: CaseStatusChangesTable;
  perpetrators: PerpetratorsTable;
  perpetrator_identifiers: PerpetratorIdentifiersTable;
  case_perpetrators: CasePerpetratorsTable;
  perpetrator_alerts: PerpetratorAlertsTable;
  teams: TeamsTable;
  case_access_grants: CaseAccessGrantsTable;
  client_details: ClientDetailsTable;
  client_dependants: ClientDependantsTable;
  case_services: CaseServicesTable;
  onward_referrals: OnwardReferralsTable;
  onward_referral_outcomes: OnwardReferralOutcomesTable;
  client_contact_history: ClientContactHistoryTable;
  diary_entries: DiaryEntriesTable;
  diary_entry_versions: DiaryEntryVersionsTable;
  diary_entry_redactions: DiaryEntryRedactionsTable;
  diary_entry_identifiers: DiaryEntryIdentifiersTable;
  diary_entry_words: DiaryEntryWordsTable;
  evidence_files: EvidenceFilesTable;
  evidence_derivatives: EvidenceDerivativesTable;
  diary_imports: DiaryImportsTable;
  diary_escalations: DiaryEscalationsTable;
  risk_templates: RiskTemplatesTable;
  risk_assessments: RiskAssessmentsTable;
  marac_referrals: MaracReferralsTable;
  marac_actions: MaracActionsTable;
  protection_orders: ProtectionOrdersTable;
  protection_order_changes: ProtectionOrderChangesTable;
  protection_order_conditions: ProtectionOrderConditionsTable;
  protection_order_reminders: ProtectionOrderRemindersTable;
  protection_order_breaches: ProtectionOrderBreachesTable;
  protection_order_breach_outcomes: ProtectionOrderBreachOutcomesTable;
  safety_plan_versions: SafetyPlanVersionsTable;
  bundle_signing_keys: BundleSigningKeysTable;
  bundle_jobs: BundleJobsTable;
  police_contact_versions: PoliceContactVersionsTable;
  crime_references: CrimeReferencesTable;
  crime_reference_updates: CrimeReferenceUpdatesTable;
  court_hearings: CourtHearingsTable;
  spo_requests: SpoRequestsTable;
}

export interface BundleSigningKeysTable {
  organisation_id: string;
  key_id: string;
  public_key: Buffer;
  private_key_sealed: Buffer;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export type BundlePurpose = 'police_spo' | 'police_investigation' | 'court' | 'victim';
export type BundleStatus = 'queued' | 'running' | 'done' | 'failed';

export interface BundleJobsTable {
  organisation_id: string;
  bundle_id: string;
  case_id: string;
  requested_by: string;
  requested_at: Timestamp;
  purpose: BundlePurpose;
  from_date: ColumnType<string | null, string | null, string | null>;
  to_date: ColumnType<string | null, string | null, string | null>;
  behaviours: ColumnType<string[], string[] | undefined, string[]>;
  perpetrator_id: string | null;
  with_attachments: boolean;
  redact_contact: boolean;
  consent: 'consents' | 'override' | null;
  consent_reason_sealed: Buffer | null;
  signing_key_id: string;
  status: BundleStatus;
  progress: ColumnType<number, number | undefined, number>;
  stage: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  heartbeat_at: Timestamp | null;
  finished_at: Timestamp | null;
  failure: string | null;
  incidents: number | null;
  exhibits: number | null;
  pages: number | null;
  pdf_sha256: Buffer | null;
  zip_sha256: Buffer | null;
  zip_size: number | null;
  storage_key: string | null;
}
