import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { caseVisibleTo } from '../cases/case-access.ts';
import type { DiaryAggregate } from './patterns.ts';

type AggregateRow = {
  totals: { incidents: number; first: string | null; last: string | null };
  behaviours: { behaviour: string; incidents: number; first: string; last: string }[];
  days: { day: string; incidents: number }[];
  weeks: { weekStart: string; behaviour: string; incidents: number }[];
};

/**
 * A case's diary in figures, counted in one query without opening a single entry: the current version of each
 * entry (its highest version), leaving out redacted entries; days and weeks in UK time from `since`.
 */
export async function diaryAggregate(
  db: DbOrTrx,
  organisationId: string,
  caseId: string,
  since: string,
): Promise<DiaryAggregate> {
  const result = await sql<AggregateRow>`
    WITH current_versions AS (
      SELECT DISTINCT ON (v.entry_id) v.entry_id, v.occurred_from, v.behaviours,
        (v.occurred_from AT TIME ZONE 'Europe/London') AS local_at
      FROM diary_entry_versions v
      WHERE v.organisation_id = ${organisationId} AND v.case_id = ${caseId}
      ORDER BY v.entry_id, v.version DESC
    ), incidents AS (
      SELECT c.* FROM current_versions c
      WHERE NOT EXISTS (
        SELECT 1 FROM diary_entry_redactions r
        WHERE r.organisation_id = ${organisationId} AND r.entry_id = c.entry_id
      )
    ), by_behaviour AS (
      SELECT i.occurred_from, i.local_at, b.behaviour
      FROM incidents i CROSS JOIN LATERAL unnest(i.behaviours) AS b(behaviour)
    )
    SELECT
      (SELECT json_build_object('incidents', count(*), 'first', min(occurred_from), 'last', max(occurred_from))
        FROM incidents) AS totals,
      (SELECT coalesce(json_agg(t ORDER BY t.behaviour), '[]') FROM (
        SELECT behaviour, count(*) AS incidents, min(occurred_from) AS first, max(occurred_from) AS last
        FROM by_behaviour GROUP BY behaviour) t) AS behaviours,
      (SELECT coalesce(json_agg(d ORDER BY d.day), '[]') FROM (
        SELECT to_char(local_at::date, 'YYYY-MM-DD') AS day, count(*) AS incidents
        FROM incidents WHERE local_at >= ${since}::date GROUP BY local_at::date) d) AS days,
      (SELECT coalesce(json_agg(w ORDER BY w."weekStart", w.behaviour), '[]') FROM (
        SELECT to_char(date_trunc('week', local_at), 'YYYY-MM-DD') AS "weekStart", behaviour, count(*) AS incidents
        FROM by_behaviour WHERE local_at >= ${since}::date GROUP BY date_trunc('week', local_at), behaviour) w)
        AS weeks
  `.execute(db);
  const row = result.rows[0]!;
  const date = (value: string) => new Date(value);
  return {
    incidents: Number(row.totals.incidents),
    first: row.totals.first ? date(row.totals.first) : null,
    last: row.totals.last ? date(row.totals.last) : null,
    behaviours: row.behaviours.map((total) => ({
      behaviour: total.behaviour,
      incidents: Number(total.incidents),
      first: date(total.first),
      last: date(total.last),
    })),
    days: row.days.map((day) => ({ day: day.day, incidents: Number(day.incidents) })),
    weeks: row.weeks.map((week) => ({ ...week, incidents: Number(week.incidents) })),
  };
}

export type EscalationRow = {
  escalationId: string;
  rule: string;
  reason: string;
  detectedAt: Date;
  taskId: string | null;
};

/** Every escalation raised on a case, newest first. */
export async function escalationsOfCase(
  db: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<EscalationRow[]> {
  const rows = await db
    .selectFrom('diary_escalations')
    .select(['escalation_id', 'rule', 'reason', 'detected_at', 'task_id'])
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .orderBy('detected_at', 'desc')
    .orderBy('rule')
    .execute();
  return rows.map((row) => ({
    escalationId: row.escalation_id,
    rule: row.rule,
    reason: row.reason,
    detectedAt: row.detected_at,
    taskId: row.task_id,
  }));
}

export async function insertEscalation(
  db: DbOrTrx,
  escalation: {
    organisationId: string;
    escalationId: string;
    caseId: string;
    rule: string;
    reason: string;
    detectedAt: Date;
    taskId: string | null;
  },
): Promise<void> {
  await db
    .insertInto('diary_escalations')
    .values({
      organisation_id: escalation.organisationId,
      escalation_id: escalation.escalationId,
      case_id: escalation.caseId,
      rule: escalation.rule,
      reason: escalation.reason,
      detected_at: escalation.detectedAt,
      task_id: escalation.taskId,
    })
    .execute();
}

export type CaseloadEscalation = { caseId: string; reference: string; reason: string; detectedAt: Date };

/** How many escalations the home page lists at most. */
export const CASELOAD_ESCALATIONS_SHOWN = 20;

/**
 * Escalations since `since` on open cases held by the caller (their own caseload, and only cases the one rule
 * lets them open), newest first.
 */
export async function caseloadEscalations(
  db: DbOrTrx,
  session: CurrentSession,
  since: Date,
  now: Date,
): Promise<CaseloadEscalation[]> {
  const rows = await db
    .selectFrom('diary_escalations')
    .innerJoin('cases', (join) =>
      join
        .onRef('cases.organisation_id', '=', 'diary_escalations.organisation_id')
        .onRef('cases.case_id', '=', 'diary_escalations.case_id'),
    )
    .select(['cases.case_id', 'cases.reference', 'diary_escalations.reason', 'diary_escalations.detected_at'])
    .where('diary_escalations.organisation_id', '=', session.organisationId)
    .where('cases.allocated_to', '=', session.user.userId)
    .where('cases.status', '!=', 'closed')
    .where(caseVisibleTo(session, now))
    .where('diary_escalations.detected_at', '>=', since)
    .orderBy('diary_escalations.detected_at', 'desc')
    .orderBy('cases.reference')
    .limit(CASELOAD_ESCALATIONS_SHOWN)
    .execute();
  return rows.map((row) => ({
    caseId: row.case_id,
    reference: row.reference,
    reason: row.reason,
    detectedAt: row.detected_at,
  }));
}
