import { randomUUID } from 'node:crypto';
import type { Trx } from '../../db/database.ts';
import { DAY, ukDate } from '../../platform/clock.ts';

/** Task titles are at most this long (the tasks form's own limit). */
const TASK_TITLE_MAX = 200;

export type RiskSettings = {
  /** Weeks after an assessment that the next one falls due, when nothing brings it forward. */
  reviewWeeks: number;
};

export const DEFAULT_RISK_SETTINGS: RiskSettings = { reviewWeeks: 8 };

/** The day (YYYY-MM-DD, UK) a periodic reassessment falls due after an assessment completed at `completedAt`. */
export function periodicReviewDueOn(completedAt: Date, settings: RiskSettings): string {
  return ukDate(new Date(completedAt.getTime() + settings.reviewWeeks * 7 * DAY));
}

/**
 * Raises a task to reassess a case's risk, for `ownerId`, marked as a risk review so that completing the next
 * assessment closes it. Escalation in the diary, a breach of an order and the periodic review all come here.
 * Runs in the caller's transaction; returns the task's id.
 */
export async function raiseReassessment(
  trx: Trx,
  task: {
    organisationId: string;
    caseId: string;
    ownerId: string;
    createdBy: string;
    title: string;
    dueOn: string;
    now: Date;
  },
): Promise<string> {
  const taskId = randomUUID();
  await trx
    .insertInto('tasks')
    .values({
      organisation_id: task.organisationId,
      task_id: taskId,
      case_id: task.caseId,
      title: task.title.slice(0, TASK_TITLE_MAX),
      due_on: task.dueOn,
      owner_id: task.ownerId,
      created_by: task.createdBy,
      created_at: task.now,
      completed_at: null,
      completed_by: null,
      purpose: 'risk_review',
    })
    .execute();
  return taskId;
}

/** Closes the case's open reassessment tasks: an assessment has just been completed. Returns how many. */
export async function closeReassessments(
  trx: Trx,
  done: { organisationId: string; caseId: string; userId: string; now: Date },
): Promise<number> {
  const result = await trx
    .updateTable('tasks')
    .set({ completed_at: done.now, completed_by: done.userId })
    .where('organisation_id', '=', done.organisationId)
    .where('case_id', '=', done.caseId)
    .where('purpose', '=', 'risk_review')
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
