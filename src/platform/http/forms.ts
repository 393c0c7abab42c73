import type { z } from 'zod';

export class BadRequestError extends Error {
  readonly statusCode = 400;
}

/** The one error shape every form uses: it feeds the GOV.UK error summary and each field's message. */
export type FormErrors = {
  summary: { text: string; href: string }[];
  fields: Record<string, { text: string }>;
};

export function formErrorsFrom(error: z.ZodError): FormErrors {
  const fields: FormErrors['fields'] = {};
  const summary: FormErrors['summary'] = [];
  for (const issue of error.issues) {
    // A form can only carry unknown keys if someone altered it: that is a bad request, not a mistake to explain.
    if (issue.code === 'unrecognized_keys') throw new BadRequestError('Unexpected form fields');
    const field = String(issue.path[0] ?? 'form');
    if (fields[field]) continue;
    fields[field] = { text: issue.message };
    summary.push({ text: issue.message, href: `#${field}` });
  }
  return { summary, fields };
}

export function formError(field: string, text: string): FormErrors {
  return { summary: [{ text, href: `#${field}` }], fields: { [field]: { text } } };
}

/** Form bodies arrive as strings (or arrays of them); anything else, and unknown keys, are refused by the schemas. */
export function formBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf') continue;
    copy[key] = value;
  }
  return copy;
}
