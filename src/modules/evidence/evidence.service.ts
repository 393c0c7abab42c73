import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { EvidenceLimits } from '../../config.ts';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { EvidenceDerivativesTable } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import { deriveKey, openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import {
  IntegrityError,
  openVerified,
  sealingStream,
  type VerifiedObject,
} from '../../platform/storage/sealed-objects.ts';
import type { ObjectStorage, TempObject } from '../../platform/storage/storage.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { auditCase, withCaseInScope, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import { ContentInspector, IMAGES_WITH_DERIVATIVES, type Inspection } from './content-type.ts';
import {
  derivativesOf,
  entryOfCase,
  exhibitById,
  exhibitOfCase,
  exhibitsOfEntry,
  insertExhibit,
  lastExhibitNumber,
  referencedStorageKeys,
  type ExhibitRow,
} from './evidence.repository.ts';
import { exhibitViews, type ExhibitView } from './evidence-view.ts';
import {
  capturedAtFrom,
  imageDerivatives,
  imageMetadataShape,
  readImageMetadata,
  type ImageMetadata,
} from './image-metadata.ts';

export type DerivativeKind = 'thumbnail' | 'display';

/** An exhibit as the pages show it; its original name and metadata opened from their seals. */
export type Exhibit = {
  evidenceId: string;
  exhibitNumber: number;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  originalName: string;
  capturedAt: Date | null;
  metadata: ImageMetadata | null;
  uploadedBy: string | null;
  uploadedAt: Date;
  derivatives: DerivativeKind[];
};

export type UploadResult =
  { kind: 'recorded'; exhibitNumbers: number[] } | { kind: 'repeat' } | { kind: 'stale_form' };

export type Download =
  | { kind: 'ok'; exhibitNumber: number; mediaType: string; object: VerifiedObject }
  | { kind: 'not_found' }
  | { kind: 'integrity_failed' };

/** Every file of a case is sealed under one subkey of its data key, kept for files alone. */
export const filesKey = (caseKey: Buffer) => deriveKey(caseKey, 'evidence-files');
const originalStorageKey = (organisationId: string, caseId: string, sha256: Buffer) =>
  `${organisationId}/${caseId}/${sha256.toString('hex')}`;
/**
 * An original's name is its SHA-256, which is known only once the last byte has streamed in; its seal binds it
 * to its organisation and case, and every read checks the content's SHA-256 against the name.
 */
export const originalAad = (organisationId: string, caseId: string) =>
  `evidence:${organisationId}/${caseId}:original`;
/** A derivative is made after its original is stored, so its seal names its whole storage key. */
export const derivativeAad = (storageKey: string) => `evidence:${storageKey}`;
export const nameAad = (caseId: string, evidenceId: string) => `case:${caseId}:evidence-name:${evidenceId}`;
const metadataAad = (caseId: string, evidenceId: string) => `case:${caseId}:evidence-metadata:${evidenceId}`;

/**
 * The exhibit id the `index`th file of an upload form gets: made from the form's one-time submission id, so the
 * same form sent twice finds the exhibits it made the first time and makes no others.
 */
export function exhibitIdFor(submissionId: string, index: number): string {
  const digest = createHash('sha256').update(`evidence:${submissionId}:${index}`).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Images larger than this are kept as originals without display copies (they are read whole to make them). */
const LARGEST_IMAGE_FOR_COPIES = 64 * 1024 * 1024;
/** Temporary and unreferenced objects younger than this are left alone: an upload may still be using them. */
export const SWEEP_AFTER_MS = 60 * 60 * 1000;

type EvidenceDeps = { db: Db; clock: Clock; keys: KeyRing; storage: ObjectStorage; limits: EvidenceLimits };

/**
 * Evidence files attached to diary entries. Originals are stored byte-for-byte, encrypted, addressed by their
 * SHA-256 within their case, and re-checked on every read; thumbnails and display copies are separate,
 * EXIF-free derivatives. Database rows are written only once every file of an upload is safely stored, and
 * the sweep removes whatever a failed upload left behind.
 */
export class EvidenceService {
  private readonly deps: EvidenceDeps;

  constructor(deps: EvidenceDeps) {
    this.deps = deps;
  }

  get limits(): EvidenceLimits {
    return this.deps.limits;
  }

  private scoped<T>(
    session: CurrentSession,
    caseId: string,
    work: (trx: Trx, kase: ScopedCase) => Promise<T>,
  ): Promise<InScope<T>> {
    return withCaseInScope(this.deps, session, caseId, work);
  }

  private audit(trx: Trx, session: CurrentSession, kase: ScopedCase, action: string, details: object) {
    return auditCase(trx, session, kase, {
      action,
      at: this.deps.clock.now(),
      details: details as Record<string, unknown>,
    });
  }

  /**
   * Starts receiving files for an entry the caller may work on: null when the entry is not in the case. Check
   * this before reading a request's body, so someone out of scope is refused before anything is stored.
   */
  async beginUpload(
    session: CurrentSession,
    caseId: string,
    entryId: string,
  ): Promise<InScope<EvidenceUpload | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const entry = await entryOfCase(trx, session.organisationId, caseId, entryId);
      if (!entry) return null;
      return new EvidenceUpload(this.deps, session, { caseId, entryId, key: filesKey(kase.key) });
    });
  }

  private exhibitsFrom(
    kase: ScopedCase,
    rows: ExhibitRow[],
    derivatives: EvidenceDerivativesTable[],
  ): Exhibit[] {
    return rows.map((row) => ({
      evidenceId: row.evidence_id,
      exhibitNumber: row.exhibit_number,
      sha256: row.sha256.toString('hex'),
      sizeBytes: row.size_bytes,
      mediaType: row.media_type,
      originalName: openText(kase.key, row.original_name_sealed, nameAad(row.case_id, row.evidence_id)),
      capturedAt: row.captured_at,
      metadata: row.metadata_sealed
        ? openDocument(
            kase.key,
            row.metadata_sealed,
            metadataAad(row.case_id, row.evidence_id),
            imageMetadataShape,
          )
        : null,
      uploadedBy: row.uploaded_by_name,
      uploadedAt: row.uploaded_at,
      derivatives: derivatives.filter((d) => d.evidence_id === row.evidence_id).map((d) => d.kind),
    }));
  }

  /** An entry's exhibits in number order, with the entry's number; null when the entry is not in the case. */
  async exhibits(
    session: CurrentSession,
    caseId: string,
    entryId: string,
    options: { audited: boolean } = { audited: false },
  ): Promise<InScope<{ reference: string; entryNumber: number; exhibits: Exhibit[] } | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const entry = await entryOfCase(trx, session.organisationId, caseId, entryId);
      if (!entry) return null;
      const rows = await exhibitsOfEntry(trx, session.organisationId, caseId, entryId);
      const derivatives = await derivativesOf(
        trx,
        session.organisationId,
        rows.map((row) => row.evidence_id),
      );
      if (options.audited && rows.length > 0) {
        await this.audit(trx, session, kase, 'evidence.listed', {
          entryNumber: entry.entry_number,
          exhibitNumbers: rows.map((row) => row.exhibit_number),
        });
      }
      return {
        reference: kase.reference,
        entryNumber: entry.entry_number,
        exhibits: this.exhibitsFrom(kase, rows, derivatives),
      };
    });
  }

  /**
   * What a diary entry's page shows of its exhibits (see evidence/_exhibits.njk): empty when the entry has none
   * or is not in the case. Download links only for those allowed to download.
   */
  async exhibitsOfEntry(
    session: CurrentSession,
    caseId: string,
    entryId: string,
  ): Promise<InScope<ExhibitView[]>> {
    const found = await this.exhibits(session, caseId, entryId);
    if (found.kind !== 'ok') return found;
    return {
      kind: 'ok',
      value: exhibitViews(caseId, found.value?.exhibits ?? [], can(session.user.role, 'evidence:download')),
    };
  }

  /**
   * An exhibit's original, checked end to end (tag and SHA-256) before anything is sent, its download audited
   * as chain of custody. A failed check is audited too, and nothing is served.
   */
  async original(session: CurrentSession, caseId: string, evidenceId: string): Promise<InScope<Download>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<Download> => {
      const row = await exhibitOfCase(trx, session.organisationId, caseId, evidenceId);
      if (!row) return { kind: 'not_found' };
      const facts = { exhibitNumber: row.exhibit_number, sha256: row.sha256.toString('hex') };
      let object: VerifiedObject | 'missing';
      try {
        object = await openVerified(
          this.deps.storage,
          row.storage_key,
          filesKey(kase.key),
          originalAad(session.organisationId, caseId),
          row.sha256,
          1024 * 1024,
        );
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        object = 'missing';
      }
      if (object === 'missing') {
        await this.audit(trx, session, kase, 'evidence.integrity_failed', facts);
        return { kind: 'integrity_failed' };
      }
      await this.audit(trx, session, kase, 'evidence.downloaded', { ...facts, mediaType: row.media_type });
      return { kind: 'ok', exhibitNumber: row.exhibit_number, mediaType: row.media_type, object };
    });
  }

  /**
   * A thumbnail or display copy, checked (its seal) before it is sent. Viewing a display copy is audited; the
   * thumbnails are not, as they only illustrate a page whose opening is itself recorded.
   */
  async derivative(
    session: CurrentSession,
    caseId: string,
    evidenceId: string,
    kind: DerivativeKind,
  ): Promise<
    InScope<
      { kind: 'ok'; mediaType: string; body: Buffer } | { kind: 'not_found' } | { kind: 'integrity_failed' }
    >
  > {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await exhibitOfCase(trx, session.organisationId, caseId, evidenceId);
      const derivative = row
        ? (await derivativesOf(trx, session.organisationId, [evidenceId])).find((d) => d.kind === kind)
        : undefined;
      if (!row || !derivative) return { kind: 'not_found' } as const;
      let body: Buffer | null = null;
      try {
        const object = await openVerified(
          this.deps.storage,
          derivative.storage_key,
          filesKey(kase.key),
          derivativeAad(derivative.storage_key),
          null,
          Number.MAX_SAFE_INTEGER,
        );
        if (object !== 'missing') {
          body = object.body;
          await object.close();
        }
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
      }
      const facts = { exhibitNumber: row.exhibit_number, sha256: row.sha256.toString('hex') };
      if (!body) {
        await this.audit(trx, session, kase, 'evidence.integrity_failed', { ...facts, copy: kind });
        return { kind: 'integrity_failed' } as const;
      }
      if (kind === 'display')
        await this.audit(trx, session, kase, 'evidence.viewed', { ...facts, copy: kind });
      return { kind: 'ok', mediaType: derivative.media_type, body } as const;
    });
  }

  /**
   * Removes temporary files and stored objects no exhibit refers to, once they are older than an hour (so an
   * upload in flight is left alone). Runs at start-up; safe to run at any time, on any number of servers.
   */
  async sweep(now: Date = this.deps.clock.now()): Promise<{ temporary: number; unreferenced: number }> {
    return this.deps.storage.sweep(new Date(now.getTime() - SWEEP_AFTER_MS), async (keys) => {
      const [organisationId, caseId] = keys[0]!.split('/') as [string, string];
      return inOrganisation(this.deps.db, organisationId, (trx) =>
        referencedStorageKeys(trx, organisationId, caseId, keys),
      );
    });
  }
}

