import { z } from 'zod';
import { BadRequestError, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { RELATIONSHIPS } from '../referrals/referral-answers.ts';
import { parseDateOfBirth } from '../referrals/steps/date-of-birth.ts';

/** What is known to make a perpetrator more dangerous: each is asked as a checkbox, with notes beside them. */
export const RISK_FACTORS = [
  { value: 'weapons', text: 'Has or has used weapons' },
  { value: 'violence', text: 'History of violence' },
  { value: 'previous_orders', text: 'Previous orders, such as a restraining or stalking protection order' },
  { value: 'previous_convictions', text: 'Previous convictions' },
  { value: 'substance_misuse', text: 'Drug or alcohol misuse' },
  { value: 'threats_to_kill', text: 'Threats to kill' },
] as const;
export type RiskFactor = (typeof RISK_FACTORS)[number]['value'];
export type Relationship = (typeof RELATIONSHIPS)[number]['value'];

export type SocialAccount = { platform: string | null; handle: string };

/** A perpetrator's details as staff type them, before anything is sealed or indexed. */
export type PerpetratorDetails = {
  name: string | null;
  aliases: string[];
  /** YYYY-MM-DD. */
  dateOfBirth: string | null;
  approximateAge: number | null;
  description: string | null;
  addresses: string | null;
  phones: string[];
  emails: string[];
  socialAccounts: SocialAccount[];
  vehicles: string[];
  riskFactors: RiskFactor[];
  riskNotes: string | null;
};

/** The add-a-perpetrator form, parsed. */
export type PerpetratorForm = {
  details: PerpetratorDetails;
  relationship: Relationship;
  /** After possible matches were shown: link one of them (its id), or create someone new. */
  choice: 'new' | { perpetratorId: string } | null;
  /** Made when the form was first shown; becomes the new record's id, so a second send changes nothing. */
  submissionId: string;
  /** Whether the possible matches were on the page that was sent. */
  matchesShown: boolean;
};

/** The fields in page order, so the error summary follows the page. */
export const FORM_FIELDS = [
  'existingPerpetratorId',
  'name',
  'aliases',
  'dateOfBirth',
  'approximateAge',
  'description',
  'relationship',
  'addresses',
  'phones',
  'emails',
  'socialAccounts',
  'vehicles',
  'riskFactors',
  'riskNotes',
] as const;

const MAX_LINES = 20;
const MAX_TEXT = 2000;

/** Non-empty lines of a textarea, trimmed, each once. */
export function lines(value: string | undefined): string[] {
  const seen = new Set<string>();
  for (const line of (value ?? '').split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed) seen.add(trimmed);
  }
  return [...seen];
}

const PLATFORM_NAMES: Record<string, string> = {
  instagram: 'Instagram',
  'instagram.com': 'Instagram',
  facebook: 'Facebook',
  'facebook.com': 'Facebook',
  'fb.com': 'Facebook',
  tiktok: 'TikTok',
  'tiktok.com': 'TikTok',
  snapchat: 'Snapchat',
  'snapchat.com': 'Snapchat',
  x: 'X',
  'x.com': 'X',
  twitter: 'X',
  'twitter.com': 'X',
  linkedin: 'LinkedIn',
  'linkedin.com': 'LinkedIn',
  youtube: 'YouTube',
  'youtube.com': 'YouTube',
  threads: 'Threads',
  'threads.net': 'Threads',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  't.me': 'Telegram',
  discord: 'Discord',
  reddit: 'Reddit',
  'reddit.com': 'Reddit',
};

/** Path parts that come before the handle in some profile addresses (linkedin.com/in/name, reddit.com/u/name). */
const PROFILE_PREFIXES = new Set(['in', 'u', 'user', 'add', 'people']);

function platformName(typed: string): string {
  return PLATFORM_NAMES[typed.toLowerCase()] ?? typed;
}

/**
 * One social media account as typed on a line: "Instagram: @name", "Instagram @name", a profile address such as
 * "https://www.instagram.com/name", or just "@name" (platform not known). Null when no handle can be found.
 */
export function parseSocialAccount(line: string): SocialAccount | null {
  const text = line.trim();
  if (!text) return null;
  if (/^(https?:\/\/)?(www\.|m\.)?([a-z0-9-]+\.)+[a-z]{2,}\/\S*$/i.test(text)) {
    let url: URL;
    try {
      url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
    } catch {
      return null;
    }
    const host = url.hostname.toLowerCase().replace(/^(www\.|m\.)/, '');
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map((part) => decodeURIComponent(part));
    const handle = (parts.length > 1 && PROFILE_PREFIXES.has(parts[0]!) ? parts[1] : parts[0]) ?? '';
    return handle ? { platform: platformName(host), handle } : null;
  }
  const colon = text.indexOf(':');
  if (colon > 0) {
    const platform = text.slice(0, colon).trim();
    const handle = text.slice(colon + 1).trim();
    return handle ? { platform: platformName(platform), handle } : null;
  }
  const spaced = /^(.+?)\s+(@\S+)$/.exec(text);
  if (spaced) return { platform: platformName(spaced[1]!.trim()), handle: spaced[2]! };
  return { platform: null, handle: text };
}

