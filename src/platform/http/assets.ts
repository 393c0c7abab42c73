import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import * as sass from 'sass';

const root = path.resolve(import.meta.dirname, '../../..');
const govuk = path.join(root, 'node_modules/govuk-frontend/dist/govuk');
const moj = path.join(root, 'node_modules/@ministryofjustice/frontend/moj');

let compiledCss: string | undefined;

/** Vigil's stylesheet: GOV.UK and MoJ Frontend compiled with Vigil's settings, once per process. */
export function stylesheet(): string {
  compiledCss ??= sass.compile(path.join(root, 'src/assets/vigil.scss'), {
    loadPaths: [
      root,
      path.join(root, 'node_modules/govuk-frontend/dist'),
      path.join(root, 'node_modules/@ministryofjustice/frontend'),
      path.join(root, 'src/assets'),
    ],
    style: 'compressed',
    quietDeps: true,
    logger: sass.Logger.silent,
  }).css;
  return compiledCss;
}

export const assetsPlugin = fp(
  async (app: FastifyInstance) => {
    const cacheFor = (seconds: number) => ({ cacheControl: true, maxAge: seconds * 1000, immutable: false });
    await app.register(fastifyStatic, {
      root: path.join(govuk, 'assets'),
      prefix: '/assets/',
      ...cacheFor(3600),
    });
    await app.register(fastifyStatic, {
      root: path.join(root, 'src/assets/js'),
      prefix: '/assets/js/',
      decorateReply: false,
      ...cacheFor(300),
    });
    app.get('/assets/vendor/govuk-frontend.min.js', (_request, reply) =>
      reply.sendFile('govuk-frontend.min.js', govuk, { maxAge: 3600 * 1000 }),
    );
    app.get('/assets/vendor/moj-frontend.min.js', (_request, reply) =>
      reply.sendFile('moj-frontend.min.js', moj, { maxAge: 3600 * 1000 }),
    );
    app.get('/assets/vigil.css', (_request, reply) =>
      reply.header('Cache-Control', 'public, max-age=300').type('text/css; charset=utf-8').send(stylesheet()),
    );
  },
  { name: 'vigil-assets' },
);
