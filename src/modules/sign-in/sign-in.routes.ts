import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, formError, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { signedIn, type Route } from '../../platform/http/routing.ts';
import { clearSessionCookie, clientInfo, setSessionCookie } from '../../platform/http/sessions.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { codeSchema, signInSchema } from './sign-in.schema.ts';

const SIGNED_OUT_MESSAGES: Record<string, string> = {
  idle: 'You were signed out because you had not done anything for 30 minutes.',
  expired: 'You were signed out because you had been signed in for 12 hours.',
  yes: 'You have signed out.',
};

const INCORRECT = 'Enter a correct email address and passphrase';

function throttledMessage(until: Date): string {
  return `Too many attempts. For your security, wait until ${formatDateTime(until)} and try again`;
}

export function signInRoutes(services: Services): Route[] {
  const showSignIn = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) => {
    const signedOut = (request.query as { 'signed-out'?: string })['signed-out'];
    return reply.code(errors ? 400 : 200).render('sign-in/sign-in.njk', {
      pageTitle: 'Sign in',
      values,
      errors,
      notice: signedOut ? SIGNED_OUT_MESSAGES[signedOut] : undefined,
    });
  };
  const showCode = (reply: FastifyReply, errors?: FormErrors) =>
    reply.code(errors ? 400 : 200).render('sign-in/code.njk', { pageTitle: 'Enter your code', errors });

  const showEnrolment = async (request: FastifyRequest, reply: FastifyReply, errors?: FormErrors) => {
    const enrolment = await services.signIn.enrolment(signedIn(request).session);
    return reply
      .code(errors ? 400 : 200)
      .render('sign-in/enrol.njk', { pageTitle: 'Set up your authenticator app', enrolment, errors });
  };

  return [
    {
      method: 'GET',
      url: paths.signIn,
      access: { public: true },
      handler: async (request, reply) => {
        if (request.session?.stage === 'active') return reply.redirect(paths.home, 303);
        return showSignIn(request, reply, {});
      },
    },
    {
      method: 'POST',
      url: paths.signIn,
      access: { public: true },
      audit: 'sign_in.passphrase_accepted',
      handler: async (request, reply) => {
        const body = formBody(request.body);
        const parsed = signInSchema.safeParse(body);
        const values = { email: typeof body.email === 'string' ? body.email : '' };
        if (!parsed.success) return showSignIn(request, reply, values, formErrorsFrom(parsed.error));
        const outcome = await services.signIn.signIn(
          parsed.data.email,
          parsed.data.passphrase,
          clientInfo(request),
        );
        if (outcome.kind === 'throttled')
          return showSignIn(request, reply, values, formError('email', throttledMessage(outcome.until)));
        if (outcome.kind === 'incorrect')
          return showSignIn(request, reply, values, formError('email', INCORRECT));
        if (request.session) await services.signIn.signOut(request.session);
        setSessionCookie(reply, outcome.token);
        return reply.redirect(
          outcome.next === 'enrolment' ? paths.enrolAuthenticator : paths.signInCode,
          303,
        );
      },
    },
    {
      method: 'GET',
      url: paths.signInCode,
      access: { stage: 'second_factor' },
      handler: async (_request, reply) => showCode(reply),
    },
    {
      method: 'POST',
      url: paths.signInCode,
      access: { stage: 'second_factor' },
      audit: 'sign_in.succeeded',
      handler: async (request, reply) => {
        const parsed = codeSchema.safeParse(formBody(request.body));
        if (!parsed.success) return showCode(reply, formErrorsFrom(parsed.error));
        const outcome = await services.signIn.verifyCode(
          signedIn(request).session,
          parsed.data.code,
          clientInfo(request),
        );
        if (outcome.kind === 'throttled')
          return showCode(reply, formError('code', throttledMessage(outcome.until)));
        if (outcome.kind === 'incorrect') {
          return showCode(
            reply,
            formError('code', 'The code is not correct or has been used. Wait for a new code and try again'),
          );
        }
        setSessionCookie(reply, outcome.token);
        return reply.redirect(paths.home, 303);
      },
    },
    {
      method: 'GET',
      url: paths.enrolAuthenticator,
      access: { stage: 'enrolment' },
      handler: async (request, reply) => showEnrolment(request, reply),
    },
    {
      method: 'POST',
      url: paths.enrolAuthenticator,
      access: { stage: 'enrolment' },
      audit: 'authenticator.enrolled',
      handler: async (request, reply) => {
        const parsed = codeSchema.safeParse(formBody(request.body));
        if (!parsed.success) return showEnrolment(request, reply, formErrorsFrom(parsed.error));
        const outcome = await services.signIn.completeEnrolment(signedIn(request).session, parsed.data.code);
        if (outcome.kind !== 'accepted') {
          return showEnrolment(
            request,
            reply,
            formError(
              'code',
              'The code is not correct. Check the time on your phone is right, wait for a new code and try again',
            ),
          );
        }
        setSessionCookie(reply, outcome.token);
        return reply.redirect(paths.home, 303);
      },
    },
    {
      method: 'POST',
      url: paths.signOut,
      access: { public: true },
      audit: 'sign_out',
      handler: async (request, reply) => {
        if (request.session) await services.signIn.signOut(request.session);
        clearSessionCookie(reply);
        return reply.redirect(`${paths.signIn}?signed-out=yes`, 303);
      },
    },
  ];
}
