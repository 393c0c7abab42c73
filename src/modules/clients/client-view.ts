import type { ContactField } from '../../db/schema.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { paths } from '../../paths.ts';
import {
  DISABILITY_ANSWERS,
  ETHNIC_GROUPS,
  GENDER_SAME_AS_BIRTH_ANSWERS,
  RELIGIONS,
  SEXUAL_ORIENTATIONS,
  SUPPORT_NEEDS,
  type Address,
  type Equality,
  type SupportNeeds,
} from './client-record.schema.ts';
import type { ClientRecord, ClientSection, ContactChange, Dependant } from './clients.service.ts';

/** A row of a GOV.UK summary list; `lines` keeps line breaks (a list of names, an address). */
export type SummaryRow = { key: { text: string }; value: { text: string; classes?: string } };

const row = (key: string, value: string, lines = false): SummaryRow => ({
  key: { text: key },
  value: lines ? { text: value, classes: 'app-preserve-lines' } : { text: value },
});

type Option = { value: string; text: string };
const labelOf = (options: readonly Option[], value: string): string =>
  options.find((option) => option.value === value)?.text ?? value;

const AGE_BANDS: [number, string][] = [
  [16, 'Under 16'],
  [18, '16 to 17'],
  [25, '18 to 24'],
  [35, '25 to 34'],
  [45, '35 to 44'],
  [55, '45 to 54'],
  [65, '55 to 64'],
];

/** Whole years between a date of birth and a day (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, today: string): number {
  const [birthYear, birthMonthDay] = [Number(dateOfBirth.slice(0, 4)), dateOfBirth.slice(5)];
  const [year, monthDay] = [Number(today.slice(0, 4)), today.slice(5)];
  return year - birthYear - (monthDay < birthMonthDay ? 1 : 0);
}

/** The age group reported to funders, from the date of birth (or, failing that, the age given at referral). */
export function ageBand(dateOfBirth: string | null, ageAtReferral: number | null, today: string): string {
  const age = dateOfBirth ? ageOn(dateOfBirth, today) : ageAtReferral;
  if (age === null) return 'Not known: no date of birth or age recorded';
  const band = AGE_BANDS.find(([below]) => age < below)?.[1] ?? '65 and over';
  return dateOfBirth ? band : `${band} (from the age given at referral)`;
}

function answered(options: readonly Option[], value: string | null, description: string | null): string {
  if (value === null) return 'Not asked';
  const label = labelOf(options, value);
  return description ? `${label}: ${description}` : label;
}

/** Equality monitoring answers as a person reads them; a question never answered is "Not asked". */
export function equalityRows(
  record: Pick<ClientRecord, 'dateOfBirth' | 'ageAtReferral'>,
  equality: Equality,
  today: string,
): SummaryRow[] {
  return [
    row('Age group', ageBand(record.dateOfBirth, record.ageAtReferral, today)),
    row('Ethnic group', answered(ETHNIC_GROUPS, equality.ethnicity, equality.ethnicityDescription)),
    row('Disability', answered(DISABILITY_ANSWERS, equality.disability, null)),
    row(
      'Sexual orientation',
      answered(SEXUAL_ORIENTATIONS, equality.sexualOrientation, equality.sexualOrientationDescription),
    ),
    row('Religion', answered(RELIGIONS, equality.religion, equality.religionDescription)),
    row(
      'Gender the same as sex registered at birth',
      answered(GENDER_SAME_AS_BIRTH_ANSWERS, equality.genderSameAsBirth, equality.genderIdentity),
    ),
  ];
}

export function supportNeedsRows(needs: SupportNeeds): SummaryRow[] {
  return [
    row('Language', needs.language?.trim() ? needs.language : 'Not given'),
    row(
      'Interpreter',
      needs.interpreterNeeded === true
        ? 'Needed'
        : needs.interpreterNeeded === false
          ? 'Not needed'
          : 'Not known',
    ),
    row('Accessibility needs', needs.accessibilityNeeds ?? 'None given', true),
    row(
      'Other needs',
      needs.needs.length
        ? needs.needs.map((need) => labelOf(SUPPORT_NEEDS, need)).join('\n')
        : 'None recorded',
      true,
    ),
    row('More about these needs', needs.details ?? 'Nothing more recorded', true),
  ];
}

/** How old a dependant is, as far as is known, in a given year. */
export function dependantAge(
  dependant: Pick<Dependant, 'yearOfBirth' | 'yearEstimated'>,
  year: number,
): string {
  if (dependant.yearOfBirth === null) return 'Not known';
  const age = year - dependant.yearOfBirth;
  if (dependant.yearEstimated) return age < 1 ? 'About 1 or under' : `About ${age}`;
  if (age < 1) return `Born in ${dependant.yearOfBirth} (under 1)`;
  return `Born in ${dependant.yearOfBirth} (age ${age - 1} or ${age})`;
}

export type DependantView = { dependantId: string; name: string; rows: SummaryRow[] };

export function dependantViews(dependants: Dependant[], year: number): DependantView[] {
  return dependants.map((dependant) => ({
    dependantId: dependant.dependantId,
    name: dependant.name,
    rows: [
      row('Age', dependantAge(dependant, year)),
      row('Lives with the client', dependant.livesWithClient ? 'Yes' : 'No'),
      row('Notes', dependant.notes ?? 'None', true),
    ],
  }));
}

