import type {
  CourtType,
  CrimeStatus,
  HearingOutcome,
  HearingSupport,
  HearingType,
  Offence,
  PoliceContactRole,
  SpecialMeasure,
} from '../../db/schema.ts';

/** The choices on the police liaison and court forms, each with the words shown for it. */
export type Option<T extends string> = { value: T; text: string };

export const POLICE_ROLES: Option<PoliceContactRole>[] = [
  { value: 'officer_in_case', text: 'Officer in the case' },
  { value: 'single_point_of_contact', text: 'Single point of contact' },
  { value: 'other', text: 'Other' },
];

export const OFFENCES: Option<Offence>[] = [
  { value: 'stalking_s2a', text: 'Stalking (section 2A)' },
  {
    value: 'stalking_fear_s4a',
    text: 'Stalking involving fear of violence or serious alarm or distress (section 4A)',
  },
  { value: 'harassment', text: 'Harassment' },
  { value: 'breach_of_order', text: 'Breach of an order' },
  { value: 'malicious_communications', text: 'Malicious communications' },
  { value: 'criminal_damage', text: 'Criminal damage' },
  { value: 'other', text: 'Other' },
];

export const CRIME_STATUSES: Option<CrimeStatus>[] = [
  { value: 'reported', text: 'Reported' },
  { value: 'investigating', text: 'Being investigated' },
  { value: 'charged', text: 'Charged' },
  { value: 'no_further_action', text: 'No further action' },
  { value: 'at_court', text: 'At court' },
  { value: 'convicted', text: 'Convicted' },
  { value: 'acquitted', text: 'Acquitted' },
];

export const COURT_TYPES: Option<CourtType>[] = [
  { value: 'criminal', text: 'Criminal court' },
  { value: 'family', text: 'Family court' },
  { value: 'civil', text: 'Civil court' },
];

export const HEARING_TYPES: Option<HearingType>[] = [
  { value: 'first_appearance', text: 'First appearance' },
  { value: 'trial', text: 'Trial' },
  { value: 'sentencing', text: 'Sentencing' },
  { value: 'spo_application', text: 'Stalking Protection Order application' },
  { value: 'interim_spo', text: 'Interim Stalking Protection Order' },
  { value: 'directions', text: 'Directions' },
  { value: 'final_hearing', text: 'Final hearing' },
  { value: 'other', text: 'Other' },
];

export const HEARING_SUPPORT: Option<HearingSupport>[] = [
  { value: 'accompany', text: 'Going to court with the client' },
  { value: 'pre_trial_visit', text: 'A visit to the court before the hearing' },
  { value: 'separate_waiting_room', text: 'A separate waiting room' },
];

export const SPECIAL_MEASURES: Option<SpecialMeasure>[] = [
  { value: 'screens', text: 'Screens' },
  { value: 'live_link', text: 'Live link' },
  { value: 'video_recorded_evidence', text: 'Video-recorded evidence' },
];

export const HEARING_OUTCOMES: Option<HearingOutcome>[] = [
  { value: 'went_ahead', text: 'The hearing went ahead' },
  { value: 'adjourned', text: 'Adjourned' },
  { value: 'vacated', text: 'Cancelled (vacated)' },
];

/**
 * Whether the client agreed to what the request holds going to the police (SECURITY.md 25): with consent, or
 * without it, for a reason given (their safety, or preventing or detecting crime).
 */
export const SPO_CONSENT = [
  { value: 'consents', text: 'The client agrees to this request going to the police' },
  {
    value: 'without_consent',
    text: 'The client does not agree, or cannot be asked, and it goes to the police all the same',
  },
] as const;

export type SpoConsent = (typeof SPO_CONSENT)[number]['value'];

/** The prohibitions a Stalking Protection Order commonly contains, in words a court order would use. */
export const SPO_PROHIBITIONS = [
  {
    value: 'no_contact',
    text: 'Not to contact the person to be protected, directly or indirectly, by any means, including through third parties',
  },
  {
    value: 'no_online_contact',
    text: 'Not to contact or attempt to contact the person to be protected through social media or any other online means',
  },
  {
    value: 'no_entry',
    text: 'Not to enter the areas, or go to the places, named in this request',
  },
  {
    value: 'no_approach',
    text: 'Not to come within a distance of the person to be protected, or of the places named, set by the court',
  },
  {
    value: 'no_monitoring',
    text: 'Not to watch, follow, monitor or record the person to be protected, including by tracking devices or apps',
  },
  {
    value: 'no_publishing',
    text: 'Not to publish any statement or material about the person to be protected, or purporting to come from them',
  },
] as const;

/** The requirements (positive duties) a Stalking Protection Order commonly contains. */
export const SPO_REQUIREMENTS = [
  { value: 'assessment', text: 'To attend an assessment, and any programme it recommends' },
  {
    value: 'surrender_devices',
    text: 'To surrender, or give the police access to, devices used to contact or monitor the person to be protected',
  },
  { value: 'report_to_police', text: 'To report to a police station as the court directs' },
] as const;

export const labelOf = (options: readonly { value: string; text: string }[], value: string): string =>
  options.find((option) => option.value === value)?.text ?? value;

export const isOneOf = <T extends string>(options: readonly { value: T }[], value: unknown): value is T =>
  options.some((option) => option.value === value);
