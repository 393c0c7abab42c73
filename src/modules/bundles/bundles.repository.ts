import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { DAY } from '../../platform/clock.ts';
import { ukInstant } from '../cases/case-view.ts';

/**
 * What a bundle reads, always as the case stood when the bundle was asked for (`asAt`): the latest version of
 * each entry recorded by then, redactions made by then, exhibits uploaded by then. Building the same bundle
 * again later therefore reads the same rows, whatever has been added since.
 */

export type BundleFilters = {
  from: string | null;
  to: string | null;
  behaviours: string[];
  perpetratorId: string | null;
};

/**
 * The conditions on an entry's version `cv` (joined to its entry `e` and its redaction `r`, if any by then)
 * that make it the entry's latest version as at `asAt`, matching the filters.
 */
function chosen(organisationId: string, caseId: string, filters: BundleFilters, asAt: Date) {
  const conditions = [
    sql`cv.organisation_id = ${organisationId}`,
    sql`cv.case_id = ${caseId}`,
    sql`cv.recorded_at <= ${asAt}`,
    sql`NOT EXISTS (
      SELECT 1 FROM diary_entry_versions later
      WHERE later.organisation_id = cv.organisation_id AND later.entry_id = cv.entry_id
        AND later.version > cv.version AND later.recorded_at <= ${asAt}
    )`,
  ];
  if (filters.behaviours.length) conditions.push(sql`cv.behaviours && ${filters.behaviours}::text[]`);
  if (filters.perpetratorId) conditions.push(sql`cv.perpetrator_id = ${filters.perpetratorId}`);
  if (filters.from)
    conditions.push(
      sql`coalesce(cv.occurred_to, cv.occurred_from) >= ${ukInstant(filters.from, { hour: 0, minute: 0 })}`,
    );
  if (filters.to) {
    const dayAfter = new Date(ukInstant(filters.to, { hour: 12, minute: 0 }).getTime() + DAY)
      .toISOString()
      .slice(0, 10);
    conditions.push(sql`cv.occurred_from < ${ukInstant(dayAfter, { hour: 0, minute: 0 })}`);
  }
  return sql.join(conditions, sql` AND `);
}

const redactionAsAt = (asAt: Date) =>
  sql`LEFT JOIN diary_entry_redactions r
    ON r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id AND r.redacted_at <= ${asAt}`;

export type ScheduleRow = {
  entry_id: string;
  entry_number: number;
  recorded_at: Date;
  recorder: string | null;
  version: number;
  version_recorded_at: Date;
  version_recorder: string | null;
  occurred_from: Date;
  occurred_to: Date | null;
  behaviours: string[];
  impacts: string[];
  channel: string | null;
  reported_to_police: boolean;
  perpetrator_name: string | null;
  has_perpetrator: boolean;
  details_sealed: Buffer;
  correction_reason_sealed: Buffer | null;
  redacted_at: Date | null;
  redactor: string | null;
};

/** One page of the schedule: entries after `after` (in order of when they happened, then number). */
export async function schedulePage(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  filters: BundleFilters,
  asAt: Date,
  after: { occurredFrom: Date; entryNumber: number } | null,
  limit: number,
): Promise<ScheduleRow[]> {
  const { rows } = await sql<ScheduleRow>`
    SELECT e.entry_id, e.entry_number, e.recorded_at, recorder.display_name AS recorder,
      cv.version, cv.recorded_at AS version_recorded_at, vrecorder.display_name AS version_recorder,
      cv.occurred_from, cv.occurred_to, cv.behaviours, cv.impacts, cv.channel, cv.reported_to_police,
      p.name AS perpetrator_name, cv.perpetrator_id IS NOT NULL AS has_perpetrator,
      cv.details_sealed, cv.correction_reason_sealed, r.redacted_at, redactor.display_name AS redactor
    FROM diary_entry_versions cv
    JOIN diary_entries e ON e.organisation_id = cv.organisation_id AND e.entry_id = cv.entry_id
    ${redactionAsAt(asAt)}
    LEFT JOIN users recorder ON recorder.organisation_id = e.organisation_id AND recorder.user_id = e.recorded_by
    LEFT JOIN users vrecorder ON vrecorder.organisation_id = cv.organisation_id AND vrecorder.user_id = cv.recorded_by
    LEFT JOIN users redactor ON redactor.organisation_id = r.organisation_id AND redactor.user_id = r.redacted_by
    LEFT JOIN perpetrators p ON p.organisation_id = cv.organisation_id AND p.perpetrator_id = cv.perpetrator_id
    WHERE ${chosen(organisationId, caseId, filters, asAt)}
      ${after ? sql`AND (cv.occurred_from, e.entry_number) > (${after.occurredFrom}, ${after.entryNumber})` : sql``}
    ORDER BY cv.occurred_from, e.entry_number
    LIMIT ${limit}
  `.execute(trx);
  return rows;
}

