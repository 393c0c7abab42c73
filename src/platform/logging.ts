import type { FastifyServerOptions } from 'fastify';

/** Paths carry one-time secrets in a few places (setup and invitation links); logs show them masked. */
export function redactUrl(url: string): string {
  return url
    .replace(/^\/(setup|invitation)\/[^/?#]+/, '/$1/[token]')
    .replace(/\?.*$/, (query) => (query ? '?[query]' : ''));
}

/**
 * Structured JSON logs in UTC. Request logs carry the method, a redacted path, the status and timing; no
 * cookies, bodies, or query strings. Known sensitive keys are censored wherever they appear.
 */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        '*.passphrase',
        '*.password',
        '*.code',
        '*.email',
        '*.token',
        '*.secret',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (request: { id: string; method: string; url: string }) => ({
        id: request.id,
        method: request.method,
        path: redactUrl(request.url),
      }),
      res: (reply: { statusCode: number }) => ({ status: reply.statusCode }),
    },
  };
}
