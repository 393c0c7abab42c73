import {
  BEHAVIOURS,
  DURATIONS,
  GENDERS,
  hasNoSafeContactMethod,
  RELATIONSHIPS,
  type ReferralAnswers,
} from './referral-answers.ts';

/** "Waiting 3 hours", "Waiting 2 days": how long a referral has waited, in the largest whole unit. */
export function describeWaiting(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(Math.max(minutes, 0), 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

const label = (list: readonly { value: string; text: string }[], value: string | null) =>
  value ? (list.find((item) => item.value === value)?.text ?? value) : 'Not answered';
const yesNo = (value: boolean | null) => (value === null ? 'Not answered' : value ? 'Yes' : 'No');
const text = (value: string | number | null) =>
  value === null || value === '' ? 'Not given' : String(value);

export type SummarySection = { title: string; rows: { key: string; value: string }[] };

/** Every answer in a referral, in plain words, grouped as a caseworker reads them. */
export function referralSections(a: ReferralAnswers): SummarySection[] {
  const sections: SummarySection[] = [];
  if (a.route === 'professional') {
    sections.push({
      title: 'Referred by',
      rows: [
        { key: 'Name', value: text(a.referrerName) },
        { key: 'Role', value: text(a.referrerRole) },
        { key: 'Organisation', value: text(a.referrerAgency) },
        { key: 'Phone', value: text(a.referrerPhone) },
        { key: 'Email', value: text(a.referrerEmail) },
        { key: 'The person agreed to this referral', value: yesNo(a.consentConfirmed) },
      ],
    });
  }
  sections.push(
    {
      title: 'The person',
      rows: [
        { key: 'Name', value: text(a.personName) },
        {
          key: 'Date of birth',
          value: a.personDateOfBirth ? formatIsoDate(a.personDateOfBirth) : 'Not given',
        },
        { key: 'Age', value: text(a.personAge) },
        {
          key: 'Gender',
          value: a.gender === 'self_described' ? text(a.genderDescription) : label(GENDERS, a.gender),
        },
        { key: 'In immediate danger', value: yesNo(a.inImmediateDanger) },
        {
          key: 'Children in the household',
          value: a.childrenInHousehold
            ? { yes: 'Yes', no: 'No', prefer_not_to_say: 'Prefer not to say' }[a.childrenInHousehold]
            : 'Not answered',
        },
      ],
    },
    {
      title: 'Safe contact',
      rows: [
        ...(a.noSafeContact
          ? [{ key: 'Safe way to contact', value: 'None: they said there is no safe way right now' }]
          : []),
        {
          key: 'Phone',
          value: a.phone ? `${a.phone} (${a.phoneSafe ? 'safe to call' : 'NOT safe to call'})` : 'Not given',
        },
        {
          key: 'Email',
          value: a.email
            ? `${a.email} (${a.emailSafe ? 'safe to email' : 'NOT safe to email'})`
            : 'Not given',
        },
        { key: 'Safe times', value: text(a.safeTimes) },
        {
          key: 'Voicemail',
          value:
            a.voicemailAllowed === null
              ? 'Not answered'
              : a.voicemailAllowed
                ? 'Can leave a voicemail'
                : 'Do not leave a voicemail',
        },
        {
          key: 'Say who we are',
          value:
            a.maySayWhoWeAre === null
              ? 'Not answered'
              : a.maySayWhoWeAre
                ? 'Yes'
                : 'No – do not say who is calling',
        },
        { key: 'Code word', value: text(a.codeWord) },
        { key: 'Language', value: text(a.language) },
        { key: 'Interpreter needed', value: yesNo(a.interpreterNeeded) },
        { key: 'Accessibility needs', value: text(a.accessibilityNeeds) },
      ],
    },
    {
      title: 'What is happening',
      rows: [
        {
          key: 'Behaviours',
          value: a.behaviours.length
            ? a.behaviours.map((b) => label(BEHAVIOURS, b)).join('; ')
            : 'None selected',
        },
        { key: 'In their words', value: text(a.whatIsHappening) },
        { key: 'For how long', value: label(DURATIONS, a.duration) },
        { key: 'Knows who is doing it', value: yesNo(a.perpetratorKnown) },
        { key: 'Name of the person responsible', value: text(a.perpetratorName) },
        {
          key: 'Relationship',
          value: a.perpetratorKnown ? label(RELATIONSHIPS, a.perpetratorRelationship) : 'Not known',
        },
        {
          key: 'Police told',
          value: a.policeInvolved
            ? { yes: 'Yes', no: 'No', not_sure: 'Not sure' }[a.policeInvolved]
            : 'Not answered',
        },
        { key: 'Crime reference', value: text(a.crimeReference) },
      ],
    },
  );
  return sections;
}

/**
 * What triage must read before anyone tries to reach the person, when there is no safe way to: null when a phone
 * or email was given as safe.
 */
export function noSafeContactWarning(a: ReferralAnswers): string | null {
  if (!hasNoSafeContactMethod(a)) return null;
  const professional = a.route === 'professional';
  if (a.noSafeContact)
    return professional
      ? 'No safe contact method: the referrer said there is no safe way to contact the person right now. Do not call, text or email the person. Contact the referrer instead.'
      : 'No safe contact method: the person said there is no safe way to contact them right now. Do not call, text or email them. Wait for them to contact the service.';
  return professional
    ? 'No safe contact method: no phone number or email address given for the person is safe to use. Contact the referrer to find a safe way.'
    : 'No safe contact method: no phone number or email address given is safe to use. Do not use them. Wait for the person to contact the service.';
}

function formatIsoDate(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));
}

const DECISION_LABELS: Record<string, string> = {
  accepted: 'Accepted: case opened',
  signposted: 'Signposted elsewhere',
  declined: 'Declined',
  information_requested: 'More information requested',
};

export function decisionLabel(decision: string): string {
  return DECISION_LABELS[decision] ?? decision;
}
