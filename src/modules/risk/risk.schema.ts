import { z } from 'zod';
import { BadRequestError, type FormErrors } from '../../platform/http/forms.ts';
import type { Answers } from './scoring.ts';
import { definitionSchema, type RiskTemplateDefinition } from './templates.ts';

type Section = RiskTemplateDefinition['sections'][number];

const WORDS_MAX = 5000;
const CHOICES = new Set(['yes', 'no', 'not_known']);

/** The field holding the client's own words against a question. */
export const wordsField = (questionId: string) => `${questionId}-words`;

const text = (value: unknown): string => {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new BadRequestError('Altered form');
  return value.trim();
};

/**
 * The answers one section's form gives: a choice (or nothing yet) for each yes/no question, what was written for
 * a text question, and the client's own words against any. Fields the section does not ask for, or a choice
 * not offered, mean the form was altered.
 */
export function sectionAnswers(
  section: Section,
  body: Record<string, unknown>,
): { answers: Answers; errors: FormErrors | null } {
  const known = new Set(['next']);
  for (const question of section.questions) known.add(question.id).add(wordsField(question.id));
  for (const key of Object.keys(body))
    if (!known.has(key)) throw new BadRequestError('Unexpected form fields');
  const answers: Answers = {};
  const errors: FormErrors = { summary: [], fields: {} };
  const tooLong = (field: string, what: string) => {
    const message = `${what} must be ${WORDS_MAX.toLocaleString('en-GB')} characters or fewer`;
    errors.fields[field] = { text: message };
    errors.summary.push({ text: message, href: `#${field}` });
  };
  for (const question of section.questions) {
    const given = text(body[question.id]);
    const words = text(body[wordsField(question.id)]);
    if (words.length > WORDS_MAX) tooLong(wordsField(question.id), 'The client’s words');
    if (question.kind === 'text') {
      if (given.length > WORDS_MAX) tooLong(question.id, 'The answer');
      if (given || words)
        answers[question.id] = { ...(given ? { text: given } : {}), ...(words ? { words } : {}) };
      continue;
    }
    if (given && !CHOICES.has(given)) throw new BadRequestError('Altered form');
    if (given || words)
      answers[question.id] = {
        ...(given ? { choice: given as 'yes' | 'no' | 'not_known' } : {}),
        ...(words ? { words } : {}),
      };
  }
  return { answers, errors: errors.summary.length ? errors : null };
}

export const completeSchema = z
  .strictObject({
    judgement: z.enum(['none', 'medium', 'high'], {
      error: 'Select whether your professional judgement raises the level',
    }),
    reason: z.string().trim().max(WORDS_MAX, 'The reason must be 5,000 characters or fewer').optional(),
  })
  .superRefine((input, ctx) => {
    if (input.judgement !== 'none' && !input.reason)
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'Say why your professional judgement raises the level',
      });
  });

export const startSchema = z.strictObject({ templateKey: z.string().regex(/^[a-z0-9-]{1,60}$/) });

const TEMPLATE_KEY = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const templateFormSchema = z.strictObject({
  templateKey: z
    .string()
    .trim()
    .min(1, 'Enter the template’s key')
    .max(60, 'The key must be 60 characters or fewer')
    .regex(
      TEMPLATE_KEY,
      'The key can only use lower-case letters, digits and single hyphens, like local-screening',
    ),
  definition: z
    .string()
    .trim()
    .min(1, 'Paste the template’s definition')
    .max(200_000, 'The definition is too long'),
});

/**
 * A pasted template definition, checked: the JSON read, then every rule of a definition, each problem named with
 * where it is ("sections 2, question 3: ...") so an administrator can find it.
 */
export function parseDefinition(
  json: string,
): { definition: RiskTemplateDefinition; errors: null } | { definition: null; errors: FormErrors } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it cannot be read';
    return {
      definition: null,
      errors: {
        summary: [{ text: `The definition is not valid JSON: ${reason}`, href: '#definition' }],
        fields: { definition: { text: `The definition is not valid JSON: ${reason}` } },
      },
    };
  }
  const parsed = definitionSchema.safeParse(value);
  if (parsed.success) return { definition: parsed.data, errors: null };
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.map((part) => (typeof part === 'number' ? part + 1 : String(part))).join(' › ');
    return where ? `${where}: ${issue.message}` : issue.message;
  });
  return {
    definition: null,
    errors: {
      summary: problems.slice(0, 10).map((text) => ({ text, href: '#definition' })),
      fields: { definition: { text: problems.slice(0, 10).join('. ') } },
    },
  };
}
