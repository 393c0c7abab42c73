import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { passphraseProblem } from '../../platform/auth/passphrase.ts';
import { formBody, formError, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { NotFoundError, type Route } from '../../platform/http/routing.ts';
import { clientInfo, setSessionCookie } from '../../platform/http/sessions.ts';
import { setupSchema } from './setup.schema.ts';

const template = 'setup/setup.njk';

export function setupRoutes(services: Services): Route[] {
  const tokenOf = (request: FastifyRequest) => (request.params as { token: string }).token;

  const show = (reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) =>
    reply.code(errors ? 400 : 200).render(template, { pageTitle: 'Set up Vigil', values, errors });

  return [
    {
      method: 'GET',
      url: paths.setup(),
      access: { public: true },
      handler: async (request, reply) => {
        if (!(await services.setup.isSetupTokenValid(tokenOf(request))))
          throw new NotFoundError('setup link');
        return show(reply, {});
      },
    },
    {
      method: 'POST',
      url: paths.setup(),
      access: { public: true },
      audit: 'organisation.created',
      handler: async (request, reply) => {
        const token = tokenOf(request);
        if (!(await services.setup.isSetupTokenValid(token))) throw new NotFoundError('setup link');
        const body = formBody(request.body);
        const values = { serviceName: body.serviceName, displayName: body.displayName, email: body.email };
        const parsed = setupSchema.safeParse(body);
        if (!parsed.success) return show(reply, values, formErrorsFrom(parsed.error));
        const problem = passphraseProblem(parsed.data.passphrase, [
          parsed.data.serviceName,
          parsed.data.displayName,
          parsed.data.email,
        ]);
        if (problem) return show(reply, values, formError('passphrase', problem));
        const sessionToken = await services.setup.complete(
          token,
          {
            serviceName: parsed.data.serviceName,
            administrator: {
              displayName: parsed.data.displayName,
              email: parsed.data.email,
              passphrase: parsed.data.passphrase,
            },
          },
          clientInfo(request),
        );
        if (!sessionToken) throw new NotFoundError('setup link');
        setSessionCookie(reply, sessionToken);
        return reply.redirect(paths.enrolAuthenticator, 303);
      },
    },
  ];
}
