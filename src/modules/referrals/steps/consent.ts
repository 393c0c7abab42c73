import { z } from 'zod';
import { problem, text, type Step } from './step.ts';

/** Professional referrals only: the person must have agreed, unless they are in immediate danger (then 999). */
export const consent: Step = {
  id: 'consent',
  template: 'referral/consent.njk',
  title: () => 'Has the person agreed to this referral?',
  section: () => 'Agreement',
  fields: ['consentConfirmed'],
  schema: () =>
    z
      .strictObject({ consentConfirmed: text })
      .superRefine((input, ctx) => {
        if (input.consentConfirmed !== 'yes')
          problem(
            ctx,
            'consentConfirmed',
            'Confirm the person has agreed to this referral. If they have not, ask them first',
          );
      })
      .transform(() => ({ consentConfirmed: true })),
  toValues: (answers) => ({ consentConfirmed: answers.consentConfirmed === true ? 'yes' : undefined }),
  view: (values) => ({ checked: values.consentConfirmed === 'yes' }),
  summary: (answers) => [
    {
      key: 'The person has agreed to this referral',
      value: answers.consentConfirmed === true ? 'Yes' : null,
    },
  ],
};
