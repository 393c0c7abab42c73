// Casework benchmark (npm run bench:casework): "Your caseload", the referrals queue and search, through the whole
// app (sessions, CSRF, audit events, templates) against the same queries run bare with Kysely, on 100,000 cases.
// Generates the data on first use into bench/.data (or BENCH_DATA_DIR); regenerate with npm run bench:data.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { createServices } from '../src/composition.ts';
import { inOrganisation } from '../src/db/database.ts';
import { DAY, systemClock, ukDate } from '../src/platform/clock.ts';
import { startAuditChainer } from '../src/platform/audit/audit-chain.ts';
import { generate, openBenchDatabase } from './data.ts';
import { load, loadOverHttp, printComparison, type HttpRequestSpec } from './load.ts';
import { KeyRing } from '../src/platform/crypto/key-ring.ts';
import type { Role } from '../src/db/schema.ts';
import type { CurrentSession } from '../src/platform/auth/sessions.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const dataDir = path.resolve(process.env.BENCH_DATA_DIR ?? path.join('bench', '.data'));
/** A comma-separated choice of caseload, queue and search (all by default), e.g. to profile one page. */
const PAGES = (process.env.BENCH_PAGES ?? 'caseload,queue,search').split(',');

const { database, masterKey } = await openBenchDatabase(dataDir);
try {
  const existing = await sql<{ count: string }>`SELECT count(*) FROM cases`.execute(database.ownerDb);
  if (Number(existing.rows[0]?.count ?? 0) < CASES) {
    process.stdout.write(`Generating ${CASES} cases into ${dataDir} (once)...\n`);
    await generate(database.ownerDb, new KeyRing(masterKey), CASES, 10);
  }
  const { rows: organisations } = await sql<{
    organisation_id: string;
  }>`SELECT organisation_id FROM organisations ORDER BY created_at LIMIT 1`.execute(database.ownerDb);
  const organisationId = organisations[0]!.organisation_id;
  // Enough managers that the per-person search limit is not what is measured (made on the first run only).
  await sql`
    INSERT INTO users (organisation_id, user_id, email, display_name, role, status, created_at)
    SELECT ${organisationId}, gen_random_uuid(), 'bench.manager.' || g || '@example.org', 'Bench Manager ' || g, 'manager', 'active', now()
    FROM generate_series(1, 40) AS g
    ON CONFLICT DO NOTHING
  `.execute(database.ownerDb);
  const { rows: people } = await sql<{ user_id: string; role: string }>`
    SELECT user_id, role FROM users WHERE organisation_id = ${organisationId} AND status = 'active'
    AND (role = 'manager' AND display_name LIKE 'Bench Manager%' OR role = 'caseworker')
  `.execute(database.ownerDb);
  const caseworker = people.find((p) => p.role === 'caseworker')!;
  const managers = people.filter((p) => p.role === 'manager');
  const open = await sql<{
    count: string;
  }>`SELECT count(*) FROM cases WHERE organisation_id = ${organisationId}`.execute(database.ownerDb);
  const caseload = await sql<{
    count: string;
  }>`SELECT count(*) FROM cases WHERE allocated_to = ${caseworker.user_id} AND status <> 'closed'`.execute(
    database.ownerDb,
  );

  const services = createServices({
    db: database.db,
    clock: systemClock,
    masterKey,
    publicUrl: 'http://localhost',
  });
  const sessionCookie = async (userId: string) =>
    `__Host-vigil-session=${await inOrganisation(database.db, organisationId, (trx) =>
      services.sessions.start(trx, organisationId, userId, 'active', {
        clientAddress: null,
        userAgent: null,
      }),
    )}`;
  const app = await buildApp({ db: database.db, services, logLevel: 'silent' });
  // As in the server: audit events are linked into the chain in the background while requests run.
  const chainer = startAuditChainer(database.ownerDb, {
    onError: (error) => process.stderr.write(`Chaining audit events failed: ${String(error)}\n`),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const caseworkerCookie = await sessionCookie(caseworker.user_id);
  const managerCookies = await Promise.all(
    managers.map(async (m) => {
      const cookie = await sessionCookie(m.user_id);
      const page = await fetch(`${base}/search`, { headers: { cookie } });
      const csrfCookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      return { cookie: `${cookie}; ${csrfCookie}`, token };
    }),
  );

  const names = ['Alex Smith', 'Jordan Patel', 'Casey Wright', 'Priya Khan', 'Oliver Hughes'];
  // Each manager searches each name in turn (a person may search only so often, so many managers share the load).
  const searches = managerCookies.flatMap((who) =>
    names.map((q): HttpRequestSpec => ({
      method: 'POST',
      path: '/search',
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: who.token, q }).toString(),
    })),
  );
  let searchCount = 0;

  // The bare side runs the very queries each page runs (the services' own, in one transaction under row-level
  // security as the page does), so the comparison measures what the app adds around them: HTTP, the session,
  // the audit event, the template. Not a difference in SQL.
  const sessionFor = (userId: string, role: Role): CurrentSession => ({
    sessionId: crypto.randomUUID(),
    organisationId,
    stage: 'active',
    createdAt: new Date(),
    user: { userId, displayName: 'Bench', email: 'bench@example.org', role },
    organisation: { serviceName: 'Bench' },
  });
  const caseworkerSession = sessionFor(caseworker.user_id, 'caseworker');
  const managerSession = sessionFor(managers[0]!.user_id, 'manager');
  const dueThrough = () => ukDate(new Date(Date.now() + 6 * DAY));
  const bare = {
    // As the caseload page: the caller's team (a caseworker may have a team view), their open cases, their tasks due.
    caseload: () =>
      inOrganisation(database.db, organisationId, async (trx) => {
        await services.teams.teamOfIn(trx, caseworkerSession, caseworkerSession.user.userId);
        await services.cases.caseloadIn(trx, caseworkerSession, 'mine');
        await services.casework.openTasksDueIn(trx, caseworkerSession, 'mine', dueThrough());
      }).then(() => true),
    queue: () =>
      inOrganisation(database.db, organisationId, (trx) =>
        services.referrals.queueIn(trx, managerSession),
      ).then(() => true),
    // Clients by name and other names, and cases by the person responsible's name, as the search page does.
    search: () => {
      const q = names[searchCount++ % names.length]!;
      return inOrganisation(database.db, organisationId, (trx) =>
        services.search.findIn(trx, managerSession, q),
      ).then(() => true);
    },
  };

  // Every PostgreSQL process (backends, WAL writer, checkpointer...): their CPU time is counted per request.
  const databasePids = async () =>
    (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity`.execute(database.ownerDb)).rows.map(
      (row) => row.pid,
    );
  process.stdout.write(
    `\n${CASES} cases in all; ${open.rows[0]?.count} in the organisation measured; the caseworker holds ${caseload.rows[0]?.count} open cases.\n` +
      `${REQUESTS} requests each, concurrency ${CONCURRENCY}, loopback HTTP.\n`,
  );
  const get = (path: string, cookie: string): HttpRequestSpec[] => [
    { method: 'GET', path, headers: { cookie } },
  ];
  const searchRequests = Math.min(REQUESTS, managers.length * 100);
  for (const [page, title, bareCall, requests, count] of [
    ['caseload', 'Your caseload (GET /cases)', bare.caseload, get('/cases', caseworkerCookie), REQUESTS],
    [
      'queue',
      'Referrals queue (GET /referrals)',
      bare.queue,
      get('/referrals', managerCookies[0]!.cookie),
      REQUESTS,
    ],
    ['search', 'Search by name (POST /search)', bare.search, searches, searchRequests],
  ] as const) {
    if (!PAGES.includes(page)) continue;
    const warmUp = { requests: 100, concurrency: CONCURRENCY };
    const measured = { requests: count, concurrency: CONCURRENCY, databasePids };
    await load('warm-up', bareCall, warmUp);
    await loadOverHttp('warm-up', base, requests, warmUp);
    const bareResult = await load('bare Kysely query', bareCall, measured);
    const fullResult = await loadOverHttp('Vigil, whole app', base, requests, measured);
    printComparison(title, bareResult, fullResult);
  }
  await app.close();
  await chainer.stop();
} finally {
  await database.close();
}
