import { z } from 'zod';
import type { BundlePurpose } from '../../db/schema.ts';
import { BadRequestError } from '../../platform/http/forms.ts';
import { isoDateFrom } from '../cases/case-view.ts';
import { INCIDENT_BEHAVIOURS } from '../diary/incident-types.ts';
import { isPolicePurposeValue } from './bundle-document.ts';
import type { BundleRequest } from './bundles.service.ts';

export const PURPOSES: readonly BundlePurpose[] = ['police_spo', 'police_investigation', 'court', 'victim'];
const text = z.string().optional();
const manyOf = z.union([z.string(), z.array(z.string())]).optional();
const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

function optionalDate(
  ctx: z.RefinementCtx,
  form: Record<string, string | string[] | undefined>,
  prefix: string,
  name: string,
): string | null {
  const parts = ['day', 'month', 'year'].map((part) =>
    [form[`${prefix}-${part}`] ?? ''].flat().join('').trim(),
  ) as [string, string, string];
  if (parts.every((part) => part === '')) return null;
  const iso = isoDateFrom(...parts);
  if (!iso) problem(ctx, `${prefix}-day`, `${name} must be a real date, for example 27 3 2026`);
  return iso;
}

/**
 * The bundle form: what goes in (dates, behaviours, perpetrator, attachments), redaction (on unless unticked),
 * the purpose and, for police, the consent position. `today` is the latest date a range may start.
 */
export const bundleSchema = (today: string) =>
  z
    .strictObject({
      purpose: text,
      'from-day': text,
      'from-month': text,
      'from-year': text,
      'to-day': text,
      'to-month': text,
      'to-year': text,
      behaviours: manyOf,
      perpetratorId: text,
      attachments: text,
      redact: text,
      /** A hidden field, so an unticked redaction box is told apart from a form that never had it. */
      redactShown: text,
      consent: text,
      consentReason: text,
    })
    .transform((form, ctx): BundleRequest => {
      const purpose = PURPOSES.find((value) => value === form.purpose);
      if (!purpose) problem(ctx, 'purpose', 'Select who the bundle is for');
      const from = optionalDate(ctx, form, 'from', 'The start date');
      const to = optionalDate(ctx, form, 'to', 'The end date');
      if (from && from > today) problem(ctx, 'from-day', 'The start date must be today or in the past');
      if (from && to && from > to)
        problem(ctx, 'to-day', 'The end date must be the same as or after the start date');
      const behaviours = asList(form.behaviours);
      if (behaviours.some((value) => !INCIDENT_BEHAVIOURS.some((b) => b.value === value)))
        throw new BadRequestError('Altered form');
      const perpetratorId = form.perpetratorId?.trim() || null;
      if (perpetratorId && !UUID.test(perpetratorId)) throw new BadRequestError('Altered form');
      let consent: BundleRequest['consent'] = null;
      if (purpose && isPolicePurposeValue(purpose)) {
        if (form.consent === 'consents') consent = { kind: 'consents' };
        else if (form.consent === 'override') {
          const reason = form.consentReason?.trim() ?? '';
          if (!reason)
            problem(
              ctx,
              'consentReason',
              'Give the reason the bundle goes to police without the client’s consent',
            );
          else if (reason.length > 2000)
            problem(ctx, 'consentReason', 'The reason must be 2,000 characters or fewer');
          consent = { kind: 'override', reason };
        } else problem(ctx, 'consent', 'Select whether the client consents to the bundle going to police');
      }
      return {
        purpose: purpose ?? 'court',
        from,
        to,
        behaviours: INCIDENT_BEHAVIOURS.map((b) => b.value).filter((value) => behaviours.includes(value)),
        perpetratorId,
        withAttachments: form.attachments === 'yes',
        // Redaction is on by default: only a form that showed the box and came back unticked turns it off.
        redactContact: !(form.redactShown === 'yes' && form.redact !== 'yes'),
        consent,
      };
    });
