import { z } from 'zod';
import { BEHAVIOURS, DURATIONS } from '../referral-answers.ts';
import { isOneOf, items, list, orNull, problem, text, textOf, tooLong, type Step } from './step.ts';

export const WHAT_IS_HAPPENING_MAX = 5000;

/** What has been happening: the behaviours (s.2A(3) and online forms), in their own words, and for how long. */
export const what: Step = {
  id: 'what',
  template: 'referral/what.njk',
  title: () => 'What has been happening?',
  section: () => 'What has been happening',
  fields: ['behaviours', 'whatIsHappening', 'duration'],
  schema: () =>
    z
      .strictObject({ behaviours: list, whatIsHappening: text, duration: text })
      .superRefine((input, ctx) => {
        if (input.behaviours.some((behaviour) => !isOneOf(BEHAVIOURS, behaviour)))
          problem(ctx, 'behaviours', 'Select what has been happening from the list');
        else if (!input.behaviours.length && !input.whatIsHappening)
          problem(ctx, 'behaviours', 'Select what has been happening, or tell us in your own words');
        tooLong(
          ctx,
          'whatIsHappening',
          input.whatIsHappening,
          WHAT_IS_HAPPENING_MAX,
          'What has been happening',
        );
        if (!isOneOf(DURATIONS, input.duration))
          problem(ctx, 'duration', 'Select how long this has been happening');
      })
      .transform((input) => ({
        behaviours: [...new Set(input.behaviours)],
        whatIsHappening: orNull(input.whatIsHappening),
        duration: orNull(input.duration),
      })),
  toValues: (answers) => ({
    behaviours: answers.behaviours,
    whatIsHappening: answers.whatIsHappening,
    duration: answers.duration ?? undefined,
  }),
  view: (values) => ({
    behaviours: items(BEHAVIOURS, values.behaviours),
    durations: items(DURATIONS, values.duration),
    maxLength: WHAT_IS_HAPPENING_MAX,
  }),
  summary: (answers) => [
    {
      key: 'What they have done',
      value: answers.behaviours.length
        ? answers.behaviours.map((behaviour) => textOf(BEHAVIOURS, behaviour) ?? behaviour)
        : null,
    },
    { key: 'In your own words', value: answers.whatIsHappening },
    { key: 'How long it has been happening', value: textOf(DURATIONS, answers.duration) },
  ],
};
