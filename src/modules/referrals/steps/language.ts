import { z } from 'zod';
import {
  fromYesNo,
  items,
  orNull,
  problem,
  text,
  tooLong,
  YES_NO,
  yesNo,
  yesNoText,
  type Step,
} from './step.ts';

/** The language to use, whether an interpreter is needed, and anything that makes contact easier. */
export const language: Step = {
  id: 'language',
  template: 'referral/language.njk',
  title: () => 'Language and access needs',
  section: () => 'Language and access needs',
  fields: ['language', 'interpreterNeeded', 'accessibilityNeeds'],
  schema: (context) =>
    z
      .strictObject({ language: text, interpreterNeeded: text, accessibilityNeeds: text })
      .superRefine((input, ctx) => {
        tooLong(ctx, 'language', input.language, 100, 'Language');
        if (yesNo(input.interpreterNeeded) === null)
          problem(
            ctx,
            'interpreterNeeded',
            context.route === 'self'
              ? 'Select yes if you need an interpreter'
              : 'Select yes if they need an interpreter',
          );
        tooLong(ctx, 'accessibilityNeeds', input.accessibilityNeeds, 2000, 'Access needs');
      })
      .transform((input) => ({
        language: orNull(input.language),
        interpreterNeeded: yesNo(input.interpreterNeeded),
        accessibilityNeeds: orNull(input.accessibilityNeeds),
      })),
  toValues: (answers) => ({
    // English unless they say otherwise; nothing is saved until they continue.
    language: answers.language ?? (answers.interpreterNeeded === null ? 'English' : undefined),
    interpreterNeeded: fromYesNo(answers.interpreterNeeded),
    accessibilityNeeds: answers.accessibilityNeeds,
  }),
  view: (values) => ({ interpreterNeeded: items(YES_NO, values.interpreterNeeded) }),
  summary: (answers) => [
    { key: 'Preferred language', value: answers.language },
    { key: 'Interpreter needed', value: yesNoText(answers.interpreterNeeded) },
    { key: 'Access needs', value: answers.accessibilityNeeds },
  ],
};
