import { inOrganisation, type Db } from '../../db/database.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';

export type OrganisationSettings = { serviceName: string; teamEmail: string | null; referralCode: string };

/** The organisation's own settings: its name, where "a referral is waiting" emails go, its referral address. */
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
        .select(['service_name', 'team_email', 'referral_code'])
        .where('organisation_id', '=', session.organisationId)
        .executeTakeFirstOrThrow();
      return { serviceName: row.service_name, teamEmail: row.team_email, referralCode: row.referral_code };
    });
  }

  async update(
    session: CurrentSession,
    changes: { serviceName: string; teamEmail: string | null },
  ): Promise<void> {
    await inOrganisation(this.db, session.organisationId, async (trx) => {
      const before = await trx
        .selectFrom('organisations')
        .select(['service_name', 'team_email'])
        .where('organisation_id', '=', session.organisationId)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('organisations')
        .set({ service_name: changes.serviceName, team_email: changes.teamEmail })
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
          },
        },
        this.clock.now(),
      );
    });
  }
}
