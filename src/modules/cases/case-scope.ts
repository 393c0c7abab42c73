import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { CaseStatus } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { caseAccessBasis } from './case-access.ts';

export type InScope<T> = { kind: 'ok'; value: T } | { kind: 'not_found' } | { kind: 'not_on_caseload' };

/** A case the caller may work on, with its data key unwrapped for sealing and opening what it holds. */
export type ScopedCase = {
  caseId: string;
  reference: string;
  status: CaseStatus;
  allocatedTo: string | null;
  key: Buffer;
};

/**
 * Runs `work` in one transaction in the caller's organisation, on a case they may open (the one rule in
 * case-access.ts), with its data key: every single-case operation starts here.
 */
export async function withCaseInScope<T>(
  deps: { db: Db; clock: Clock; keys: KeyRing },
  session: CurrentSession,
  caseId: string,
  work: (trx: Trx, kase: ScopedCase) => Promise<T>,
): Promise<InScope<T>> {
  return inOrganisation(deps.db, session.organisationId, async (trx) => {
    const row = await trx
      .selectFrom('cases')
      .select(['case_id', 'reference', 'status', 'allocated_to', 'data_key_wrapped'])
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    if (!row) return { kind: 'not_found' } as const;
    const access = await caseAccessBasis(
      trx,
      session,
      { caseId: row.case_id, allocatedTo: row.allocated_to },
      deps.clock.now(),
    );
    if (!access) return { kind: 'not_on_caseload' } as const;
    const organisationKey = await deps.keys.organisationKey(trx, session.organisationId);
    const key = deps.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, `case:${row.case_id}`);
    const value = await work(trx, {
      caseId: row.case_id,
      reference: row.reference,
      status: row.status,
      allocatedTo: row.allocated_to,
      key,
    });
    return { kind: 'ok', value } as const;
  });
}

/** Records what the caller did on a case, in the case's audit trail (never what a record says). */
export function auditCase(
  trx: Trx,
  session: CurrentSession,
  kase: ScopedCase,
  event: { action: string; at: Date; details?: Record<string, unknown>; reason?: string },
) {
  return appendAuditEvent(
    trx,
    {
      organisationId: session.organisationId,
      actorUserId: session.user.userId,
      action: event.action,
      recordType: 'case',
      recordId: kase.reference,
      details: event.details,
      reason: event.reason,
    },
    event.at,
  );
}

/**
 * Locks one case's row until the transaction ends, so that what is decided in order on a case (numbers,
 * versions, repeats, one open assessment) is decided by one writer at a time.
 */
export async function lockCase(trx: Trx, organisationId: string, caseId: string): Promise<void> {
  await trx
    .selectFrom('cases')
    .select('case_id')
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .forUpdate()
    .execute();
}

export type CaseServiceDeps = { db: Db; clock: Clock; keys: KeyRing };

/**
 * What every service working on single cases shares: its dependencies, running work on a case the caller may
 * open, and writing the case's audit event at the clock's time.
 */
export abstract class CaseScopedService {
  protected readonly db: Db;
  protected readonly clock: Clock;
  protected readonly keys: KeyRing;

  constructor(deps: CaseServiceDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  protected scoped<T>(
    session: CurrentSession,
    caseId: string,
    work: (trx: Trx, kase: ScopedCase) => Promise<T>,
  ): Promise<InScope<T>> {
    return withCaseInScope({ db: this.db, clock: this.clock, keys: this.keys }, session, caseId, work);
  }

  protected audit(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    action: string,
    details?: Record<string, unknown>,
    reason?: string,
  ) {
    return auditCase(trx, session, kase, { action, at: this.clock.now(), details, reason });
  }

  /**
   * Whether the caller may work on the case, and its reference: checked before a form is read, so the answer is
   * the same whatever the form says.
   */
  async reachable(
    session: CurrentSession,
    caseId: string,
  ): Promise<InScope<{ caseId: string; reference: string }>> {
    return this.scoped(session, caseId, (_trx, kase) =>
      Promise.resolve({ caseId, reference: kase.reference }),
    );
  }

  /** Who holds the case, if they are still active: the person its tasks and notices go to. */
  protected async activeHolder(trx: Trx, session: CurrentSession, kase: ScopedCase): Promise<string | null> {
    if (!kase.allocatedTo) return null;
    const row = await trx
      .selectFrom('users')
      .select('user_id')
      .where('organisation_id', '=', session.organisationId)
      .where('user_id', '=', kase.allocatedTo)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return row?.user_id ?? null;
  }
}
