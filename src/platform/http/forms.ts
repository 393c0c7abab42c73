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

const SUBMISSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A form that creates a record carries a `submissionId` made when the form is shown; it becomes the new record's
 * id, so the same form sent twice (a double click, a resend after a lost response) makes one record. Takes it out
 * of the body (the form's own schema never sees it); a missing or malformed one means the form was altered.
 */
export function takeSubmissionId(body: Record<string, unknown>): {
  submissionId: string;
  fields: Record<string, unknown>;
} {
  const { submissionId, ...fields } = body;
  if (typeof submissionId !== 'string' || !SUBMISSION_ID.test(submissionId))
    throw new BadRequestError('Altered form');
  return { submissionId: submissionId.toLowerCase(), fields };
}
