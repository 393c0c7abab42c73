import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { Services } from './composition.ts';
import type { Db } from './db/database.ts';
import { accountRoutes } from './modules/account/account.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { breakGlassRoutes } from './modules/cases/break-glass.routes.ts';
import { teamRoutes } from './modules/staff/teams.routes.ts';
import { caseRoutes } from './modules/cases/cases.routes.ts';
import { clientRoutes } from './modules/clients/clients.routes.ts';
import { supportRoutes } from './modules/cases/support.routes.ts';
import { homeRoutes } from './modules/home/home.routes.ts';
import { perpetratorRoutes } from './modules/perpetrators/perpetrators.routes.ts';
import { exitRoutes } from './modules/safety/exit.routes.ts';
import { publicReferralRoutes } from './modules/referrals/public-referral.routes.ts';
import { referralsRoutes } from './modules/referrals/referrals.routes.ts';
import { settingsRoutes } from './modules/settings/settings.routes.ts';
import { searchRoutes } from './modules/search/search.routes.ts';
import { diaryImportPlugin } from './modules/diary/import.routes.ts';
import { can } from './platform/permissions.ts';
import { setupRoutes } from './modules/setup/setup.routes.ts';
import { signInRoutes } from './modules/sign-in/sign-in.routes.ts';
import { staffRoutes } from './modules/staff/staff.routes.ts';
import { diaryRoutes } from './modules/diary/diary.routes.ts';
import { assetsPlugin } from './platform/http/assets.ts';
import { errorsPlugin } from './platform/http/errors.ts';
import { registerRoutes } from './platform/http/routing.ts';
import { patternsRoutes } from './modules/diary/patterns.routes.ts';
import { maracRoutes } from './modules/marac/marac.routes.ts';
import { riskRoutes } from './modules/risk/risk.routes.ts';
import { ordersRoutes } from './modules/orders/orders.routes.ts';
import { safetyPlanRoutes } from './modules/safety-plans/safety-plans.routes.ts';
import { liaisonRoutes } from './modules/liaison/liaison.routes.ts';
import { securityPlugin } from './platform/http/security.ts';
import { sessionsPlugin } from './platform/http/sessions.ts';
import { viewsPlugin } from './platform/http/views.ts';
import { loggerOptions } from './platform/logging.ts';
import { evidencePlugin } from './modules/evidence/evidence.routes.ts';
import { bundleRoutes, bundleVerifyPlugin } from './modules/bundles/bundles.routes.ts';

export type RegisteredRoute = { method: string; url: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** For staff who triage: how many referrals are waiting (shown in the navigation). */
    referralsWaiting: number | null;
    /** For staff who see perpetrator matches: how many serial-perpetrator alerts wait to be acknowledged. */
    perpetratorAlertsWaiting: number | null;
  }
  interface FastifyInstance {
    /** Every route the app serves: the authorisation matrix test walks it. */
    routeTable: RegisteredRoute[];
  }
}

export type AppOptions = {
  db: Db;
  services: Services;
  logLevel?: string;
  /** Where JSON log lines go (standard output when not given). */
  logStream?: NodeJS.WritableStream;
  trustProxy?: boolean;
};

/** Builds the web application. server.ts listens; tests build the same app and call app.inject. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const fastifyOptions: FastifyServerOptions = {
    logger: loggerOptions(options.logLevel ?? 'info', options.logStream),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
  };
  const app = Fastify(fastifyOptions);
  const { services } = options;
  const routeTable: RegisteredRoute[] = [];
  app.decorateRequest('referralsWaiting', null);
  app.decorateRequest('perpetratorAlertsWaiting', null);
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url ?? route.path });
  });

  await app.register(fp(async (instance) => instance.register(cookie), { name: 'vigil-cookies' }));
  await app.register(formbody);
  await app.register(securityPlugin);
  await app.register(sessionsPlugin, { sessions: services.sessions });
  await app.register(viewsPlugin);
  await app.register(errorsPlugin);
  await app.register(assetsPlugin);

  // The navigation shows, on every page, how many referrals wait for triage staff and how many perpetrator
  // alerts wait for those who see matches. Both are counted with the session lookup (one round trip), and
  // given only to those allowed to know.
  app.addHook('preHandler', async (request) => {
    const session = request.session;
    const counts = request.navigationCounts;
    if (session?.stage !== 'active' || !counts) return;
    if (can(session.user.role, 'referral:triage')) request.referralsWaiting = counts.referralsWaiting;
    if (can(session.user.role, 'perpetrator:see_matches')) {
      request.perpetratorAlertsWaiting = counts.perpetratorAlertsWaiting;
    }
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(options.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });

  registerRoutes(app, [
    ...homeRoutes(services),
    ...setupRoutes(services),
    ...signInRoutes(services),
    ...accountRoutes(services),
    ...staffRoutes(services),
    ...teamRoutes(services),
    ...auditRoutes(services),
    ...exitRoutes(services),
    ...publicReferralRoutes(services),
    ...referralsRoutes(services),
    ...caseRoutes(services),
    ...breakGlassRoutes(services),
    ...clientRoutes(services),
    ...supportRoutes(services),
    ...perpetratorRoutes(services),
    ...settingsRoutes(services),
    ...searchRoutes(services),
    ...diaryRoutes(services),
    ...patternsRoutes(services),
    ...maracRoutes(services),
    ...riskRoutes(services),
    ...ordersRoutes(services),
    ...safetyPlanRoutes(services),
    ...bundleRoutes(services),
    ...liaisonRoutes(services),
  ]);
  // Its own plugin: the upload form is multipart, and only these routes accept it.
  await app.register(diaryImportPlugin, { services });
  await app.register(evidencePlugin, { services });
  await app.register(bundleVerifyPlugin, { services });
  return app;
}
