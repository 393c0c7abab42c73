// Diary benchmark (npm run bench:diary): a case with 5,000 incidents and 1,000 evidence files; the diary's first
// page and a search of its words through the whole app (sessions, CSRF, audit events, templates, loopback HTTP)
// against the same service calls made directly (the same queries and decryption, no HTTP or templates), in the
// same run on the same database. Targets: first page p95 under 100 ms, search p95 under 200 ms.
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { inOrganisation } from '../src/db/database.ts';
import { openDatabase } from '../src/db/runtime.ts';
import { withCaseInScope } from '../src/modules/cases/case-scope.ts';
import { insertEntry, type IncidentFacts } from '../src/modules/diary/diary-entry.ts';
import { timelineQuerySchema } from '../src/modules/diary/diary.schema.ts';
import { INCIDENT_BEHAVIOURS, type IncidentBehaviour } from '../src/modules/diary/incident-types.ts';
import { createOrganisation } from '../src/modules/setup/organisations.ts';
import { startAuditChainer } from '../src/platform/audit/audit-chain.ts';
import type { CurrentSession } from '../src/platform/auth/sessions.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { blindIndexKey } from '../src/platform/crypto/blind-index.ts';
import { generateKey } from '../src/platform/crypto/envelope.ts';
import { referralAnswers } from '../test/support/referrals.ts';
import { load, loadOverHttp, printComparison, type HttpRequestSpec } from './load.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 5000);
const ATTACHMENTS = Number(process.env.BENCH_ATTACHMENTS ?? 1000);
const DAY = 24 * 60 * 60 * 1000;

