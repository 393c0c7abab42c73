import { sql } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../../db/database.ts';
import type { DiaryOrigin } from '../../db/schema.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { ScopedCase } from '../cases/case-scope.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { seal } from '../../platform/crypto/envelope.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import type { IncidentBehaviour, IncidentChannel, IncidentImpact } from './incident-types.ts';
import { indexHashes, searchKey } from './search-words.ts';

/** What an entry says in words: sealed as one document under the case's data key. */
export const entryDetailsShape = z.object({
  description: z.string(),
  location: z.string().nullable(),
  mapPoint: z.object({ latitude: z.number(), longitude: z.number() }).nullable(),
  accountUsed: z.string().nullable(),
  impactInWords: z.string().nullable(),
  witnesses: z.string().nullable(),
  evidenceSaved: z.string().nullable(),
  policeOfficer: z.string().nullable(),
  crimeReference: z.string().nullable(),
});
export type EntryDetails = z.infer<typeof entryDetailsShape>;

export type MarkedIdentifier = { kind: 'phone' | 'email' | 'handle'; value: string; platform: string | null };

/** Everything one version of an entry records. */
export type IncidentFacts = {
  /** Exactly when it happened, or the start of the range it happened within. */
  occurredFrom: Date;
  /** The end of that range; null when the time is exact. */
  occurredTo: Date | null;
  behaviours: IncidentBehaviour[];
  impacts: IncidentImpact[];
  channel: IncidentChannel | null;
  perpetratorId: string | null;
  reportedToPolice: boolean;
  details: EntryDetails;
  identifiers: MarkedIdentifier[];
};

export const detailsAad = (caseId: string, entryId: string, version: number) =>
  `case:${caseId}:diary-entry:${entryId}:v${version}`;
const identifierAad = (caseId: string, entryId: string, version: number, kind: string) =>
  `case:${caseId}:diary-identifier:${entryId}:v${version}:${kind}`;
export const correctionAad = (caseId: string, entryId: string, version: number) =>
  `case:${caseId}:diary-correction:${entryId}:v${version}`;
export const redactionAad = (caseId: string, entryId: string) => `case:${caseId}:diary-redaction:${entryId}`;

export function openEntryDetails(
  key: Buffer,
  caseId: string,
  entryId: string,
  version: number,
  sealed: Buffer,
) {
  return openDocument(key, sealed, detailsAad(caseId, entryId, version), entryDetailsShape);
}

/**
 * Called in the transaction that changed a case's diary (an entry recorded, corrected or imported), after the
 * change: the escalation rules plug in here.
 */
export type AfterDiaryChange = (trx: Trx, kase: ScopedCase, session: CurrentSession) => Promise<void>;

type Sealing = { organisationId: string; caseId: string; key: Buffer; indexKey: Buffer };

/** Writes one version of an entry (the first, or a correction with its reason) with its marked identifiers. */
export async function insertEntryVersion(
  trx: Trx,
  sealing: Sealing,
  entry: { entryId: string; version: number; recordedBy: string | null; recordedAt: Date },
  facts: IncidentFacts,
  correctionReason: string | null,
): Promise<void> {
  const { organisationId, caseId, key, indexKey } = sealing;
  const { entryId, version } = entry;
  await trx
    .insertInto('diary_entry_versions')
    .values({
      organisation_id: organisationId,
      entry_id: entryId,
      version,
      case_id: caseId,
      occurred_from: facts.occurredFrom,
      occurred_to: facts.occurredTo,
      behaviours: facts.behaviours,
      impacts: facts.impacts,
      channel: facts.channel,
      perpetrator_id: facts.perpetratorId,
      reported_to_police: facts.reportedToPolice,
      details_sealed: sealDocument(key, facts.details, detailsAad(caseId, entryId, version), 512),
      correction_reason_sealed:
        correctionReason === null
          ? null
          : seal(key, correctionReason, correctionAad(caseId, entryId, version)),
      recorded_by: entry.recordedBy,
      recorded_at: entry.recordedAt,
    })
    .execute();
  await indexWords(trx, sealing, [{ entryId, version, details: facts.details }]);
  const identifiers = new Map(
    facts.identifiers.map((identifier) => [
      `${identifier.kind}:${blindIndex(indexKey, identifier.kind, identifier.value).toString('hex')}`,
      identifier,
    ]),
  );
  if (identifiers.size === 0) return;
  await trx
    .insertInto('diary_entry_identifiers')
    .values(
      [...identifiers.values()].map((identifier) => ({
        organisation_id: organisationId,
        entry_id: entryId,
        version,
        kind: identifier.kind,
        index: blindIndex(indexKey, identifier.kind, identifier.value),
        value_sealed: seal(key, identifier.value, identifierAad(caseId, entryId, version, identifier.kind)),
        platform: identifier.platform,
      })),
    )
    .execute();
}

