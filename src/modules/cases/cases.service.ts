import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { CaseStatus, RiskLevel } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY, type Clock } from '../../platform/clock.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import { newReference } from '../../platform/references.ts';
import type { TeamService } from '../staff/teams.service.ts';
import { caseAccessBasis, type CaseAccessBasis } from './case-access.ts';
import { casesInScope } from './cases.repository.ts';
import type { CaseworkService, TaskEntry } from './casework.service.ts';
import { findClient, rowToClient, type Client } from './clients.repository.ts';

export type CaseSummary = {
  caseId: string;
  reference: string;
  clientName: string;
  status: CaseStatus;
  urgent: boolean;
  /** From the latest risk checklist and stalking screening; null until the case is assessed. */
  riskLevel: RiskLevel | null;
  openedAt: Date;
  allocatedToName: string | null;
  /** When the client was last contacted (a call, visit or message recorded on the case), if ever. */
  lastContactAt: Date | null;
  /** When the current holder was given the case. */
  allocatedAt: Date | null;
  /**
   * Allocated to its holder in the last NEW_CASE_DAYS days, and no contact with the client recorded since: the
   * holder has not started on it yet.
   */
  newlyAllocated: boolean;
};

/** How long a newly allocated case stays marked as new on the caseload, if nobody has contacted the client. */
export const NEW_CASE_DAYS = 7;

export type CaseRecord = {
  caseId: string;
  reference: string;
  status: CaseStatus;
  urgent: boolean;
  openedAt: Date;
  client: Client;
  allocatedTo: { userId: string; name: string } | null;
  allocations: { name: string; allocatedByName: string; allocatedAt: Date; endedAt: Date | null }[];
  referral: { referralId: string; reference: string } | null;
  /** Why the caller may open it (their own case, oversight, their team's, or a recorded reason). */
  access: CaseAccessBasis;
};

export type CaseworkerLoad = {
  userId: string;
  name: string;
  openCases: number;
  urgentCases: number;
  highRiskCases: number;
};

/** What the caseload page shows, or `forbidden` for a team view the caller may not see. */
export type CaseloadPage =
  { kind: 'forbidden' } | { kind: 'ok'; seesTeam: boolean; cases: CaseSummary[]; tasks: TaskEntry[] };

export type CaseAccess =
  { kind: 'ok'; record: CaseRecord } | { kind: 'not_on_caseload' } | { kind: 'not_found' };

/**
 * Case records and who holds them. Record scope is part of every query: caseworkers open the cases allocated to
 * them; managers (case:read_all) open any case in the organisation.
 */
