import { z } from 'zod';
import { RELATIONSHIPS } from '../referral-answers.ts';
import {
  fromYesNo,
  isOneOf,
  items,
  orNull,
  problem,
  text,
  textOf,
  tooLong,
  YES_NO,
  yesNo,
  yesNoText,
  type Step,
} from './step.ts';

/** Whether they know who is doing it, and if so the name (optional) and how they know them. */
export const perpetrator: Step = {
  id: 'perpetrator',
  template: 'referral/perpetrator.njk',
  title: (context) =>
    context.route === 'self' ? 'Do you know who is doing this?' : 'Does the person know who is doing this?',
  section: () => 'Who is doing this',
  fields: ['perpetratorKnown', 'perpetratorName', 'perpetratorRelationship'],
  schema: (context) =>
    z
      .strictObject({ perpetratorKnown: text, perpetratorName: text, perpetratorRelationship: text })
      .superRefine((input, ctx) => {
        const known = yesNo(input.perpetratorKnown);
        if (known === null)
          problem(
            ctx,
            'perpetratorKnown',
            context.route === 'self'
              ? 'Select yes if you know who is doing this'
              : 'Select yes if the person knows who is doing this',
          );
        if (known) {
          tooLong(ctx, 'perpetratorName', input.perpetratorName, 200, 'Their name');
          if (!isOneOf(RELATIONSHIPS, input.perpetratorRelationship))
            problem(
              ctx,
              'perpetratorRelationship',
              context.route === 'self' ? 'Select who they are to you' : 'Select who they are to the person',
            );
        }
      })
      .transform((input) => {
        const known = yesNo(input.perpetratorKnown);
        return {
          perpetratorKnown: known,
          perpetratorName: known ? orNull(input.perpetratorName) : null,
          perpetratorRelationship: known ? orNull(input.perpetratorRelationship) : null,
        };
      }),
  toValues: (answers) => ({
    perpetratorKnown: fromYesNo(answers.perpetratorKnown),
    perpetratorName: answers.perpetratorName,
    perpetratorRelationship: answers.perpetratorRelationship ?? undefined,
  }),
  view: (values) => ({
    perpetratorKnown: items(YES_NO, values.perpetratorKnown),
    relationships: items(RELATIONSHIPS, values.perpetratorRelationship),
  }),
  summary: (answers) => [
    { key: 'Known who is doing this', value: yesNoText(answers.perpetratorKnown) },
    ...(answers.perpetratorKnown
      ? [
          { key: 'Their name', value: answers.perpetratorName },
          { key: 'Who they are', value: textOf(RELATIONSHIPS, answers.perpetratorRelationship) },
        ]
      : []),
  ],
};
