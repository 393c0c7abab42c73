import { z } from 'zod';
import { isOneOf, items, orNull, problem, text, textOf, tooLong, type Step } from './step.ts';

export const POLICE_ANSWERS = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
  { value: 'not_sure', text: 'Not sure' },
] as const;

/** Whether the police know, and the crime reference when there is one. */
export const police: Step = {
  id: 'police',
  template: 'referral/police.njk',
  title: () => 'Have the police been told?',
  section: () => 'Police',
  fields: ['policeInvolved', 'crimeReference'],
  schema: () =>
    z
      .strictObject({ policeInvolved: text, crimeReference: text })
      .superRefine((input, ctx) => {
        if (!isOneOf(POLICE_ANSWERS, input.policeInvolved))
          problem(ctx, 'policeInvolved', 'Select if the police have been told');
        if (input.policeInvolved === 'yes')
          tooLong(ctx, 'crimeReference', input.crimeReference, 60, 'Crime reference number');
      })
      .transform((input) => ({
        policeInvolved: input.policeInvolved as 'yes' | 'no' | 'not_sure',
        crimeReference: input.policeInvolved === 'yes' ? orNull(input.crimeReference) : null,
      })),
  toValues: (answers) => ({
    policeInvolved: answers.policeInvolved ?? undefined,
    crimeReference: answers.crimeReference,
  }),
  view: (values) => ({ policeInvolved: items(POLICE_ANSWERS, values.policeInvolved) }),
  summary: (answers) => [
    { key: 'Police told', value: textOf(POLICE_ANSWERS, answers.policeInvolved) },
    ...(answers.policeInvolved === 'yes'
      ? [{ key: 'Crime reference number', value: answers.crimeReference }]
      : []),
  ],
};
