import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Config } from '../config.ts';
import { createDb, createPool, type Db } from './database.ts';
import { dataFolderSecret, runningEmbeddedOwnerUrl, startEmbeddedPostgres } from './embedded.ts';
import { migrateToLatest } from './migrate.ts';

export type DatabaseRuntime = {
  /** The application's connection: role vigil_app, which row-level security binds. */
  db: Db;
  /** The owner connection: migrations and operator commands only. */
  ownerDb: Kysely<unknown>;
  embedded: boolean;
  appliedMigrations: string[];
  close(): Promise<void>;
};

export const APP_ROLE = 'vigil_app';

/** Sets the application role's password (the role itself is made by the first migration). */
export async function setAppRolePassword(ownerDb: Kysely<unknown>, password: string): Promise<void> {
  await sql`ALTER ROLE vigil_app WITH LOGIN PASSWORD ${sql.lit(password)}`.execute(ownerDb);
}

export function appUrlFromOwnerUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

type OpenOptions = {
  log: (message: string) => void;
  /** Operator commands may reach the embedded PostgreSQL that a running server holds. */
  attachToRunningServer?: boolean;
  migrate?: boolean;
};

/**
 * Opens the database Vigil runs on: DATABASE_URL when set, otherwise an embedded PostgreSQL in the data folder.
 * Runs migrations, then connects the application as vigil_app.
 */
export async function openDatabase(config: Config, options: OpenOptions): Promise<DatabaseRuntime> {
  let ownerUrl = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!ownerUrl && options.attachToRunningServer) ownerUrl = runningEmbeddedOwnerUrl(config.dataDir);
  if (!ownerUrl) {
    const embedded = await startEmbeddedPostgres(config.dataDir, options.log);
    ownerUrl = embedded.ownerUrl;
    stopEmbedded = () => embedded.stop();
  }
  const ownerPool = createPool(ownerUrl, 2, 'vigil-owner');
  const ownerDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: ownerPool }) });
  try {
    const appliedMigrations = options.migrate === false ? [] : await migrateToLatest(ownerDb);
    let appUrl = config.databaseAppUrl;
    if (!appUrl) {
      const password = dataFolderSecret(config.dataDir, 'database-app-password', () =>
        randomBytes(24).toString('base64url'),
      );
      await setAppRolePassword(ownerDb, password);
      appUrl = appUrlFromOwnerUrl(ownerUrl, password);
    }
    const db = createDb(createPool(appUrl, config.databasePoolSize, 'vigil'));
    return {
      db,
      ownerDb,
      embedded: Boolean(stopEmbedded),
      appliedMigrations,
      async close() {
        await db.destroy();
        await ownerDb.destroy();
        await stopEmbedded?.();
      },
    };
  } catch (error) {
    await ownerDb.destroy();
    await stopEmbedded?.();
    throw error;
  }
}