type Received = { temp: TempObject; inspection: Inspection; fileName: string };
type Stored = Received & {
  storageKey: string;
  metadata: ImageMetadata | null;
  derivatives: (EvidenceDerivativesTable & { temp: TempObject })[];
};

/**
 * One upload's files, held as temporary objects until `commit` places them and records them in one transaction.
 * `discard` (always call it, in a finally) removes every temporary object, so a refused, failed or aborted
 * upload leaves nothing behind.
 */
export class EvidenceUpload {
  private readonly deps: EvidenceDeps;
  private readonly session: CurrentSession;
  private readonly target: { caseId: string; entryId: string; key: Buffer };
  private readonly received: Received[] = [];
  private readonly temps: TempObject[] = [];

  constructor(
    deps: EvidenceDeps,
    session: CurrentSession,
    target: { caseId: string; entryId: string; key: Buffer },
  ) {
    this.deps = deps;
    this.session = session;
    this.target = target;
  }

  get count(): number {
    return this.received.length;
  }

  /**
   * Streams one file in: hashed, size-capped and type-checked as it passes, encrypted straight to a temporary
   * object. Throws RefusedFileError (nothing of the file is kept) or the stream's own error.
   */
  async receive(source: Readable, fileName: string): Promise<void> {
    const temp = await this.deps.storage.createTemp();
    this.temps.push(temp);
    const inspector = new ContentInspector(this.deps.limits.maxFileBytes);
    await pipeline(
      source,
      inspector,
      sealingStream(this.target.key, originalAad(this.session.organisationId, this.target.caseId)),
      temp.stream,
    );
    await temp.complete();
    this.received.push({ temp, inspection: inspector.result, fileName: fileName.slice(0, 255) });
  }

