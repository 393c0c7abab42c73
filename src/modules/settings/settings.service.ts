import { inOrganisation, type Db } from '../../db/database.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';

export type OrganisationSettings = {
  serviceName: string;
  teamEmail: string | null;
  referralCode: string;
  /** The number people can call the service on, and when: shown on the public form to anyone with no safe contact. */
  publicPhone: string | null;
  publicContactHours: string | null;
};

export type SettingsChanges = Omit<OrganisationSettings, 'referralCode'>;

/**
 * The organisation's own settings: its name, where "a referral is waiting" emails go, its referral address, and
 * how people can contact it themselves.
 */
export class SettingsService {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(deps: { db: Db; clock: Clock }) {
    this.db = deps.db;
    this.clock = deps.clock;
  }

  async get(session: CurrentSession): Promise<OrganisationSettings> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = await trx
        .selectFrom('organisations')
        .select(['service_name', 'team_email', 'referral_code', 'public_phone', 'public_contact_hours'])
        .where('organisation_id', '=', session.organisationId)
        .executeTakeFirstOrThrow();
      return {
        serviceName: row.service_name,
        teamEmail: row.team_email,
        referralCode: row.referral_code,
        publicPhone: row.public_phone,
        publicContactHours: row.public_contact_hours,
      };
    });
  }

  async update(session: CurrentSession, changes: SettingsChanges): Promise<void> {
    await inOrganisation(this.db, session.organisationId, async (trx) => {
      const before = await trx
        .selectFrom('organisations')
        .select(['service_name', 'team_email', 'public_phone', 'public_contact_hours'])
        .where('organisation_id', '=', session.organisationId)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('organisations')
        .set({
          service_name: changes.serviceName,
          team_email: changes.teamEmail,
          public_phone: changes.publicPhone,
          public_contact_hours: changes.publicContactHours,
        })
        .where('organisation_id', '=', session.organisationId)
        .execute();
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'organisation.settings_changed',
          recordType: 'organisation',
          recordId: session.organisationId,
          details: {
            serviceNameChanged: before.service_name !== changes.serviceName,
            teamEmailChanged: before.team_email !== changes.teamEmail,
            publicPhoneChanged: before.public_phone !== changes.publicPhone,
            publicContactHoursChanged: before.public_contact_hours !== changes.publicContactHours,
          },
        },
        this.clock.now(),
      );
    });
  }
}
