import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { CaseCondition } from '../cases/case-access.ts';
import type {
  PerpetratorAlertsTable,
  PerpetratorIdentifierKind,
  PerpetratorIdentifiersTable,
  PerpetratorsTable,
} from '../../db/schema.ts';

export type PerpetratorRow = Selectable<PerpetratorsTable>;
export type IdentifierRow = Selectable<PerpetratorIdentifiersTable>;
export type AlertRow = Selectable<PerpetratorAlertsTable>;

/**
 * Whose records a query may return: the whole organisation, or only what is linked to the cases someone may
 * open (the condition from `caseVisibleTo`).
 */
export type RecordScope = { kind: 'organisation' } | { kind: 'cases'; visible: CaseCondition };

export type CaseRef = { case_id: string; reference: string; allocated_to: string | null; status: string };

/** A case, if it is within the scope. */
export async function findCase(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  scope: RecordScope,
): Promise<CaseRef | undefined> {
  let query = trx
    .selectFrom('cases')
    .select(['case_id', 'reference', 'allocated_to', 'status'])
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId);
  if (scope.kind === 'cases') query = query.where(scope.visible);
  return query.executeTakeFirst();
}

/** A perpetrator, if it is within the scope: for a caseload, linked to at least one case allocated to them. */
export async function findPerpetrator(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorId: string,
  scope: RecordScope,
): Promise<PerpetratorRow | undefined> {
  let query = trx
    .selectFrom('perpetrators')
    .selectAll()
    .where('perpetrators.organisation_id', '=', organisationId)
    .where('perpetrators.perpetrator_id', '=', perpetratorId);
  if (scope.kind === 'cases') {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('case_perpetrators')
          .innerJoin('cases', (join) =>
            join
              .onRef('cases.organisation_id', '=', 'case_perpetrators.organisation_id')
              .onRef('cases.case_id', '=', 'case_perpetrators.case_id'),
          )
          .select(sql.lit(1).as('one'))
          .whereRef('case_perpetrators.organisation_id', '=', 'perpetrators.organisation_id')
          .whereRef('case_perpetrators.perpetrator_id', '=', 'perpetrators.perpetrator_id')
          .where(scope.visible),
      ),
    );
  }
  return query.executeTakeFirst();
}

