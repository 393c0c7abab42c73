import { randomUUID } from 'node:crypto';
import type { Trx } from '../../db/database.ts';
import { ukDate } from '../../platform/clock.ts';
import { formatIsoDate } from '../cases/case-view.ts';
import { addDays } from '../diary/patterns.ts';

export type CourtSettings = {
  /** Days before a hearing that the caseworker's reminder to prepare falls due (0: on the day). */
  reminderDaysBefore: number;
};

export const DEFAULT_COURT_SETTINGS: CourtSettings = { reminderDaysBefore: 7 };

/**
 * When a hearing's reminder falls due: `reminderDaysBefore` days before the hearing's day, or today if that has
 * passed. Null when the hearing's day is already over (nothing left to prepare for).
 */
export function reminderDueOn(startsAt: Date, now: Date, settings: CourtSettings): string | null {
  const hearingDay = ukDate(startsAt);
  const today = ukDate(now);
  if (hearingDay < today) return null;
  const due = addDays(hearingDay, -settings.reminderDaysBefore);
  return due < today ? today : due;
}

/** The reminder's title: the hearing's date, never who it is about. */
export function reminderTitle(startsAt: Date): string {
  return `Prepare the client for the court hearing on ${formatIsoDate(ukDate(startsAt))}`;
}

type Reminder = {
  organisationId: string;
  caseId: string;
  hearingId: string;
  startsAt: Date;
  /** Who the reminder is for: the case's caseworker, or whoever recorded the hearing on an unallocated case. */
  ownerId: string;
  userId: string;
  now: Date;
};

/**
 * Keeps a hearing's one reminder in step with it, in the caller's transaction: raises it when the hearing has
 * none open, moves it when the hearing moves, and leaves it alone when nothing it shows has changed. Returns
 * what it did.
 */
export async function syncHearingReminder(
  trx: Trx,
  reminder: Reminder,
  settings: CourtSettings,
): Promise<'raised' | 'moved' | 'unchanged' | 'none'> {
  const dueOn = reminderDueOn(reminder.startsAt, reminder.now, settings);
  const hearing = await trx
    .selectFrom('court_hearings')
    .leftJoin('tasks', (join) =>
      join
        .onRef('tasks.organisation_id', '=', 'court_hearings.organisation_id')
        .onRef('tasks.task_id', '=', 'court_hearings.reminder_task_id'),
    )
    .select(['tasks.task_id', 'tasks.due_on', 'tasks.title', 'tasks.completed_at'])
    .where('court_hearings.organisation_id', '=', reminder.organisationId)
    .where('court_hearings.hearing_id', '=', reminder.hearingId)
    .executeTakeFirstOrThrow();
  const title = reminderTitle(reminder.startsAt);
  if (hearing.task_id && !hearing.completed_at) {
    if (!dueOn) return 'unchanged';
    if (hearing.due_on === dueOn && hearing.title === title) return 'unchanged';
    await trx
      .updateTable('tasks')
      .set({ due_on: dueOn, title })
      .where('organisation_id', '=', reminder.organisationId)
      .where('task_id', '=', hearing.task_id)
      .execute();
    return 'moved';
  }
  // No reminder yet, or the last one was done and the hearing has moved to a new day: raise one.
  if (!dueOn || (hearing.task_id && hearing.title === title)) return 'none';
  const taskId = randomUUID();
  await trx
    .insertInto('tasks')
    .values({
      organisation_id: reminder.organisationId,
      task_id: taskId,
      case_id: reminder.caseId,
      title,
      due_on: dueOn,
      owner_id: reminder.ownerId,
      created_by: reminder.userId,
      created_at: reminder.now,
      completed_at: null,
      completed_by: null,
    })
    .execute();
  await trx
    .updateTable('court_hearings')
    .set({ reminder_task_id: taskId })
    .where('organisation_id', '=', reminder.organisationId)
    .where('hearing_id', '=', reminder.hearingId)
    .execute();
  return 'raised';
}

/** Closes a hearing's open reminder: its outcome is recorded, so there is nothing left to prepare. */
export async function closeHearingReminder(
  trx: Trx,
  done: { organisationId: string; hearingId: string; userId: string; now: Date },
): Promise<void> {
  const hearing = await trx
    .selectFrom('court_hearings')
    .select('reminder_task_id')
    .where('organisation_id', '=', done.organisationId)
    .where('hearing_id', '=', done.hearingId)
    .executeTakeFirst();
  if (!hearing?.reminder_task_id) return;
  await trx
    .updateTable('tasks')
    .set({ completed_at: done.now, completed_by: done.userId })
    .where('organisation_id', '=', done.organisationId)
    .where('task_id', '=', hearing.reminder_task_id)
    .where('completed_at', 'is', null)
    .execute();
}
