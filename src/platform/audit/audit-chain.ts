import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
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

/** Appends one event in the caller's transaction, so the event exists exactly when the action does. */
export async function appendAuditEvent(trx: DbOrTrx, entry: AuditEntry, now: Date): Promise<void> {
  // One writer per organisation at a time keeps the chain linear; the lock ends with the transaction.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${entry.organisationId}, 7))`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .where('organisation_id', '=', entry.organisationId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const fields: ChainedFields = {
    organisation_id: entry.organisationId,
    seq: (last?.seq ?? 0) + 1,
    event_id: randomUUID(),
    occurred_at: new Date(now.getTime()),
    actor_user_id: entry.actorUserId,
    action: entry.action,
    record_type: entry.recordType ?? null,
    record_id: entry.recordId ?? null,
    reason: entry.reason ?? null,
    details: JSON.parse(canonicalJson(entry.details ?? {})) as Record<string, unknown>,
  };
  const previousHash = last?.hash ?? GENESIS_HASH;
  await trx
    .insertInto('audit_events')
    .values({
      ...fields,
      details: canonicalJson(fields.details),
      previous_hash: previousHash,
      hash: eventHash(previousHash, fields),
    })
    .execute();
}

export type ChainReport = {
  organisationId: string;
  events: number;
  head: { seq: number; hash: string } | null;
  firstBroken: { seq: number; eventId: string; problem: string } | null;
};

/** Walks every organisation's chain in order (as the owner role) and names the first row that breaks it. */
export async function verifyAuditChains(
  ownerDb: Kysely<Database>,
  organisationId?: string,
): Promise<ChainReport[]> {
  let organisationsQuery = ownerDb
    .selectFrom('organisations')
    .select('organisation_id')
    .orderBy('organisation_id');
  if (organisationId) organisationsQuery = organisationsQuery.where('organisation_id', '=', organisationId);
  const organisations = await organisationsQuery.execute();
  const reports: ChainReport[] = [];
  for (const { organisation_id } of organisations) {
    const report: ChainReport = { organisationId: organisation_id, events: 0, head: null, firstBroken: null };
    let previousHash = GENESIS_HASH;
    let expectedSeq = 1;
    const batchSize = 5000;
    for (;;) {
      const rows = await ownerDb
        .selectFrom('audit_events')
        .selectAll()
        .where('organisation_id', '=', organisation_id)
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(batchSize)
        .execute();
      for (const stored of rows) {
        const row = { ...stored, seq: Number(stored.seq) };
        const broken = (problem: string) => ({ seq: row.seq, eventId: row.event_id, problem });
        if (row.seq !== expectedSeq) {
          report.firstBroken = broken(`events ${expectedSeq} to ${row.seq - 1} are missing`);
        } else if (row.previous_hash !== previousHash) {
          report.firstBroken = broken('its previous_hash does not match the hash of the event before it');
        } else if (eventHash(previousHash, row) !== row.hash) {
          report.firstBroken = broken('its contents do not match its hash (the row was altered)');
        }
        if (report.firstBroken) break;
        report.events += 1;
        report.head = { seq: row.seq, hash: row.hash };
        previousHash = row.hash;
        expectedSeq += 1;
      }
      if (report.firstBroken || rows.length < batchSize) break;
    }
    reports.push(report);
  }
  return reports;
}
