import {
  Kysely,
  PostgresDialect,
  sql,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type Transaction,
} from 'kysely';
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
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: heldStatements(pool) }) });
}

const noResult = (command: string, rowCount = 0) =>
  ({ command, rowCount, rows: [] }) as unknown as PostgresQueryResult<never>;

/**
 * Marks a statement that may wait, inside a transaction, to travel with the transaction's next statement or its
 * COMMIT (see `heldStatements`). It must have no parameters (write values with `sqlLiteral`) and its caller
 * must not need its rows: an error in it still fails the transaction, at the next statement or the COMMIT.
 */
export const WITH_NEXT_STATEMENT = '/* with the next statement */ ';

/** A value as an SQL literal, quoted and escaped, for statements that travel with others. */
export function sqlLiteral(value: string | Date | null): string {
  if (value === null) return 'NULL';
  return pg.escapeLiteral(value instanceof Date ? value.toISOString() : value);
}

/**
 * The pool as Kysely sees it, with fewer round trips. Inside a transaction, its BEGIN and any statement marked
 * WITH_NEXT_STATEMENT (an audit event, say) are held back and sent in one message with the next statement
 * that has no parameters, or with the COMMIT: PostgreSQL's simple protocol takes several statements at once, runs
 * them in order and stops at the first error, which leaves the transaction failed as before. `inOrganisation`
 * starts every transaction with such a statement, so BEGIN never costs a round trip of its own. Before a
 * statement with parameters, whatever is held is sent first, as it would have been. A transaction that sends
 * nothing sends no BEGIN, COMMIT or ROLLBACK either; a ROLLBACK drops what is held. Outside a transaction,
 * everything goes to the client unchanged.
 */
function heldStatements(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let inTransaction = false;
    let held: string[] = [];
    const send = async (statements: string[]) => {
      const results = (await client.query(statements.join(';\n'))) as unknown as
        pg.QueryResult | pg.QueryResult[];
      return Array.isArray(results) ? results[results.length - 1]! : results;
    };
    const query = async (text: string, parameters: readonly unknown[]) => {
      if (!inTransaction) {
        if (text !== 'begin') return client.query(text, parameters as unknown[]);
        inTransaction = true;
        held = ['begin'];
        return noResult('BEGIN');
      }
      const waiting = held;
      if (text === 'commit' || text === 'rollback') {
        inTransaction = false;
        held = [];
        if (waiting[0] === 'begin' && (text === 'rollback' || waiting.length === 1)) {
          return noResult(text.toUpperCase());
        }
        return send(text === 'rollback' ? ['rollback'] : [...waiting, 'commit']);
      }
      if (parameters.length === 0 && text.startsWith(WITH_NEXT_STATEMENT)) {
        held.push(text);
        return noResult('INSERT', 1);
      }
      held = [];
      if (parameters.length === 0) return send([...waiting, text]);
      if (waiting.length) await send(waiting);
      return client.query(text, parameters as unknown[]);
    };
    return {
      get processID() {
        return (client as unknown as { processID?: number }).processID;
      },
      query: ((text: unknown, parameters?: readonly unknown[]) =>
        typeof text === 'string'
          ? query(text, parameters ?? [])
          : client.query(text as pg.Submittable)) as unknown as PostgresPoolClient['query'],
      release(destroy?: boolean) {
        inTransaction = false;
        held = [];
        client.release(destroy);
      },
    };
  };
  return {
    options: pool.options,
    async connect() {
      const client = await pool.connect();
      let connection = wrapped.get(client);
      if (!connection) {
        connection = wrap(client);
        wrapped.set(client, connection);
      }
      return connection;
    },
    end: () => pool.end(),
  };
}

/**
 * Runs `work` in a transaction scoped to one organisation. Row-level security reads the setting, so a query
 * that forgets its organisation filter still sees only this organisation's rows. The setting is written as a
 * quoted literal rather than a parameter so that it travels with the BEGIN (see `heldStatements`).
 */
export async function inOrganisation<T>(
  db: Db,
  organisationId: string,
  work: (trx: Trx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql
      .raw(`SELECT set_config('vigil.organisation_id', ${pg.escapeLiteral(organisationId)}, true)`)
      .execute(trx);
    return work(trx);
  });
}
