import { createHash, randomUUIDv7 } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { sqlLiteral, WITH_NEXT_STATEMENT, type DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

/**
 * The audit trail: append-only (the database refuses UPDATE, DELETE and TRUNCATE) and hash-chained per
 * organisation, so removing, reordering or editing any event breaks every hash after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditEntry = {
  organisationId: string;
  actorUserId: string | null;
  action: string;
  recordType?: string | null;
  recordId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
};

type ChainedFields = {
  organisation_id: string;
  seq: number;
  event_id: string;
  occurred_at: Date;
  actor_user_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  reason: string | null;
  details: Record<string, unknown>;
};

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function eventHash(previousHash: string, event: ChainedFields): string {
  const body = canonicalJson([
    event.organisation_id,
    event.seq,
    event.event_id,
    event.occurred_at.toISOString(),
    event.actor_user_id,
    event.action,
    event.record_type,
    event.record_id,
    event.reason,
    event.details,
  ]);
  return createHash('sha256').update(`${previousHash}\n${body}`).digest('hex');
}

/**
 * Records one event in the caller's transaction, so the event exists exactly when the action does. It takes no
 * lock: the chainer links it into its organisation's chain once its transaction has settled (ADR 0012).
 */
export async function appendAuditEvent(trx: DbOrTrx, entry: AuditEntry, now: Date): Promise<void> {
  // Written with its values as literals so that, in a transaction, it travels with the next statement or the
  // COMMIT rather than costing a round trip of its own: every page view is audited (see WITH_NEXT_STATEMENT).
  // The event's id is a time-ordered UUID (version 7), so the indexes on it in audit_events and audit_chain grow
  // at one end like the trail itself, rather than touching a random page of a large index for every event.
  const values = [
    entry.organisationId,
    randomUUIDv7(),
    new Date(now.getTime()),
    entry.actorUserId,
    entry.action,
    entry.recordType ?? null,
    entry.recordId ?? null,
    entry.reason ?? null,
    canonicalJson(entry.details ?? {}),
  ].map(sqlLiteral);
  await sql
    .raw(
      `${WITH_NEXT_STATEMENT}INSERT INTO audit_events (organisation_id, event_id, occurred_at, actor_user_id, ` +
        `action, record_type, record_id, reason, details) VALUES (${values.join(', ')})`,
    )
    .execute(trx);
}

type EventRow = {
  event_id: string;
  occurred_at: Date;
  actor_user_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  reason: string | null;
  details: Record<string, unknown>;
};

const chainedFields = (organisationId: string, seq: number, event: EventRow): ChainedFields => ({
  organisation_id: organisationId,
  seq,
  event_id: event.event_id,
  occurred_at: event.occurred_at,
  actor_user_id: event.actor_user_id,
  action: event.action,
  record_type: event.record_type,
  record_id: event.record_id,
  reason: event.reason,
  details: event.details,
});

/** The advisory lock that lets one chainer at a time extend an organisation's chain. */
const chainLock = (organisationId: string) =>
  sql<{
    locked: boolean;
  }>`SELECT pg_try_advisory_xact_lock(hashtextextended(${organisationId}, 11)) AS locked`;

/**
 * Organisations with events not yet in their chain: events past the transaction id of the event at the head of
 * the chain (every event up to it is chained, since events are chained in transaction order, a settled prefix
 * at a time). With `settledOnly`, only if the first of them comes from a transaction older than every
 * transaction still running, so that no transaction still running can commit an event that belongs before it.
 * Written as LATERAL subqueries, each an index probe, so the cost stays the same however long the trail grows.
 */
async function organisationsWithUnchainedEvents(
  ownerDb: Kysely<Database>,
  settledOnly: boolean,
  organisationId: string | undefined,
): Promise<string[]> {
  const { rows } = await sql<{ organisation_id: string }>`
    SELECT o.organisation_id
    FROM organisations o
    CROSS JOIN LATERAL (
      SELECT coalesce((
        SELECT e.recorded_xid
        FROM audit_chain c
        LEFT JOIN audit_events e ON e.organisation_id = c.organisation_id AND e.event_id = c.event_id
        WHERE c.organisation_id = o.organisation_id
        ORDER BY c.seq DESC
        LIMIT 1
      ), '0'::xid8) AS after
    ) head
    CROSS JOIN LATERAL (
      SELECT e.recorded_xid
      FROM audit_events e
      WHERE e.organisation_id = o.organisation_id AND e.recorded_xid > head.after
      ORDER BY e.recorded_xid
      LIMIT 1
    ) pending
    WHERE true
      ${settledOnly ? sql`AND pending.recorded_xid < pg_snapshot_xmin(pg_current_snapshot())` : sql``}
      ${organisationId ? sql`AND o.organisation_id = ${organisationId}` : sql``}
    ORDER BY o.organisation_id
  `.execute(ownerDb);
  return rows.map((row) => row.organisation_id);
}

const CHAIN_BATCH = 2000;

/**
 * Extends one organisation's chain with the next settled events, at most about CHAIN_BATCH of them, never
 * splitting one transaction's events. Returns null when another chainer holds the organisation's lock.
 */
async function chainNextEvents(
  ownerDb: Kysely<Database>,
  organisationId: string,
): Promise<{ chained: number; more: boolean } | null> {
  return ownerDb.transaction().execute(async (trx) => {
    const { rows: locked } = await chainLock(organisationId).execute(trx);
    if (!locked[0]?.locked) return null;
    const { rows: heads } = await sql<{ seq: number; hash: string; recorded_xid: string | null }>`
      SELECT c.seq, c.hash, e.recorded_xid::text AS recorded_xid
      FROM audit_chain c
      LEFT JOIN audit_events e ON e.organisation_id = c.organisation_id AND e.event_id = c.event_id
      WHERE c.organisation_id = ${organisationId}
      ORDER BY c.seq DESC
      LIMIT 1
    `.execute(trx);
    const head = heads[0];
    const after = head?.recorded_xid ?? '0';
    // One statement, one snapshot: the horizon and the rows read agree. Any transaction older than the
    // horizon has finished, so every event it committed is visible here and none can appear later.
    const { rows } = await sql<EventRow & { recorded_xid: string }>`
      SELECT e.event_id, e.occurred_at, e.actor_user_id, e.action, e.record_type, e.record_id, e.reason,
             e.details, e.recorded_xid::text AS recorded_xid
      FROM audit_events e
      WHERE e.organisation_id = ${organisationId}
        AND e.recorded_xid > ${after}::xid8
        AND e.recorded_xid < pg_snapshot_xmin(pg_current_snapshot())
        AND NOT EXISTS (
          SELECT 1 FROM audit_chain c WHERE c.organisation_id = e.organisation_id AND c.event_id = e.event_id
        )
      ORDER BY e.recorded_xid, e.seq
      LIMIT ${CHAIN_BATCH}
    `.execute(trx);
    const more = rows.length === CHAIN_BATCH;
    let batch = rows;
    if (more) {
      // Keep whole transactions together: the head's transaction id marks where the next batch starts.
      const lastXid = rows[rows.length - 1]!.recorded_xid;
      if (rows[0]!.recorded_xid !== lastXid) {
        batch = rows.filter((row) => row.recorded_xid !== lastXid);
      } else {
        const { rows: whole } = await sql<EventRow & { recorded_xid: string }>`
          SELECT e.event_id, e.occurred_at, e.actor_user_id, e.action, e.record_type, e.record_id, e.reason,
                 e.details, e.recorded_xid::text AS recorded_xid
          FROM audit_events e
          WHERE e.organisation_id = ${organisationId} AND e.recorded_xid = ${lastXid}::xid8
            AND NOT EXISTS (
              SELECT 1 FROM audit_chain c WHERE c.organisation_id = e.organisation_id AND c.event_id = e.event_id
            )
          ORDER BY e.seq
        `.execute(trx);
        batch = whole;
      }
    }
    let seq = Number(head?.seq ?? 0);
    let previousHash = head?.hash ?? GENESIS_HASH;
    const links = batch.map((event) => {
      seq += 1;
      const hash = eventHash(previousHash, chainedFields(organisationId, seq, event));
      const link = {
        organisation_id: organisationId,
        seq,
        event_id: event.event_id,
        previous_hash: previousHash,
        hash,
      };
      previousHash = hash;
      return link;
    });
    // One statement of four arrays however many links there are: PostgreSQL parses and plans it in the same
    // time for one link or thousands, where a VALUES list of five parameters a link grows with the batch.
    if (links.length) {
      await sql`
        INSERT INTO audit_chain (organisation_id, seq, event_id, previous_hash, hash)
        SELECT ${organisationId}, link.seq, link.event_id, link.previous_hash, link.hash
        FROM unnest(
          ${links.map((link) => link.seq)}::bigint[], ${links.map((link) => link.event_id)}::uuid[],
          ${links.map((link) => link.previous_hash)}::text[], ${links.map((link) => link.hash)}::text[]
        ) AS link (seq, event_id, previous_hash, hash)
      `.execute(trx);
    }
    return { chained: links.length, more };
  });
}

export type ChainRun = {
  /** Events linked into chains by this run. */
  chained: number;
  /** Organisations whose chain another chainer was extending (they are left to it). */
  busy: number;
  /** Organisations with recorded events still not chained (waiting for an earlier transaction to finish). */
  waiting: number;
};

/**
 * Links every settled event into its organisation's chain, as the owner role. The server runs this every
 * moment; `vigil audit verify` runs it first, waiting up to `settleMs` for transactions still running.
 */
export async function chainAuditEvents(
  ownerDb: Kysely<Database>,
  options: { organisationId?: string; settleMs?: number } = {},
): Promise<ChainRun> {
  const deadline = performance.now() + (options.settleMs ?? 0);
  const run: ChainRun = { chained: 0, busy: 0, waiting: 0 };
  for (;;) {
    run.busy = 0;
    for (const organisationId of await organisationsWithUnchainedEvents(
      ownerDb,
      true,
      options.organisationId,
    )) {
      for (;;) {
        const step = await chainNextEvents(ownerDb, organisationId);
        if (!step) {
          run.busy += 1;
          break;
        }
        run.chained += step.chained;
        if (!step.more) break;
      }
    }
    run.waiting = (await organisationsWithUnchainedEvents(ownerDb, false, options.organisationId)).length;
    if ((run.waiting === 0 && run.busy === 0) || performance.now() >= deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export type AuditChainer = { stop(): Promise<void> };

/**
 * Runs the chainer every `intervalMs` until stopped. Failures are reported and retried on the next round; the
 * timer never keeps the process alive.
 */
export function startAuditChainer(
  ownerDb: Kysely<Database>,
  options: { intervalMs?: number; onError: (error: unknown) => void },
): AuditChainer {
  const intervalMs = options.intervalMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const round = () => {
    running = chainAuditEvents(ownerDb)
      .then(() => undefined, options.onError)
      .finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(round, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    /**
     * Stops the timer and waits for a run in progress. Events not yet chained stay recorded, and the next
     * chainer to run (the next start of the server, or `vigil audit verify`) links them.
     */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type ChainReport = {
  organisationId: string;
  /** Events verified in the chain, in order, before the first break (all of them when intact). */
  events: number;
  head: { seq: number; hash: string } | null;
  firstBroken: { seq: number; eventId: string; problem: string } | null;
  /** Events recorded longer ago than the grace period and still not in the chain. */
  unchained: { count: number; oldestEventId: string; oldestOccurredAt: Date } | null;
};

/** How long an event may wait to be chained before verification calls it a problem. */
export const UNCHAINED_GRACE_MS = 5 * 60_000;

type ChainedRow = {
  seq: number;
  chained_event_id: string;
  previous_hash: string;
  hash: string;
} & { [K in keyof EventRow]: EventRow[K] | null };

/**
 * Walks every organisation's chain in order (as the owner role) and names the first link that breaks it: an
 * altered event or link, a broken link, a gap, an event that is gone. Then counts events that were never
 * chained although they were recorded more than the grace period before `now`. Unless told not to, it first
 * chains what has been recorded, waiting up to `settleMs` for transactions still running.
 */
export async function verifyAuditChains(
  ownerDb: Kysely<Database>,
  organisationId?: string,
  options: { now?: Date; graceMs?: number; chainFirst?: boolean; settleMs?: number } = {},
): Promise<ChainReport[]> {
  if (options.chainFirst ?? true) {
    await chainAuditEvents(ownerDb, { organisationId, settleMs: options.settleMs ?? 10_000 });
  }
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.graceMs ?? UNCHAINED_GRACE_MS));
  let organisationsQuery = ownerDb
    .selectFrom('organisations')
    .select('organisation_id')
    .orderBy('organisation_id');
  if (organisationId) organisationsQuery = organisationsQuery.where('organisation_id', '=', organisationId);
  const organisations = await organisationsQuery.execute();
  const reports: ChainReport[] = [];
  for (const { organisation_id } of organisations) {
    // One snapshot per organisation, so a chainer running meanwhile cannot make the walk and the count disagree.
    const report = await ownerDb
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) => verifyChain(trx, organisation_id, cutoff));
    reports.push(report);
  }
  return reports;
}

async function verifyChain(trx: DbOrTrx, organisationId: string, cutoff: Date): Promise<ChainReport> {
  const report: ChainReport = { organisationId, events: 0, head: null, firstBroken: null, unchained: null };
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  const batchSize = 5000;
  for (;;) {
    const { rows } = await sql<ChainedRow>`
      SELECT c.seq, c.event_id AS chained_event_id, c.previous_hash, c.hash,
             e.event_id, e.occurred_at, e.actor_user_id, e.action, e.record_type, e.record_id, e.reason, e.details
      FROM audit_chain c
      LEFT JOIN audit_events e ON e.organisation_id = c.organisation_id AND e.event_id = c.event_id
      WHERE c.organisation_id = ${organisationId} AND c.seq >= ${expectedSeq}
      ORDER BY c.seq
      LIMIT ${batchSize}
    `.execute(trx);
    for (const row of rows) {
      const seq = Number(row.seq);
      const broken = (problem: string) => ({ seq, eventId: row.chained_event_id, problem });
      if (seq !== expectedSeq) {
        report.firstBroken = broken(`events ${expectedSeq} to ${seq - 1} are missing`);
      } else if (row.event_id === null) {
        report.firstBroken = broken('the event it links is missing');
      } else if (row.previous_hash !== previousHash) {
        report.firstBroken = broken('its previous_hash does not match the hash of the event before it');
      } else if (eventHash(previousHash, chainedFields(organisationId, seq, row as EventRow)) !== row.hash) {
        report.firstBroken = broken('its contents do not match its hash (the row was altered)');
      }
      if (report.firstBroken) break;
      report.events += 1;
      report.head = { seq, hash: row.hash };
      previousHash = row.hash;
      expectedSeq += 1;
    }
    if (report.firstBroken || rows.length < batchSize) break;
  }
  const { rows: unchained } = await sql<{ count: number; event_id: string; occurred_at: Date }>`
    SELECT count(*) OVER () AS count, e.event_id, e.occurred_at
    FROM audit_events e
    WHERE e.organisation_id = ${organisationId} AND e.occurred_at < ${cutoff}
      AND NOT EXISTS (
        SELECT 1 FROM audit_chain c WHERE c.organisation_id = e.organisation_id AND c.event_id = e.event_id
      )
    ORDER BY e.occurred_at, e.seq
    LIMIT 1
  `.execute(trx);
  const oldest = unchained[0];
  if (oldest) {
    report.unchained = {
      count: Number(oldest.count),
      oldestEventId: oldest.event_id,
      oldestOccurredAt: oldest.occurred_at,
    };
  }
  return report;
}