/** An address as lines, for showing when it has been asked for. */
export function addressLines(address: Address): string[] {
  return [address.line1, address.line2, address.town, address.county, address.postcode].filter(
    (line): line is string => Boolean(line),
  );
}

const NOTICES: Record<string, string> = {
  'client-other_names': 'Other names saved',
  'client-address': 'Address saved',
  'client-address-removed': 'Address removed',
  'client-equality': 'Equality monitoring saved',
  'client-support_needs': 'Support needs saved',
  'client-dependant-added': 'Child or dependant added',
  'client-dependant-removed': 'Child or dependant removed',
};

/** Where a saved form goes back to: the client section of the case page, saying what was saved. */
export function afterSave(caseId: string, done: string): string {
  return `${paths.case(caseId)}?done=${done}#client-record`;
}

export type ClientSummaryView = {
  caseId: string;
  notice: string | null;
  aliases: SummaryRow[];
  address: { recorded: boolean; canSee: boolean };
  supportNeeds: SummaryRow[];
  dependants: DependantView[];
  equality: SummaryRow[];
};

/** The client section of the case page: one summary card per part of the record, each with its "Change" link. */
export function clientSummaryView(
  record: ClientRecord,
  options: { canSeeAddress: boolean; today: string; done: string | undefined },
): ClientSummaryView {
  return {
    caseId: record.caseId,
    notice: NOTICES[options.done ?? ''] ?? null,
    aliases: [
      row(
        'Other names',
        record.aliases.length ? record.aliases.join('\n') : 'None recorded',
        record.aliases.length > 0,
      ),
    ],
    address: { recorded: record.addressRecorded, canSee: options.canSeeAddress },
    supportNeeds: supportNeedsRows(record.supportNeeds),
    dependants: dependantViews(record.dependants, Number(options.today.slice(0, 4))),
    equality: equalityRows(record, record.equality, options.today),
  };
}

export const SECTION_TITLES: Record<Exclude<ClientSection, 'dependants' | 'address'>, string> = {
  identity: 'Name, date of birth and gender',
  safe_contact: 'Contact details and safe contact',
  other_names: 'Other names',
  equality: 'Equality monitoring',
  support_needs: 'Support needs',
};

/** Radio items for a list of options, with the chosen one checked. */
export function radioItems(
  options: readonly Option[],
  selected: unknown,
): { value: string; text: string; checked: boolean }[] {
  return options.map((option) => ({
    value: option.value,
    text: option.text,
    checked: option.value === selected,
  }));
}

/** Checkbox items for a list of options, with each chosen one checked. */
export function checkboxItems(
  options: readonly Option[],
  selected: unknown,
): { value: string; text: string; checked: boolean }[] {
  const chosen = new Set([selected].flat().filter((value) => typeof value === 'string'));
  return options.map((option) => ({
    value: option.value,
    text: option.text,
    checked: chosen.has(option.value),
  }));
}

/** What the equality form shows first: the answers already recorded. */
export function equalityValues(equality: Equality): Record<string, string> {
  return Object.fromEntries(
    Object.entries(equality).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}

/** What the support needs form shows first: the record's answers (from the referral until someone changes them). */
export function supportNeedsValues(needs: SupportNeeds): Record<string, unknown> {
  return {
    language: needs.language ?? '',
    interpreterNeeded: needs.interpreterNeeded === null ? undefined : needs.interpreterNeeded ? 'yes' : 'no',
    accessibilityNeeds: needs.accessibilityNeeds ?? '',
    needs: needs.needs,
    details: needs.details ?? '',
  };
}

export function addressValues(address: Address | null): Record<string, string> {
  if (!address) return {};
  return {
    line1: address.line1,
    line2: address.line2 ?? '',
    town: address.town,
    county: address.county ?? '',
    postcode: address.postcode ?? '',
    lettersSafe: address.lettersSafe ? 'yes' : 'no',
  };
}

const CONTACT_LABELS: Record<ContactField, string> = {
  phone: 'Phone number',
  phoneSafe: 'Safe to call',
  safeTimes: 'Safe times to call',
  voicemailAllowed: 'May leave a voicemail',
  maySayWhoWeAre: 'May say who we are',
  email: 'Email address',
  emailSafe: 'Safe to email',
  codeWord: 'Code word',
};

const answer = (value: string | boolean | null): string =>
  value === null ? 'Not given' : value === true ? 'Yes' : value === false ? 'No' : value;

export type ContactChangeView = { when: string; by: string; rows: SummaryRow[] };

/**
 * The contact history, newest first: for each change, when and by whom, and what the details that changed
 * were before it (so a number the client no longer uses, or one they said was safe, is never lost silently).
 */
export function contactHistoryViews(history: ContactChange[]): ContactChangeView[] {
  return history.map((change) => ({
    when: formatDateTime(change.changedAt),
    by: change.changedBy,
    rows: change.changed.map((field) => row(CONTACT_LABELS[field], answer(change.previous[field]))),
  }));
}
