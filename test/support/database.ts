import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createDb, createPool, type Db } from '../../src/db/database.ts';
import type { Database } from '../../src/db/schema.ts';
import { appUrlFromOwnerUrl } from '../../src/db/runtime.ts';

export const TEMPLATE_DATABASE = 'vigil_test_template';
export const TEST_APP_PASSWORD = 'vigil-test-app-role';

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export type TestDatabase = {
  name: string;
  /** As the application: role vigil_app, bound by row-level security. */
  db: Db;
  /** As the owner: for arranging and tampering in tests, never for the code under test. */
  ownerDb: Kysely<Database>;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
};

/** A fresh, migrated database of this test's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.VIGIL_TEST_SERVER_URL;
  if (!serverUrl) throw new Error('VIGIL_TEST_SERVER_URL is not set: run the tests with npm test');
  const name = `vigil_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  await admin.end();

  const ownerUrl = withDatabase(serverUrl, name);
  const appUrl = appUrlFromOwnerUrl(ownerUrl, TEST_APP_PASSWORD);
  const db = createDb(createPool(appUrl, 5, 'vigil-test'));
  const ownerDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(ownerUrl, 2, 'vigil-test-owner') }),
  });
  return {
    name,
    db,
    ownerDb,
    ownerUrl,
    appUrl,
    async drop() {
      await db.destroy();
      await ownerDb.destroy();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