  private async sealedTemp(body: Buffer, aad: string): Promise<TempObject> {
    const temp = await this.deps.storage.createTemp();
    this.temps.push(temp);
    await pipeline(Readable.from([body]), sealingStream(this.target.key, aad), temp.stream);
    await temp.complete();
    return temp;
  }

  /** Places each original under its SHA-256, reads its metadata, and makes and stores its display copies. */
  private async store(received: Received): Promise<Stored> {
    const { organisationId } = this.session;
    const { caseId } = this.target;
    const { inspection } = received;
    const storageKey = originalStorageKey(organisationId, caseId, inspection.sha256);
    await received.temp.place(storageKey);
    const image = inspection.mediaType.startsWith('image/');
    const metadata = image ? await readImageMetadata(inspection.head) : null;
    const stored: Stored = { ...received, storageKey, metadata, derivatives: [] };
    if (!IMAGES_WITH_DERIVATIVES.has(inspection.mediaType) || inspection.size > LARGEST_IMAGE_FOR_COPIES)
      return stored;
    const original = await openVerified(
      this.deps.storage,
      storageKey,
      this.target.key,
      originalAad(organisationId, caseId),
      inspection.sha256,
      LARGEST_IMAGE_FOR_COPIES,
    );
    if (original === 'missing') throw new Error('The original just stored is missing');
    await original.close();
    for (const derivative of await imageDerivatives(original.body!, this.deps.limits.maxImagePixels)) {
      const key = `${storageKey}.${derivative.kind}`;
      const temp = await this.sealedTemp(derivative.body, derivativeAad(key));
      await temp.place(key);
      stored.derivatives.push({
        organisation_id: organisationId,
        evidence_id: '',
        kind: derivative.kind,
        media_type: derivative.mediaType,
        size_bytes: derivative.body.length,
        width: derivative.width,
        height: derivative.height,
        storage_key: key,
        temp,
      });
    }
    return stored;
  }

