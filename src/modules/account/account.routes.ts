import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { describeUserAgent } from './user-agent.ts';

const HISTORY_LABELS: Record<string, string> = {
  'sign_in.succeeded': 'Signed in',
  'sign_in.failed': 'Wrong passphrase',
  'sign_in.code_failed': 'Wrong or reused code',
};

export function accountRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      url: paths.account,
      access: { signedIn: true },
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const sessions = await services.sessions.listOwn(session);
        const history = await services.audit.signInHistory(session);
        return reply.render('account/account.njk', {
          pageTitle: 'Your account',
          user: session.user,
          sessions: sessions.map((s) => ({ ...s, device: describeUserAgent(s.userAgent) })),
          history: history.map((h) => ({
            occurredAt: h.occurredAt,
            text: HISTORY_LABELS[h.action] ?? h.action,
          })),
          ended: (request.query as { ended?: string }).ended === '1',
        });
      },
    },
    {
      method: 'POST',
      url: paths.endSession(),
      access: { signedIn: true },
      audit: 'session.ended_by_user',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const sessionId = uuidParam(request, 'sessionId');
        const ended = await services.sessions.endOwn(session, sessionId);
        if (!ended) throw new NotFoundError('session');
        return reply.redirect(
          sessionId === session.sessionId ? `${paths.signIn}?signed-out=yes` : `${paths.account}?ended=1`,
          303,
        );
      },
    },
  ];
}
