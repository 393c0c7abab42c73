import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { paths } from '../../paths.ts';

const pages: Record<number, { template: string; title: string }> = {
  400: { template: 'errors/400.njk', title: 'Sorry, there is a problem with that request' },
  403: { template: 'errors/403.njk', title: 'You do not have permission to see this page' },
  404: { template: 'errors/404.njk', title: 'Page not found' },
  413: { template: 'errors/413.njk', title: 'What you sent is too large' },
  429: { template: 'errors/429.njk', title: 'Too many requests' },
  500: { template: 'errors/500.njk', title: 'Sorry, there is a problem with the service' },
};

/** The public referral form's addresses: /r/<code> and everything under it. */
const PUBLIC_FORM = paths.publicReferral.start('');

export function isPublicFormAddress(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path.startsWith(PUBLIC_FORM) || path === PUBLIC_FORM.slice(0, -1);
}

function renderError(request: FastifyRequest, reply: FastifyReply, status: number): FastifyReply {
  const page = pages[status] ?? pages[status >= 500 ? 500 : 400]!;
  reply.code(status);
  if (request.url.startsWith('/api/') || !(request.headers.accept ?? 'text/html').includes('html')) {
    return reply.type('application/json').send({ error: page.title, requestId: request.id });
  }
  if (isPublicFormAddress(request.url)) {
    // Someone on the public form may be on a watched device: the public layout (Exit this page, a neutral
    // title, no staff navigation), whoever is signed in, and no service name, since the address may be wrong.
    // A refused form (its CSRF token gone with the browser session, say) is a problem with the request, not a
    // matter of permission.
    const shown = status === 403 ? 400 : status;
    return reply.render('errors/public.njk', {
      pageTitle: (pages[shown] ?? page).title,
      status: shown,
      requestId: request.id,
      serviceName: null,
    });
  }
  return reply.render(page.template, { pageTitle: page.title, requestId: request.id });
}

/** GOV.UK-style error pages that say what the person can do next and never leak what went wrong inside. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setNotFoundHandler((request, reply) => renderError(request, reply, 404));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const code = error.code ?? '';
      let status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
      if (code.startsWith('FST_CSRF')) status = 403;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ status, code }, 'request refused');
      if (![400, 403, 404, 413, 429].includes(status) && status < 500) status = 400;
      return renderError(request, reply, status);
    });
  },
  { name: 'vigil-errors', dependencies: ['vigil-views'] },
);
