import { randomUUID } from 'node:crypto';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';

export type Team = { teamId: string; name: string; sharesCases: boolean; members: string[] };

export type TeamChange = { name: string; sharesCases: boolean };

export type TeamOutcome = { kind: 'done'; teamId: string } | { kind: 'name_taken' } | { kind: 'not_found' };

/**
 * Teams within the service. A team that shares cases lets its members open each other's cases (see
 * `caseVisibleTo`); otherwise a team is only a way of grouping staff.
 */
export class TeamService {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(deps: { db: Db; clock: Clock }) {
    this.db = deps.db;
    this.clock = deps.clock;
  }

  async list(session: CurrentSession): Promise<Team[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const teams = await trx
        .selectFrom('teams')
        .select(['team_id', 'name', 'shares_cases'])
        .where('organisation_id', '=', session.organisationId)
        .orderBy('name')
        .execute();
      const members = await trx
        .selectFrom('users')
        .select(['team_id', 'display_name'])
        .where('organisation_id', '=', session.organisationId)
        .where('team_id', 'is not', null)
        .where('status', '<>', 'disabled')
        .orderBy('display_name')
        .execute();
      return teams.map((team) => ({
        teamId: team.team_id,
        name: team.name,
        sharesCases: team.shares_cases,
        members: members.filter((member) => member.team_id === team.team_id).map((m) => m.display_name),
      }));
    });
  }

  async find(session: CurrentSession, teamId: string): Promise<Team | null> {
    return (await this.list(session)).find((team) => team.teamId === teamId) ?? null;
  }

  async create(session: CurrentSession, change: TeamChange): Promise<TeamOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      if (await this.nameTaken(trx, session, change.name, null)) return { kind: 'name_taken' } as const;
      const teamId = randomUUID();
      await trx
        .insertInto('teams')
        .values({
          organisation_id: session.organisationId,
          team_id: teamId,
          name: change.name,
          shares_cases: change.sharesCases,
          created_at: this.clock.now(),
        })
        .execute();
      await this.audit(trx, session, 'team.created', teamId, { sharesCases: change.sharesCases });
      return { kind: 'done', teamId } as const;
    });
  }

  async update(session: CurrentSession, teamId: string, change: TeamChange): Promise<TeamOutcome> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      if (await this.nameTaken(trx, session, change.name, teamId)) return { kind: 'name_taken' } as const;
      const updated = await trx
        .updateTable('teams')
        .set({ name: change.name, shares_cases: change.sharesCases })
        .where('organisation_id', '=', session.organisationId)
        .where('team_id', '=', teamId)
        .returning('team_id')
        .executeTakeFirst();
      if (!updated) return { kind: 'not_found' } as const;
      await this.audit(trx, session, 'team.changed', teamId, { sharesCases: change.sharesCases });
      return { kind: 'done', teamId } as const;
    });
  }

  /** The team someone is in, or null. */
  async teamOf(
    session: CurrentSession,
    userId: string,
  ): Promise<{ teamId: string; name: string; sharesCases: boolean } | null> {
    return inOrganisation(this.db, session.organisationId, (trx) => this.teamOfIn(trx, session, userId));
  }

  /** `teamOf` in the caller's transaction. */
  async teamOfIn(
    trx: Trx,
    session: CurrentSession,
    userId: string,
  ): Promise<{ teamId: string; name: string; sharesCases: boolean } | null> {
    const row = await trx
      .selectFrom('users')
      .innerJoin('teams', (join) =>
        join
          .onRef('teams.organisation_id', '=', 'users.organisation_id')
          .onRef('teams.team_id', '=', 'users.team_id'),
      )
      .select(['teams.team_id', 'teams.name', 'teams.shares_cases'])
      .where('users.organisation_id', '=', session.organisationId)
      .where('users.user_id', '=', userId)
      .executeTakeFirst();
    return row ? { teamId: row.team_id, name: row.name, sharesCases: row.shares_cases } : null;
  }

  /** Puts someone in a team, or in none (`teamId` null). */
  async assign(
    session: CurrentSession,
    userId: string,
    teamId: string | null,
  ): Promise<'done' | 'no_such_team' | 'not_found'> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      if (teamId !== null) {
        const team = await trx
          .selectFrom('teams')
          .select('team_id')
          .where('organisation_id', '=', session.organisationId)
          .where('team_id', '=', teamId)
          .executeTakeFirst();
        if (!team) return 'no_such_team';
      }
      const updated = await trx
        .updateTable('users')
        .set({ team_id: teamId })
        .where('organisation_id', '=', session.organisationId)
        .where('user_id', '=', userId)
        .returning('user_id')
        .executeTakeFirst();
      if (!updated) return 'not_found';
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'staff.team_changed',
          recordType: 'user',
          recordId: userId,
          details: { teamId },
        },
        this.clock.now(),
      );
      return 'done';
    });
  }

  private async nameTaken(trx: Trx, session: CurrentSession, name: string, exceptTeamId: string | null) {
    let query = trx
      .selectFrom('teams')
      .select('team_id')
      .where('organisation_id', '=', session.organisationId)
      .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
    if (exceptTeamId) query = query.where('team_id', '<>', exceptTeamId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  private audit(trx: Trx, session: CurrentSession, action: string, teamId: string, details: object) {
    return appendAuditEvent(
      trx,
      {
        organisationId: session.organisationId,
        actorUserId: session.user.userId,
        action,
        recordType: 'team',
        recordId: teamId,
        details: details as Record<string, unknown>,
      },
      this.clock.now(),
    );
  }
}
