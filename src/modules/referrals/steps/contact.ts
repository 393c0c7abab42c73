import { z } from 'zod';
import {
  fromYesNo,
  isEmailAddress,
  isPhoneNumber,
  items,
  orNull,
  problem,
  text,
  tooLong,
  YES_NO,
  yesNo,
  yesNoText,
  type Step,
  type SummaryRow,
} from './step.ts';
import type { ReferralAnswers } from '../referral-answers.ts';

/**
 * How to reach the person safely. The stalker may watch their phone or email, so each channel comes with
 * whether it is safe to use, and a call with whether to leave a voicemail or say who is calling. Someone with
 * no safe phone or email says so instead, and is told how to contact the service themselves.
 */
export const contact: Step = {
  id: 'contact',
  template: 'referral/contact.njk',
  title: (context) =>
    context.route === 'self' ? 'How can we contact you safely?' : 'How can we contact them safely?',
  section: () => 'Contact',
  fields: [
    'phone',
    'phoneSafe',
    'safeTimes',
    'voicemailAllowed',
    'maySayWhoWeAre',
    'email',
    'emailSafe',
    'noSafeContact',
    'codeWord',
  ],
  schema: (context) =>
    z
      .strictObject({
        phone: text,
        phoneSafe: text,
        safeTimes: text,
        voicemailAllowed: text,
        maySayWhoWeAre: text,
        email: text,
        emailSafe: text,
        noSafeContact: text,
        codeWord: text,
      })
      .superRefine((input, ctx) => {
        const you = context.route === 'self' ? 'you' : 'them';
        tooLong(ctx, 'codeWord', input.codeWord, 100, 'Code word');
        if (input.noSafeContact === 'yes') {
          // Like GOV.UK's "none of these" answer: chosen together with a phone or email, it is a contradiction.
          if (input.phone || input.email)
            problem(
              ctx,
              'noSafeContact',
              `Give a phone number or email address, or select that there is no safe way to contact ${you}, not both`,
            );
          return;
        }
        if (!input.phone && !input.email)
          problem(
            ctx,
            'phone',
            `Enter a phone number or an email address, or select that there is no safe way to contact ${you}`,
          );
        if (input.phone) {
          if (!isPhoneNumber(input.phone))
            problem(ctx, 'phone', 'Enter a phone number in the correct format, like 07700 900 982');
          if (yesNo(input.phoneSafe) === null)
            problem(ctx, 'phoneSafe', 'Select yes if it is safe for us to call this number');
          tooLong(ctx, 'safeTimes', input.safeTimes, 500, 'When it is safe to call');
          if (yesNo(input.voicemailAllowed) === null)
            problem(ctx, 'voicemailAllowed', 'Select yes if we can leave a voicemail');
          if (yesNo(input.maySayWhoWeAre) === null)
            problem(ctx, 'maySayWhoWeAre', 'Select yes if we can say who we are when we call');
        }
        if (input.email) {
          if (!isEmailAddress(input.email))
            problem(ctx, 'email', 'Enter an email address in the correct format, like name@example.org');
          if (yesNo(input.emailSafe) === null)
            problem(ctx, 'emailSafe', 'Select yes if it is safe for us to email this address');
        }
      })
      .transform((input) => {
        const noSafeContact = input.noSafeContact === 'yes';
        // With no safe way to contact, nothing about a phone or email is kept, even if it was answered.
        const phone = noSafeContact ? null : orNull(input.phone);
        const email = noSafeContact ? null : orNull(input.email);
        return {
          phone,
          phoneSafe: phone ? yesNo(input.phoneSafe) : null,
          safeTimes: phone ? orNull(input.safeTimes) : null,
          voicemailAllowed: phone ? yesNo(input.voicemailAllowed) : null,
          maySayWhoWeAre: phone ? yesNo(input.maySayWhoWeAre) : null,
          email,
          emailSafe: email ? yesNo(input.emailSafe) : null,
          noSafeContact,
          codeWord: orNull(input.codeWord),
        };
      }),
  toValues: (answers) => ({
    phone: answers.phone,
    phoneSafe: fromYesNo(answers.phoneSafe),
    safeTimes: answers.safeTimes,
    voicemailAllowed: fromYesNo(answers.voicemailAllowed),
    maySayWhoWeAre: fromYesNo(answers.maySayWhoWeAre),
    email: answers.email,
    emailSafe: fromYesNo(answers.emailSafe),
    noSafeContact: answers.noSafeContact ? 'yes' : undefined,
    codeWord: answers.codeWord,
  }),
  view: (values) => ({
    phoneSafe: items(YES_NO, values.phoneSafe),
    voicemailAllowed: items(YES_NO, values.voicemailAllowed),
    maySayWhoWeAre: items(YES_NO, values.maySayWhoWeAre),
    emailSafe: items(YES_NO, values.emailSafe),
    noSafeContact: values.noSafeContact === 'yes',
  }),
  summary: (answers, context) =>
    answers.noSafeContact
      ? [
          {
            key: 'Safe way to contact',
            value:
              context.route === 'self'
                ? 'There is no safe way to contact me right now'
                : 'There is no safe way to contact them right now',
          },
          { key: 'Code word', value: answers.codeWord },
        ]
      : contactSummary(answers),
};

function contactSummary(answers: ReferralAnswers): SummaryRow[] {
  return [
    { key: 'Phone number', value: answers.phone },
    ...(answers.phone
      ? [
          { key: 'Safe to call this number', value: yesNoText(answers.phoneSafe) },
          { key: 'Safe times to call', value: answers.safeTimes },
          { key: 'Can leave a voicemail', value: yesNoText(answers.voicemailAllowed) },
          { key: 'Can say who we are when we call', value: yesNoText(answers.maySayWhoWeAre) },
        ]
      : []),
    { key: 'Email address', value: answers.email },
    ...(answers.email ? [{ key: 'Safe to email this address', value: yesNoText(answers.emailSafe) }] : []),
    { key: 'Code word', value: answers.codeWord },
  ];
}