export type EarlierVersionRow = {
  entry_id: string;
  version: number;
  recorded_at: Date;
  recorder: string | null;
  occurred_from: Date;
  occurred_to: Date | null;
  details_sealed: Buffer;
  correction_reason_sealed: Buffer | null;
};

/** The versions before the latest (as at `asAt`) of these entries, oldest first. */
export async function earlierVersions(
  trx: DbOrTrx,
  organisationId: string,
  latest: { entryId: string; version: number }[],
): Promise<EarlierVersionRow[]> {
  if (!latest.length) return [];
  const { rows } = await sql<EarlierVersionRow>`
    SELECT v.entry_id, v.version, v.recorded_at, u.display_name AS recorder, v.occurred_from, v.occurred_to,
      v.details_sealed, v.correction_reason_sealed
    FROM diary_entry_versions v
    JOIN unnest(${latest.map((l) => l.entryId)}::uuid[], ${latest.map((l) => l.version)}::int[])
      AS wanted(entry_id, version) ON wanted.entry_id = v.entry_id AND v.version < wanted.version
    LEFT JOIN users u ON u.organisation_id = v.organisation_id AND u.user_id = v.recorded_by
    WHERE v.organisation_id = ${organisationId}
    ORDER BY v.entry_id, v.version
  `.execute(trx);
  return rows;
}

export type BundleExhibitRow = {
  evidence_id: string;
  entry_id: string;
  entry_number: number;
  exhibit_number: number;
  sha256: Buffer;
  size_bytes: number;
  media_type: string;
  original_name_sealed: Buffer;
  captured_at: Date | null;
  uploaded_at: Date;
  storage_key: string;
  thumbnail_key: string | null;
  thumbnail_width: number | null;
  thumbnail_height: number | null;
};

/** The exhibits uploaded by `asAt` to the bundle's entries that are not redacted, in exhibit order. */
export async function bundleExhibits(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  filters: BundleFilters,
  asAt: Date,
): Promise<BundleExhibitRow[]> {
  const { rows } = await sql<BundleExhibitRow>`
    SELECT f.evidence_id, f.entry_id, e.entry_number, f.exhibit_number, f.sha256, f.size_bytes, f.media_type,
      f.original_name_sealed, f.captured_at, f.uploaded_at, f.storage_key,
      t.storage_key AS thumbnail_key, t.width AS thumbnail_width, t.height AS thumbnail_height
    FROM diary_entry_versions cv
    JOIN diary_entries e ON e.organisation_id = cv.organisation_id AND e.entry_id = cv.entry_id
    ${redactionAsAt(asAt)}
    JOIN evidence_files f ON f.organisation_id = cv.organisation_id AND f.entry_id = cv.entry_id
      AND f.uploaded_at <= ${asAt}
    LEFT JOIN evidence_derivatives t ON t.organisation_id = f.organisation_id AND t.evidence_id = f.evidence_id
      AND t.kind = 'thumbnail'
    WHERE ${chosen(organisationId, caseId, filters, asAt)} AND r.entry_id IS NULL
    ORDER BY f.exhibit_number
  `.execute(trx);
  return rows.map((row) => ({ ...row, size_bytes: Number(row.size_bytes) }));
}

