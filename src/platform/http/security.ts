import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

export const CSRF_COOKIE = '__Host-vigil-csrf';

declare module 'fastify' {
  interface FastifyReply {
    /** This response's script nonce: in its Content-Security-Policy, and on the page's script tag. */
    cspNonce: string;
  }
}

const nonces = new WeakMap<ServerResponse, string>();

/**
 * Helmet's headers, built once: only the script nonce changes from one response to the next, so it is a function
 * of the response rather than a reason to build the whole set again for every request.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", (_request, response) => `'nonce-${nonces.get(response) ?? ''}'`],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      upgradeInsecureRequests: null,
    },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginEmbedderPolicy: false,
  frameguard: { action: 'deny' },
});

/**
 * Security headers on every response (a nonce-based CSP with no inline script or style), no-store caching
 * on everything but static assets, and CSRF tokens for every state-changing request.
 */
export const securityPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateReply('cspNonce', '');
    app.addHook('onRequest', (request, reply, done) => {
      reply.cspNonce = randomBytes(16).toString('hex');
      nonces.set(reply.raw, reply.cspNonce);
      securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
    });
    app.addHook('onSend', async (request, reply, payload) => {
      if (!request.url.startsWith('/assets/')) {
        reply.header('Cache-Control', 'no-store');
        reply.header('Pragma', 'no-cache');
      }
      return payload;
    });
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: CSRF_COOKIE,
      cookieOpts: { path: '/', secure: true, httpOnly: true, sameSite: 'strict', signed: false },
      getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf,
    });
    // No GET ever changes state; every other method must carry the form's token.
    app.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      // A multipart form's token is its first field: the route reads it, before any file, with checkCsrfToken.
      if (request.routeOptions.config.csrfInMultipart && isMultipart(request)) return;
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
      });
    });
  },
  { name: 'vigil-security', dependencies: ['vigil-cookies'] },
);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a multipart body itself and checks its CSRF token, the first field, with checkCsrfToken. */
    csrfInMultipart?: boolean;
  }
}

function isMultipart(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** Checks a CSRF token read from a multipart form's first field; throws (403) when it is missing or wrong. */
export async function checkCsrfToken(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
): Promise<void> {
  request.body = { _csrf: token };
  await new Promise<void>((resolve, reject) => {
    request.server.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
  });
}
