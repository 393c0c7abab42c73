import { z } from 'zod';
import type { AgencyType, CaseServiceType, OnwardReferralOutcome } from '../../db/schema.ts';
import { formatIsoDate, isoDateFrom } from './case-view.ts';
import type { NewOnwardOutcome, NewOnwardReferral, NewService } from './casework.service.ts';
import { AGENCY_TYPES, ONWARD_OUTCOMES, SERVICE_TYPES } from './support-view.ts';

const text = z.string().optional();
const MAX_NOTE = 2_000;

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

const oneOf = <T extends string>(options: { value: T }[], value: string | undefined): value is T =>
  options.some((option) => option.value === value);

const dateFields = (prefix: string) => ({
  [`${prefix}-day`]: text,
  [`${prefix}-month`]: text,
  [`${prefix}-year`]: text,
});

/**
 * A date from a GOV.UK date input named `prefix`: required, real, not after `today`, and not before `notBefore`
 * when given. Problems are reported on the day box, as the error summary links to it.
 */
function dateFrom(
  ctx: z.RefinementCtx,
  form: Record<string, string | undefined>,
  prefix: string,
  words: { missing: string; name: string },
  today: string,
  notBefore?: { date: string; what: string },
): string | null {
  const parts = ['day', 'month', 'year'].map((part) => form[`${prefix}-${part}`]?.trim() ?? '') as [
    string,
    string,
    string,
  ];
  const field = `${prefix}-day`;
  const iso = isoDateFrom(...parts);
  if (parts.every((part) => part === '')) problem(ctx, field, words.missing);
  else if (!iso) problem(ctx, field, `${words.name} must be a real date`);
  else if (iso > today) problem(ctx, field, `${words.name} must be today or in the past`);
  else if (notBefore && iso < notBefore.date)
    problem(
      ctx,
      field,
      `${words.name} must be on or after ${notBefore.what}, ${formatIsoDate(notBefore.date)}`,
    );
  else return iso;
  return null;
}

function optionalNote(ctx: z.RefinementCtx, value: string | undefined, field = 'note'): string | null {
  const note = value?.trim() ?? '';
  if (note.length > MAX_NOTE) problem(ctx, field, 'Note must be 2,000 characters or fewer');
  return note || null;
}

/** Recording a service given to the client. `today` (YYYY-MM-DD, UK) bounds the start date. */
export function serviceSchema(today: string) {
  return z
    .strictObject({ service: text, ...dateFields('startedOn'), note: text })
    .transform((form, ctx): NewService => {
      if (!oneOf(SERVICE_TYPES, form.service)) problem(ctx, 'service', 'Select the service');
      const startedOn = dateFrom(
        ctx,
        form,
        'startedOn',
        { missing: 'Enter the date the service started', name: 'Start date' },
        today,
      );
      return {
        service: form.service as CaseServiceType,
        startedOn: startedOn ?? '',
        note: optionalNote(ctx, form.note),
      };
    });
}

/** Ending a service: on a day from its start to today. */
export function endServiceSchema(today: string, startedOn: string) {
  return z.strictObject({ ...dateFields('endedOn') }).transform((form, ctx) => {
    const endedOn = dateFrom(
      ctx,
      form,
      'endedOn',
      { missing: 'Enter the date the service ended', name: 'End date' },
      today,
      { date: startedOn, what: 'the date it started' },
    );
    return { endedOn: endedOn ?? '' };
  });
}

/** Recording a referral on to another agency; without the client's consent, a reason is required. */
export function onwardReferralSchema(today: string) {
  return z
    .strictObject({
      agencyType: text,
      agencyName: text,
      ...dateFields('referredOn'),
      reason: text,
      consentGiven: text,
      consentOverride: text,
    })
    .transform((form, ctx): NewOnwardReferral => {
      if (!oneOf(AGENCY_TYPES, form.agencyType)) problem(ctx, 'agencyType', 'Select the kind of agency');
      const agencyName = form.agencyName?.trim() ?? '';
      if (!agencyName) problem(ctx, 'agencyName', 'Enter the name of the agency');
      else if (agencyName.length > 200)
        problem(ctx, 'agencyName', 'Name of the agency must be 200 characters or fewer');
      const referredOn = dateFrom(
        ctx,
        form,
        'referredOn',
        { missing: 'Enter the date of the referral', name: 'Date of the referral' },
        today,
      );
      const reason = form.reason?.trim() ?? '';
      if (!reason) problem(ctx, 'reason', 'Enter why the client is being referred');
      else if (reason.length > MAX_NOTE) problem(ctx, 'reason', 'Reason must be 2,000 characters or fewer');
      const consent = form.consentGiven;
      const override = form.consentOverride?.trim() ?? '';
      if (consent !== 'yes' && consent !== 'no')
        problem(ctx, 'consentGiven', 'Select yes if the client agreed to this referral');
      else if (consent === 'no' && !override)
        problem(ctx, 'consentOverride', 'Enter why the referral is being made without the client’s consent');
      else if (consent === 'no' && override.length > MAX_NOTE)
        problem(ctx, 'consentOverride', 'Reason must be 2,000 characters or fewer');
      return {
        agencyType: form.agencyType as AgencyType,
        agencyName,
        referredOn: referredOn ?? '',
        reason,
        consentGiven: consent === 'yes',
        consentOverride: consent === 'no' ? override : null,
      };
    });
}

/** What has happened to a referral on, on a day from the referral to today. */
export function onwardOutcomeSchema(today: string, referredOn: string) {
  return z
    .strictObject({ outcome: text, ...dateFields('outcomeOn'), note: text })
    .transform((form, ctx): NewOnwardOutcome => {
      if (!oneOf(ONWARD_OUTCOMES, form.outcome)) problem(ctx, 'outcome', 'Select what has happened');
      const outcomeOn = dateFrom(
        ctx,
        form,
        'outcomeOn',
        { missing: 'Enter the date of the outcome', name: 'Date of the outcome' },
        today,
        { date: referredOn, what: 'the date of the referral' },
      );
      return {
        outcome: form.outcome as OnwardReferralOutcome,
        outcomeOn: outcomeOn ?? '',
        note: optionalNote(ctx, form.note),
      };
    });
}
