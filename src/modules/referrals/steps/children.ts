import { z } from 'zod';
import { isOneOf, items, problem, text, textOf, type Step } from './step.ts';

export const CHILDREN_ANSWERS = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
  { value: 'prefer_not_to_say', text: 'Prefer not to say' },
] as const;

/** Whether children live in the household: it changes how the service assesses risk. */
export const children: Step = {
  id: 'children',
  template: 'referral/children.njk',
  title: () => 'Are there children in the household?',
  section: () => 'Children',
  fields: ['childrenInHousehold'],
  schema: () =>
    z
      .strictObject({ childrenInHousehold: text })
      .superRefine((input, ctx) => {
        if (!isOneOf(CHILDREN_ANSWERS, input.childrenInHousehold))
          problem(ctx, 'childrenInHousehold', 'Select if there are children in the household');
      })
      .transform((input) => ({
        childrenInHousehold: input.childrenInHousehold as 'yes' | 'no' | 'prefer_not_to_say',
      })),
  toValues: (answers) => ({ childrenInHousehold: answers.childrenInHousehold ?? undefined }),
  view: (values) => ({ childrenInHousehold: items(CHILDREN_ANSWERS, values.childrenInHousehold) }),
  summary: (answers) => [
    { key: 'Children in the household', value: textOf(CHILDREN_ANSWERS, answers.childrenInHousehold) },
  ],
};
