import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inOrganisation, type Db, type DbOrTrx } from '../../db/database.ts';
import type { Role, SessionStage } from '../../db/schema.ts';
import { appendAuditEvent } from '../audit/audit-chain.ts';
import { HOUR, MINUTE, type Clock } from '../clock.ts';
import { newScopedToken, parseScopedToken } from './tokens.ts';

export const STAFF_IDLE_TIMEOUT = 30 * MINUTE;
export const ABSOLUTE_TIMEOUT = 12 * HOUR;
/** How long someone has to give their code (or enrol) after their passphrase is accepted. */
export const PARTIAL_SESSION_TIMEOUT = 15 * MINUTE;
/** last_seen_at is written at most this often, so reading pages does not turn into a write per request. */
const TOUCH_INTERVAL = MINUTE;

export type CurrentSession = {
  sessionId: string;
  organisationId: string;
  stage: SessionStage;
  createdAt: Date;
  user: { userId: string; displayName: string; email: string; role: Role };
  organisation: { serviceName: string };
};

/** What the navigation shows next to its links, counted for the session's organisation. */
export type NavigationCounts = { referralsWaiting: number; perpetratorAlertsWaiting: number };

export type SessionLookup =
  | { kind: 'none' }
  | { kind: 'ended'; reason: 'idle' | 'expired' }
  | { kind: 'active'; session: CurrentSession; navigationCounts: NavigationCounts };

type RequestContextRow = {
  session_id: string;
  stage: SessionStage;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  user_id: string;
  display_name: string;
  email: string;
  role: Role;
  status: string;
  service_name: string;
  referrals_waiting: number;
  perpetrator_alerts_waiting: number;
};

export type ClientInfo = { clientAddress: string | null; userAgent: string | null };

export type SessionSummary = {
  sessionId: string;
  createdAt: Date;
  lastSeenAt: Date;
  clientAddress: string | null;
  userAgent: string | null;
  current: boolean;
};

