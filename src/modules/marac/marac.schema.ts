import { z } from 'zod';
import type { MaracConsent } from '../../db/schema.ts';
import { BadRequestError } from '../../platform/http/forms.ts';
import { asList, longText, manyOf, optionalDate, problem } from '../cases/form-fields.ts';
import { MARAC_CRITERIA } from './criteria.ts';
import type { ReferralForm } from './marac.service.ts';

const text = z.string().optional();
const CONSENTS: readonly MaracConsent[] = ['consents', 'proceeds_without_consent', 'not_yet_asked'];

/** The little a caseworker adds to a referral the case has already filled in. */
export const referralSchema = z
  .strictObject({
    criteria: manyOf,
    concern: text,
    consent: text,
    consentReason: text,
    area: text,
    otherInformation: text,
  })
  .transform((form, ctx): ReferralForm => {
    const chosen = asList(form.criteria);
    if (chosen.some((value) => !(MARAC_CRITERIA as readonly string[]).includes(value)))
      throw new BadRequestError('Altered form');
    const criteria = MARAC_CRITERIA.filter((criterion) => chosen.includes(criterion));
    if (criteria.length === 0)
      problem(ctx, 'criteria', 'Select at least one criterion you are referring under');
    const concern = longText(ctx, 'concern', form.concern, 'The concern');
    if (criteria.includes('professional_judgement') && !concern)
      problem(ctx, 'concern', 'Write out the concern behind your professional judgement');
    const consent = CONSENTS.find((value) => value === form.consent);
    if (!consent) problem(ctx, 'consent', 'Select whether the client consents to the referral');
    const consentReason = longText(ctx, 'consentReason', form.consentReason, 'The reason');
    if (consent === 'proceeds_without_consent' && !consentReason)
      problem(ctx, 'consentReason', 'Give the reason the referral goes ahead without the client’s consent');
    const area = longText(ctx, 'area', form.area, 'The MARAC area', 100);
    if (!area) problem(ctx, 'area', 'Enter the MARAC area the referral goes to');
    return {
      criteria,
      concern: criteria.includes('professional_judgement') ? concern : null,
      consent: consent ?? 'not_yet_asked',
      consentReason: consent === 'proceeds_without_consent' ? consentReason : null,
      area: area ?? '',
      otherInformation: longText(ctx, 'otherInformation', form.otherInformation, 'Other information'),
    };
  });

/** The MARAC meeting's date (when known) and the outcome note. */
export const meetingSchema = z
  .strictObject({ 'meetingOn-day': text, 'meetingOn-month': text, 'meetingOn-year': text, outcome: text })
  .transform((form, ctx) => ({
    meetingOn: optionalDate(ctx, form, 'meetingOn', 'The meeting date'),
    outcome: longText(ctx, 'outcome', form.outcome, 'The outcome'),
  }));

/** An action the MARAC agreed: what, who owns it, and when it is due. */
export const actionSchema = z
  .strictObject({
    what: text,
    owner: text,
    'dueOn-day': text,
    'dueOn-month': text,
    'dueOn-year': text,
  })
  .transform((form, ctx) => {
    const what = longText(ctx, 'what', form.what, 'The action', 1_000);
    if (!what) problem(ctx, 'what', 'Enter the action agreed');
    const owner = longText(ctx, 'owner', form.owner, 'The owner', 200);
    if (!owner) problem(ctx, 'owner', 'Enter the agency or person who owns the action');
    return {
      what: what ?? '',
      owner: owner ?? '',
      dueOn: optionalDate(ctx, form, 'dueOn', 'The due date'),
    };
  });