/**
 * Stores the keyed hashes of the words of entry versions, for searching the case's diary (ADR 0017). A version
 * already indexed (by a search running at the same time) is left as it is.
 */
async function indexWords(
  trx: Trx,
  sealing: Pick<Sealing, 'organisationId' | 'caseId' | 'key'>,
  versions: { entryId: string; version: number; details: EntryDetails }[],
): Promise<void> {
  if (!versions.length) return;
  const key = searchKey(sealing.key);
  await trx
    .insertInto('diary_entry_words')
    .values(
      versions.map(({ entryId, version, details }) => ({
        organisation_id: sealing.organisationId,
        entry_id: entryId,
        version,
        case_id: sealing.caseId,
        words: indexHashes(key, details),
      })),
    )
    .onConflict((conflict) => conflict.columns(['organisation_id', 'entry_id', 'version']).doNothing())
    .execute();
}

/**
 * Indexes the words of the case's current, unredacted entry versions that have no index yet: those written
 * before the index existed. Run before a search, in its transaction, so every entry can be found.
 */
export async function indexUnindexedVersions(
  trx: Trx,
  sealing: Pick<Sealing, 'organisationId' | 'caseId' | 'key'>,
): Promise<number> {
  const { organisationId, caseId, key } = sealing;
  const { rows } = await sql<{ entry_id: string; version: number; details_sealed: Buffer }>`
    SELECT cv.entry_id, cv.version, cv.details_sealed
    FROM diary_entry_versions cv
    WHERE cv.organisation_id = ${organisationId} AND cv.case_id = ${caseId}
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_words w
        WHERE w.organisation_id = cv.organisation_id AND w.entry_id = cv.entry_id AND w.version = cv.version
      )
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_versions later
        WHERE later.organisation_id = cv.organisation_id AND later.entry_id = cv.entry_id
          AND later.version > cv.version
      )
      AND NOT EXISTS (
        SELECT 1 FROM diary_entry_redactions r
        WHERE r.organisation_id = cv.organisation_id AND r.entry_id = cv.entry_id
      )
  `.execute(trx);
  for (let start = 0; start < rows.length; start += 500)
    await indexWords(
      trx,
      sealing,
      rows.slice(start, start + 500).map((row) => ({
        entryId: row.entry_id,
        version: row.version,
        details: openEntryDetails(key, caseId, row.entry_id, row.version, row.details_sealed),
      })),
    );
  return rows.length;
}

/**
 * Records a new entry in a case's diary, numbered next in that diary. A repeat of the same submission id
 * writes nothing and returns the entry it made the first time (so a double submit makes one entry); the id
 * already used on another case is `stale`.
 */
export async function insertEntry(
  trx: Trx,
  sealing: Sealing,
  entry: {
    entryId: string;
    submissionId: string;
    origin: DiaryOrigin;
    recordedBy: string | null;
    recordedAt: Date;
    importId: string | null;
  },
  facts: IncidentFacts,
): Promise<{ kind: 'created' | 'repeat'; entryId: string; entryNumber: number } | { kind: 'stale' }> {
  const { organisationId, caseId } = sealing;
  // One writer at a time per case's diary, so entry numbers are gap-free and in recording order.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`diary:${caseId}`}, 13))`.execute(trx);
  const earlier = await trx
    .selectFrom('diary_entries')
    .select(['entry_id', 'case_id', 'entry_number'])
    .where('organisation_id', '=', organisationId)
    .where('submission_id', '=', entry.submissionId)
    .executeTakeFirst();
  if (earlier) {
    return earlier.case_id === caseId
      ? { kind: 'repeat', entryId: earlier.entry_id, entryNumber: earlier.entry_number }
      : { kind: 'stale' };
  }
  const { last } = await trx
    .selectFrom('diary_entries')
    .select((eb) => eb.fn.max<number | null>('entry_number').as('last'))
    .where('organisation_id', '=', organisationId)
    .where('case_id', '=', caseId)
    .executeTakeFirstOrThrow();
  const entryNumber = (last ?? 0) + 1;
  await trx
    .insertInto('diary_entries')
    .values({
      organisation_id: organisationId,
      entry_id: entry.entryId,
      case_id: caseId,
      entry_number: entryNumber,
      origin: entry.origin,
      recorded_by: entry.recordedBy,
      recorded_at: entry.recordedAt,
      import_id: entry.importId,
      submission_id: entry.submissionId,
    })
    .execute();
  await insertEntryVersion(
    trx,
    sealing,
    { entryId: entry.entryId, version: 1, recordedBy: entry.recordedBy, recordedAt: entry.recordedAt },
    facts,
    null,
  );
  return { kind: 'created', entryId: entry.entryId, entryNumber };
}