/** UK and international phone numbers, loosely: digits, spaces, +, brackets and dashes, with 7 to 15 digits. */
export function isPhoneNumber(value: string): boolean {
  const digits = (value.match(/\d/g) ?? []).length;
  return /^\+?[0-9() -]+$/.test(value) && digits >= 7 && digits <= 15;
}

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && z.email().safeParse(value).success;
}

/** Vehicle registrations: letters and numbers (spaces and dashes are ignored), up to 10 of them. */
export function isVehicleRegistration(value: string): boolean {
  return /^[A-Za-z0-9 -]+$/.test(value) && /^[A-Za-z0-9]{2,10}$/.test(value.replace(/[ -]/g, ''));
}

/** "on line 3" when a list has more than one line, so the person knows which one to fix. */
function onLine(all: string[], index: number): string {
  return all.length > 1 ? ` on line ${index + 1}` : '';
}

const text = z.string().optional();
const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : [value].flat().filter((item) => item !== '')));
const orNull = (value: string | undefined): string | null => (value?.trim() ? value.trim() : null);

function problem(ctx: z.RefinementCtx, field: string, message: string, dateParts?: string[]): void {
  ctx.addIssue({ code: 'custom', path: [field], message, ...(dateParts ? { params: { dateParts } } : {}) });
}

