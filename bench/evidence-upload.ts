// Evidence upload benchmark (npm run bench:evidence): a 20 MB file uploaded through the whole app (session,
// scope check, multipart parsing, CSRF, type detection, SHA-256, AES-256-GCM, fsync and link into place, the
// database rows and audit events) against a bare node:http server streaming the same bytes through the same
// inspection, encryption and storage, in the same run. Prints throughput and peak memory as ratios of the bare
// server's. Settings: BENCH_UPLOADS (each side, default 8), BENCH_FILE_MB (default 20).
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { inOrganisation } from '../src/db/database.ts';
import { openDatabase } from '../src/db/runtime.ts';
import { blindIndexKey } from '../src/platform/crypto/blind-index.ts';
import { deriveKey, generateKey } from '../src/platform/crypto/envelope.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { LocalFolderStorage } from '../src/platform/storage/local-folder.ts';
import { sealingStream } from '../src/platform/storage/sealed-objects.ts';
import { createOrganisation } from '../src/modules/setup/organisations.ts';
import { withCaseInScope } from '../src/modules/cases/case-scope.ts';
import { insertEntry } from '../src/modules/diary/diary-entry.ts';
import { ContentInspector } from '../src/modules/evidence/content-type.ts';
import { incidentFacts } from '../test/support/diary.ts';
import { referralAnswers } from '../test/support/referrals.ts';

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 8);
const FILE_BYTES = Number(process.env.BENCH_FILE_MB ?? 20) * 1024 * 1024;
const CHUNK = 64 * 1024;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-evidence-'));
chmodSync(dataDir, 0o755);
const config = {
  ...loadConfig({ VIGIL_DATA_DIR: dataDir }),
  databaseUrl: process.env.DATABASE_URL || undefined,
};
const database = await openDatabase(config, { log: () => undefined });
const clock = new ManualClock(new Date());
const masterKey = generateKey();
const limits = { maxFileBytes: FILE_BYTES + 1024 * 1024, maxFiles: 20, maxImagePixels: 100_000_000 };

/** The bytes of one upload: a PDF's magic bytes, a unique marker (so each is a new object), then random data. */
function* fileChunks(seed: Buffer): Generator<Buffer> {
  const noise = randomBytes(CHUNK);
  yield Buffer.concat([Buffer.from('%PDF-1.7\n'), seed]);
  let sent = 9 + seed.length;
  while (sent < FILE_BYTES) {
    const size = Math.min(CHUNK, FILE_BYTES - sent);
    yield noise.subarray(0, size);
    sent += size;
  }
}

/** Peak resident memory while `work` runs, sampled every 10 ms, above what it was before. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ value: T; peak: number; peakGrowth: number; ms: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const started = performance.now();
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peak, peakGrowth: peak - start, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

/** Sends one request whose body is streamed from chunks (never held whole); resolves with the status. */
function send(url: string, headers: http.OutgoingHttpHeaders, chunks: Iterable<Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    pipeline(
      (function* () {
        yield* chunks;
      })(),
      request,
    ).catch(reject);
  });
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

