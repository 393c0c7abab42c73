import { createHash, randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import { blindIndexKey } from '../../platform/crypto/blind-index.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { CaseScopedService, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { insertEntry, type AfterDiaryChange } from './diary-entry.ts';
import { entryFacts, readDiaryCsv, sealedImportShape, type SealedImport } from './import.ts';

const importAad = (caseId: string, importId: string) => `case:${caseId}:diary-import:${importId}`;

/**
 * The submission id of the entry a row of an import makes: the same for the same row of the same import, so
 * confirming twice (or two people confirming at once) imports each row once.
 */
export function rowSubmissionId(importId: string, row: number): string {
  const hex = createHash('sha256').update(`diary-import:${importId}:row:${row}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export type CheckResult =
  { kind: 'refused'; message: string } | { kind: 'checked'; importId: string } | { kind: 'stale' };

export type ImportPreview = SealedImport & {
  importId: string;
  createdAt: Date;
  importedAt: Date | null;
  toImport: number;
  toSkip: number;
};

export type ConfirmResult =
  | { kind: 'imported'; count: number }
  | { kind: 'already_imported' }
  | { kind: 'nothing_to_import' }
  | { kind: 'not_found' };

/**
 * Importing a diary kept elsewhere: the file is read and checked, and what it says is sealed under the case's
 * key until the user has seen every row and confirms. Nothing reaches the diary before then; confirming writes
 * every row without a problem as an entry of origin `import`, in one transaction, once.
 */
export class DiaryImportService extends CaseScopedService {
  private readonly afterChange: AfterDiaryChange | undefined;

  constructor(deps: { db: Db; clock: Clock; keys: KeyRing; afterChange?: AfterDiaryChange }) {
    super(deps);
    this.afterChange = deps.afterChange;
  }

  /** The case, if the caller may work on it: for showing the upload form. */
  async caseInScope(session: CurrentSession, caseId: string) {
    return this.scoped(session, caseId, async (_trx, kase) => ({
      caseId: kase.caseId,
      reference: kase.reference,
    }));
  }

  /**
   * Reads and checks a CSV diary and keeps what it says, sealed, for the preview. `importId` comes from the
   * upload form, so sending the same form twice keeps one check; an id already used on another case is `stale`.
   */
  async check(
    session: CurrentSession,
    caseId: string,
    csv: string,
    importId: string = randomUUID(),
  ): Promise<InScope<CheckResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<CheckResult> => {
      const earlier = await trx
        .selectFrom('diary_imports')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('import_id', '=', importId)
        .executeTakeFirst();
      if (earlier) return earlier.case_id === caseId ? { kind: 'checked', importId } : { kind: 'stale' };
      const now = this.clock.now();
      const reading = readDiaryCsv(csv, now);
      if (reading.kind === 'refused') return reading;
      const sealed: SealedImport = {
        rows: reading.rows,
        columns: reading.columns,
        ignoredColumns: reading.ignoredColumns,
      };
      await trx
        .insertInto('diary_imports')
        .values({
          organisation_id: session.organisationId,
          import_id: importId,
          case_id: caseId,
          // Padded to a large block so the ciphertext's length says little about how much the diary holds.
          rows_sealed: sealDocument(kase.key, sealed, importAad(caseId, importId), 16_384),
          row_count: reading.rows.length,
          created_by: session.user.userId,
          created_at: now,
        })
        .execute();
      const toImport = reading.rows.filter((row) => row.entry).length;
      await this.audit(trx, session, kase, 'diary.import_checked', {
        importId,
        rows: reading.rows.length,
        toImport,
      });
      return { kind: 'checked', importId };
    });
  }

  private async openImport(trx: Trx, session: CurrentSession, kase: ScopedCase, importId: string) {
    const row = await trx
      .selectFrom('diary_imports')
      .select(['import_id', 'rows_sealed', 'created_at', 'imported_at'])
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', kase.caseId)
      .where('import_id', '=', importId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    const sealed = openDocument(
      kase.key,
      row.rows_sealed,
      importAad(kase.caseId, importId),
      sealedImportShape,
    );
    return { row, sealed };
  }

  /** Every row of a checked file as it will be imported, with the problems of those that will not. */
  async preview(
    session: CurrentSession,
    caseId: string,
    importId: string,
  ): Promise<InScope<ImportPreview | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const opened = await this.openImport(trx, session, kase, importId);
      if (!opened) return null;
      const toImport = opened.sealed.rows.filter((row) => row.entry).length;
      await this.audit(trx, session, kase, 'diary.import_viewed', { importId });
      return {
        ...opened.sealed,
        importId,
        createdAt: opened.row.created_at,
        importedAt: opened.row.imported_at,
        toImport,
        toSkip: opened.sealed.rows.length - toImport,
      };
    });
  }

  /**
   * Imports every row without a problem, in one transaction: each becomes an entry of origin `import`, recorded
   * by the caller at the import's time. Confirming an import already made changes nothing.
   */
  async confirm(session: CurrentSession, caseId: string, importId: string): Promise<InScope<ConfirmResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<ConfirmResult> => {
      // The row lock makes a second confirmation wait for the first, then find it done.
      const opened = await this.openImport(trx, session, kase, importId);
      if (!opened) return { kind: 'not_found' };
      if (opened.row.imported_at) return { kind: 'already_imported' };
      const rows = opened.sealed.rows.filter((row) => row.entry);
      if (rows.length === 0) return { kind: 'nothing_to_import' };
      const now = this.clock.now();
      const organisationKey = await this.keys.organisationKey(trx, session.organisationId);
      const sealing = {
        organisationId: session.organisationId,
        caseId,
        key: kase.key,
        indexKey: blindIndexKey(organisationKey),
      };
      let count = 0;
      for (const row of rows) {
        const result = await insertEntry(
          trx,
          sealing,
          {
            entryId: randomUUID(),
            submissionId: rowSubmissionId(importId, row.row),
            origin: 'import',
            recordedBy: session.user.userId,
            recordedAt: now,
            importId,
          },
          entryFacts(row.entry!),
        );
        if (result.kind === 'stale')
          throw new Error('An imported row’s submission id belongs to another case');
        if (result.kind === 'created') count += 1;
      }
      await trx
        .updateTable('diary_imports')
        .set({ imported_at: now })
        .where('organisation_id', '=', session.organisationId)
        .where('import_id', '=', importId)
        .execute();
      await this.audit(trx, session, kase, 'diary.imported', {
        importId,
        entries: count,
        skipped: opened.sealed.rows.length - rows.length,
      });
      await this.afterChange?.(trx, kase, session);
      return { kind: 'imported', count };
    });
  }
}