export class CaseService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;
  private readonly teams: TeamService;
  private readonly casework: CaseworkService;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing; teams: TeamService; casework: CaseworkService }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
    this.teams = deps.teams;
    this.casework = deps.casework;
  }

  /** Opens a case for a client in the caller's transaction (used when a referral is accepted). */
  async openCase(
    trx: Trx,
    session: CurrentSession,
    clientId: string,
    urgent: boolean,
  ): Promise<{ caseId: string; reference: string }> {
    const caseId = randomUUID();
    const reference = newReference();
    const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
    await trx
      .insertInto('cases')
      .values({
        organisation_id: session.organisationId,
        case_id: caseId,
        reference,
        client_id: clientId,
        data_key_wrapped: this.keys.newDataKey(organisationKey, `case:${caseId}`).wrapped,
        status: 'open',
        urgent,
        allocated_to: null,
        opened_at: this.clock.now(),
        opened_by: session.user.userId,
        closed_at: null,
      })
      .execute();
    await appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action: 'case.opened',
        recordType: 'case',
        recordId: reference,
      },
      this.clock.now(),
    );
    return { caseId, reference };
  }

  /** Gives a case to a caseworker; the previous allocation is ended, not overwritten. */
  async allocate(
    session: CurrentSession,
    caseId: string,
    userId: string,
  ): Promise<'done' | 'not_found' | 'not_a_caseworker'> {
    return inOrganisation(this.db, session.organisationId, (trx) =>
      this.allocateIn(trx, session, caseId, userId),
    );
  }

  async allocateIn(
    trx: Trx,
    session: CurrentSession,
    caseId: string,
    userId: string,
  ): Promise<'done' | 'not_found' | 'not_a_caseworker'> {
    const found = await trx
      .selectFrom('cases')
      .select(['reference', 'allocated_to', 'status'])
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .forUpdate()
      .executeTakeFirst();
    if (!found || found.status === 'closed') return 'not_found';
    const assignee = await trx
      .selectFrom('users')
      .select(['role', 'status'])
      .where('organisation_id', '=', session.organisationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (
      !assignee ||
      assignee.status !== 'active' ||
      !(assignee.role === 'caseworker' || assignee.role === 'manager')
    ) {
      return 'not_a_caseworker';
    }
    if (found.allocated_to === userId) return 'done';
    const now = this.clock.now();
    await trx
      .updateTable('case_allocations')
      .set({ ended_at: now })
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .where('ended_at', 'is', null)
      .execute();
    await trx
      .insertInto('case_allocations')
      .values({
        organisation_id: session.organisationId,
        allocation_id: randomUUID(),
        case_id: caseId,
        allocated_to: userId,
        allocated_by: session.user.userId,
        allocated_at: now,
        ended_at: null,
      })
      .execute();
    await trx
      .updateTable('cases')
      .set({ allocated_to: userId, status: found.status === 'open' ? 'active' : found.status })
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .execute();
    await appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action: found.allocated_to ? 'case.reallocated' : 'case.allocated',
        recordType: 'case',
        recordId: found.reference,
        details: { from: found.allocated_to, to: userId },
      },
      now,
    );
    return 'done';
  }

  /** Caseworkers (and managers, who may hold cases) with how many open, urgent and high-risk cases each holds. */
  async caseworkers(session: CurrentSession): Promise<CaseworkerLoad[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const rows = await trx
        .selectFrom('users')
        .leftJoin('cases', (join) =>
          join
            .onRef('cases.organisation_id', '=', 'users.organisation_id')
            .onRef('cases.allocated_to', '=', 'users.user_id')
            .on('cases.status', '<>', 'closed'),
        )
        .select((eb) => [
          'users.user_id',
          'users.display_name',
          eb.fn.count<number>('cases.case_id').as('open_cases'),
          eb.fn.count<number>('cases.case_id').filterWhere('cases.urgent', '=', true).as('urgent_cases'),
          eb.fn
            .count<number>('cases.case_id')
            .filterWhere('cases.risk_level', '=', 'high')
            .as('high_risk_cases'),
        ])
        .where('users.organisation_id', '=', session.organisationId)
        .where('users.status', '=', 'active')
        .where('users.role', 'in', ['caseworker', 'manager'])
        .groupBy(['users.user_id', 'users.display_name'])
        .orderBy('users.display_name')
        .execute();
      return rows.map((row) => ({
        userId: row.user_id,
        name: row.display_name,
        openCases: Number(row.open_cases),
        urgentCases: Number(row.urgent_cases),
        highRiskCases: Number(row.high_risk_cases),
      }));
    });
  }

  /**
   * Everything the caseload page shows, in one transaction (one round trip each, rather than a transaction each):
   * whether the caller has a team view (case:read_all, or a team that shares its cases), the open cases (see
   * `caseloadIn`) and the open tasks due by `dueThrough` (YYYY-MM-DD). The reading is audited; a team view the
   * caller may not have is refused before anything is read or recorded.
   */
  async caseloadPage(
    session: CurrentSession,
    scope: 'mine' | 'team',
    dueThrough: string,
  ): Promise<CaseloadPage> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const seesTeam =
        can(session.user.role, 'case:read_all') ||
        Boolean((await this.teams.teamOfIn(trx, session, session.user.userId))?.sharesCases);
      if (scope === 'team' && !seesTeam) return { kind: 'forbidden' } as const;
      const cases = await this.caseloadIn(trx, session, scope);
      const tasks = await this.casework.openTasksDueIn(trx, session, scope, dueThrough);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.caseload_viewed',
          details: { scope, shown: cases.length },
        },
        this.clock.now(),
      );
      return { kind: 'ok', seesTeam, cases, tasks } as const;
    });
  }

  /**
   * Open cases: one's own; or with `team`, every case the caller may open (see `caseVisibleTo`), unallocated
   * first. Not audited: `caseloadPage` records the reading.
   */
  async caseloadIn(trx: Trx, session: CurrentSession, scope: 'mine' | 'team'): Promise<CaseSummary[]> {
    const query = casesInScope(trx, session, this.clock.now(), { ownOnly: scope === 'mine' })
      .where('cases.status', '<>', 'closed')
      .select((eb) => [
        eb
          .selectFrom('case_contacts')
          .select((inner) => inner.fn.max('case_contacts.occurred_at').as('last'))
          .whereRef('case_contacts.organisation_id', '=', 'cases.organisation_id')
          .whereRef('case_contacts.case_id', '=', 'cases.case_id')
          .as('last_contact_at'),
        eb
          .selectFrom('case_allocations')
          .select('case_allocations.allocated_at')
          .whereRef('case_allocations.organisation_id', '=', 'cases.organisation_id')
          .whereRef('case_allocations.case_id', '=', 'cases.case_id')
          .where('case_allocations.ended_at', 'is', null)
          .as('allocated_at'),
      ]);
    const rows = await query
      .orderBy((eb) => eb('cases.allocated_to', 'is', null), 'desc')
      .orderBy('cases.urgent', 'desc')
      .orderBy('cases.opened_at', 'asc')
      .limit(1000)
      .execute();
    const now = this.clock.now();
    return rows.map((row) => ({
      caseId: row.case_id,
      reference: row.reference,
      clientName: row.name,
      status: row.status,
      urgent: row.urgent,
      riskLevel: row.risk_level,
      openedAt: row.opened_at,
      allocatedToName: row.display_name,
      lastContactAt: row.last_contact_at,
      allocatedAt: row.allocated_at,
      newlyAllocated:
        row.allocated_at !== null &&
        now.getTime() - row.allocated_at.getTime() < NEW_CASE_DAYS * DAY &&
        (row.last_contact_at === null || row.last_contact_at < row.allocated_at),
    }));
  }

  /** One case in full, if it is within the caller's scope; the reading is audited. */
  async view(session: CurrentSession, caseId: string): Promise<CaseAccess> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await trx
        .selectFrom('cases')
        .selectAll()
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      if (!row) return { kind: 'not_found' } as const;
      const access = await caseAccessBasis(
        trx,
        session,
        { caseId: row.case_id, allocatedTo: row.allocated_to },
        this.clock.now(),
      );
      if (!access) return { kind: 'not_on_caseload' } as const;
      const clientRow = await findClient(trx, session.organisationId, row.client_id);
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const clientKey = this.keys.unwrapDataKey(
        organisationKey,
        clientRow!.data_key_wrapped,
        `client:${row.client_id}`,
      );
      const allocations = await trx
        .selectFrom('case_allocations')
        .innerJoin('users as holder', (join) =>
          join
            .onRef('holder.organisation_id', '=', 'case_allocations.organisation_id')
            .onRef('holder.user_id', '=', 'case_allocations.allocated_to'),
        )
        .innerJoin('users as allocator', (join) =>
          join
            .onRef('allocator.organisation_id', '=', 'case_allocations.organisation_id')
            .onRef('allocator.user_id', '=', 'case_allocations.allocated_by'),
        )
        .select([
          'holder.user_id',
          'holder.display_name as holder_name',
          'allocator.display_name as allocator_name',
          'case_allocations.allocated_at',
          'case_allocations.ended_at',
        ])
        .where('case_allocations.organisation_id', '=', session.organisationId)
        .where('case_allocations.case_id', '=', caseId)
        .orderBy('case_allocations.allocated_at', 'desc')
        .execute();
      const referral = await trx
        .selectFrom('referral_decisions')
        .innerJoin('referrals', (join) =>
          join
            .onRef('referrals.organisation_id', '=', 'referral_decisions.organisation_id')
            .onRef('referrals.referral_id', '=', 'referral_decisions.referral_id'),
        )
        .select(['referrals.referral_id', 'referrals.reference'])
        .where('referral_decisions.organisation_id', '=', session.organisationId)
        .where('referral_decisions.case_id', '=', caseId)
        .executeTakeFirst();
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.viewed',
          recordType: 'case',
          recordId: row.reference,
        },
        this.clock.now(),
      );
      const current = allocations.find((allocation) => allocation.ended_at === null);
      return {
        kind: 'ok',
        record: {
          caseId: row.case_id,
          reference: row.reference,
          status: row.status,
          urgent: row.urgent,
          openedAt: row.opened_at,
          client: rowToClient(clientRow!, clientKey),
          allocatedTo: current ? { userId: current.user_id, name: current.holder_name } : null,
          allocations: allocations.map((allocation) => ({
            name: allocation.holder_name,
            allocatedByName: allocation.allocator_name,
            allocatedAt: allocation.allocated_at,
            endedAt: allocation.ended_at,
          })),
          referral: referral ? { referralId: referral.referral_id, reference: referral.reference } : null,
          access,
        },
      } as const;
    });
  }
}
