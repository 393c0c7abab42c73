import type { DbOrTrx } from '../../db/database.ts';
import type { EvidenceDerivativesTable, EvidenceFilesTable } from '../../db/schema.ts';

export type ExhibitRow = Omit<EvidenceFilesTable, 'captured_at' | 'uploaded_at'> & {
  captured_at: Date | null;
  uploaded_at: Date;
  uploaded_by_name: string | null;
};

/** The diary entry evidence is attached to, if it is in the case. */
export async function entryOfCase(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  entryId: string,
): Promise<{ entry_number: number } | undefined> {
  return trx
    .selectFrom('diary_entries')
    .select('entry_number')
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .where('entry_id', '=', entryId)
    .executeTakeFirst();
}

const exhibitColumns = [
  'f.organisation_id',
  'f.evidence_id',
  'f.case_id',
  'f.entry_id',
  'f.exhibit_number',
  'f.sha256',
  'f.size_bytes',
  'f.media_type',
  'f.original_name_sealed',
  'f.metadata_sealed',
  'f.captured_at',
  'f.storage_key',
  'f.uploaded_by',
  'f.uploaded_at',
  'u.display_name as uploaded_by_name',
] as const;

function exhibits(trx: DbOrTrx, organisationId: string) {
  return trx
    .selectFrom('evidence_files as f')
    .leftJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'f.organisation_id').onRef('u.user_id', '=', 'f.uploaded_by'),
    )
    .select(exhibitColumns)
    .where('f.organisation_id', '=', organisationId);
}

export async function exhibitsOfEntry(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  entryId: string,
): Promise<ExhibitRow[]> {
  const rows = await exhibits(trx, organisationId)
    .where('f.case_id', '=', caseId)
    .where('f.entry_id', '=', entryId)
    .orderBy('f.exhibit_number')
    .execute();
  return rows.map((row) => ({ ...row, size_bytes: Number(row.size_bytes) }));
}

export async function exhibitOfCase(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  evidenceId: string,
): Promise<ExhibitRow | undefined> {
  const row = await exhibits(trx, organisationId)
    .where('f.case_id', '=', caseId)
    .where('f.evidence_id', '=', evidenceId)
    .executeTakeFirst();
  return row ? { ...row, size_bytes: Number(row.size_bytes) } : undefined;
}

export async function derivativesOf(
  trx: DbOrTrx,
  organisationId: string,
  evidenceIds: string[],
): Promise<EvidenceDerivativesTable[]> {
  if (evidenceIds.length === 0) return [];
  const rows = await trx
    .selectFrom('evidence_derivatives')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('evidence_id', 'in', evidenceIds)
    .execute();
  return rows.map((row) => ({ ...row, size_bytes: Number(row.size_bytes) }));
}

/** The exhibit an upload's first file was given, if that upload was already recorded. */
export async function exhibitById(
  trx: DbOrTrx,
  organisationId: string,
  evidenceId: string,
): Promise<{ case_id: string; entry_id: string } | undefined> {
  return trx
    .selectFrom('evidence_files')
    .select(['case_id', 'entry_id'])
    .where('organisation_id', '=', organisationId)
    .where('evidence_id', '=', evidenceId)
    .executeTakeFirst();
}

export async function lastExhibitNumber(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
): Promise<number> {
  const { last } = await trx
    .selectFrom('evidence_files')
    .select((eb) => eb.fn.max<number | null>('exhibit_number').as('last'))
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .executeTakeFirstOrThrow();
  return last ?? 0;
}

export async function insertExhibit(
  trx: DbOrTrx,
  row: Omit<EvidenceFilesTable, 'captured_at' | 'uploaded_at'> & {
    captured_at: Date | null;
    uploaded_at: Date;
  },
  derivatives: EvidenceDerivativesTable[],
): Promise<void> {
  await trx.insertInto('evidence_files').values(row).execute();
  if (derivatives.length) await trx.insertInto('evidence_derivatives').values(derivatives).execute();
}

/** Which of these storage keys, all in one case's folder, an exhibit or a derivative of one refers to. */
export async function referencedStorageKeys(
  trx: DbOrTrx,
  organisationId: string,
  caseId: string,
  keys: string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const files = await trx
    .selectFrom('evidence_files')
    .select('storage_key')
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .where('storage_key', 'in', keys)
    .execute();
  const derived = await trx
    .selectFrom('evidence_derivatives as d')
    .innerJoin('evidence_files as f', (join) =>
      join.onRef('f.organisation_id', '=', 'd.organisation_id').onRef('f.evidence_id', '=', 'd.evidence_id'),
    )
    .select('d.storage_key')
    .where('d.organisation_id', '=', organisationId)
    .where('f.case_id', '=', caseId)
    .where('d.storage_key', 'in', keys)
    .execute();
  return new Set([...files, ...derived].map((row) => row.storage_key));
}