const WORDS = [
  'outside',
  'message',
  'again',
  'car',
  'window',
  'phone',
  'followed',
  'bus',
  'shop',
  'gate',
  'night',
];
/** One description in fifty mentions the word searched for. */
const SEARCHED = 'doorstep';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-diary-'));
chmodSync(dataDir, 0o755);
const config = {
  ...loadConfig({ VIGIL_DATA_DIR: dataDir }),
  databaseUrl: process.env.DATABASE_URL || undefined,
};
const database = await openDatabase(config, { log: () => undefined });
const clock = new ManualClock(new Date());
try {
  const services = createServices({
    db: database.db,
    clock,
    masterKey: generateKey(),
    publicUrl: 'http://localhost',
  });
  const { organisationId } = await database.db.transaction().execute((trx) =>
    createOrganisation(
      trx,
      services.keys,
      {
        serviceName: 'Benchmark Stalking Service',
        administrator: {
          displayName: 'Bench Admin',
          email: 'admin@example.org',
          passphrase: 'bench lantern orchard 42',
        },
      },
      clock.now(),
    ),
  );
  const managerId = randomUUID();
  await inOrganisation(database.db, organisationId, (trx) =>
    trx
      .insertInto('users')
      .values({
        organisation_id: organisationId,
        user_id: managerId,
        email: 'manager@example.org',
        display_name: 'Bench Manager',
        role: 'manager',
        status: 'active',
        created_at: clock.now(),
      })
      .execute(),
  );
  const token = await inOrganisation(database.db, organisationId, (trx) =>
    services.sessions.start(trx, organisationId, managerId, 'active', {
      clientAddress: null,
      userAgent: null,
    }),
  );
  const found = await services.sessions.lookup(token);
  if (found.kind !== 'active') throw new Error('no session');
  const session: CurrentSession = found.session;

  // A case, opened the way a service opens one: a referral through the front door, accepted by the manager.
  const draft = await services.referrals.startDraft(organisationId);
  await services.referrals.save(draft, referralAnswers());
  clock.advance(5 * 60_000);
  if ((await services.referrals.submit(draft)).kind !== 'submitted') throw new Error('referral not sent');
  const referral = await services.referrals.draft(draft);
  const decided = await services.triage.decide(session, referral!.referralId, {
    decision: 'accepted',
    reason: 'Meets the service criteria',
    allocateTo: managerId,
    linkToClientId: null,
  });
  if (decided.kind !== 'decided' || !decided.caseId) throw new Error('case not opened');
  const caseId = decided.caseId;

  process.stdout.write(`Recording ${INCIDENTS} incidents and ${ATTACHMENTS} evidence files (once)...\n`);
  const behaviours = INCIDENT_BEHAVIOURS.map((b) => b.value);
  const deps = { db: database.db, clock, keys: services.keys };
  const started = clock.now().getTime();
  const entryIds: string[] = [];
  for (let batch = 0; batch < INCIDENTS; batch += 250) {
    await withCaseInScope(deps, session, caseId, async (trx, kase) => {
      const organisationKey = await services.keys.organisationKey(trx, organisationId);
      const sealing = { organisationId, caseId, key: kase.key, indexKey: blindIndexKey(organisationKey) };
      for (let i = batch; i < Math.min(INCIDENTS, batch + 250); i += 1) {
        const words = Array.from({ length: 12 }, (_, w) => WORDS[(i * 7 + w * 3) % WORDS.length]).join(' ');
        const facts: IncidentFacts = {
          occurredFrom: new Date(started - (INCIDENTS - i) * (DAY / 7)),
          occurredTo: null,
          behaviours: [behaviours[i % behaviours.length] as IncidentBehaviour],
          impacts: ['alarm_or_distress'],
          channel: 'text_message',
          perpetratorId: null,
          reportedToPolice: i % 5 === 0,
          details: {
            description: `Incident ${i + 1}: ${words}${i % 50 === 0 ? ` on the ${SEARCHED}` : ''}.`,
            location: i % 3 === 0 ? 'Near the station' : null,
            mapPoint: null,
            accountUsed: null,
            impactInWords: null,
            witnesses: i % 7 === 0 ? 'A neighbour' : null,
            evidenceSaved: 'Screenshots',
            policeOfficer: null,
            crimeReference: null,
          },
          identifiers: [],
        };
        const entryId = randomUUID();
        await insertEntry(
          trx,
          sealing,
          {
            entryId,
            submissionId: randomUUID(),
            origin: 'staff',
            recordedBy: managerId,
            recordedAt: clock.now(),
            importId: null,
          },
          facts,
        );
        entryIds.push(entryId);
      }
    });
  }
  // Evidence rows as the diary's pages see them (exhibit numbers and counts per entry); the upload path itself is
  // measured by bench:evidence.
  await inOrganisation(database.db, organisationId, async (trx) => {
    for (let start = 0; start < ATTACHMENTS; start += 500) {
      await trx
        .insertInto('evidence_files')
        .values(
          Array.from({ length: Math.min(500, ATTACHMENTS - start) }, (_, j) => {
            const n = start + j;
            const sha256 = createHash('sha256').update(`exhibit ${n}`).digest();
            return {
              organisation_id: organisationId,
              evidence_id: randomUUID(),
              case_id: caseId,
              entry_id: entryIds[(n * 5) % entryIds.length]!,
              exhibit_number: n + 1,
              sha256,
              size_bytes: 250_000,
              media_type: 'image/jpeg',
              original_name_sealed: Buffer.alloc(40),
              metadata_sealed: null,
              captured_at: null,
              storage_key: `${organisationId}/${caseId}/${sha256.toString('hex')}`,
              uploaded_by: managerId,
              uploaded_at: clock.now(),
            };
          }),
        )
        .execute();
    }
  });
  await sql`ANALYZE`.execute(database.ownerDb);

  const app = await buildApp({ db: database.db, services, logLevel: 'silent' });
  const chainer = startAuditChainer(database.ownerDb, {
    onError: (error) => process.stderr.write(`Chaining audit events failed: ${String(error)}\n`),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const sessionCookie = `__Host-vigil-session=${token}`;
  const diaryPath = `/cases/${caseId}/diary`;
  const page = await fetch(`${base}${diaryPath}`, { headers: { cookie: sessionCookie } });
  const csrfCookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const cookie = `${sessionCookie}; ${csrfCookie}`;

  const query = timelineQuerySchema.parse({});
  const firstPage: HttpRequestSpec = {
    method: 'GET',
    path: diaryPath,
    headers: { cookie },
    expect: `Incident ${INCIDENTS}:`,
  };
  const search: HttpRequestSpec = {
    method: 'POST',
    path: `${diaryPath}/search`,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, words: SEARCHED }).toString(),
    expect: SEARCHED,
  };
  const direct = {
    firstPage: async () => (await services.diary.timeline(session, caseId, query)).kind === 'ok',
    search: async () => (await services.diary.search(session, caseId, query, SEARCHED)).kind === 'ok',
  };

  process.stdout.write(
    `\n${INCIDENTS} incidents and ${ATTACHMENTS} evidence files on one case. Concurrency ${CONCURRENCY}, loopback HTTP.\n`,
  );
  for (const [title, directCall, request, count] of [
    ['Diary, first page (GET /cases/:caseId/diary)', direct.firstPage, firstPage, REQUESTS],
    ['Diary search (POST /cases/:caseId/diary/search)', direct.search, search, SEARCHES],
  ] as const) {
    const warmUp = { requests: 20, concurrency: CONCURRENCY };
    const measured = { requests: count, concurrency: CONCURRENCY };
    await load('warm-up', directCall, warmUp);
    await loadOverHttp('warm-up', base, [request], warmUp);
    const directResult = await load('service call, no HTTP', directCall, measured);
    const fullResult = await loadOverHttp('Vigil, whole app', base, [request], measured);
    printComparison(title, directResult, fullResult);
  }
  await app.close();
  await chainer.stop();
} finally {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
