import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { Role } from '../../db/schema.ts';
import { appendAuditEvent, type AuditEntry } from '../../platform/audit/audit-chain.ts';
import { hashPassphrase } from '../../platform/auth/passphrase.ts';
import type { ClientInfo, CurrentSession, SessionService } from '../../platform/auth/sessions.ts';
import { newScopedToken, parseScopedToken } from '../../platform/auth/tokens.ts';
import { DAY, type Clock } from '../../platform/clock.ts';
import {
  findUser,
  findUserByEmail,
  insertUser,
  listStaff,
  updateUser,
  type StaffListRow,
  type UserRow,
} from './users.repository.ts';

export const INVITATION_LIFETIME = 7 * DAY;

export type StaffMember = {
  userId: string;
  displayName: string;
  email: string;
  role: Role;
  status: UserRow['status'];
  createdAt: Date;
  disabledAt: Date | null;
  authenticatorEnrolled: boolean;
  isYou: boolean;
};

export type Invitation = { link: string; expiresAt: Date; member: StaffMember };

export type InvitationForAcceptance = { displayName: string; email: string; serviceName: string };

export type StaffChangeOutcome =
  { kind: 'done' } | { kind: 'refused'; reason: string } | { kind: 'not_found' };

export class StaffService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly sessions: SessionService;
  private readonly publicUrl: string;

  constructor(deps: { db: Db; clock: Clock; sessions: SessionService; publicUrl: string }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.sessions = deps.sessions;
    this.publicUrl = deps.publicUrl;
  }

  async list(session: CurrentSession): Promise<StaffListRow[]> {
    return inOrganisation(this.db, session.organisationId, (trx) => listStaff(trx, session.organisationId));
  }

  async view(session: CurrentSession, userId: string): Promise<StaffMember | null> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const user = await findUser(trx, session.organisationId, userId);
      if (!user) return null;
      await this.audit(trx, session, 'staff.viewed', user.user_id);
      return this.toMember(user, session);
    });
  }

  /** Creates the account and a one-time link, shown to the administrator to pass on by a channel they trust. */
  async invite(
    session: CurrentSession,
    input: { displayName: string; email: string; role: Role },
  ): Promise<{ kind: 'invited'; invitation: Invitation } | { kind: 'email_taken' }> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      if (await findUserByEmail(trx, session.organisationId, input.email))
        return { kind: 'email_taken' } as const;
      const now = this.clock.now();
      const userId = randomUUID();
      await insertUser(trx, {
        organisation_id: session.organisationId,
        user_id: userId,
        email: input.email.trim().toLowerCase(),
        display_name: input.displayName,
        role: input.role,
        status: 'invited',
        passphrase_hash: null,
        created_at: now,
      });
      await this.audit(trx, session, 'staff.invited', userId, { role: input.role });
      const invitation = await this.newInvitation(trx, session, userId);
      return { kind: 'invited', invitation } as const;
    });
  }

  /**
   * A new set-up link for someone who has not finished setting up, or who has lost their passphrase or
   * authenticator: their passphrase and authenticator are cleared and their sessions ended.
   */
  async reissueInvitation(session: CurrentSession, userId: string): Promise<Invitation | StaffChangeOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const user = await findUser(trx, session.organisationId, userId);
      if (!user) return { kind: 'not_found' } as const;
      if (user.user_id === session.user.userId)
        return { kind: 'refused', reason: 'You cannot reset your own sign-in details' } as const;
      if (user.status === 'disabled')
        return { kind: 'refused', reason: 'Enable this account before sending a new set-up link' } as const;
      await updateUser(trx, session.organisationId, userId, {
        status: 'invited',
        passphrase_hash: null,
        totp_secret_sealed: null,
        totp_enrolled_at: null,
      });
      await this.sessions.endAllForUser(trx, session.organisationId, userId, 'sign_in_reset');
      await this.audit(trx, session, 'staff.sign_in_reset', userId);
      return this.newInvitation(trx, session, userId);
    });
  }

  async invitationForAcceptance(token: string): Promise<InvitationForAcceptance | null> {
    const parsed = parseScopedToken(token);
    if (!parsed) return null;
    return inOrganisation(this.db, parsed.organisationId, async (trx) => {
      const found = await this.openInvitation(trx, parsed.organisationId, parsed.hash);
      if (!found) return null;
      const organisation = await trx
        .selectFrom('organisations')
        .select('service_name')
        .executeTakeFirstOrThrow();
      return {
        displayName: found.user.display_name,
        email: found.user.email,
        serviceName: organisation.service_name,
      };
    });
  }

  /** Sets the passphrase and starts a session that must enrol an authenticator next. Works once. */
  async acceptInvitation(token: string, passphrase: string, client: ClientInfo): Promise<string | null> {
    const parsed = parseScopedToken(token);
    if (!parsed) return null;
    const passphraseHash = await hashPassphrase(passphrase);
    return inOrganisation(this.db, parsed.organisationId, async (trx) => {
      const found = await this.openInvitation(trx, parsed.organisationId, parsed.hash, true);
      if (!found) return null;
      const now = this.clock.now();
      await trx
        .updateTable('invitations')
        .set({ accepted_at: now })
        .where('organisation_id', '=', parsed.organisationId)
        .where('invitation_id', '=', found.invitationId)
        .execute();
      await updateUser(trx, parsed.organisationId, found.user.user_id, {
        status: 'active',
        passphrase_hash: passphraseHash,
      });
      await appendAuditEvent(
        trx,
        {
          organisationId: parsed.organisationId,
          actorUserId: found.user.user_id,
          action: 'staff.invitation_accepted',
          recordType: 'user',
          recordId: found.user.user_id,
        },
        now,
      );
      return this.sessions.start(trx, parsed.organisationId, found.user.user_id, 'enrolment', client);
    });
  }

  async changeRole(session: CurrentSession, userId: string, role: Role): Promise<StaffChangeOutcome> {
    return this.change(session, userId, async (trx, user) => {
      if (user.role === role) return { kind: 'done' };
      await updateUser(trx, session.organisationId, userId, { role });
      // A change of privilege starts afresh: the person signs in again under the new role.
      await this.sessions.endAllForUser(trx, session.organisationId, userId, 'role_changed');
      await this.audit(trx, session, 'staff.role_changed', userId, { from: user.role, to: role });
      return { kind: 'done' };
    });
  }

  async disable(session: CurrentSession, userId: string): Promise<StaffChangeOutcome> {
    return this.change(session, userId, async (trx, user) => {
      if (user.status === 'disabled') return { kind: 'done' };
      await updateUser(trx, session.organisationId, userId, {
        status: 'disabled',
        disabled_at: this.clock.now(),
      });
      const ended = await this.sessions.endAllForUser(
        trx,
        session.organisationId,
        userId,
        'account_disabled',
      );
      await trx
        .updateTable('invitations')
        .set({ withdrawn_at: this.clock.now() })
        .where('organisation_id', '=', session.organisationId)
        .where('user_id', '=', userId)
        .where('accepted_at', 'is', null)
        .where('withdrawn_at', 'is', null)
        .execute();
      await this.audit(trx, session, 'staff.disabled', userId, { sessionsEnded: ended });
      return { kind: 'done' };
    });
  }

  async enable(session: CurrentSession, userId: string): Promise<StaffChangeOutcome> {
    return this.change(session, userId, async (trx, user) => {
      if (user.status !== 'disabled') return { kind: 'done' };
      await updateUser(trx, session.organisationId, userId, {
        status: user.passphrase_hash ? 'active' : 'invited',
        disabled_at: null,
      });
      await this.audit(trx, session, 'staff.enabled', userId);
      return { kind: 'done' };
    });
  }

  private async change(
    session: CurrentSession,
    userId: string,
    work: (trx: Trx, user: UserRow) => Promise<StaffChangeOutcome>,
  ): Promise<StaffChangeOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const user = await findUser(trx, session.organisationId, userId);
      if (!user) return { kind: 'not_found' };
      if (user.user_id === session.user.userId) {
        return {
          kind: 'refused',
          reason: 'You cannot change your own role or disable your own account. Ask another administrator',
        };
      }
      return work(trx, user);
    });
  }

  private async newInvitation(trx: Trx, session: CurrentSession, userId: string): Promise<Invitation> {
    const now = this.clock.now();
    await trx
      .updateTable('invitations')
      .set({ withdrawn_at: now })
      .where('organisation_id', '=', session.organisationId)
      .where('user_id', '=', userId)
      .where('accepted_at', 'is', null)
      .where('withdrawn_at', 'is', null)
      .execute();
    const { token, hash } = newScopedToken(session.organisationId);
    const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME);
    await trx
      .insertInto('invitations')
      .values({
        organisation_id: session.organisationId,
        invitation_id: randomUUID(),
        user_id: userId,
        token_hash: hash,
        invited_by: session.user.userId,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    const user = await findUser(trx, session.organisationId, userId);
    return {
      link: `${this.publicUrl}/invitation/${token}`,
      expiresAt,
      member: this.toMember(user!, session),
    };
  }

  private async openInvitation(
    trx: Trx,
    organisationId: string,
    hash: Buffer,
    lock = false,
  ): Promise<{ invitationId: string; user: UserRow } | null> {
    let query = trx
      .selectFrom('invitations')
      .select(['invitation_id', 'user_id', 'expires_at', 'accepted_at', 'withdrawn_at'])
      .where('organisation_id', '=', organisationId)
      .where('token_hash', '=', hash);
    if (lock) query = query.forUpdate();
    const invitation = await query.executeTakeFirst();
    if (
      !invitation ||
      invitation.accepted_at ||
      invitation.withdrawn_at ||
      invitation.expires_at <= this.clock.now()
    )
      return null;
    const user = await findUser(trx, organisationId, invitation.user_id);
    if (user?.status !== 'invited') return null;
    return { invitationId: invitation.invitation_id, user };
  }

  private toMember(user: UserRow, session: CurrentSession): StaffMember {
    return {
      userId: user.user_id,
      displayName: user.display_name,
      email: user.email,
      role: user.role,
      status: user.status,
      createdAt: user.created_at,
      disabledAt: user.disabled_at,
      authenticatorEnrolled: Boolean(user.totp_enrolled_at),
      isYou: user.user_id === session.user.userId,
    };
  }

  private async audit(
    trx: Trx,
    session: CurrentSession,
    action: string,
    userId: string,
    details?: AuditEntry['details'],
  ): Promise<void> {
    await appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action,
        recordType: 'user',
        recordId: userId,
        details,
      },
      this.clock.now(),
    );
  }
}
