// Foundation benchmark (npm run bench:foundation): a signed-in page through the whole app (session lookup under row-level security,
// CSRF, security headers, Nunjucks rendering) against a bare node:http server running the same session query
// with pg and returning a fixed page, in the same run on the same database. Prints ratios, not just figures.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { createServices } from '../src/composition.ts';
import { inOrganisation } from '../src/db/database.ts';
import { openDatabase } from '../src/db/runtime.ts';
import { loadConfig } from '../src/config.ts';
import { createOrganisation } from '../src/modules/setup/organisations.ts';
import { parseScopedToken } from '../src/platform/auth/tokens.ts';
import { systemClock } from '../src/platform/clock.ts';
import { generateKey } from '../src/platform/crypto/envelope.ts';
import { loadOverHttp, printComparison, type HttpRequestSpec } from './load.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
chmodSync(dataDir, 0o755);
const config = {
  ...loadConfig({ VIGIL_DATA_DIR: dataDir }),
  databaseUrl: process.env.DATABASE_URL || undefined,
};
const database = await openDatabase(config, { log: () => undefined });
try {
  const services = createServices({
    db: database.db,
    clock: systemClock,
    masterKey: generateKey(),
    publicUrl: 'http://localhost',
  });
  const { organisationId, userId } = await database.db.transaction().execute((trx) =>
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
      new Date(),
    ),
  );
  const token = await inOrganisation(database.db, organisationId, (trx) =>
    services.sessions.start(trx, organisationId, userId, 'active', { clientAddress: null, userAgent: null }),
  );
  const cookie = `__Host-vigil-session=${token}`;

  const app = await buildApp({ db: database.db, services, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appBase = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const parsed = parseScopedToken(token)!;
  const page = '<!doctype html><title>Home</title><h1>Benchmark Stalking Service</h1>';
  const bare = http.createServer((_request, response) => {
    // The app's own session lookup: one call of the narrow function, as SessionService.lookup makes it.
    sql`SELECT * FROM vigil_request_context(${parsed.organisationId}, ${parsed.hash})`
      .execute(database.db)
      .then(({ rows }) => {
        if (!rows[0]) throw new Error('no session');
      })
      .then(
        () => response.writeHead(200, { 'content-type': 'text/html' }).end(page),
        () => response.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

  const home: HttpRequestSpec[] = [{ method: 'GET', path: '/', headers: { cookie } }];
  const warmUp = { requests: 200, concurrency: CONCURRENCY };
  const measured = { requests: REQUESTS, concurrency: CONCURRENCY };
  await loadOverHttp('warm-up', appBase, home, warmUp);
  await loadOverHttp('warm-up', bareBase, home, warmUp);
  const bareResult = await loadOverHttp('bare pg + node:http', bareBase, home, measured);
  const fullResult = await loadOverHttp('Vigil signed-in home page', appBase, home, measured);
  printComparison(
    `Signed-in page: ${REQUESTS} requests, concurrency ${CONCURRENCY}, loopback HTTP`,
    bareResult,
    fullResult,
  );
  await app.close();
  bare.close();
} finally {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
