import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { formBody, formErrorsFrom } from '../../platform/http/forms.ts';
import { signedIn, type Route } from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';

const searchSchema = z.strictObject({
  q: z
    .string({ error: 'Enter a case reference, name, phone number or email address' })
    .trim()
    .min(3, 'Enter at least 3 characters')
    .max(100, 'Search for 100 characters or fewer'),
});

/** Searches are limited per person: enough for a busy day, too few to walk the whole client list. */
export const SEARCHES_PER_HOUR = 120;

/**
 * Search is a POST so that names, phone numbers and emails never appear in an address, a browser's history or
 * a server log. It changes nothing.
 */
export function searchRoutes(services: Services): Route[] {
  const render = (
    reply: FastifyReply,
    session: CurrentSession,
    status: number,
    model: Record<string, unknown>,
  ) =>
    reply.code(status).render('search/search.njk', {
      pageTitle: 'Search',
      canReadAll: can(session.user.role, 'case:read_all'),
      values: {},
      ...model,
    });

  return [
    {
      method: 'GET',
      url: paths.search,
      access: { permission: 'case:read' },
      handler: async (request, reply) => render(reply, signedIn(request).session, 200, {}),
    },
    {
      method: 'POST',
      url: paths.search,
      access: { permission: 'case:read' },
      audit: 'case.searched',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const body = formBody(request.body);
        const parsed = searchSchema.safeParse(body);
        if (!parsed.success)
          return render(reply, session, 400, { values: body, errors: formErrorsFrom(parsed.error) });
        const limitKey = `search:${session.organisationId}:${session.user.userId}`;
        if (await services.publicFormLimiter.waitUntil([{ key: limitKey, limit: SEARCHES_PER_HOUR }])) {
          return render(reply, session, 429, { values: body, limited: true });
        }
        await services.publicFormLimiter.record([limitKey]);
        const found = await services.search.search(session, parsed.data.q);
        return render(reply, session, 200, { values: body, searched: true, ...found });
      },
    },
  ];
}
