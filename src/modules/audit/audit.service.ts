import { inOrganisation, type Db } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { Clock } from '../../platform/clock.ts';

export const AUDIT_PAGE_LIMIT = 200;

export type AuditFilter = { userId?: string; recordId?: string; from?: Date; to?: Date };

export type AuditEventView = {
  seq: number;
  occurredAt: Date;
  actorName: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  reason: string | null;
};

export class AuditService {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Searches the organisation's trail (newest first, capped); the search itself is recorded. */
  async search(
    session: CurrentSession,
    filter: AuditFilter,
  ): Promise<{ events: AuditEventView[]; capped: boolean }> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      let query = trx
        .selectFrom('audit_events')
        .leftJoin('users', (join) =>
          join
            .onRef('users.organisation_id', '=', 'audit_events.organisation_id')
            .onRef('users.user_id', '=', 'audit_events.actor_user_id'),
        )
        .select([
          'audit_events.seq',
          'audit_events.occurred_at',
          'users.display_name',
          'audit_events.action',
          'audit_events.record_type',
          'audit_events.record_id',
          'audit_events.reason',
        ])
        .where('audit_events.organisation_id', '=', session.organisationId);
      if (filter.userId) query = query.where('audit_events.actor_user_id', '=', filter.userId);
      if (filter.recordId) query = query.where('audit_events.record_id', '=', filter.recordId);
      if (filter.from) query = query.where('audit_events.occurred_at', '>=', filter.from);
      if (filter.to) query = query.where('audit_events.occurred_at', '<', filter.to);
      const rows = await query
        .orderBy('audit_events.seq', 'desc')
        .limit(AUDIT_PAGE_LIMIT + 1)
        .execute();
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'audit.searched',
          details: {
            userId: filter.userId ?? null,
            recordId: filter.recordId ?? null,
            from: filter.from?.toISOString() ?? null,
            to: filter.to?.toISOString() ?? null,
          },
        },
        this.clock.now(),
      );
      return {
        capped: rows.length > AUDIT_PAGE_LIMIT,
        events: rows.slice(0, AUDIT_PAGE_LIMIT).map((row) => ({
          seq: row.seq,
          occurredAt: row.occurred_at,
          actorName: row.display_name,
          action: row.action,
          recordType: row.record_type,
          recordId: row.record_id,
          reason: row.reason,
        })),
      };
    });
  }

  /** Sign-in events about one user, newest first: shown to them on their account page. */
  async signInHistory(session: CurrentSession, limit = 20): Promise<{ occurredAt: Date; action: string }[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const rows = await trx
        .selectFrom('audit_events')
        .select(['occurred_at', 'action'])
        .where('organisation_id', '=', session.organisationId)
        .where('record_type', '=', 'user')
        .where('record_id', '=', session.user.userId)
        .where('action', 'in', [
          'sign_in.succeeded',
          'sign_in.failed',
          'sign_in.code_failed',
          'sign_in.throttled',
        ])
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ occurredAt: row.occurred_at, action: row.action }));
    });
  }
}
