import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * bigint columns in Vigil are counters well inside Number's exact range; a calendar date (a birthday) stays the
 * 'YYYY-MM-DD' text it is, never a midnight in some time zone.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : oid === DATE_OID
        ? (value: string) => value
        : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

export function createPool(connectionString: string, max: number, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    types,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dropped by the server (a restart, a failover, shutdown) must not crash the process:
  // the pool discards it and the next query opens a new one.
  pool.on('error', () => undefined);
  // Nor one dropped while checked out but between two queries (inside a transaction; the audit chainer when
  // an embedded PostgreSQL stops on the same signal as the server): the next query on it fails as usual, and
  // the pool discards it when it is released. Unheard, the client's 'error' event would end the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Runs `work` in a transaction scoped to one organisation. Row-level security reads the setting, so a query
 * that forgets its organisation filter still sees only this organisation's rows.
 */
export async function inOrganisation<T>(
  db: Db,
  organisationId: string,
  work: (trx: Trx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('vigil.organisation_id', ${organisationId}, true)`.execute(trx);
    return work(trx);
  });
}
