import type { Trx } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { caseVisibleTo } from './case-access.ts';

/**
 * Cases with their client's name and the name of whoever holds them, within the caller's record scope (see
 * `caseVisibleTo`), or only their own caseload when `ownOnly`.
 */
export function casesInScope(
  trx: Trx,
  session: CurrentSession,
  now: Date,
  options: { ownOnly?: boolean } = {},
) {
  const query = trx
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
      'cases.risk_level',
      'cases.opened_at',
      'clients.name',
      'users.display_name',
    ])
    .where('cases.organisation_id', '=', session.organisationId);
  return options.ownOnly
    ? query.where('cases.allocated_to', '=', session.user.userId)
    : query.where(caseVisibleTo(session, now));
}
