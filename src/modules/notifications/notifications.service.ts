import { inOrganisation, type Db } from '../../db/database.ts';
import { paths } from '../../paths.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';

export type NotificationOutcome = 'sent' | 'not_configured' | 'failed';

/**
 * Tells staff that something is waiting, by email when SMTP and a team address are configured. Emails never
 * carry personal details: only that something is waiting and where to sign in to see it.
 */
export class NotificationService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly mailer: Mailer | null;
  private readonly publicUrl: string;

  constructor(deps: { db: Db; clock: Clock; mailer: Mailer | null; publicUrl: string }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.mailer = deps.mailer;
    this.publicUrl = deps.publicUrl;
  }

  async referralWaiting(organisationId: string, urgent: boolean): Promise<NotificationOutcome> {
    const teamEmail = await inOrganisation(this.db, organisationId, async (trx) => {
      const row = await trx.selectFrom('organisations').select('team_email').executeTakeFirst();
      return row?.team_email ?? null;
    });
    if (!this.mailer || !teamEmail) return 'not_configured';
    const subject = urgent ? 'Urgent: a new referral is waiting' : 'A new referral is waiting';
    const text = [
      urgent
        ? 'A new referral marked as urgent (the person said they are in immediate danger) is waiting for triage.'
        : 'A new referral is waiting for triage.',
      '',
      `Sign in to see it: ${this.publicUrl}${paths.referrals}`,
      '',
      'This email contains no details of the referral, on purpose.',
    ].join('\n');
    let outcome: NotificationOutcome = 'sent';
    try {
      await this.mailer.send({ to: teamEmail, subject, text });
    } catch {
      outcome = 'failed';
    }
    await inOrganisation(this.db, organisationId, (trx) =>
      appendAuditEvent(
        trx,
        {
          organisationId,
          actorUserId: null,
          action: `notification.${outcome}`,
          details: { kind: 'referral_waiting', urgent },
        },
        this.clock.now(),
      ),
    );
    return outcome;
  }

  /**
   * Tells a caseworker by email that a suspected breach of a protection order was recorded on one of their
   * cases, when SMTP is configured. Says nothing of the case beyond that: they sign in to see it.
   */
  async breachRecorded(
    organisationId: string,
    caseworker: { userId: string; email: string },
  ): Promise<NotificationOutcome> {
    let outcome: NotificationOutcome = 'not_configured';
    if (this.mailer) {
      outcome = 'sent';
      try {
        await this.mailer.send({
          to: caseworker.email,
          subject: 'A breach of an order was recorded on one of your cases',
          text: [
            'A suspected breach of a protection order was recorded on one of your cases.',
            '',
            `Sign in to see it: ${this.publicUrl}${paths.home}`,
            '',
            'This email contains no details of the case, on purpose.',
          ].join('\n'),
        });
      } catch {
        outcome = 'failed';
      }
    }
    await inOrganisation(this.db, organisationId, (trx) =>
      appendAuditEvent(
        trx,
        {
          organisationId,
          actorUserId: null,
          action: `notification.${outcome}`,
          recordType: 'user',
          recordId: caseworker.userId,
          details: { kind: 'breach_recorded' },
        },
        this.clock.now(),
      ),
    );
    return outcome;
  }
}
