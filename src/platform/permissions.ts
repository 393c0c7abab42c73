import type { Role } from '../db/schema.ts';

/** Permissions are resource:action; each role is granted a fixed set. Record scope is applied in queries. */
export const PERMISSIONS = [
  'staff:read',
  'staff:manage',
  'audit:read',
  'organisation:manage',
  'referral:triage',
  /** Open cases on one's own caseload. */
  'case:read',
  /** Open any case in the organisation (team oversight). */
  'case:read_all',
  'case:allocate',
  /** Review every opening of a case outside someone's scope ("break glass"). */
  'case:review_access',
  /** Read perpetrator records (within one's record scope). */
  'perpetrator:read',
  /** Add perpetrators to cases and link known perpetrators to them. */
  'perpetrator:manage',
  /** See matches with perpetrators in other people's cases, and the serial-perpetrator alerts. */
  'perpetrator:see_matches',
  /**
   * See and change a client's home address (within one's record scope). Caseworkers and managers only: police
   * liaison and auditors never see where a victim lives (SECURITY.md 11), and showing it is an audited action.
   */
  'client:read_address',
  /** Redact a diary entry (with a reason; the entry is kept for audit and shown as redacted). */
  'diary:redact',
  /** Download an evidence file's original, audited as chain of custody. */
  'evidence:download',
  /** Refer a case to MARAC, download the referral document, and record the meeting, outcome and actions. */
  'marac:refer',
  /**
   * Make evidence bundles of a case (within one's record scope), follow their progress and download them.
   * Caseworkers and managers.
   */
  'bundle:create',
  /**
   * Make a bundle for police when the client has not consented, with the reason recorded (SECURITY.md 25).
   * Managers only: sharing without consent is a decision the team manager owns.
   */
  'bundle:override_consent',
  /**
   * Download bundles made for police from the list of them, without opening the case: only those whose
   * client's address and contact details were redacted (SECURITY.md 11). Police liaison.
   */
  'bundle:download_police',
  /** Start, answer and complete risk assessments (reading them needs only the case). */
  'risk:assess',
  /** Record protection orders, their conditions and changes, and breaches with their police reports. */
  'order:record',
  /** Add local risk questionnaires and new versions of them. */
  'risk_template:manage',
  /** Build and change a case's safety plan with the client (reading it needs case:read and the case in scope). */
  'safety_plan:change',
  /**
   * Record police contacts, crime references and court hearings on a case, and make the request to police for a
   * Stalking Protection Order (reading them needs only the case).
   */
  'police_liaison:record',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES: readonly Role[] = ['administrator', 'manager', 'caseworker', 'police_liaison', 'auditor'];

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  manager: 'Team manager',
  caseworker: 'Caseworker (ISAC)',
  police_liaison: 'Police liaison',
  auditor: 'Auditor',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  administrator: 'Manages staff accounts, roles and the service’s settings',
  manager: 'Triages referrals, allocates cases and oversees the team’s caseload',
  caseworker: 'Works with victims on their own caseload',
  police_liaison: 'Sees the evidence police need, never victims’ contact details',
  auditor: 'Reads the audit trail',
};

const grants: Record<Role, readonly Permission[]> = {
  administrator: ['staff:read', 'staff:manage', 'audit:read', 'organisation:manage', 'risk_template:manage'],
  manager: [
    'staff:read',
    'referral:triage',
    'case:read',
    'case:read_all',
    'case:allocate',
    'case:review_access',
    'perpetrator:read',
    'perpetrator:manage',
    'perpetrator:see_matches',
    'client:read_address',
    'diary:redact',
    'evidence:download',
    'marac:refer',
    'risk:assess',
    'order:record',
    'safety_plan:change',
    'bundle:create',
    'bundle:override_consent',
    'police_liaison:record',
  ],
  caseworker: [
    'case:read',
    'perpetrator:read',
    'perpetrator:manage',
    'client:read_address',
    'diary:redact',
    'evidence:download',
    'marac:refer',
    'risk:assess',
    'order:record',
    'safety_plan:change',
    'bundle:create',
    'police_liaison:record',
  ],
  police_liaison: ['perpetrator:read', 'bundle:download_police'],
  auditor: ['audit:read', 'staff:read'],
};

export function can(role: Role, permission: Permission): boolean {
  return grants[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
