import { z } from 'zod';
import { isoDateFrom } from './case-view.ts';

/** What the schemas of case forms share: problems on named fields, long text, checkboxes and optional dates. */

export const MAX_TEXT = 5_000;

export function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

/** Text trimmed, null when empty, with a problem when it is longer than `max`. */
export function longText(
  ctx: z.RefinementCtx,
  field: string,
  value: string | undefined,
  name: string,
  max = MAX_TEXT,
): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max)
    problem(ctx, field, `${name} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed || null;
}

/** Checkboxes arrive as one value or several. */
export const manyOf = z.union([z.string(), z.array(z.string())]).optional();
export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A GOV.UK date input named `prefix`: null when left empty, a problem when it is not a real date. */
export function optionalDate(
  ctx: z.RefinementCtx,
  form: Record<string, string | undefined>,
  prefix: string,
  name: string,
): string | null {
  const parts = ['day', 'month', 'year'].map((part) => form[`${prefix}-${part}`]?.trim() ?? '') as [
    string,
    string,
    string,
  ];
  if (parts.every((part) => part === '')) return null;
  const iso = isoDateFrom(...parts);
  if (!iso) problem(ctx, `${prefix}-day`, `${name} must be a real date`);
  return iso;
}

/** The three boxes of a GOV.UK date input, as schema fields. */
export const dateFields = (prefix: string) => ({
  [`${prefix}-day`]: z.string().optional(),
  [`${prefix}-month`]: z.string().optional(),
  [`${prefix}-year`]: z.string().optional(),
});

/** A GOV.UK date input that must be filled in: `missing` when empty, a problem when it is not a real date. */
export function requiredDate(
  ctx: z.RefinementCtx,
  form: Record<string, string | undefined>,
  prefix: string,
  name: string,
  missing: string,
): string {
  const empty = ['day', 'month', 'year'].every((part) => !(form[`${prefix}-${part}`] ?? '').trim());
  if (empty) {
    problem(ctx, `${prefix}-day`, missing);
    return '';
  }
  return optionalDate(ctx, form, prefix, name) ?? '';
}
