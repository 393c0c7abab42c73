import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import { appendAuditEvent, type AuditEntry } from '../../platform/audit/audit-chain.ts';
import {
  decoyPassphraseHash,
  hashPassphrase,
  passphraseNeedsRehash,
  verifyPassphrase,
} from '../../platform/auth/passphrase.ts';
import type { ClientInfo, CurrentSession, SessionService } from '../../platform/auth/sessions.ts';
import type { SignInThrottle } from '../../platform/auth/throttle.ts';
import { formatSecret, matchTotpStep, newTotpSecret, totpQrSvg, totpUri } from '../../platform/auth/totp.ts';
import type { Clock } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { findUser, signInCandidates, updateUser, type UserRow } from '../staff/users.repository.ts';

export type PassphraseOutcome =
  | { kind: 'throttled'; until: Date }
  | { kind: 'incorrect' }
  | { kind: 'accepted'; token: string; next: 'second_factor' | 'enrolment' };

export type CodeOutcome =
  { kind: 'throttled'; until: Date } | { kind: 'incorrect' } | { kind: 'accepted'; token: string };

export type Enrolment = { secret: string; secretForDisplay: string; uri: string; qrSvg: string };

const totpAad = (organisationId: string, userId: string) => `user.totp_secret:${organisationId}:${userId}`;

/**
 * Staff sign-in: email and passphrase, then an authenticator code. Known and unknown accounts are answered
 * alike and take alike long; guessing is slowed, never turned into a lock-out.
 */
export class SignInService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly sessions: SessionService;
  private readonly throttle: SignInThrottle;
  private readonly keys: KeyRing;

  constructor(deps: {
    db: Db;
    clock: Clock;
    sessions: SessionService;
    throttle: SignInThrottle;
    keys: KeyRing;
  }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.sessions = deps.sessions;
    this.throttle = deps.throttle;
    this.keys = deps.keys;
  }

  async signIn(email: string, passphrase: string, client: ClientInfo): Promise<PassphraseOutcome> {
    const until = await this.throttle.waitUntil(email, client.clientAddress);
    if (until) return { kind: 'throttled', until };

    const candidates = await signInCandidates(this.db, email);
    for (const candidate of candidates) {
      const outcome = await inOrganisation(this.db, candidate.organisation_id, async (trx) => {
        const user = await findUser(trx, candidate.organisation_id, candidate.user_id);
        if (!user?.passphrase_hash || user.status !== 'active') return null;
        if (!(await verifyPassphrase(user.passphrase_hash, passphrase))) {
          await this.audit(trx, user, 'sign_in.failed', { stage: 'passphrase' });
          return null;
        }
        if (passphraseNeedsRehash(user.passphrase_hash)) {
          await updateUser(trx, user.organisation_id, user.user_id, {
            passphrase_hash: await hashPassphrase(passphrase),
          });
        }
        const next = user.totp_enrolled_at ? 'second_factor' : 'enrolment';
        const token = await this.sessions.start(trx, user.organisation_id, user.user_id, next, client);
        await this.audit(trx, user, 'sign_in.passphrase_accepted');
        return { kind: 'accepted', token, next } as const;
      });
      if (outcome) return outcome;
    }
    // Unknown accounts cost the same work as known ones, so timing does not tell them apart.
    if (candidates.length === 0) await verifyPassphrase(await decoyPassphraseHash(), passphrase);
    await this.throttle.recordFailure(email, client.clientAddress);
    return { kind: 'incorrect' };
  }

  async verifyCode(session: CurrentSession, code: string, client: ClientInfo): Promise<CodeOutcome> {
    const until = await this.throttle.waitUntil(session.user.email, client.clientAddress);
    if (until) return { kind: 'throttled', until };
    const outcome = await inOrganisation(this.db, session.organisationId, async (trx) => {
      const user = await this.lockedUser(trx, session);
      if (!user.totp_secret_sealed || !user.totp_enrolled_at) return { kind: 'incorrect' } as const;
      const secret = await this.openSecret(trx, user);
      const step = matchTotpStep(secret, code, this.clock.now());
      if (step === null || step <= user.totp_last_step) {
        await this.audit(trx, user, 'sign_in.code_failed', { replayed: step !== null });
        return { kind: 'incorrect' } as const;
      }
      await updateUser(trx, user.organisation_id, user.user_id, { totp_last_step: step });
      const token = await this.sessions.advance(trx, session, 'active');
      await this.audit(trx, user, 'sign_in.succeeded');
      return { kind: 'accepted', token } as const;
    });
    if (outcome.kind === 'incorrect')
      await this.throttle.recordFailure(session.user.email, client.clientAddress);
    return outcome;
  }

  /** The secret being enrolled: made on first view and kept (encrypted) until a code proves it was saved. */
  async enrolment(session: CurrentSession): Promise<Enrolment> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const user = await this.lockedUser(trx, session);
      let secret: string;
      if (user.totp_secret_sealed) {
        secret = await this.openSecret(trx, user);
      } else {
        secret = newTotpSecret();
        const key = await this.keys.organisationKey(trx, user.organisation_id);
        await updateUser(trx, user.organisation_id, user.user_id, {
          totp_secret_sealed: seal(key, secret, totpAad(user.organisation_id, user.user_id)),
        });
      }
      const uri = totpUri(secret, user.email, session.organisation.serviceName);
      return { secret, secretForDisplay: formatSecret(secret), uri, qrSvg: await totpQrSvg(uri) };
    });
  }

  async completeEnrolment(session: CurrentSession, code: string): Promise<CodeOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const user = await this.lockedUser(trx, session);
      if (!user.totp_secret_sealed) return { kind: 'incorrect' } as const;
      const step = matchTotpStep(await this.openSecret(trx, user), code, this.clock.now());
      if (step === null || step <= user.totp_last_step) return { kind: 'incorrect' } as const;
      await updateUser(trx, user.organisation_id, user.user_id, {
        totp_last_step: step,
        totp_enrolled_at: this.clock.now(),
      });
      const token = await this.sessions.advance(trx, session, 'active');
      await this.audit(trx, user, 'authenticator.enrolled');
      await this.audit(trx, user, 'sign_in.succeeded');
      return { kind: 'accepted', token } as const;
    });
  }

  async signOut(session: CurrentSession): Promise<void> {
    await inOrganisation(this.db, session.organisationId, async (trx) => {
      await this.sessions.end(trx, session.organisationId, session.sessionId, 'signed_out');
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'sign_out',
          recordType: 'user',
          recordId: session.user.userId,
        },
        this.clock.now(),
      );
    });
  }

  private async lockedUser(trx: Trx, session: CurrentSession): Promise<UserRow> {
    const user = await trx
      .selectFrom('users')
      .selectAll()
      .where('organisation_id', '=', session.organisationId)
      .where('user_id', '=', session.user.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return user;
  }

  private async openSecret(trx: Trx, user: UserRow): Promise<string> {
    const key = await this.keys.organisationKey(trx, user.organisation_id);
    return openText(key, user.totp_secret_sealed!, totpAad(user.organisation_id, user.user_id));
  }

  private async audit(
    trx: Trx,
    user: UserRow,
    action: string,
    details?: AuditEntry['details'],
  ): Promise<void> {
    await appendAuditEvent(
      trx,
      {
        organisationId: user.organisation_id,
        actorUserId: user.user_id,
        action,
        recordType: 'user',
        recordId: user.user_id,
        details,
      },
      this.clock.now(),
    );
  }
}
