import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY, type Clock } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import { BREAK_GLASS_LIFETIME, caseAccessBasis } from './case-access.ts';

/** How far back the review page looks: long enough for a monthly supervision cycle. */
export const REVIEW_WINDOW = 90 * DAY;

export type BreakGlassOutcome =
  | { kind: 'granted'; expiresAt: Date }
  | { kind: 'already_in_scope' }
  | { kind: 'not_found' }
  | { kind: 'not_permitted' };

export type AccessReview = {
  grantId: string;
  caseId: string;
  reference: string;
  openedBy: string;
  reason: string;
  grantedAt: Date;
  expiresAt: Date;
  reviewedBy: string | null;
  reviewedAt: Date | null;
};

const reasonAad = (caseId: string, grantId: string) => `case:${caseId}:break-glass:${grantId}`;

/**
 * Opening a case outside one's scope ("break glass"): the reason is recorded (sealed under the case key), the
 * case stays open to that person for a few hours, and managers review every such opening.
 */
export class BreakGlassService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly keys: KeyRing;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.keys = deps.keys;
  }

  /** Whether the case exists in the organisation and is outside the caller's scope (so they may break glass). */
  async outsideScope(session: CurrentSession, caseId: string): Promise<{ reference: string } | null> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await this.caseRow(trx, session, caseId);
      if (!row || !can(session.user.role, 'case:read')) return null;
      const access = await caseAccessBasis(trx, session, row, this.clock.now());
      return access ? null : { reference: row.reference };
    });
  }

  async open(session: CurrentSession, caseId: string, reason: string): Promise<BreakGlassOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await this.caseRow(trx, session, caseId);
      if (!row) return { kind: 'not_found' } as const;
      if (!can(session.user.role, 'case:read')) return { kind: 'not_permitted' } as const;
      // A double click must open the case once: one opening per person and case at a time.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${session.user.userId}:${caseId}`}, 11))`.execute(
        trx,
      );
      const now = this.clock.now();
      if (await caseAccessBasis(trx, session, row, now)) return { kind: 'already_in_scope' } as const;
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const key = this.keys.unwrapDataKey(organisationKey, row.dataKeyWrapped, `case:${caseId}`);
      const grantId = randomUUID();
      const expiresAt = new Date(now.getTime() + BREAK_GLASS_LIFETIME);
      await trx
        .insertInto('case_access_grants')
        .values({
          organisation_id: session.organisationId,
          grant_id: grantId,
          case_id: caseId,
          user_id: session.user.userId,
          reason_sealed: seal(key, reason, reasonAad(caseId, grantId)),
          granted_at: now,
          expires_at: expiresAt,
        })
        .execute();
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.opened_outside_scope',
          recordType: 'case',
          recordId: row.reference,
          details: { grantId, hours: BREAK_GLASS_LIFETIME / (60 * 60 * 1000) },
        },
        now,
      );
      return { kind: 'granted', expiresAt } as const;
    });
  }

  /** Every opening outside scope in the review window, those not yet reviewed first; the reading is audited. */
  async reviews(session: CurrentSession): Promise<AccessReview[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      const rows = await trx
        .selectFrom('case_access_grants as grant')
        .innerJoin('cases', (join) =>
          join
            .onRef('cases.organisation_id', '=', 'grant.organisation_id')
            .onRef('cases.case_id', '=', 'grant.case_id'),
        )
        .innerJoin('users as opener', (join) =>
          join
            .onRef('opener.organisation_id', '=', 'grant.organisation_id')
            .onRef('opener.user_id', '=', 'grant.user_id'),
        )
        .leftJoin('users as reviewer', (join) =>
          join
            .onRef('reviewer.organisation_id', '=', 'grant.organisation_id')
            .onRef('reviewer.user_id', '=', 'grant.reviewed_by'),
        )
        .select([
          'grant.grant_id',
          'grant.case_id',
          'grant.reason_sealed',
          'grant.granted_at',
          'grant.expires_at',
          'grant.reviewed_at',
          'cases.reference',
          'cases.data_key_wrapped',
          'opener.display_name as opener_name',
          'reviewer.display_name as reviewer_name',
        ])
        .where('grant.organisation_id', '=', session.organisationId)
        .where('grant.granted_at', '>', new Date(now.getTime() - REVIEW_WINDOW))
        .orderBy((eb) => eb('grant.reviewed_at', 'is', null), 'desc')
        .orderBy('grant.granted_at', 'desc')
        .limit(500)
        .execute();
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.access_reviews_viewed',
          details: { shown: rows.length },
        },
        now,
      );
      return rows.map((row) => {
        const key = this.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, `case:${row.case_id}`);
        return {
          grantId: row.grant_id,
          caseId: row.case_id,
          reference: row.reference,
          openedBy: row.opener_name,
          reason: openText(key, row.reason_sealed, reasonAad(row.case_id, row.grant_id)),
          grantedAt: row.granted_at,
          expiresAt: row.expires_at,
          reviewedBy: row.reviewer_name,
          reviewedAt: row.reviewed_at,
        };
      });
    });
  }

  /** Marks an opening as reviewed (once: a second click changes nothing); false when there is no such opening. */
  async markReviewed(session: CurrentSession, grantId: string): Promise<boolean> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      const updated = await trx
        .updateTable('case_access_grants')
        .set({ reviewed_by: session.user.userId, reviewed_at: now })
        .where('organisation_id', '=', session.organisationId)
        .where('grant_id', '=', grantId)
        .where('reviewed_at', 'is', null)
        .returning('case_id')
        .executeTakeFirst();
      if (!updated) {
        const exists = await trx
          .selectFrom('case_access_grants')
          .select('grant_id')
          .where('organisation_id', '=', session.organisationId)
          .where('grant_id', '=', grantId)
          .executeTakeFirst();
        return exists !== undefined;
      }
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'case.access_reviewed',
          recordType: 'case_access',
          recordId: grantId,
        },
        now,
      );
      return true;
    });
  }

  /** How many openings outside scope are waiting for a manager's review. */
  async waitingForReview(session: CurrentSession): Promise<number> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await trx
        .selectFrom('case_access_grants')
        .select((eb) => eb.fn.countAll<number>().as('waiting'))
        .where('organisation_id', '=', session.organisationId)
        .where('reviewed_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.waiting);
    });
  }

  private async caseRow(trx: Trx, session: CurrentSession, caseId: string) {
    const row = await trx
      .selectFrom('cases')
      .select(['case_id', 'reference', 'allocated_to', 'data_key_wrapped'])
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    return row
      ? {
          caseId: row.case_id,
          reference: row.reference,
          allocatedTo: row.allocated_to,
          dataKeyWrapped: row.data_key_wrapped,
        }
      : null;
  }
}
