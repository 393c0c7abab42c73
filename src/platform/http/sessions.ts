import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { CurrentSession, NavigationCounts, SessionService } from '../auth/sessions.ts';

export const SESSION_COOKIE = '__Host-vigil-session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in (or signing-in) user's session, or null. */
    session: CurrentSession | null;
    /** Set when this request found its session ended by the idle or absolute timeout. */
    sessionEndedBecause: 'idle' | 'expired' | null;
    /** Counted with the session, for the navigation; null without a session. */
    navigationCounts: NavigationCounts | null;
  }
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
}

export function clientInfo(request: FastifyRequest): {
  clientAddress: string | null;
  userAgent: string | null;
} {
  return { clientAddress: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}

export const sessionsPlugin = fp(
  async (app: FastifyInstance, options: { sessions: SessionService }) => {
    app.decorateRequest('session', null);
    app.decorateRequest('sessionEndedBecause', null);
    app.decorateRequest('navigationCounts', null);
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/assets/') || request.url === '/health') return;
      const token = request.cookies[SESSION_COOKIE];
      if (!token) return;
      const found = await options.sessions.lookup(token);
      if (found.kind === 'active') {
        request.session = found.session;
        request.navigationCounts = found.navigationCounts;
      } else {
        clearSessionCookie(reply);
        if (found.kind === 'ended') request.sessionEndedBecause = found.reason;
      }
    });
  },
  { name: 'vigil-sessions', dependencies: ['vigil-cookies'] },
);