  /**
   * Stores every received file under its key, then records them all as the entry's next exhibits in one
   * transaction, with an audit event each. A form sent again makes nothing new (`repeat`).
   */
  async commit(submissionId: string): Promise<InScope<UploadResult | null>> {
    const stored: Stored[] = [];
    for (const received of this.received) stored.push(await this.store(received));
    const { session } = this;
    const { caseId, entryId } = this.target;
    const now = this.deps.clock.now();
    return withCaseInScope(this.deps, session, caseId, async (trx, kase): Promise<UploadResult | null> => {
      const entry = await entryOfCase(trx, session.organisationId, caseId, entryId);
      if (!entry) return null;
      // One writer at a time per case, so exhibit numbers are gap-free and in the order they were recorded.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`evidence:${caseId}`}, 13))`.execute(trx);
      const earlier = await exhibitById(trx, session.organisationId, exhibitIdFor(submissionId, 0));
      if (earlier)
        return earlier.case_id === caseId && earlier.entry_id === entryId
          ? { kind: 'repeat' }
          : { kind: 'stale_form' };
      let number = await lastExhibitNumber(trx, session.organisationId, caseId);
      const exhibitNumbers: number[] = [];
      for (const [index, file] of stored.entries()) {
        number += 1;
        const evidenceId = exhibitIdFor(submissionId, index);
        const capturedAt = file.metadata ? capturedAtFrom(file.metadata.takenAt, file.metadata.offset) : null;
        await insertExhibit(
          trx,
          {
            organisation_id: session.organisationId,
            evidence_id: evidenceId,
            case_id: caseId,
            entry_id: entryId,
            exhibit_number: number,
            sha256: file.inspection.sha256,
            size_bytes: file.inspection.size,
            media_type: file.inspection.mediaType,
            original_name_sealed: seal(kase.key, file.fileName, nameAad(caseId, evidenceId)),
            metadata_sealed: file.metadata
              ? sealDocument(kase.key, file.metadata, metadataAad(caseId, evidenceId))
              : null,
            captured_at: capturedAt,
            storage_key: file.storageKey,
            uploaded_by: session.user.userId,
            uploaded_at: now,
          },
          file.derivatives.map(({ temp: _temp, ...derivative }) => ({
            ...derivative,
            evidence_id: evidenceId,
          })),
        );
        await appendAuditEvent(
          trx,
          {
            organisationId: session.organisationId,
            actorUserId: session.user.userId,
            action: 'evidence.uploaded',
            recordType: 'case',
            recordId: kase.reference,
            details: {
              entryNumber: entry.entry_number,
              exhibitNumber: number,
              sha256: file.inspection.sha256.toString('hex'),
              mediaType: file.inspection.mediaType,
              sizeBytes: file.inspection.size,
            },
          },
          now,
        );
        exhibitNumbers.push(number);
      }
      return { kind: 'recorded', exhibitNumbers };
    });
  }

  /** Removes every temporary object this upload made (placed objects stay, under their keys). */
  async discard(): Promise<void> {
    await Promise.all(this.temps.map((temp) => temp.discard()));
  }
}
