import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import {
  ForbiddenError,
  NotFoundError,
  signedIn,
  type Route,
  uuidParam,
} from '../../platform/http/routing.ts';

const breakGlassSchema = z.strictObject({
  reason: z
    .string({ error: 'Say why you need to open this case' })
    .trim()
    .min(1, 'Say why you need to open this case')
    .min(10, 'Give a fuller reason: your manager will read it')
    .max(1000, 'Reason must be 1000 characters or fewer'),
});

/**
 * The page someone sees when a case is outside their scope: they may open it by recording why (403 until they
 * do), or, without `case:read`, they are simply refused.
 */
export async function showOutsideScope(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  form: { values: Record<string, unknown>; errors?: FormErrors } = { values: {} },
) {
  const { session } = signedIn(request);
  const caseId = uuidParam(request, 'caseId');
  const outside = await services.breakGlass.outsideScope(session, caseId);
  if (!outside) throw new ForbiddenError('case is not on the caseload');
  return reply.code(form.errors ? 400 : 403).render('cases/open-outside-scope.njk', {
    pageTitle: 'This case is not on your caseload',
    caseId,
    values: form.values,
    errors: form.errors,
  });
}

/** Opening a case outside one's scope with a recorded reason, and the managers' review of those openings. */
export function breakGlassRoutes(services: Services): Route[] {
  return [
    {
      method: 'POST',
      url: paths.caseOpenOutsideScope(),
      access: { permission: 'case:read' },
      audit: 'case.opened_outside_scope',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = breakGlassSchema.safeParse(body);
        if (!parsed.success) {
          return showOutsideScope(services, request, reply, {
            values: body,
            errors: formErrorsFrom(parsed.error),
          });
        }
        const outcome = await services.breakGlass.open(session, caseId, parsed.data.reason);
        if (outcome.kind === 'not_found') throw new NotFoundError('case');
        if (outcome.kind === 'not_permitted') throw new ForbiddenError('case:read');
        return reply.redirect(paths.case(caseId), 303);
      },
    },
    {
      method: 'GET',
      url: paths.caseAccessReviews,
      access: { permission: 'case:review_access' },
      audit: 'case.access_reviews_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const reviews = await services.breakGlass.reviews(session);
        return reply.render('cases/access-reviews.njk', {
          pageTitle: 'Cases opened outside caseloads',
          waiting: reviews.filter((review) => review.reviewedAt === null),
          reviewed: reviews.filter((review) => review.reviewedAt !== null),
          done: (request.query as { done?: string }).done === 'reviewed',
        });
      },
    },
    {
      method: 'POST',
      url: paths.caseAccessReviewed(),
      access: { permission: 'case:review_access' },
      audit: 'case.access_reviewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        z.strictObject({}).parse(formBody(request.body));
        const marked = await services.breakGlass.markReviewed(session, uuidParam(request, 'grantId'));
        if (!marked) throw new NotFoundError('access review');
        return reply.redirect(`${paths.caseAccessReviews}?done=reviewed`, 303);
      },
    },
  ];
}