export async function insertPerpetrator(trx: DbOrTrx, row: Insertable<PerpetratorsTable>): Promise<boolean> {
  const inserted = await trx
    .insertInto('perpetrators')
    .values(row)
    .onConflict((conflict) => conflict.columns(['organisation_id', 'perpetrator_id']).doNothing())
    .returning('perpetrator_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updatePerpetrator(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorId: string,
  values: Updateable<PerpetratorsTable>,
): Promise<void> {
  await trx
    .updateTable('perpetrators')
    .set(values)
    .where('organisation_id', '=', organisationId)
    .where('perpetrator_id', '=', perpetratorId)
    .execute();
}

/** Adds identifiers; one the perpetrator already has (same kind and blind index) is skipped. */
export async function insertIdentifiers(
  trx: DbOrTrx,
  rows: Insertable<PerpetratorIdentifiersTable>[],
): Promise<number> {
  if (!rows.length) return 0;
  const inserted = await trx
    .insertInto('perpetrator_identifiers')
    .values(rows)
    .onConflict((conflict) =>
      conflict.columns(['organisation_id', 'perpetrator_id', 'kind', 'index']).doNothing(),
    )
    .returning('identifier_id')
    .execute();
  return inserted.length;
}

export async function identifiersOf(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorId: string,
): Promise<IdentifierRow[]> {
  return trx
    .selectFrom('perpetrator_identifiers')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('perpetrator_id', '=', perpetratorId)
    .orderBy('kind')
    .execute();
}

/** Links a perpetrator to a case; false when the link was already there. */
export async function linkToCase(
  trx: DbOrTrx,
  values: {
    organisation_id: string;
    case_id: string;
    perpetrator_id: string;
    relationship: string;
    linked_at: Date;
    linked_by: string;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('case_perpetrators')
    .values(values)
    .onConflict((conflict) => conflict.columns(['organisation_id', 'case_id', 'perpetrator_id']).doNothing())
    .returning('case_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export type LinkedCase = {
  perpetrator_id: string;
  case_id: string;
  reference: string;
  allocated_to: string | null;
  relationship: string;
  linked_at: Date;
};

/** The cases each of these perpetrators is linked to, oldest link first. */
export async function linkedCases(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorIds: string[],
): Promise<LinkedCase[]> {
  if (!perpetratorIds.length) return [];
  return trx
    .selectFrom('case_perpetrators')
    .innerJoin('cases', (join) =>
      join
        .onRef('cases.organisation_id', '=', 'case_perpetrators.organisation_id')
        .onRef('cases.case_id', '=', 'case_perpetrators.case_id'),
    )
    .select([
      'case_perpetrators.perpetrator_id',
      'case_perpetrators.case_id',
      'cases.reference',
      'cases.allocated_to',
      'case_perpetrators.relationship',
      'case_perpetrators.linked_at',
    ])
    .where('case_perpetrators.organisation_id', '=', organisationId)
    .where('case_perpetrators.perpetrator_id', 'in', perpetratorIds)
    .orderBy('case_perpetrators.linked_at')
    .execute();
}

/** The perpetrators linked to one case, with how each is related to its client. */
export async function perpetratorsOfCase(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<(PerpetratorRow & { relationship: string; linked_at: Date })[]> {
  return trx
    .selectFrom('case_perpetrators')
    .innerJoin('perpetrators', (join) =>
      join
        .onRef('perpetrators.organisation_id', '=', 'case_perpetrators.organisation_id')
        .onRef('perpetrators.perpetrator_id', '=', 'case_perpetrators.perpetrator_id'),
    )
    .selectAll('perpetrators')
    .select(['case_perpetrators.relationship', 'case_perpetrators.linked_at'])
    .where('case_perpetrators.organisation_id', '=', organisationId)
    .where('case_perpetrators.case_id', '=', caseId)
    .orderBy('case_perpetrators.linked_at')
    .execute();
}

export type IdentifierProbe = { kind: PerpetratorIdentifierKind; index: Buffer };

/** Perpetrators with any of these identifiers: an indexed equality on (organisation, kind, blind index). */
export async function identifierMatches(
  trx: DbOrTrx,
  organisationId: string,
  probes: IdentifierProbe[],
): Promise<{ perpetrator_id: string; kind: PerpetratorIdentifierKind }[]> {
  if (!probes.length) return [];
  return trx
    .selectFrom('perpetrator_identifiers')
    .select(['perpetrator_id', 'kind'])
    .distinct()
    .where('organisation_id', '=', organisationId)
    .where((eb) =>
      eb.or(probes.map((probe) => eb.and([eb('kind', '=', probe.kind), eb('index', '=', probe.index)]))),
    )
    .limit(200)
    .execute();
}

/**
 * Perpetrators whose name or any other name is like one of these (pg_trgm similarity at least `threshold`) and
 * whose date of birth, when both are known, is the same. The organisation's perpetrators are compared one by
 * one: a few thousand at most.
 */
export async function nameMatches(
  trx: DbOrTrx,
  organisationId: string,
  names: string[],
  dateOfBirth: string | null,
  threshold: number,
): Promise<{ perpetrator_id: string; similarity: number; same_date_of_birth: boolean }[]> {
  if (!names.length) return [];
  const result = await sql<{ perpetrator_id: string; similarity: number; same_date_of_birth: boolean }>`
    SELECT p.perpetrator_id,
           max(similarity(known.name, typed.name)) AS similarity,
           coalesce(bool_or(p.date_of_birth = ${dateOfBirth}::date), false) AS same_date_of_birth
    FROM perpetrators p
    CROSS JOIN LATERAL unnest(array_prepend(p.name, p.aliases)) AS known (name)
    CROSS JOIN unnest(${names}::text[]) AS typed (name)
    WHERE p.organisation_id = ${organisationId}
      AND (${dateOfBirth}::date IS NULL OR p.date_of_birth IS NULL OR p.date_of_birth = ${dateOfBirth}::date)
    GROUP BY p.perpetrator_id
    HAVING max(similarity(known.name, typed.name)) >= ${threshold}
    ORDER BY 2 DESC
    LIMIT 50
  `.execute(trx);
  return result.rows.map((row) => ({ ...row, similarity: Number(row.similarity) }));
}

/** The perpetrators among these that are linked to a case allocated to this person. */
export async function linkedToCaseload(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorIds: string[],
  userId: string,
): Promise<Set<string>> {
  if (!perpetratorIds.length) return new Set();
  const rows = await trx
    .selectFrom('case_perpetrators')
    .innerJoin('cases', (join) =>
      join
        .onRef('cases.organisation_id', '=', 'case_perpetrators.organisation_id')
        .onRef('cases.case_id', '=', 'case_perpetrators.case_id'),
    )
    .select('case_perpetrators.perpetrator_id')
    .distinct()
    .where('case_perpetrators.organisation_id', '=', organisationId)
    .where('case_perpetrators.perpetrator_id', 'in', perpetratorIds)
    .where('cases.allocated_to', '=', userId)
    .execute();
  return new Set(rows.map((row) => row.perpetrator_id));
}

export async function perpetratorsByIds(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorIds: string[],
): Promise<PerpetratorRow[]> {
  if (!perpetratorIds.length) return [];
  return trx
    .selectFrom('perpetrators')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('perpetrator_id', 'in', perpetratorIds)
    .execute();
}

/** Any alert, waiting or acknowledged, about this perpetrator and case. */
export async function alertsFor(
  trx: DbOrTrx,
  organisationId: string,
  perpetratorId: string,
  caseId: string,
): Promise<AlertRow[]> {
  return trx
    .selectFrom('perpetrator_alerts')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('perpetrator_id', '=', perpetratorId)
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
}

/** Records an alert; false when one about this perpetrator and case is already waiting. */
export async function insertAlert(trx: DbOrTrx, row: Insertable<PerpetratorAlertsTable>): Promise<boolean> {
  const inserted = await trx
    .insertInto('perpetrator_alerts')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .columns(['organisation_id', 'perpetrator_id', 'case_id'])
        .where('acknowledged_at', 'is', null)
        .doNothing(),
    )
    .returning('alert_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateAlertReasons(
  trx: DbOrTrx,
  organisationId: string,
  alertId: string,
  reasons: string,
): Promise<void> {
  await trx
    .updateTable('perpetrator_alerts')
    .set({ reasons })
    .where('organisation_id', '=', organisationId)
    .where('alert_id', '=', alertId)
    .where('acknowledged_at', 'is', null)
    .execute();
}

export type WaitingAlert = {
  alert_id: string;
  perpetrator_id: string;
  case_id: string;
  reasons: string;
  created_at: Date;
  name: string | null;
  reference: string;
  linked: boolean;
};

/** Alerts nobody has acknowledged yet, oldest first. */
export async function waitingAlerts(
  trx: DbOrTrx,
  organisationId: string,
  limit: number,
): Promise<WaitingAlert[]> {
  const rows = await trx
    .selectFrom('perpetrator_alerts')
    .innerJoin('perpetrators', (join) =>
      join
        .onRef('perpetrators.organisation_id', '=', 'perpetrator_alerts.organisation_id')
        .onRef('perpetrators.perpetrator_id', '=', 'perpetrator_alerts.perpetrator_id'),
    )
    .innerJoin('cases', (join) =>
      join
        .onRef('cases.organisation_id', '=', 'perpetrator_alerts.organisation_id')
        .onRef('cases.case_id', '=', 'perpetrator_alerts.case_id'),
    )
    .select((eb) => [
      'perpetrator_alerts.alert_id',
      'perpetrator_alerts.perpetrator_id',
      'perpetrator_alerts.case_id',
      'perpetrator_alerts.reasons',
      'perpetrator_alerts.created_at',
      'perpetrators.name',
      'cases.reference',
      eb
        .exists(
          eb
            .selectFrom('case_perpetrators')
            .select(sql.lit(1).as('one'))
            .whereRef('case_perpetrators.organisation_id', '=', 'perpetrator_alerts.organisation_id')
            .whereRef('case_perpetrators.perpetrator_id', '=', 'perpetrator_alerts.perpetrator_id')
            .whereRef('case_perpetrators.case_id', '=', 'perpetrator_alerts.case_id'),
        )
        .as('linked'),
    ])
    .where('perpetrator_alerts.organisation_id', '=', organisationId)
    .where('perpetrator_alerts.acknowledged_at', 'is', null)
    .orderBy('perpetrator_alerts.created_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, linked: Boolean(row.linked) }));
}

/** Acknowledges a waiting alert; undefined when there is no such alert waiting. */
export async function acknowledgeAlert(
  trx: DbOrTrx,
  organisationId: string,
  alertId: string,
  userId: string,
  now: Date,
): Promise<{ perpetrator_id: string; case_id: string } | undefined> {
  return trx
    .updateTable('perpetrator_alerts')
    .set({ acknowledged_at: now, acknowledged_by: userId })
    .where('organisation_id', '=', organisationId)
    .where('alert_id', '=', alertId)
    .where('acknowledged_at', 'is', null)
    .returning(['perpetrator_id', 'case_id'])
    .executeTakeFirst();
}

export async function findAlert(
  trx: DbOrTrx,
  organisationId: string,
  alertId: string,
): Promise<AlertRow | undefined> {
  return trx
    .selectFrom('perpetrator_alerts')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('alert_id', '=', alertId)
    .executeTakeFirst();
}
