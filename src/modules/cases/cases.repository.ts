import type { Trx } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { can } from '../../platform/permissions.ts';

/**
 * Cases with their client's name and the name of whoever holds them, within the caller's record scope: their
 * own caseload, or every case in the organisation for someone with case:read_all (unless `ownOnly`).
 */
export function casesInScope(trx: Trx, session: CurrentSession, options: { ownOnly?: boolean } = {}) {
  let query = trx
    .selectFrom('cases')
    .innerJoin('clients', (join) =>
      join
        .onRef('clients.organisation_id', '=', 'cases.organisation_id')
        .onRef('clients.client_id', '=', 'cases.client_id'),
    )
    .leftJoin('users', (join) =>
      join
        .onRef('users.organisation_id', '=', 'cases.organisation_id')
        .onRef('users.user_id', '=', 'cases.allocated_to'),
    )
    .select([
      'cases.case_id',
      'cases.reference',
      'cases.status',
      'cases.urgent',
      'cases.opened_at',
      'clients.name',
      'users.display_name',
    ])
    .where('cases.organisation_id', '=', session.organisationId);
  if (options.ownOnly || !can(session.user.role, 'case:read_all')) {
    query = query.where('cases.allocated_to', '=', session.user.userId);
  }
  return query;
}
