import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { HOUR } from '../../platform/clock.ts';
import { can } from '../../platform/permissions.ts';

/** How long a case opened outside one's scope stays open to them before they must give a reason again. */
export const BREAK_GLASS_LIFETIME = 8 * HOUR;

/**
 * Why someone may open a case:
 * - allocated: it is on their caseload;
 * - oversight: their role sees every case in the organisation (case:read_all);
 * - team: it is held by someone in their team, and the team shares cases;
 * - break_glass: they opened it outside their scope with a recorded reason, which has not yet lapsed.
 */
export type CaseAccessBasis =
  { kind: 'allocated' } | { kind: 'oversight' } | { kind: 'team' } | { kind: 'break_glass'; expiresAt: Date };

/**
 * The one rule for which cases someone may open, as a condition on the `cases` table: used by every list and
 * search, and (through `caseAccessBasis`) by every single-case read and change.
 */
export type CaseCondition = (eb: ExpressionBuilder<Database, 'cases'>) => Expression<SqlBool>;

export function caseVisibleTo(session: CurrentSession, now: Date): CaseCondition {
  const { userId, role } = session.user;
  return (eb) => {
    if (!can(role, 'case:read')) return sql<boolean>`false`;
    if (can(role, 'case:read_all')) return sql<boolean>`true`;
    return eb.or([
      eb('cases.allocated_to', '=', userId),
      eb('cases.allocated_to', 'in', heldByTeamMates(eb, session)),
      eb.exists(
        eb
          .selectFrom('case_access_grants')
          .select(sql.lit(1).as('one'))
          .whereRef('case_access_grants.organisation_id', '=', 'cases.organisation_id')
          .whereRef('case_access_grants.case_id', '=', 'cases.case_id')
          .where('case_access_grants.user_id', '=', userId)
          .where('case_access_grants.expires_at', '>', now),
      ),
    ]);
  };
}

/** Everyone in the caller's team, when that team shares cases (the caller included). */
function heldByTeamMates(eb: ExpressionBuilder<Database, 'cases'>, session: CurrentSession) {
  return eb
    .selectFrom('users as colleague')
    .innerJoin('teams', (join) =>
      join
        .onRef('teams.organisation_id', '=', 'colleague.organisation_id')
        .onRef('teams.team_id', '=', 'colleague.team_id'),
    )
    .innerJoin('users as me', (join) =>
      join
        .onRef('me.organisation_id', '=', 'colleague.organisation_id')
        .onRef('me.team_id', '=', 'colleague.team_id'),
    )
    .select('colleague.user_id')
    .where('colleague.organisation_id', '=', session.organisationId)
    .where('me.user_id', '=', session.user.userId)
    .where('teams.shares_cases', '=', true);
}

/**
 * Why the caller may open this case, or null when it is outside their scope. The common answers (their own
 * case; a manager) need no query.
 */
export async function caseAccessBasis(
  trx: Trx,
  session: CurrentSession,
  kase: { caseId: string; allocatedTo: string | null },
  now: Date,
): Promise<CaseAccessBasis | null> {
  const { userId, role } = session.user;
  if (!can(role, 'case:read')) return null;
  if (kase.allocatedTo !== null && kase.allocatedTo === userId) return { kind: 'allocated' };
  if (can(role, 'case:read_all')) return { kind: 'oversight' };
  if (kase.allocatedTo !== null) {
    const teamMate = await trx
      .selectFrom('cases')
      .select('case_id')
      .where('cases.organisation_id', '=', session.organisationId)
      .where('cases.case_id', '=', kase.caseId)
      .where((eb) => eb('cases.allocated_to', 'in', heldByTeamMates(eb, session)))
      .executeTakeFirst();
    if (teamMate) return { kind: 'team' };
  }
  const grant = await trx
    .selectFrom('case_access_grants')
    .select('expires_at')
    .where('organisation_id', '=', session.organisationId)
    .where('case_id', '=', kase.caseId)
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .orderBy('expires_at', 'desc')
    .executeTakeFirst();
  return grant ? { kind: 'break_glass', expiresAt: grant.expires_at } : null;
}

/** Which of these cases the caller may open (for links to cases from other records). */
export async function visibleCaseIds(
  trx: Trx,
  session: CurrentSession,
  caseIds: readonly string[],
  now: Date,
): Promise<Set<string>> {
  if (caseIds.length === 0) return new Set();
  const rows = await trx
    .selectFrom('cases')
    .select('case_id')
    .where('cases.organisation_id', '=', session.organisationId)
    .where('cases.case_id', 'in', [...caseIds])
    .where(caseVisibleTo(session, now))
    .execute();
  return new Set(rows.map((row) => row.case_id));
}