/** The add-a-perpetrator form. `today` (YYYY-MM-DD, UK) bounds the date of birth. */
export function perpetratorFormSchema(today: string) {
  return z
    .strictObject({
      submissionId: z.string(),
      matchesShown: text,
      existingPerpetratorId: text,
      name: text,
      aliases: text,
      'dateOfBirth-day': text,
      'dateOfBirth-month': text,
      'dateOfBirth-year': text,
      approximateAge: text,
      description: text,
      relationship: text,
      addresses: text,
      phones: text,
      emails: text,
      socialAccounts: text,
      vehicles: text,
      riskFactors: list,
      riskNotes: text,
    })
    .transform((input, ctx): PerpetratorForm => {
      if (!z.uuid().safeParse(input.submissionId).success) throw new BadRequestError('Altered form');
      const choiceText = input.existingPerpetratorId?.trim() ?? '';
      if (choiceText && choiceText !== 'new' && !z.uuid().safeParse(choiceText).success)
        problem(ctx, 'existingPerpetratorId', 'Select if this is one of the people listed, or someone new');

      const name = orNull(input.name);
      const aliases = lines(input.aliases);
      const phones = lines(input.phones);
      const emails = lines(input.emails);
      const socialLines = lines(input.socialAccounts);
      const socialAccounts = socialLines.map(parseSocialAccount);
      const vehicles = lines(input.vehicles);
      const description = orNull(input.description);

      if (
        !name &&
        !description &&
        !phones.length &&
        !emails.length &&
        !socialLines.length &&
        !vehicles.length
      )
        problem(
          ctx,
          'name',
          'Enter their name, or if it is not known, describe them or give something that identifies them, such as a phone number',
        );
      if (name && name.length > 200) problem(ctx, 'name', 'Name must be 200 characters or fewer');

      if (aliases.length > MAX_LINES) problem(ctx, 'aliases', `Enter ${MAX_LINES} other names or fewer`);
      else {
        const long = aliases.findIndex((alias) => alias.length > 200);
        if (long !== -1)
          problem(ctx, 'aliases', `The name${onLine(aliases, long)} must be 200 characters or fewer`);
      }

      const dateOutcome = parseDateOfBirth(
        { day: input['dateOfBirth-day'], month: input['dateOfBirth-month'], year: input['dateOfBirth-year'] },
        today,
      );
      if (dateOutcome.kind === 'error') problem(ctx, 'dateOfBirth', dateOutcome.message, dateOutcome.parts);
      const ageText = input.approximateAge?.trim() ?? '';
      let approximateAge: number | null = null;
      if (ageText) {
        if (!/^\d{1,3}$/.test(ageText) || Number(ageText) < 10 || Number(ageText) > 120)
          problem(ctx, 'approximateAge', 'Approximate age must be a whole number between 10 and 120');
        else if (dateOutcome.kind === 'date')
          problem(ctx, 'approximateAge', 'Enter a date of birth or an approximate age, not both');
        else approximateAge = Number(ageText);
      }

      if (description && description.length > MAX_TEXT)
        problem(ctx, 'description', 'Description must be 2,000 characters or fewer');

      const relationship = RELATIONSHIPS.find((option) => option.value === input.relationship)?.value;
      if (!relationship) problem(ctx, 'relationship', 'Select how the client knows them');

      const addresses = orNull(input.addresses);
      if (addresses && addresses.length > MAX_TEXT)
        problem(ctx, 'addresses', 'Addresses must be 2,000 characters or fewer');

      if (phones.length > MAX_LINES) problem(ctx, 'phones', `Enter ${MAX_LINES} phone numbers or fewer`);
      else {
        const bad = phones.findIndex((phone) => !isPhoneNumber(phone));
        if (bad !== -1)
          problem(
            ctx,
            'phones',
            `Enter the phone number${onLine(phones, bad)} in the correct format, like 07700 900982 or +44 7700 900982`,
          );
      }

      if (emails.length > MAX_LINES) problem(ctx, 'emails', `Enter ${MAX_LINES} email addresses or fewer`);
      else {
        const bad = emails.findIndex((email) => !isEmailAddress(email));
        if (bad !== -1)
          problem(
            ctx,
            'emails',
            `Enter the email address${onLine(emails, bad)} in the correct format, like name@example.com`,
          );
      }

      if (socialLines.length > MAX_LINES)
        problem(ctx, 'socialAccounts', `Enter ${MAX_LINES} social media accounts or fewer`);
      else {
        const bad = socialAccounts.findIndex(
          (account) => !account || account.handle.length > 100 || (account.platform?.length ?? 0) > 50,
        );
        if (bad !== -1)
          problem(
            ctx,
            'socialAccounts',
            `Enter the social media account${onLine(socialLines, bad)} as the platform and the name they use, like Instagram: @name`,
          );
      }

      if (vehicles.length > MAX_LINES)
        problem(ctx, 'vehicles', `Enter ${MAX_LINES} vehicle registrations or fewer`);
      else {
        const bad = vehicles.findIndex((vehicle) => !isVehicleRegistration(vehicle));
        if (bad !== -1)
          problem(
            ctx,
            'vehicles',
            `Enter the vehicle registration${onLine(vehicles, bad)} using letters and numbers only, like AB12 CDE`,
          );
      }

      const riskFactors = input.riskFactors.filter((value): value is RiskFactor =>
        RISK_FACTORS.some((option) => option.value === value),
      );
      if (riskFactors.length !== input.riskFactors.length)
        problem(ctx, 'riskFactors', 'Select the risk factors from the list');
      const riskNotes = orNull(input.riskNotes);
      if (riskNotes && riskNotes.length > MAX_TEXT)
        problem(ctx, 'riskNotes', 'Notes about risk must be 2,000 characters or fewer');

      if (ctx.issues.length) return z.NEVER;
      return {
        details: {
          name,
          aliases,
          dateOfBirth: dateOutcome.kind === 'date' ? dateOutcome.date : null,
          approximateAge,
          description,
          addresses,
          phones,
          emails,
          socialAccounts: socialAccounts.filter((account) => account !== null),
          vehicles,
          riskFactors: [...new Set(riskFactors)],
          riskNotes,
        },
        relationship: relationship!,
        choice:
          choiceText === 'new' ? 'new' : choiceText ? { perpetratorId: choiceText.toLowerCase() } : null,
        submissionId: input.submissionId.toLowerCase(),
        matchesShown: input.matchesShown === 'yes',
      };
    });
}

/** A form's errors, plus which parts of the date input are wrong. */
export type PerpetratorFormErrors = FormErrors & { dateParts: string[] };

/**
 * Errors for the GOV.UK error summary and fields, in page order. Unknown fields and values of the wrong shape can
 * only come from an altered form: a bad request, not a mistake to explain.
 */
export function perpetratorFormErrors(error: z.ZodError): PerpetratorFormErrors {
  if (error.issues.some((issue) => issue.code === 'invalid_type' || issue.code === 'invalid_union'))
    throw new BadRequestError('Malformed form');
  const base = formErrorsFrom(error);
  const dateIssue = error.issues.find((issue) => issue.path[0] === 'dateOfBirth');
  const dateParts =
    dateIssue?.code === 'custom'
      ? ((dateIssue.params as { dateParts?: string[] } | undefined)?.dateParts ?? [])
      : [];
  const position = (href: string) => {
    const index = (FORM_FIELDS as readonly string[]).indexOf(href.slice(1));
    return index === -1 ? FORM_FIELDS.length : index;
  };
  const summary = [...base.summary]
    .sort((a, b) => position(a.href) - position(b.href))
    .map((entry) =>
      entry.href === '#dateOfBirth' && dateParts[0]
        ? { ...entry, href: `#dateOfBirth-${dateParts[0]}` }
        : entry,
    );
  return { summary, fields: base.fields, dateParts };
}