try {
  const services = createServices({
    db: database.db,
    clock,
    masterKey,
    publicUrl: 'http://localhost',
    dataDir,
    evidenceLimits: limits,
  });
  const { organisationId } = await database.db.transaction().execute((trx) =>
    createOrganisation(
      trx,
      services.keys,
      {
        serviceName: 'Benchmark Stalking Service',
        administrator: {
          displayName: 'Bench Admin',
          email: 'bench@example.org',
          passphrase: 'bench lantern orchard 42',
        },
      },
      clock.now(),
    ),
  );
  const managerId = randomUUID();
  await sql`
    INSERT INTO users (organisation_id, user_id, email, display_name, role, status, created_at)
    VALUES (${organisationId}, ${managerId}, 'bench.manager@example.org', 'Bench Manager', 'manager', 'active', now())
  `.execute(database.ownerDb);
  const token = await inOrganisation(database.db, organisationId, (trx) =>
    services.sessions.start(trx, organisationId, managerId, 'active', {
      clientAddress: null,
      userAgent: null,
    }),
  );
  const lookup = await services.sessions.lookup(token);
  if (lookup.kind !== 'active') throw new Error('no session');
  const session = lookup.session;

  // A case from a referral, and an entry in its diary, as the app makes them.
  const draft = await services.referrals.startDraft(organisationId);
  await services.referrals.save(draft, referralAnswers());
  clock.advance(5 * 60_000);
  const submitted = await services.referrals.submit(draft);
  if (submitted.kind !== 'submitted') throw new Error('referral not submitted');
  const { referralId } = (await services.referrals.draft(draft))!;
  const decided = await services.triage.decide(session, referralId, {
    decision: 'accepted',
    reason: 'Benchmark',
    allocateTo: null,
    linkToClientId: null,
  });
  if (decided.kind !== 'decided' || !decided.caseId) throw new Error('case not opened');
  const caseId = decided.caseId;
  const entry = await withCaseInScope(
    { db: database.db, clock, keys: services.keys },
    session,
    caseId,
    async (trx, kase) =>
      insertEntry(
        trx,
        {
          organisationId,
          caseId,
          key: kase.key,
          indexKey: blindIndexKey(await services.keys.organisationKey(trx, organisationId)),
        },
        {
          entryId: randomUUID(),
          submissionId: randomUUID(),
          origin: 'staff',
          recordedBy: managerId,
          recordedAt: clock.now(),
          importId: null,
        },
        incidentFacts(),
      ),
  );
  if (entry.kind !== 'ok' || entry.value.kind === 'stale') throw new Error('entry not recorded');
  const entryId = entry.value.entryId;
  const caseKey = await withCaseInScope(
    { db: database.db, clock, keys: services.keys },
    session,
    caseId,
    async (_trx, kase) => deriveKey(kase.key, 'evidence-files'),
  );
  if (caseKey.kind !== 'ok') throw new Error('case key');

  const app = await buildApp({ db: database.db, services, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appBase = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const uploadUrl = `${appBase}/cases/${caseId}/diary/${entryId}/evidence`;
  const page = await fetch(uploadUrl, { headers: { cookie: `__Host-vigil-session=${token}` } });
  const csrfCookie = (page.headers.getSetCookie().find((c) => c.startsWith('__Host-vigil-csrf')) ?? '').split(
    ';',
  )[0]!;
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (page.status !== 200 || !csrfToken) throw new Error(`upload page: ${page.status}`);
  const cookie = `__Host-vigil-session=${token}; ${csrfCookie}`;

  // The bare server: the same inspection, encryption and storage of the raw request body, and nothing else.
  const storage = new LocalFolderStorage(path.join(dataDir, 'bare-evidence'));
  const bare = http.createServer((request, response) => {
    void (async () => {
      const temp = await storage.createTemp();
      try {
        const inspector = new ContentInspector(limits.maxFileBytes);
        await pipeline(request, inspector, sealingStream(caseKey.value, 'bench'), temp.stream);
        await temp.complete();
        await temp.place(`${organisationId}/${caseId}/${inspector.result.sha256.toString('hex')}`);
        response.writeHead(201).end();
      } catch {
        response.writeHead(500).end();
      } finally {
        await temp.discard();
      }
    })();
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  const bareUpload = () =>
    send(
      bareUrl,
      { 'content-type': 'application/pdf', 'content-length': FILE_BYTES },
      fileChunks(randomBytes(16)),
    );
  const appUpload = () => {
    const boundary = `----bench${randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrfToken}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="submissionId"\r\n\r\n${randomUUID()}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="statement.pdf"\r\n` +
        `Content-Type: application/pdf\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    return send(
      uploadUrl,
      {
        cookie,
        accept: 'text/html',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + FILE_BYTES + tail.length,
      },
      (function* () {
        yield head;
        yield* fileChunks(randomBytes(16));
        yield tail;
      })(),
    );
  };

  // Both sides warm up first, so neither pays for the process's first allocations in what is measured.
  for (const [name, upload, ok] of [
    ['bare', bareUpload, 201],
    ['app', appUpload, 303],
  ] as const) {
    for (let i = 0; i < 2; i += 1)
      if ((await upload()) !== ok) throw new Error(`${name}: warm-up upload failed`);
  }
  const run = async (name: string, upload: () => Promise<number>, ok: number) => {
    return measured(async () => {
      for (let i = 0; i < UPLOADS; i += 1) {
        const status = await upload();
        if (status !== ok) throw new Error(`${name}: upload answered ${status}`);
      }
    });
  };
  const bareRun = await run('bare', bareUpload, 201);
  const appRun = await run('app', appUpload, 303);
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM evidence_files`.execute(
    database.ownerDb,
  );

  const throughput = (ms: number) => (UPLOADS * FILE_BYTES) / (ms / 1000);
  const bareRate = throughput(bareRun.ms);
  const appRate = throughput(appRun.ms);
  const lines = [
    `Evidence upload: ${UPLOADS} uploads of ${mb(FILE_BYTES)} each side, one at a time (Node ${process.version}).`,
    `  bare node:http stream: ${mb(bareRate)}/s, peak RSS ${mb(bareRun.peak)} (+${mb(bareRun.peakGrowth)} while uploading)`,
    `  the app (full route):  ${mb(appRate)}/s, peak RSS ${mb(appRun.peak)} (+${mb(appRun.peakGrowth)} while uploading; ${rows[0]?.n} exhibits recorded)`,
    `  throughput ratio app/bare: ${(appRate / bareRate).toFixed(2)} (target at least 0.50)`,
    `  peak RSS ratio app/bare: ${(appRun.peak / bareRun.peak).toFixed(2)}; growth while uploading as a share of ` +
      `one file: app ${((100 * appRun.peakGrowth) / FILE_BYTES).toFixed(0)}%, bare ${((100 * bareRun.peakGrowth) / FILE_BYTES).toFixed(0)}%`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await app.close();
  await new Promise((resolve) => bare.close(resolve));
} finally {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
