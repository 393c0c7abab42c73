import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { signedIn, type Route } from '../../platform/http/routing.ts';
import { isPhoneNumber } from '../referrals/steps/step.ts';
import { email } from '../staff/staff.schema.ts';

const optional = (value: string | undefined) => (value?.trim() ? value.trim() : null);

export const settingsSchema = z
  .strictObject({
    serviceName: z
      .string({ error: 'Enter the name of your service' })
      .trim()
      .min(2, 'Enter the name of your service')
      .max(120, 'The service name must be 120 characters or fewer'),
    teamEmail: z.union([z.literal('').transform(() => null), email]),
    publicPhone: z.string().optional().transform(optional),
    publicContactHours: z.string().optional().transform(optional),
  })
  .superRefine((input, ctx) => {
    const problem = (field: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    if (input.publicPhone && !isPhoneNumber(input.publicPhone))
      problem('publicPhone', 'Enter a phone number in the correct format, like 01632 960 001');
    if (input.publicContactHours && input.publicContactHours.length > 200)
      problem('publicContactHours', 'Opening hours must be 200 characters or fewer');
    if (input.publicContactHours && !input.publicPhone)
      problem('publicPhone', 'Enter the phone number these hours are for, or remove the hours');
  });

export function settingsRoutes(services: Services): Route[] {
  const show = (reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors, saved = false) =>
    reply
      .code(errors ? 400 : 200)
      .render('settings/settings.njk', { pageTitle: 'Service settings', values, errors, saved });

  return [
    {
      method: 'GET',
      url: paths.settings,
      access: { permission: 'organisation:manage' },
      handler: async (request, reply) => {
        const settings = await services.settings.get(signedIn(request).session);
        const saved = (request.query as { saved?: string }).saved === '1';
        return show(
          reply,
          {
            serviceName: settings.serviceName,
            teamEmail: settings.teamEmail ?? '',
            publicPhone: settings.publicPhone ?? '',
            publicContactHours: settings.publicContactHours ?? '',
          },
          undefined,
          saved,
        );
      },
    },
    {
      method: 'POST',
      url: paths.settings,
      access: { permission: 'organisation:manage' },
      audit: 'organisation.settings_changed',
      handler: async (request, reply) => {
        const body = formBody(request.body);
        const parsed = settingsSchema.safeParse(body);
        if (!parsed.success) return show(reply, body, formErrorsFrom(parsed.error));
        await services.settings.update(signedIn(request).session, parsed.data);
        return reply.redirect(`${paths.settings}?saved=1`, 303);
      },
    },
  ];
}
