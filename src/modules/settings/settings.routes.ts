import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { signedIn, type Route } from '../../platform/http/routing.ts';
import { email } from '../staff/staff.schema.ts';

const settingsSchema = z.strictObject({
  serviceName: z
    .string({ error: 'Enter the name of your service' })
    .trim()
    .min(2, 'Enter the name of your service')
    .max(120, 'The service name must be 120 characters or fewer'),
  teamEmail: z.union([z.literal('').transform(() => null), email]),
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
          { serviceName: settings.serviceName, teamEmail: settings.teamEmail ?? '' },
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