export type SummaryFigures = {
  incidents: number;
  redacted: number;
  first: Date | null;
  last: Date | null;
  behaviours: { behaviour: string; incidents: number }[];
  weeks: { week_start: string; incidents: number }[];
};

/** The summary's figures, counted in SQL over categories (no entry is opened). */
export async function summaryFigures(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  filters: BundleFilters,
  asAt: Date,
): Promise<SummaryFigures> {
  const included = sql`
    SELECT cv.entry_id, cv.occurred_from, cv.behaviours, r.entry_id IS NOT NULL AS redacted
    FROM diary_entry_versions cv
    ${redactionAsAt(asAt)}
    WHERE ${chosen(organisationId, caseId, filters, asAt)}`;
  const [totals, behaviours, weeks] = await Promise.all([
    sql<{ incidents: number; redacted: number; first: Date | null; last: Date | null }>`
      WITH included AS (${included})
      SELECT count(*) FILTER (WHERE NOT redacted)::int AS incidents, count(*) FILTER (WHERE redacted)::int AS redacted,
        min(occurred_from) FILTER (WHERE NOT redacted) AS first, max(occurred_from) FILTER (WHERE NOT redacted) AS last
      FROM included`.execute(trx),
    sql<{ behaviour: string; incidents: number }>`
      WITH included AS (${included})
      SELECT b.behaviour, count(*)::int AS incidents
      FROM included, unnest(included.behaviours) AS b(behaviour)
      WHERE NOT redacted
      GROUP BY b.behaviour`.execute(trx),
    sql<{ week_start: string; incidents: number }>`
      WITH included AS (${included})
      SELECT to_char(date_trunc('week', occurred_from AT TIME ZONE 'Europe/London'), 'YYYY-MM-DD') AS week_start,
        count(*)::int AS incidents
      FROM included WHERE NOT redacted
      GROUP BY 1 ORDER BY 1`.execute(trx),
  ]);
  const total = totals.rows[0];
  return {
    incidents: total?.incidents ?? 0,
    redacted: total?.redacted ?? 0,
    first: total?.first ?? null,
    last: total?.last ?? null,
    behaviours: behaviours.rows,
    weeks: weeks.rows,
  };
}

export type CustodyRow = {
  exhibit: number;
  occurred_at: Date;
  action: string;
  actor: string | null;
};

/** The audit trail's events about these exhibits of the case, up to `asAt`, in the order they were recorded. */
export async function custodyEvents(
  trx: DbOrTrx,
  organisationId: string,
  caseReference: string,
  exhibitNumbers: number[],
  asAt: Date,
): Promise<CustodyRow[]> {
  if (!exhibitNumbers.length) return [];
  const { rows } = await sql<CustodyRow>`
    SELECT n.exhibit, a.occurred_at, a.action, u.display_name AS actor
    FROM audit_events a
    CROSS JOIN LATERAL (
      SELECT (a.details ->> 'exhibitNumber')::int AS exhibit WHERE a.details ? 'exhibitNumber'
      UNION ALL
      SELECT value::int FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(a.details -> 'exhibitNumbers') = 'array' THEN a.details -> 'exhibitNumbers' ELSE '[]'::jsonb END)
    ) n
    LEFT JOIN users u ON u.organisation_id = a.organisation_id AND u.user_id = a.actor_user_id
    WHERE a.organisation_id = ${organisationId} AND a.record_type = 'case' AND a.record_id = ${caseReference}
      AND a.action LIKE 'evidence.%' AND a.occurred_at <= ${asAt}
      AND n.exhibit = ANY (${exhibitNumbers}::int[])
    ORDER BY n.exhibit, a.seq
  `.execute(trx);
  return rows;
}

/** The case's escalation signals raised by `asAt`. */
export async function escalationsAsAt(trx: DbOrTrx, organisationId: string, caseId: string, asAt: Date) {
  return trx
    .selectFrom('diary_escalations')
    .select(['detected_at', 'reason'])
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .where('detected_at', '<=', asAt)
    .orderBy('detected_at')
    .execute();
}
