import { z } from 'zod';
import { isEmailAddress, isPhoneNumber, orNull, problem, text, tooLong, type Step } from './step.ts';

/** Professional referrals only: who is referring, and how we reach them. */
export const referrer: Step = {
  id: 'referrer',
  template: 'referral/referrer.njk',
  title: () => 'Your details',
  section: () => 'Your details',
  fields: ['referrerName', 'referrerRole', 'referrerAgency', 'referrerPhone', 'referrerEmail'],
  schema: () =>
    z
      .strictObject({
        referrerName: text,
        referrerRole: text,
        referrerAgency: text,
        referrerPhone: text,
        referrerEmail: text,
      })
      .superRefine((input, ctx) => {
        if (!input.referrerName) problem(ctx, 'referrerName', 'Enter your full name');
        tooLong(ctx, 'referrerName', input.referrerName, 200, 'Your full name');
        if (!input.referrerRole) problem(ctx, 'referrerRole', 'Enter your role');
        tooLong(ctx, 'referrerRole', input.referrerRole, 100, 'Your role');
        if (!input.referrerAgency) problem(ctx, 'referrerAgency', 'Enter your organisation');
        tooLong(ctx, 'referrerAgency', input.referrerAgency, 200, 'Your organisation');
        if (!input.referrerPhone && !input.referrerEmail)
          problem(ctx, 'referrerPhone', 'Enter a phone number or an email address');
        if (input.referrerPhone && !isPhoneNumber(input.referrerPhone))
          problem(
            ctx,
            'referrerPhone',
            'Enter a phone number in the correct format, like 01632 960 001 or 07700 900 982',
          );
        if (input.referrerEmail && !isEmailAddress(input.referrerEmail))
          problem(
            ctx,
            'referrerEmail',
            'Enter an email address in the correct format, like name@example.org',
          );
      })
      .transform((input) => ({
        referrerName: orNull(input.referrerName),
        referrerRole: orNull(input.referrerRole),
        referrerAgency: orNull(input.referrerAgency),
        referrerPhone: orNull(input.referrerPhone),
        referrerEmail: orNull(input.referrerEmail),
      })),
  toValues: (answers) => ({
    referrerName: answers.referrerName,
    referrerRole: answers.referrerRole,
    referrerAgency: answers.referrerAgency,
    referrerPhone: answers.referrerPhone,
    referrerEmail: answers.referrerEmail,
  }),
  view: () => ({}),
  summary: (answers) => [
    { key: 'Your name', value: answers.referrerName },
    { key: 'Your role', value: answers.referrerRole },
    { key: 'Your organisation', value: answers.referrerAgency },
    { key: 'Your phone number', value: answers.referrerPhone },
    { key: 'Your email address', value: answers.referrerEmail },
  ],
};