export class SessionService {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Starts a new session (a new identifier: never reuses one the browser already had). */
  async start(
    trx: DbOrTrx,
    organisationId: string,
    userId: string,
    stage: SessionStage,
    client: ClientInfo,
  ): Promise<string> {
    const now = this.clock.now();
    const { token, hash } = newScopedToken(organisationId);
    await trx
      .insertInto('sessions')
      .values({
        organisation_id: organisationId,
        session_id: randomUUID(),
        token_hash: hash,
        user_id: userId,
        stage,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(
          now.getTime() + (stage === 'active' ? ABSOLUTE_TIMEOUT : PARTIAL_SESSION_TIMEOUT),
        ),
        client_address: client.clientAddress?.slice(0, 64) ?? null,
        user_agent: client.userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    return token;
  }

  /** Moves a session to its next stage under a new token, so a token seen before the change is worthless after. */
  async advance(trx: DbOrTrx, session: CurrentSession, stage: SessionStage): Promise<string> {
    const now = this.clock.now();
    const { token, hash } = newScopedToken(session.organisationId);
    await trx
      .updateTable('sessions')
      .set({
        token_hash: hash,
        stage,
        last_seen_at: now,
        expires_at: new Date(
          stage === 'active'
            ? session.createdAt.getTime() + ABSOLUTE_TIMEOUT
            : now.getTime() + PARTIAL_SESSION_TIMEOUT,
        ),
      })
      .where('organisation_id', '=', session.organisationId)
      .where('session_id', '=', session.sessionId)
      .execute();
    return token;
  }

  /**
   * Finds the session a token names, with what the navigation counts, in one round trip (the narrow
   * vigil_request_context function, which needs the token's hash). Writes only when it must: to end a session
   * that has timed out, or to move last_seen_at on, at most once a minute.
   */
  async lookup(token: string | undefined): Promise<SessionLookup> {
    const parsed = parseScopedToken(token);
    if (!parsed) return { kind: 'none' };
    const now = this.clock.now();
    const { rows } = await sql<RequestContextRow>`
      SELECT * FROM vigil_request_context(${parsed.organisationId}, ${parsed.hash})
    `.execute(this.db);
    const row = rows[0];
    if (!row || row.ended_at || row.status === 'disabled') return { kind: 'none' };

    const idleFor = now.getTime() - row.last_seen_at.getTime();
    const ending =
      now >= row.expires_at
        ? 'expired'
        : row.stage === 'active' && idleFor >= STAFF_IDLE_TIMEOUT
          ? 'idle'
          : null;
    if (ending) {
      await inOrganisation(this.db, parsed.organisationId, async (trx) => {
        // Two requests may find the same session timed out; only the one that ends it records that.
        if (!(await this.endWhere(trx, parsed.organisationId, row.session_id, ending))) return;
        await appendAuditEvent(
          trx,
          {
            organisationId: parsed.organisationId,
            actorUserId: row.user_id,
            action: `session.ended_${ending}`,
            recordType: 'session',
            recordId: row.session_id,
          },
          now,
        );
      });
      return { kind: 'ended', reason: ending };
    }
    if (idleFor >= TOUCH_INTERVAL) {
      await inOrganisation(this.db, parsed.organisationId, (trx) =>
        trx
          .updateTable('sessions')
          .set({ last_seen_at: now })
          .where('organisation_id', '=', parsed.organisationId)
          .where('session_id', '=', row.session_id)
          .where('ended_at', 'is', null)
          .execute(),
      );
    }
    return {
      kind: 'active',
      session: {
        sessionId: row.session_id,
        organisationId: parsed.organisationId,
        stage: row.stage,
        createdAt: row.created_at,
        user: { userId: row.user_id, displayName: row.display_name, email: row.email, role: row.role },
        organisation: { serviceName: row.service_name },
      },
      navigationCounts: {
        referralsWaiting: Number(row.referrals_waiting),
        perpetratorAlertsWaiting: Number(row.perpetrator_alerts_waiting),
      },
    };
  }

  async end(trx: DbOrTrx, organisationId: string, sessionId: string, reason: string): Promise<void> {
    await this.endWhere(trx, organisationId, sessionId, reason);
  }

  async endAllForUser(trx: DbOrTrx, organisationId: string, userId: string, reason: string): Promise<number> {
    const result = await trx
      .updateTable('sessions')
      .set({ ended_at: this.clock.now(), end_reason: reason })
      .where('organisation_id', '=', organisationId)
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async listForUser(trx: DbOrTrx, session: CurrentSession): Promise<SessionSummary[]> {
    const now = this.clock.now();
    const rows = await trx
      .selectFrom('sessions')
      .select(['session_id', 'created_at', 'last_seen_at', 'client_address', 'user_agent'])
      .where('organisation_id', '=', session.organisationId)
      .where('user_id', '=', session.user.userId)
      .where('ended_at', 'is', null)
      .where('stage', '=', 'active')
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', new Date(now.getTime() - STAFF_IDLE_TIMEOUT))
      .orderBy('last_seen_at', 'desc')
      .execute();
    return rows.map((row) => ({
      sessionId: row.session_id,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      clientAddress: row.client_address,
      userAgent: row.user_agent,
      current: row.session_id === session.sessionId,
    }));
  }

  /** The signed-in user's own live sessions, this one marked. */
  async listOwn(session: CurrentSession): Promise<SessionSummary[]> {
    return inOrganisation(this.db, session.organisationId, (trx) => this.listForUser(trx, session));
  }

  /** Ends one of the signed-in user's own sessions; false if it is not theirs or already ended. */
  async endOwn(session: CurrentSession, sessionId: string): Promise<boolean> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const result = await trx
        .updateTable('sessions')
        .set({ ended_at: this.clock.now(), end_reason: 'ended_by_user' })
        .where('organisation_id', '=', session.organisationId)
        .where('session_id', '=', sessionId)
        .where('user_id', '=', session.user.userId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'session.ended_by_user',
          recordType: 'session',
          recordId: sessionId,
        },
        this.clock.now(),
      );
      return true;
    });
  }

  /** Ends the session unless it has already ended; true when this call ended it. */
  private async endWhere(
    trx: DbOrTrx,
    organisationId: string,
    sessionId: string,
    reason: string,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('sessions')
      .set({ ended_at: this.clock.now(), end_reason: reason })
      .where('organisation_id', '=', organisationId)
      .where('session_id', '=', sessionId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
