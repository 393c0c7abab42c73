import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator, type MigrationResult } from 'kysely/migration';

const migrationFolder = path.join(import.meta.dirname, 'migrations');

function migrator(ownerDb: Kysely<unknown>): Migrator {
  return new Migrator({
    db: ownerDb,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

/** Brings the schema up to date. Runs as the owner role; several instances starting at once take turns. */
export async function migrateToLatest(ownerDb: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await migrator(ownerDb).migrateToLatest();
  const applied = (results ?? [])
    .filter((r: MigrationResult) => r.status === 'Success')
    .map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error');
    throw new Error(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
  return applied;
}

export async function pendingMigrations(ownerDb: Kysely<unknown>): Promise<string[]> {
  const migrations = await migrator(ownerDb).getMigrations();
  return migrations.filter((m) => !m.executedAt).map((m) => m.name);
}
