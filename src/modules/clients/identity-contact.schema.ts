import { z } from 'zod';
import type { ContactField } from '../../db/schema.ts';
import type { Client, SafeContact } from '../cases/clients.repository.ts';
import { EMPTY_ANSWERS, type ReferralAnswers } from '../referrals/referral-answers.ts';
import { contact } from '../referrals/steps/contact.ts';
import { person } from '../referrals/steps/person.ts';
import { stepErrors, type FormValues, type StepContext, type StepErrors } from '../referrals/steps/step.ts';

/**
 * Who the client is and how to reach them, as caseworkers change them. These are the referral's own questions,
 * so the referral's steps (`person`, `contact`) check them: the same messages, the same rules for impossible or
 * future dates of birth, phone numbers and email addresses, and the same fields in the form.
 */

/** Who the client is: a date of birth or, when it is not known, an age. */
export type Identity = {
  name: string;
  dateOfBirth: string | null;
  age: number | null;
  gender: string | null;
  genderDescription: string | null;
};
export type IdentityField = keyof Identity;

/** The names of the contact details, in the order the form asks for them. */
export const CONTACT_FIELDS: readonly ContactField[] = [
  'phone',
  'phoneSafe',
  'safeTimes',
  'voicemailAllowed',
  'maySayWhoWeAre',
  'email',
  'emailSafe',
  'codeWord',
];

const IDENTITY_FIELDS: readonly IdentityField[] = [
  'name',
  'dateOfBirth',
  'age',
  'gender',
  'genderDescription',
];

/** Earlier contact details, as client_contact_history seals them. */
export const safeContactDocument = z.strictObject({
  phone: z.string().nullable(),
  phoneSafe: z.boolean().nullable(),
  email: z.string().nullable(),
  emailSafe: z.boolean().nullable(),
  safeTimes: z.string().nullable(),
  voicemailAllowed: z.boolean().nullable(),
  maySayWhoWeAre: z.boolean().nullable(),
  codeWord: z.string().nullable(),
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: StepErrors };

/** Staff answer the referral's questions about someone else, so they get its wording for a referrer. */
const asStaff = (today: string): StepContext => ({ route: 'professional', today });

/** The identity form (the referral's "About the person" fields); `today` (UK) bounds the date of birth. */
export function parseIdentity(body: FormValues, today: string): Parsed<Identity> {
  const parsed = person.schema(asStaff(today)).safeParse(body);
  if (!parsed.success) return { ok: false, errors: stepErrors(parsed.error, person.fields) };
  const answers = parsed.data;
  if (!answers.personName) throw new Error('the person step lets no answer through without a name');
  return {
    ok: true,
    value: {
      name: answers.personName,
      dateOfBirth: answers.personDateOfBirth ?? null,
      age: answers.personAge ?? null,
      gender: answers.gender ?? null,
      genderDescription: answers.genderDescription ?? null,
    },
  };
}

const isBlank = (value: unknown) => value === undefined || (typeof value === 'string' && value.trim() === '');

/**
 * The contact form (the referral's contact fields). One rule differs: a referral must give a phone number or
 * an email address, but a caseworker may leave both empty, because the client may no longer have any that can
 * be used (the phone the stalker knows about is gone, say). The case page then says there is no safe way to
 * contact them. With both empty, the only message the referral's step can give about the phone is that one,
 * so it is the one set aside.
 */
export function parseSafeContact(body: FormValues, today: string): Parsed<SafeContact> {
  const parsed = contact.schema(asStaff(today)).safeParse(body);
  if (parsed.success) return { ok: true, value: safeContactOf(parsed.data) };
  const noChannel = isBlank(body.phone) && isBlank(body.email);
  const issues = noChannel
    ? parsed.error.issues.filter((issue) => issue.path[0] !== 'phone')
    : parsed.error.issues;
  if (issues.length) return { ok: false, errors: stepErrors(new z.ZodError(issues), contact.fields) };
  const codeWord = typeof body.codeWord === 'string' ? body.codeWord.trim() : '';
  return { ok: true, value: { ...safeContactOf({}), codeWord: codeWord || null } };
}

/** The contact details alone, from a client or the referral's answers. */
export function safeContactOf(
  from: Partial<Pick<ReferralAnswers, ContactField>> | Pick<Client, ContactField>,
): SafeContact {
  return {
    phone: from.phone ?? null,
    phoneSafe: from.phoneSafe ?? null,
    email: from.email ?? null,
    emailSafe: from.emailSafe ?? null,
    safeTimes: from.safeTimes ?? null,
    voicemailAllowed: from.voicemailAllowed ?? null,
    maySayWhoWeAre: from.maySayWhoWeAre ?? null,
    codeWord: from.codeWord ?? null,
  };
}

export function identityOf(client: Client): Identity {
  return {
    name: client.name,
    dateOfBirth: client.dateOfBirth,
    age: client.ageAtReferral,
    gender: client.gender,
    genderDescription: client.genderDescription,
  };
}

/** Which contact details differ, by name, in the form's order: what a change records (never the values). */
export function changedContactFields(before: SafeContact, after: SafeContact): ContactField[] {
  return CONTACT_FIELDS.filter((field) => before[field] !== after[field]);
}

export function changedIdentityFields(before: Identity, after: Identity): IdentityField[] {
  return IDENTITY_FIELDS.filter((field) => before[field] !== after[field]);
}

/** What the identity form shows first: the client's record, as the referral's page would show it. */
export function identityValues(identity: Identity): FormValues {
  return person.toValues({
    ...EMPTY_ANSWERS,
    personName: identity.name,
    personDateOfBirth: identity.dateOfBirth,
    personAge: identity.dateOfBirth ? null : identity.age,
    gender: identity.gender,
    genderDescription: identity.genderDescription,
  });
}

/** What the contact form shows first: the client's record, as the referral's page would show it. */
export function safeContactValues(details: SafeContact): FormValues {
  return contact.toValues({ ...EMPTY_ANSWERS, ...details });
}

/** The identity form's date boxes and gender radios, keeping what was typed and marking what is wrong. */
export function identityItems(values: FormValues, today: string, errors?: StepErrors) {
  return person.view(values, asStaff(today), errors);
}

/** The contact form's yes/no radios, keeping what was chosen. */
export function safeContactItems(values: FormValues, today: string, errors?: StepErrors) {
  return contact.view(values, asStaff(today), errors);
}
