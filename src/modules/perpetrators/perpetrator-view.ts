import { RELATIONSHIPS } from '../referrals/referral-answers.ts';
import { RISK_FACTORS, type PerpetratorFormErrors, type SocialAccount } from './perpetrators.schema.ts';
import type { PerpetratorAlert, PerpetratorMatch, PerpetratorRecord } from './perpetrators.service.ts';

/** One line of a summary list; a value of several lines (addresses, a list) is shown a line at a time. */
export type DetailRow = { key: string; lines: string[] };

export type Item = { value: string; text: string; checked?: boolean; hint?: { text: string } };

const dateOfBirthFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

export function formatDateOfBirth(date: string): string {
  return dateOfBirthFormat.format(new Date(`${date}T00:00:00Z`));
}

export function relationshipText(value: string): string {
  return RELATIONSHIPS.find((option) => option.value === value)?.text ?? value;
}

export function riskFactorText(value: string): string {
  return RISK_FACTORS.find((option) => option.value === value)?.text ?? value;
}

export function socialAccountText(account: SocialAccount): string {
  return account.platform ? `${account.platform}: ${account.handle}` : account.handle;
}

/** "Born 12 April 1990", "About 35 years old (when recorded)", or null when neither is known. */
export function describeAge(dateOfBirth: string | null, approximateAge: number | null): string | null {
  if (dateOfBirth) return `Born ${formatDateOfBirth(dateOfBirth)}`;
  if (approximateAge !== null) return `About ${approximateAge} years old (when recorded)`;
  return null;
}

const textLines = (value: string | null) =>
  value
    ? value
        .split(/\r\n|\r|\n/)
        .map((line) => line.trim())
        .filter(Boolean)
    : [];

/** The record's details as summary-list rows; anything not known says so. */
export function recordRows(record: PerpetratorRecord): DetailRow[] {
  const row = (key: string, lines: string[]): DetailRow => ({
    key,
    lines: lines.length ? lines : ['Not known'],
  });
  return [
    row('Name', record.name ? [record.name] : []),
    row('Other names', record.aliases),
    record.dateOfBirth || record.approximateAge === null
      ? row('Date of birth', record.dateOfBirth ? [formatDateOfBirth(record.dateOfBirth)] : [])
      : row('Age', [`About ${record.approximateAge} (when recorded)`]),
    row('Description', textLines(record.description)),
    row('Addresses', textLines(record.addresses)),
    row('Phone numbers', record.phones),
    row('Email addresses', record.emails),
    row('Social media accounts', record.socialAccounts.map(socialAccountText)),
    row('Vehicle registrations', record.vehicles),
  ];
}

export function riskRows(record: PerpetratorRecord): DetailRow[] {
  return [
    {
      key: 'Risk factors',
      lines: record.riskFactors.length ? record.riskFactors.map(riskFactorText) : ['None recorded'],
    },
    {
      key: 'Notes about risk',
      lines: textLines(record.riskNotes).length ? textLines(record.riskNotes) : ['None'],
    },
  ];
}

function items(
  options: readonly { value: string; text: string }[],
  selected: unknown,
): { value: string; text: string; checked: boolean }[] {
  const chosen = [selected].flat();
  return options.map((option) => ({
    value: option.value,
    text: option.text,
    checked: chosen.includes(option.value),
  }));
}

/** The form's radio and checkbox items and date parts, from the values shown. */
export function formView(values: Record<string, unknown>, errors?: PerpetratorFormErrors) {
  const parts = errors?.dateParts ?? [];
  return {
    dateItems: (['day', 'month', 'year'] as const).map((part) => ({
      name: part,
      classes: part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2',
      error: parts.includes(part),
      value: values[`dateOfBirth-${part}`],
      autocomplete: 'off',
    })),
    relationshipItems: items(RELATIONSHIPS, values.relationship),
    riskFactorItems: items(RISK_FACTORS, values.riskFactors),
  };
}

/** What is known of a possible match, in one line for the radio's hint. */
export function matchHint(match: PerpetratorMatch): string {
  const parts = [
    describeAge(match.dateOfBirth, match.approximateAge),
    match.aliases.length ? `Also known as ${match.aliases.join(', ')}` : null,
    match.reasons.join('. '),
    match.cases.length
      ? `Linked to case${match.cases.length === 1 ? '' : 's'} ${match.cases.map((item) => item.reference).join(', ')}`
      : null,
  ];
  return `${parts.filter(Boolean).join('. ')}.`;
}

/** Radios: one for each possible match the viewer may see, then "someone new". */
export function matchItems(matches: PerpetratorMatch[], chosen: unknown): (Item | { divider: string })[] {
  return [
    ...matches.map((match) => ({
      value: match.perpetratorId,
      text: `Yes – ${match.name ?? 'name not known'}`,
      hint: { text: matchHint(match) },
      checked: chosen === match.perpetratorId,
    })),
    { divider: 'or' },
    { value: 'new', text: 'No – this is someone new', checked: chosen === 'new' },
  ];
}

export function alertView(alert: PerpetratorAlert) {
  return {
    ...alert,
    perpetratorName: alert.perpetrator.name ?? 'Name not known',
    status: alert.linked ? 'Linked to more than one case' : 'Possible match',
  };
}
