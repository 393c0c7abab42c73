// Foundation benchmark: a signed-in page through the whole app (session lookup under row-level security,
// CSRF, security headers, Nunjucks rendering) against a bare node:http server running the same session query
// with pg and returning a fixed page, in the same run on the same database. Prints ratios, not just figures.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { createServices } from '../src/composition.ts';
import { inOrganisation } from '../src/db/database.ts';
import { openDatabase } from '../src/db/runtime.ts';
import { loadConfig } from '../src/config.ts';
import { createOrganisation } from '../src/modules/setup/organisations.ts';
import { parseScopedToken } from '../src/platform/auth/tokens.ts';
import { systemClock } from '../src/platform/clock.ts';
import { generateKey } from '../src/platform/crypto/envelope.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

type Result = { label: string; median: number; p95: number; throughput: number };

async function load(label: string, url: string, cookie: string): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  async function worker(): Promise<void> {
    while (next < REQUESTS) {
      next += 1;
      const start = performance.now();
      const response = await fetch(url, { headers: { cookie } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${label}: status ${response.status}`);
      latencies.push(performance.now() - start);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { label, median: at(0.5), p95: at(0.95), throughput: latencies.length / seconds };
}

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
  const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;

  const parsed = parseScopedToken(token)!;
  const page = '<!doctype html><title>Home</title><h1>Benchmark Stalking Service</h1>';
  const bare = http.createServer((_request, response) => {
    inOrganisation(database.db, parsed.organisationId, (trx) =>
      trx
        .selectFrom('sessions')
        .innerJoin('users', (join) =>
          join
            .onRef('users.organisation_id', '=', 'sessions.organisation_id')
            .onRef('users.user_id', '=', 'sessions.user_id'),
        )
        .innerJoin('organisations', 'organisations.organisation_id', 'sessions.organisation_id')
        .select(['sessions.session_id', 'users.display_name', 'organisations.service_name'])
        .where('sessions.token_hash', '=', parsed.hash)
        .executeTakeFirstOrThrow(),
    ).then(
      () => response.writeHead(200, { 'content-type': 'text/html' }).end(page),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  await load('warm-up', appUrl, cookie);
  await load('warm-up', bareUrl, cookie);
  const results = [
    await load('bare pg + node:http', bareUrl, cookie),
    await load('Vigil signed-in home page', appUrl, cookie),
  ];
  const [baseline, full] = results as [Result, Result];

  process.stdout.write(`\n${REQUESTS} requests, concurrency ${CONCURRENCY}, loopback HTTP\n\n`);
  process.stdout.write('| what | median ms | p95 ms | requests/s |\n|---|---|---|---|\n');
  for (const r of results)
    process.stdout.write(
      `| ${r.label} | ${r.median.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.throughput.toFixed(0)} |\n`,
    );
  process.stdout.write(
    `\nVigil / bare: throughput ${(full.throughput / baseline.throughput).toFixed(2)}x, median latency ${(full.median / baseline.median).toFixed(2)}x, p95 ${(full.p95 / baseline.p95).toFixed(2)}x\n`,
  );
  await app.close();
  bare.close();
} finally {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
