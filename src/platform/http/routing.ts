import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionStage } from '../../db/schema.ts';
import { paths } from '../../paths.ts';
import type { CurrentSession } from '../auth/sessions.ts';
import { isUuid } from '../auth/tokens.ts';
import { can, type Permission } from '../permissions.ts';

/**
 * Who may use a route:
 * - public: anyone, signed in or not;
 * - a session stage: someone part-way through signing in (second factor, authenticator enrolment);
 * - signed-in: any fully signed-in user;
 * - a permission: a signed-in user whose role grants it.
 */
export type Access =
  | { public: true }
  | { stage: Exclude<SessionStage, 'active'> }
  | { signedIn: true }
  | { permission: Permission };

export type SignedInRequest = FastifyRequest & { session: CurrentSession };

export type Route = {
  method: 'GET' | 'POST';
  url: string;
  access: Access;
  /** The audit action a successful request records, if it reads or changes personal data. */
  audit?: string;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
};

export class ForbiddenError extends Error {
  readonly statusCode = 403;
}

export class NotFoundError extends Error {
  readonly statusCode = 404;
}

/** A record identifier from the path; anything that is not a UUID is a page that does not exist. */
export function uuidParam(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name] ?? '';
  if (!isUuid(value)) throw new NotFoundError(name);
  return value.toLowerCase();
}

/** Narrows a request the route table has already checked to one with a session. */
export function signedIn(request: FastifyRequest): SignedInRequest {
  if (!request.session) throw new ForbiddenError('No session');
  return request as SignedInRequest;
}

async function enforce(access: Access, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if ('public' in access) return true;
  const session = request.session;
  if (!session) {
    await reply.redirect(
      request.sessionEndedBecause
        ? `${paths.signIn}?signed-out=${request.sessionEndedBecause}`
        : paths.signIn,
      303,
    );
    return false;
  }
  if ('stage' in access) {
    if (session.stage === access.stage) return true;
    await reply.redirect(session.stage === 'active' ? paths.home : stageHome(session.stage), 303);
    return false;
  }
  if (session.stage !== 'active') {
    await reply.redirect(stageHome(session.stage), 303);
    return false;
  }
  if ('permission' in access && !can(session.user.role, access.permission))
    throw new ForbiddenError(access.permission);
  return true;
}

function stageHome(stage: SessionStage): string {
  return stage === 'enrolment' ? paths.enrolAuthenticator : paths.signInCode;
}

/** Every route is registered through this table, so its access rule is declared beside its path. */
export function registerRoutes(app: FastifyInstance, routes: Route[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { access: route.access, audit: route.audit },
      handler: async (request, reply) => {
        if (!(await enforce(route.access, request, reply))) return reply;
        return route.handler(request, reply);
      },
    });
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    audit?: string;
  }
}
