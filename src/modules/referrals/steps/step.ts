import { z } from 'zod';
import { BadRequestError, formErrorsFrom, type FormErrors } from '../../../platform/http/forms.ts';
import type { ReferralAnswers, StepId } from '../referral-answers.ts';

/** Who is filling in the form: wording changes between "you" and "the person". */
export type Referrer = 'self' | 'professional';

export type StepContext = {
  route: Referrer;
  /** Today in the UK, YYYY-MM-DD: dates of birth must be before it. */
  today: string;
};

/** What a page's fields hold: as the person typed them, or drawn from the saved answers. */
export type FormValues = Record<string, unknown>;

/** A form's errors, plus which parts of a date input each date error is about. */
export type StepErrors = FormErrors & { dateParts: Record<string, string[]> };

/** One line of the check-your-answers page; a list shows one item a line. */
export type SummaryRow = { key: string; value: string | string[] | null };

export type Item = { value: string; text: string; checked?: boolean };

/**
 * One question page of the referral journey: its fields in page order, the schema that turns what was typed
 * into answers (with the messages a person sees), how saved answers fill the form again, and how the answers
 * read on the check-your-answers page.
 */
export type Step = {
  id: StepId;
  template: string;
  /** The page title (and the heading): neutral, never the person's name. */
  title(context: StepContext): string;
  /** Its heading on the check-your-answers page. */
  section(context: StepContext): string;
  /** Field names in the order they appear, so the error summary follows the page. */
  fields: readonly string[];
  schema(context: StepContext): z.ZodType<Partial<ReferralAnswers>>;
  toValues(answers: ReferralAnswers): FormValues;
  /** Radio and checkbox items and anything else the template needs, from the values shown. */
  view(values: FormValues, context: StepContext, errors?: StepErrors): Record<string, unknown>;
  summary(answers: ReferralAnswers, context: StepContext): SummaryRow[];
};

// Fields arrive as text (one value) or lists of text (checkboxes); anything else was not sent by the form.
export const text = z.string().trim().optional();
export const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : [value].flat().filter((item) => item !== '')));

/** Adds a message for a field; date errors also say which of day, month and year are wrong. */
export function problem(ctx: z.RefinementCtx, field: string, message: string, dateParts?: string[]): void {
  ctx.addIssue({
    code: 'custom',
    path: [field],
    message,
    ...(dateParts ? { params: { dateParts } } : {}),
  });
}

/**
 * Errors for the GOV.UK error summary and fields, in page order. Unknown fields, and values of the wrong shape
 * (a list where one answer belongs), can only come from an altered form: a bad request, not a mistake to explain.
 */
export function stepErrors(error: z.ZodError, fields: readonly string[]): StepErrors {
  if (error.issues.some((issue) => issue.code === 'invalid_type' || issue.code === 'invalid_union'))
    throw new BadRequestError('Malformed form');
  const base = formErrorsFrom(error);
  const dateParts: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const parts =
      issue.code === 'custom' ? (issue.params as { dateParts?: string[] } | undefined) : undefined;
    const field = String(issue.path[0]);
    if (parts?.dateParts && !dateParts[field]) dateParts[field] = parts.dateParts;
  }
  const position = (href: string) => {
    const index = fields.indexOf(href.slice(1));
    return index === -1 ? fields.length : index;
  };
  const summary = [...base.summary]
    .sort((a, b) => position(a.href) - position(b.href))
    .map((entry) => {
      const field = entry.href.slice(1);
      const first = dateParts[field]?.[0];
      return first ? { ...entry, href: `#${field}-${first}` } : entry;
    });
  return { summary, fields: base.fields, dateParts };
}

export const YES_NO = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
] as const;

export function items(options: readonly { value: string; text: string }[], selected: unknown): Item[] {
  const chosen = [selected].flat();
  return options.map((option) => ({
    value: option.value,
    text: option.text,
    checked: chosen.includes(option.value),
  }));
}

export const isOneOf = (options: readonly { value: string }[], value: unknown): boolean =>
  typeof value === 'string' && options.some((option) => option.value === value);

/** A yes/no radio's answer as a boolean (null when not answered). */
export const yesNo = (value: string | undefined): boolean | null =>
  value === 'yes' ? true : value === 'no' ? false : null;

/** A boolean answer as the yes/no radio's value. */
export const fromYesNo = (value: boolean | null): string | undefined =>
  value === true ? 'yes' : value === false ? 'no' : undefined;

export const orNull = (value: string | undefined): string | null => (value ? value : null);

export const textOf = (options: readonly { value: string; text: string }[], value: string | null) =>
  options.find((option) => option.value === value)?.text ?? null;

export const yesNoText = (value: boolean | null): string | null =>
  value === true ? 'Yes' : value === false ? 'No' : null;

/** A limit on free text, in GOV.UK's words: "Role must be 100 characters or fewer". */
export function tooLong(
  ctx: z.RefinementCtx,
  field: string,
  value: string | undefined,
  max: number,
  name: string,
): void {
  if (value && value.length > max)
    problem(ctx, field, `${name} must be ${max.toLocaleString('en-GB')} characters or fewer`);
}

/** UK phone numbers, loosely: digits, spaces, +, brackets and dashes, with at least 7 digits. */
export function isPhoneNumber(value: string): boolean {
  return /^[0-9+() -]{7,20}$/.test(value) && (value.match(/[0-9]/g) ?? []).length >= 7;
}

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && z.email().safeParse(value).success;
}
