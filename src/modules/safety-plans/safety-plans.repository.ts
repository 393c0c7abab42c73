import type { DbOrTrx } from '../../db/database.ts';

export type VersionRow = {
  version_number: number;
  plan_sealed: Buffer;
  change_summary: string;
  review_on: string | null;
  review_task_id: string | null;
  created_at: Date;
  created_by_name: string;
};

export type VersionListRow = Omit<VersionRow, 'plan_sealed' | 'review_task_id'>;

function versions(trx: DbOrTrx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('safety_plan_versions as v')
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'v.organisation_id').onRef('u.user_id', '=', 'v.created_by'),
    )
    .where('v.organisation_id', '=', organisationId)
    .where('v.case_id', '=', caseId);
}

/** The case's newest version of its plan, if it has one. */
export async function latestVersion(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<VersionRow | undefined> {
  return versions(trx, organisationId, caseId)
    .select([
      'v.version_number',
      'v.plan_sealed',
      'v.change_summary',
      'v.review_on',
      'v.review_task_id',
      'v.created_at',
      'u.display_name as created_by_name',
    ])
    .orderBy('v.version_number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One version of the case's plan. */
export async function versionOf(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  versionNumber: number,
): Promise<VersionRow | undefined> {
  return versions(trx, organisationId, caseId)
    .select([
      'v.version_number',
      'v.plan_sealed',
      'v.change_summary',
      'v.review_on',
      'v.review_task_id',
      'v.created_at',
      'u.display_name as created_by_name',
    ])
    .where('v.version_number', '=', versionNumber)
    .executeTakeFirst();
}

/** Every version of the case's plan, newest first, without opening any. */
export async function versionList(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<VersionListRow[]> {
  return versions(trx, organisationId, caseId)
    .select([
      'v.version_number',
      'v.change_summary',
      'v.review_on',
      'v.created_at',
      'u.display_name as created_by_name',
    ])
    .orderBy('v.version_number', 'desc')
    .execute();
}

/** The version a form's one-time submission id wrote, on whichever case. */
export async function versionBySubmission(trx: DbOrTrx, organisationId: string, submissionId: string) {
  return trx
    .selectFrom('safety_plan_versions')
    .select(['case_id', 'version_number'])
    .where('organisation_id', '=', organisationId)
    .where('submission_id', '=', submissionId)
    .executeTakeFirst();
}

export async function insertVersion(
  trx: DbOrTrx,
  row: {
    organisationId: string;
    caseId: string;
    versionNumber: number;
    planSealed: Buffer;
    changeSummary: string;
    reviewOn: string | null;
    reviewTaskId: string | null;
    createdBy: string;
    createdAt: Date;
    submissionId: string;
  },
): Promise<void> {
  await trx
    .insertInto('safety_plan_versions')
    .values({
      organisation_id: row.organisationId,
      case_id: row.caseId,
      version_number: row.versionNumber,
      plan_sealed: row.planSealed,
      change_summary: row.changeSummary,
      review_on: row.reviewOn,
      review_task_id: row.reviewTaskId,
      created_by: row.createdBy,
      created_at: row.createdAt,
      submission_id: row.submissionId,
    })
    .execute();
}

/** The plan's review task that is still open, if any: one any version of the plan pointed to. */
export async function openReviewTask(trx: DbOrTrx, organisationId: string, caseId: string) {
  return trx
    .selectFrom('tasks')
    .select(['task_id', 'due_on'])
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .where('completed_at', 'is', null)
    .where('task_id', 'in', (eb) =>
      eb
        .selectFrom('safety_plan_versions')
        .select('review_task_id')
        .where('organisation_id', '=', organisationId)
        .where('case_id', '=', caseId)
        .where('review_task_id', 'is not', null)
        .$narrowType<{ review_task_id: string }>(),
    )
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}
