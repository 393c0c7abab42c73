import type { Trx } from '../../db/database.ts';

/** Services given on a case (or one of them), oldest first, with who recorded and who ended each. */
export function servicesOfCase(trx: Trx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('case_services')
    .innerJoin('users as recorder', (join) =>
      join
        .onRef('recorder.organisation_id', '=', 'case_services.organisation_id')
        .onRef('recorder.user_id', '=', 'case_services.recorded_by'),
    )
    .leftJoin('users as ender', (join) =>
      join
        .onRef('ender.organisation_id', '=', 'case_services.organisation_id')
        .onRef('ender.user_id', '=', 'case_services.ended_by'),
    )
    .selectAll('case_services')
    .select(['recorder.display_name as recorded_by_name', 'ender.display_name as ended_by_name'])
    .where('case_services.organisation_id', '=', organisationId)
    .where('case_services.case_id', '=', caseId)
    .orderBy('case_services.started_on')
    .orderBy('case_services.recorded_at');
}

export type ServiceRow = Awaited<ReturnType<ReturnType<typeof servicesOfCase>['execute']>>[number];

/** Referrals on to other agencies from a case, oldest first, with who recorded each. */
export function onwardReferralsOfCase(trx: Trx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('onward_referrals')
    .innerJoin('users', (join) =>
      join
        .onRef('users.organisation_id', '=', 'onward_referrals.organisation_id')
        .onRef('users.user_id', '=', 'onward_referrals.recorded_by'),
    )
    .selectAll('onward_referrals')
    .select('users.display_name as recorded_by_name')
    .where('onward_referrals.organisation_id', '=', organisationId)
    .where('onward_referrals.case_id', '=', caseId)
    .orderBy('onward_referrals.referred_on')
    .orderBy('onward_referrals.recorded_at');
}

export type OnwardReferralRow = Awaited<
  ReturnType<ReturnType<typeof onwardReferralsOfCase>['execute']>
>[number];

/** Every outcome recorded for a case's onward referrals, in the order they were recorded. */
export function onwardOutcomesOfCase(trx: Trx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('onward_referral_outcomes')
    .innerJoin('users', (join) =>
      join
        .onRef('users.organisation_id', '=', 'onward_referral_outcomes.organisation_id')
        .onRef('users.user_id', '=', 'onward_referral_outcomes.recorded_by'),
    )
    .selectAll('onward_referral_outcomes')
    .select('users.display_name as recorded_by_name')
    .where('onward_referral_outcomes.organisation_id', '=', organisationId)
    .where('onward_referral_outcomes.case_id', '=', caseId)
    .orderBy('onward_referral_outcomes.recorded_at')
    .orderBy('onward_referral_outcomes.outcome_on')
    .orderBy('onward_referral_outcomes.outcome_id');
}

export type OnwardOutcomeRow = Awaited<
  ReturnType<ReturnType<typeof onwardOutcomesOfCase>['execute']>
>[number];

/** Who has held a case, oldest first, and who allocated it to them. */
export function allocationsOfCase(trx: Trx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('case_allocations')
    .innerJoin('users as holder', (join) =>
      join
        .onRef('holder.organisation_id', '=', 'case_allocations.organisation_id')
        .onRef('holder.user_id', '=', 'case_allocations.allocated_to'),
    )
    .innerJoin('users as allocator', (join) =>
      join
        .onRef('allocator.organisation_id', '=', 'case_allocations.organisation_id')
        .onRef('allocator.user_id', '=', 'case_allocations.allocated_by'),
    )
    .select([
      'holder.display_name as holder_name',
      'allocator.display_name as allocator_name',
      'case_allocations.allocated_at',
    ])
    .where('case_allocations.organisation_id', '=', organisationId)
    .where('case_allocations.case_id', '=', caseId)
    .orderBy('case_allocations.allocated_at')
    .execute();
}

/** When a case was opened, and by whom. */
export function openingOfCase(trx: Trx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('cases')
    .innerJoin('users', (join) =>
      join
        .onRef('users.organisation_id', '=', 'cases.organisation_id')
        .onRef('users.user_id', '=', 'cases.opened_by'),
    )
    .select(['cases.opened_at', 'users.display_name'])
    .where('cases.organisation_id', '=', organisationId)
    .where('cases.case_id', '=', caseId)
    .executeTakeFirstOrThrow();
}
