import { z } from 'zod';
import { fromYesNo, items, problem, text, YES_NO, yesNo, yesNoText, type Step } from './step.ts';

/** Immediate danger makes the referral urgent, and every later page tells the person to call 999. */
export const danger: Step = {
  id: 'danger',
  template: 'referral/danger.njk',
  title: (context) =>
    context.route === 'self' ? 'Are you in immediate danger?' : 'Is the person in immediate danger?',
  section: () => 'Safety',
  fields: ['inImmediateDanger'],
  schema: (context) =>
    z
      .strictObject({ inImmediateDanger: text })
      .superRefine((input, ctx) => {
        if (yesNo(input.inImmediateDanger) === null)
          problem(
            ctx,
            'inImmediateDanger',
            context.route === 'self'
              ? 'Select yes if you are in immediate danger'
              : 'Select yes if the person is in immediate danger',
          );
      })
      .transform((input) => ({ inImmediateDanger: yesNo(input.inImmediateDanger) })),
  toValues: (answers) => ({ inImmediateDanger: fromYesNo(answers.inImmediateDanger) }),
  view: (values) => ({ answers: items(YES_NO, values.inImmediateDanger) }),
  summary: (answers, context) => [
    {
      key: context.route === 'self' ? 'In immediate danger' : 'The person is in immediate danger',
      value: yesNoText(answers.inImmediateDanger),
    },
  ],
};
