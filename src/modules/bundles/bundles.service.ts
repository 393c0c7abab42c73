import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { inOrganisation, type Db, type Trx } from '../../db/database.ts';
import type { BundlePurpose, BundleStatus } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Clock } from '../../platform/clock.ts';
import { deriveKey, openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { can } from '../../platform/permissions.ts';
import { writePdf, type PdfDocumentSpec } from '../../platform/pdf/pdf.ts';
import {
  IntegrityError,
  openVerified,
  sealingStream,
  type VerifiedObject,
} from '../../platform/storage/sealed-objects.ts';
import type { ObjectStorage } from '../../platform/storage/storage.ts';
import { paths } from '../../paths.ts';
import { CaseScopedService, type InScope } from '../cases/case-scope.ts';
import { findClient, rowToClient } from '../cases/clients.repository.ts';
import { addressDocument, type Address } from '../clients/client-record.schema.ts';
import { contactHistory, findDetails } from '../clients/client-record.repository.ts';
import { safeContactDocument } from '../clients/identity-contact.schema.ts';
import { openDocument } from '../clients/sealed-document.ts';
import { openEntryDetails } from '../diary/diary-entry.ts';
import { whenText } from '../diary/diary-view.ts';
import { behaviourLabel, INCIDENT_CHANNELS, INCIDENT_IMPACTS } from '../diary/incident-types.ts';
import { EXTENSIONS } from '../evidence/content-type.ts';
import { derivativeAad, filesKey, nameAad, originalAad } from '../evidence/evidence.service.ts';
import { addDays } from '../diary/patterns.ts';
import {
  ExhibitIntegrityError,
  writeBundleArchive,
  type ArchiveResult,
  type ExhibitSource,
} from './archive.ts';
import {
  bundleDocument,
  isPolicePurposeValue,
  PURPOSE_LABELS,
  type BundleContent,
  type ScheduleItem,
} from './bundle-document.ts';
import {
  bundleExhibits,
  custodyEvents,
  earlierVersions,
  escalationsAsAt,
  schedulePage,
  summaryFigures,
  type BundleFilters,
  type ScheduleRow,
} from './bundles.repository.ts';
import { MANIFEST_FORMAT } from './manifest.ts';
import { contactRedactor, type ContactTerms } from './redaction.ts';
import { activeSigningKey, currentPublicKey, publishedKey, type PublishedKey } from './signing-keys.ts';

/** What the caseworker chooses for a bundle. */
export type BundleRequest = {
  purpose: BundlePurpose;
  from: string | null;
  to: string | null;
  behaviours: string[];
  perpetratorId: string | null;
  withAttachments: boolean;
  redactContact: boolean;
  /** For police copies only: the client consents, or the bundle goes without consent for a reason. */
  consent: { kind: 'consents' } | { kind: 'override'; reason: string } | null;
};

export type BundleJob = {
  bundleId: string;
  caseId: string;
  reference: string;
  purpose: BundlePurpose;
  status: BundleStatus;
  progress: number;
  stage: string;
  requestedAt: Date;
  requestedBy: string;
  redacted: boolean;
  withAttachments: boolean;
  consent: 'consents' | 'override' | null;
  incidents: number | null;
  exhibits: number | null;
  pages: number | null;
  zipSha256: string | null;
  zipSize: number | null;
  failure: string | null;
  keyId: string;
};

export type BuildResult = ArchiveResult & { incidents: number; exhibits: number };

export type RequestResult = { kind: 'queued'; bundleId: string } | { kind: 'stale_form' };

export type BundleDownload = { fileName: string; size: number; stream: Readable };

export type BundleDeps = {
  db: Db;
  clock: Clock;
  keys: KeyRing;
  evidenceStorage: ObjectStorage;
  bundleStorage: ObjectStorage;
  publicUrl: string;
};

/** Schedule entries read from the database at a time. */
const SCHEDULE_PAGE = 250;
/** How long a running job may go without its worker reporting before another worker takes it on. */
export const STALE_JOB_MS = 2 * 60 * 1000;
/** A job that has failed this many times (its worker stopped each time) is not tried again. */
const MOST_ATTEMPTS = 3;

const bundlesKey = (caseKey: Buffer) => deriveKey(caseKey, 'evidence-bundles');
const bundleAad = (organisationId: string, caseId: string, bundleId: string) =>
  `bundle:${organisationId}/${caseId}/${bundleId}`;
const consentAad = (caseId: string, bundleId: string) => `case:${caseId}:bundle-consent:${bundleId}`;
const storageKeyOf = (organisationId: string, caseId: string, sha256: string) =>
  `${organisationId}/${caseId}/${sha256}`;

export const DOCUMENT_FILE = 'evidence-bundle.pdf';
export const bundleFileName = (bundleId: string) => `evidence-bundle-${bundleId}.zip`;
const exhibitFile = (exhibit: number, mediaType: string) =>
  `exhibits/EX${String(exhibit).padStart(4, '0')}.${EXTENSIONS[mediaType] ?? 'bin'}`;

type JobRow = Awaited<ReturnType<typeof jobRows>>[number];

function jobRows(trx: Trx, organisationId: string) {
  return trx
    .selectFrom('bundle_jobs as j')
    .innerJoin('cases as c', (join) =>
      join.onRef('c.organisation_id', '=', 'j.organisation_id').onRef('c.case_id', '=', 'j.case_id'),
    )
    .innerJoin('users as u', (join) =>
      join.onRef('u.organisation_id', '=', 'j.organisation_id').onRef('u.user_id', '=', 'j.requested_by'),
    )
    .selectAll('j')
    .select(['c.reference', 'u.display_name as requested_by_name'])
    .where('j.organisation_id', '=', organisationId)
    .execute();
}

function jobOf(row: JobRow): BundleJob {
  return {
    bundleId: row.bundle_id,
    caseId: row.case_id,
    reference: row.reference,
    purpose: row.purpose,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    requestedAt: row.requested_at,
    requestedBy: row.requested_by_name,
    redacted: row.redact_contact,
    withAttachments: row.with_attachments,
    consent: row.consent,
    incidents: row.incidents,
    exhibits: row.exhibits,
    pages: row.pages,
    zipSha256: row.zip_sha256?.toString('hex') ?? null,
    zipSize: row.zip_size === null ? null : Number(row.zip_size),
    failure: row.failure,
    keyId: row.signing_key_id,
  };
}

/** Whether police liaison may download this bundle: made for police, finished, and redacted (SECURITY.md 11). */
export const forPolice = (job: Pick<BundleJob, 'purpose' | 'redacted' | 'status'>) =>
  isPolicePurposeValue(job.purpose) && job.redacted && job.status === 'done';

/**
 * Evidence bundles: asked for on a case (what goes in, the purpose, consent or its override), built in the
 * background from the case as it stood when asked for, stored encrypted, and downloaded with every download
 * audited. The builder is here too, used by the worker, the tests and the benchmark alike.
 */
export class BundleService extends CaseScopedService {
  private readonly evidenceStorage: ObjectStorage;
  private readonly bundleStorage: ObjectStorage;
  readonly publicUrl: string;

  constructor(deps: BundleDeps) {
    super(deps);
    this.evidenceStorage = deps.evidenceStorage;
    this.bundleStorage = deps.bundleStorage;
    this.publicUrl = deps.publicUrl.replace(/\/$/, '');
  }

  keyUrl(keyId: string): string {
    return `${this.publicUrl}${paths.bundleKey(keyId)}`;
  }

  /** What the form offers: the case's perpetrators, and whether the caller may override consent. */
  async formContext(session: CurrentSession, caseId: string) {
    return this.scoped(session, caseId, async (trx, kase) => ({
      caseId,
      reference: kase.reference,
      perpetrators: (
        await trx
          .selectFrom('case_perpetrators as cp')
          .innerJoin('perpetrators as p', (join) =>
            join
              .onRef('p.organisation_id', '=', 'cp.organisation_id')
              .onRef('p.perpetrator_id', '=', 'cp.perpetrator_id'),
          )
          .select(['p.perpetrator_id', 'p.name'])
          .where('cp.organisation_id', '=', session.organisationId)
          .where('cp.case_id', '=', caseId)
          .orderBy('cp.linked_at')
          .execute()
      ).map((row) => ({ perpetratorId: row.perpetrator_id, name: row.name ?? 'Name not known' })),
      canOverride: can(session.user.role, 'bundle:override_consent'),
    }));
  }

  /**
   * Records a bundle to build and queues it. The submission id is the bundle's id, so the form sent twice
   * queues one bundle. Police copies need the consent position; an override needs bundle:override_consent.
   * Audited with who, for what, and the consent or override (its reason in the audit event's reason).
   */
  async request(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: BundleRequest,
  ): Promise<InScope<RequestResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<RequestResult> => {
      const existing = await trx
        .selectFrom('bundle_jobs')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('bundle_id', '=', submissionId)
        .executeTakeFirst();
      if (existing)
        return existing.case_id === caseId
          ? { kind: 'queued', bundleId: submissionId }
          : { kind: 'stale_form' };
      const police = isPolicePurposeValue(form.purpose);
      if (police !== (form.consent !== null)) return { kind: 'stale_form' };
      if (form.consent?.kind === 'override' && !can(session.user.role, 'bundle:override_consent'))
        return { kind: 'stale_form' };
      if (form.perpetratorId) {
        const linked = await trx
          .selectFrom('case_perpetrators')
          .select('perpetrator_id')
          .where('organisation_id', '=', session.organisationId)
          .where('case_id', '=', caseId)
          .where('perpetrator_id', '=', form.perpetratorId)
          .executeTakeFirst();
        if (!linked) return { kind: 'stale_form' };
      }
      const now = this.clock.now();
      const key = await activeSigningKey(trx, this.keys, session.organisationId, now);
      await trx
        .insertInto('bundle_jobs')
        .values({
          organisation_id: session.organisationId,
          bundle_id: submissionId,
          case_id: caseId,
          requested_by: session.user.userId,
          requested_at: now,
          purpose: form.purpose,
          from_date: form.from,
          to_date: form.to,
          behaviours: form.behaviours,
          perpetrator_id: form.perpetratorId,
          with_attachments: form.withAttachments,
          redact_contact: form.redactContact,
          consent: form.consent?.kind ?? null,
          consent_reason_sealed:
            form.consent?.kind === 'override'
              ? seal(kase.key, form.consent.reason, consentAad(caseId, submissionId))
              : null,
          signing_key_id: key.keyId,
          status: 'queued',
          storage_key: null,
        })
        .execute();
      await this.audit(
        trx,
        session,
        kase,
        'bundle.requested',
        {
          bundle: submissionId,
          purpose: form.purpose,
          from: form.from,
          to: form.to,
          behaviours: form.behaviours,
          perpetrator: form.perpetratorId !== null,
          attachments: form.withAttachments,
          redacted: form.redactContact,
          consent: form.consent?.kind ?? 'not_applicable',
        },
        form.consent?.kind === 'override' ? form.consent.reason : undefined,
      );
      return { kind: 'queued', bundleId: submissionId };
    });
  }

  /** The case's bundles, newest first, for the case page. */
  async ofCase(session: CurrentSession, caseId: string): Promise<InScope<BundleJob[]>> {
    return this.scoped(session, caseId, async (trx) =>
      (await jobRows(trx, session.organisationId))
        .filter((row) => row.case_id === caseId)
        .sort((a, b) => b.requested_at.getTime() - a.requested_at.getTime())
        .map(jobOf),
    );
  }

  /** One bundle of the case and how far its building has got. */
  async job(session: CurrentSession, caseId: string, bundleId: string): Promise<InScope<BundleJob | null>> {
    return this.scoped(session, caseId, async (trx) => {
      const row = await trx
        .selectFrom('bundle_jobs')
        .select('bundle_id')
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('bundle_id', '=', bundleId)
        .executeTakeFirst();
      if (!row) return null;
      const found = (await jobRows(trx, session.organisationId)).find((job) => job.bundle_id === bundleId);
      return found ? jobOf(found) : null;
    });
  }

  /** The organisation's signing key as published, if it has one yet. */
  async currentKey(session: CurrentSession) {
    return inOrganisation(this.db, session.organisationId, (trx) =>
      currentPublicKey(trx, session.organisationId),
    );
  }

  /** A published key, by id, for anyone. */
  publishedKey(keyId: string): Promise<PublishedKey | null> {
    return publishedKey(this.db, keyId);
  }

  private async openStored(trx: Trx, organisationId: string, row: JobRow): Promise<VerifiedObject | null> {
    const kase = await trx
      .selectFrom('cases')
      .select('data_key_wrapped')
      .where('organisation_id', '=', organisationId)
      .where('case_id', '=', row.case_id)
      .executeTakeFirstOrThrow();
    const organisationKey = await this.keys.organisationKey(trx, organisationId);
    const caseKey = this.keys.unwrapDataKey(organisationKey, kase.data_key_wrapped, `case:${row.case_id}`);
    try {
      const object = await openVerified(
        this.bundleStorage,
        row.storage_key!,
        bundlesKey(caseKey),
        bundleAad(organisationId, row.case_id, row.bundle_id),
        row.zip_sha256,
        0,
      );
      return object === 'missing' ? null : object;
    } catch (error) {
      if (error instanceof IntegrityError) return null;
      throw error;
    }
  }

  private async download(
    trx: Trx,
    session: CurrentSession,
    row: JobRow,
    reference: string,
  ): Promise<BundleDownload | 'integrity_failed'> {
    const object = await this.openStored(trx, session.organisationId, row);
    const details = { bundle: row.bundle_id, sha256: row.zip_sha256?.toString('hex') ?? null };
    const event = (action: string) =>
      appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action,
          recordType: 'case',
          recordId: reference,
          details,
        },
        this.clock.now(),
      );
    if (!object) {
      await event('bundle.integrity_failed');
      return 'integrity_failed';
    }
    await event('bundle.downloaded');
    const stream = object.stream();
    stream.once('close', () => void object.close());
    return { fileName: bundleFileName(row.bundle_id), size: object.size, stream };
  }

  /** A finished bundle of the case, checked (its SHA-256) as it is read; the download is audited. */
  async caseDownload(
    session: CurrentSession,
    caseId: string,
    bundleId: string,
  ): Promise<InScope<BundleDownload | 'integrity_failed' | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = (await jobRows(trx, session.organisationId)).find(
        (job) => job.bundle_id === bundleId && job.case_id === caseId,
      );
      if (!row || row.status !== 'done') return null;
      return this.download(trx, session, row, kase.reference);
    });
  }

  /**
   * Bundles made for police in the organisation (finished, redacted), newest first, for police liaison: case
   * references only, never names. Listing them is audited.
   */
  async policeBundles(session: CurrentSession): Promise<BundleJob[]> {
    if (!can(session.user.role, 'bundle:download_police'))
      throw new Error('bundle:download_police is required');
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const jobs = (await jobRows(trx, session.organisationId))
        .map(jobOf)
        .filter(forPolice)
        .sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime())
        .slice(0, 100);
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'bundle.listed',
          details: { shown: jobs.length },
        },
        this.clock.now(),
      );
      return jobs;
    });
  }

  /** A bundle made for police, for police liaison: null unless it is one they may have. */
  async policeDownload(
    session: CurrentSession,
    bundleId: string,
  ): Promise<BundleDownload | 'integrity_failed' | null> {
    if (!can(session.user.role, 'bundle:download_police'))
      throw new Error('bundle:download_police is required');
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const row = (await jobRows(trx, session.organisationId)).find((job) => job.bundle_id === bundleId);
      if (!row || !forPolice(jobOf(row))) return null;
      return this.download(trx, session, row, row.reference);
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Building

  /**
   * Builds a bundle's ZIP into `out` from the case as it stood when the bundle was asked for. The same bundle
   * built twice gives the same bytes. `onProgress` hears how far it has got (0 to 100) and what it is doing.
   */
  async build(
    organisationId: string,
    bundleId: string,
    out: Writable,
    onProgress: (progress: number, stage: string) => void = () => undefined,
  ): Promise<BuildResult> {
    const built = await this.assemble(organisationId, bundleId, out, onProgress, null);
    if (!built) throw new Error('The bundle was not built');
    return built;
  }

  /**
   * The bundle's document description, read in the same transaction as a build reads it, handed to `work`
   * (the benchmark prints the same content another way); no ZIP is written.
   */
  async withDocument(
    organisationId: string,
    bundleId: string,
    work: (spec: PdfDocumentSpec) => Promise<void>,
  ) {
    await this.assemble(organisationId, bundleId, null, () => undefined, work);
  }

  private async assemble(
    organisationId: string,
    bundleId: string,
    out: Writable | null,
    onProgress: (progress: number, stage: string) => void,
    documentOnly: ((spec: PdfDocumentSpec) => Promise<void>) | null,
  ): Promise<BuildResult | null> {
    return inOrganisation(this.db, organisationId, async (trx) => {
      const row = (await jobRows(trx, organisationId)).find((job) => job.bundle_id === bundleId);
      if (!row) throw new Error('No such bundle');
      const asAt = row.requested_at;
      const kase = await trx
        .selectFrom('cases')
        .innerJoin('organisations', 'organisations.organisation_id', 'cases.organisation_id')
        .select(['cases.client_id', 'cases.data_key_wrapped', 'organisations.service_name'])
        .where('cases.organisation_id', '=', organisationId)
        .where('cases.case_id', '=', row.case_id)
        .executeTakeFirstOrThrow();
      const organisationKey = await this.keys.organisationKey(trx, organisationId);
      const caseKey = this.keys.unwrapDataKey(organisationKey, kase.data_key_wrapped, `case:${row.case_id}`);
      const redact = row.redact_contact
        ? contactRedactor(await this.contactTerms(trx, organisationId, kase.client_id, organisationKey))
        : (text: string) => text;
      const filters: BundleFilters = {
        from: row.from_date,
        to: row.to_date,
        behaviours: row.behaviours,
        perpetratorId: row.perpetrator_id,
      };
      const key = await trx
        .selectFrom('bundle_signing_keys')
        .select('key_id')
        .where('organisation_id', '=', organisationId)
        .where('key_id', '=', row.signing_key_id)
        .executeTakeFirstOrThrow();
      const signing = await activeSigningKey(trx, this.keys, organisationId, asAt);
      if (signing.keyId !== key.key_id) throw new Error('The bundle’s signing key has been retired');

      onProgress(2, 'Counting the incidents');
      const figures = await summaryFigures(trx, organisationId, row.case_id, filters, asAt);
      const escalations = await escalationsAsAt(trx, organisationId, row.case_id, asAt);
      const exhibitRows = await bundleExhibits(trx, organisationId, row.case_id, filters, asAt);
      const custody = await custodyEvents(
        trx,
        organisationId,
        row.reference,
        exhibitRows.map((exhibit) => exhibit.exhibit_number),
        asAt,
      );
      const perpetrator = row.perpetrator_id
        ? await trx
            .selectFrom('perpetrators')
            .select('name')
            .where('organisation_id', '=', organisationId)
            .where('perpetrator_id', '=', row.perpetrator_id)
            .executeTakeFirst()
        : null;
      const consent =
        row.consent === 'consents'
          ? 'The client consents to this bundle being shared with police'
          : row.consent === 'override'
            ? `Shared without the client’s consent, authorised by ${row.requested_by_name}: ${openText(
                caseKey,
                row.consent_reason_sealed!,
                consentAad(row.case_id, bundleId),
              )}`
            : null;
      const withFiles = filesKey(caseKey);
      const period =
        row.from_date || row.to_date
          ? `${row.from_date ? `From ${formatIso(row.from_date)}` : 'Up to'}${row.to_date ? `${row.from_date ? ' to' : ''} ${formatIso(row.to_date)}` : ' to the time this bundle was asked for'}`
          : 'All incidents recorded';

      const totalItems = figures.incidents + figures.redacted;
      const content: BundleContent = {
        cover: {
          bundleId,
          caseReference: row.reference,
          organisation: kase.service_name,
          purpose: row.purpose,
          period,
          behaviours: row.behaviours.length
            ? row.behaviours.map(behaviourLabel).join(', ')
            : 'All behaviours',
          perpetrator: perpetrator ? (perpetrator.name ?? 'Name not known') : 'Anyone (not chosen)',
          attachments: row.with_attachments,
          redacted: row.redact_contact,
          consent,
          createdBy: row.requested_by_name,
          createdAt: asAt,
          keyId: row.signing_key_id,
          keyUrl: this.keyUrl(row.signing_key_id),
          verifyUrl: `${this.publicUrl}${paths.bundleVerify}`,
        },
        summary: {
          incidents: figures.incidents,
          redactedEntries: figures.redacted,
          first: figures.first,
          last: figures.last,
          byBehaviour: figures.behaviours
            .map((b) => ({ label: behaviourLabel(b.behaviour), incidents: b.incidents }))
            .sort((a, b) => b.incidents - a.incidents || a.label.localeCompare(b.label)),
          weeks: everyWeek(figures.weeks),
          escalations: escalations.map((e) => ({ detectedAt: e.detected_at, reason: e.reason })),
        },
        schedule: () => {
          return this.schedule(trx, organisationId, row.case_id, filters, asAt, caseKey, redact, exhibitRows);
        },
        exhibits: exhibitRows.map((exhibit) => ({
          exhibit: exhibit.exhibit_number,
          file: exhibitFile(exhibit.exhibit_number, exhibit.media_type),
          originalName: redact(
            openText(caseKey, exhibit.original_name_sealed, nameAad(row.case_id, exhibit.evidence_id)),
          ),
          mediaType: exhibit.media_type,
          capturedAt: exhibit.captured_at,
          uploadedAt: exhibit.uploaded_at,
          sizeBytes: exhibit.size_bytes,
          sha256: exhibit.sha256.toString('hex'),
          diaryEntry: exhibit.entry_number,
        })),
        thumbnails: exhibitRows
          .filter((exhibit) => exhibit.thumbnail_key && row.with_attachments)
          .map((exhibit) => ({
            exhibit: exhibit.exhibit_number,
            caption: `EX${exhibit.exhibit_number} (entry ${exhibit.entry_number})`,
            alt: `Small copy of exhibit ${exhibit.exhibit_number}, an image attached to diary entry ${exhibit.entry_number}`,
            width: exhibit.thumbnail_width ?? 1,
            height: exhibit.thumbnail_height ?? 1,
            load: () => this.thumbnail(exhibit.thumbnail_key!, withFiles),
          })),
      };
      const document = bundleDocument(content, (count) => {
        const share = totalItems ? count / totalItems : 1;
        // The document is laid out once (its page total written at the end), so one pass takes it to 70.
        onProgress(5 + Math.round(share * 65), 'Writing the document');
      });
      if (documentOnly || !out) {
        await documentOnly?.(document);
        return null;
      }
      const exhibitSources: ExhibitSource[] = row.with_attachments
        ? exhibitRows.map((exhibit) => ({
            exhibit: exhibit.exhibit_number,
            file: exhibitFile(exhibit.exhibit_number, exhibit.media_type),
            diaryEntry: exhibit.entry_number,
            mediaType: exhibit.media_type,
            capturedAt: exhibit.captured_at?.toISOString() ?? null,
            uploadedAt: exhibit.uploaded_at.toISOString(),
            expectedSha256: exhibit.sha256.toString('hex'),
            expectedSizeBytes: exhibit.size_bytes,
            open: () => this.original(organisationId, row.case_id, exhibit.storage_key, withFiles, exhibit),
          }))
        : [];
      const result = await writeBundleArchive(out, {
        createdAt: asAt,
        documentFile: DOCUMENT_FILE,
        writeDocument: (into) => writePdf(document, into),
        incidents: figures.incidents,
        exhibits: exhibitSources,
        custody: custody
          .filter(
            (event) => row.with_attachments || exhibitRows.some((e) => e.exhibit_number === event.exhibit),
          )
          .map((event) => ({
            exhibit: event.exhibit,
            at: event.occurred_at.toISOString(),
            event: event.action,
            by: event.actor,
          })),
        manifest: {
          format: MANIFEST_FORMAT,
          bundleId,
          caseReference: row.reference,
          organisation: kase.service_name,
          purpose: PURPOSE_LABELS[row.purpose],
          createdAt: asAt.toISOString(),
          createdBy: row.requested_by_name,
          contents: {
            incidentsFrom: row.from_date,
            incidentsTo: row.to_date,
            behaviours: row.behaviours,
            perpetrator: perpetrator ? (perpetrator.name ?? 'Name not known') : null,
            attachments: row.with_attachments,
            contactDetailsRedacted: row.redact_contact,
          },
          consent,
          signingKey: {
            keyId: row.signing_key_id,
            algorithm: 'Ed25519',
            publishedAt: this.keyUrl(row.signing_key_id),
          },
        },
        signingKey: signing.privateKey,
        onFile: (done, total) => {
          if (done > 1) onProgress(70 + Math.round((done / total) * 28), 'Adding the exhibits');
        },
      });
      return { ...result, incidents: figures.incidents, exhibits: exhibitRows.length };
    });
  }

  private async contactTerms(
    trx: Trx,
    organisationId: string,
    clientId: string,
    organisationKey: Buffer,
  ): Promise<ContactTerms> {
    const client = await findClient(trx, organisationId, clientId);
    if (!client) return { address: [], postcodes: [], phones: [], emails: [] };
    const key = this.keys.unwrapDataKey(organisationKey, client.data_key_wrapped, `client:${clientId}`);
    const opened = rowToClient(client, key);
    const details = await findDetails(trx, organisationId, clientId);
    const address: Address | null = details?.address_sealed
      ? openDocument(key, details.address_sealed, `client:${clientId}:address`, addressDocument)
      : null;
    const history = (await contactHistory(trx, organisationId, clientId)).map((change) =>
      openDocument(
        key,
        change.previous_sealed,
        `client:${clientId}:contact_history:${change.change_id}`,
        safeContactDocument,
      ),
    );
    const present = (values: (string | null | undefined)[]) =>
      values.filter((value): value is string => Boolean(value?.trim()));
    return {
      address: present([address?.line1, address?.line2]),
      postcodes: present([address?.postcode]),
      phones: present([opened.phone, ...history.map((h) => h.phone)]),
      emails: present([opened.email, ...history.map((h) => h.email)]),
    };
  }

  /** The schedule, read a page of entries at a time and opened as it goes. */
  private async *schedule(
    trx: Trx,
    organisationId: string,
    caseId: string,
    filters: BundleFilters,
    asAt: Date,
    caseKey: Buffer,
    redact: (text: string) => string,
    exhibits: { entry_id: string; exhibit_number: number }[],
  ): AsyncIterable<ScheduleItem> {
    const exhibitsOf = new Map<string, number[]>();
    for (const exhibit of exhibits)
      exhibitsOf.set(exhibit.entry_id, [...(exhibitsOf.get(exhibit.entry_id) ?? []), exhibit.exhibit_number]);
    let after: { occurredFrom: Date; entryNumber: number } | null = null;
    for (;;) {
      const rows: ScheduleRow[] = await schedulePage(
        trx,
        organisationId,
        caseId,
        filters,
        asAt,
        after,
        SCHEDULE_PAGE,
      );
      if (!rows.length) return;
      const corrected = rows.filter((row) => row.version > 1 && !row.redacted_at);
      const earlier = await earlierVersions(
        trx,
        organisationId,
        corrected.map((row) => ({ entryId: row.entry_id, version: row.version })),
      );
      for (const row of rows) {
        if (row.redacted_at) {
          yield {
            redacted: true,
            entryNumber: row.entry_number,
            redactedAt: row.redacted_at,
            redactedBy: row.redactor ?? 'Not known',
          };
          continue;
        }
        const details = openEntryDetails(caseKey, caseId, row.entry_id, row.version, row.details_sealed);
        const text = (value: string | null) => (value?.trim() ? redact(value) : null);
        const impacts = row.impacts.map(
          (value) => INCIDENT_IMPACTS.find((i) => i.value === value)?.text ?? value,
        );
        const police = row.reported_to_police
          ? [
              'Reported to police',
              details.policeOfficer && `officer: ${redact(details.policeOfficer)}`,
              details.crimeReference && `crime reference: ${redact(details.crimeReference)}`,
            ]
              .filter(Boolean)
              .join('; ')
          : 'Not reported to police';
        yield {
          redacted: false,
          entryNumber: row.entry_number,
          when: whenText(row.occurred_from, row.occurred_to),
          recordedAt: row.recorded_at,
          recordedBy: row.recorder ?? 'The client',
          behaviours: row.behaviours.map(behaviourLabel).join(', ') || 'Not recorded',
          channel:
            [
              row.channel
                ? (INCIDENT_CHANNELS.find((c) => c.value === row.channel)?.text ?? row.channel)
                : null,
              text(details.accountUsed),
            ]
              .filter(Boolean)
              .join(': ') || null,
          perpetrator: row.has_perpetrator ? (row.perpetrator_name ?? 'Name not known') : null,
          where: text(details.location),
          description: redact(details.description),
          impact: [...impacts, text(details.impactInWords)].filter(Boolean).join('. ') || null,
          witnesses: text(details.witnesses),
          evidenceSaved: text(details.evidenceSaved),
          police,
          earlier: earlier
            .filter((version) => version.entry_id === row.entry_id)
            .map((version) => ({
              version: version.version,
              recordedAt: version.recorded_at,
              recordedBy: version.recorder ?? 'The client',
              when: whenText(version.occurred_from, version.occurred_to),
              description: redact(
                openEntryDetails(caseKey, caseId, row.entry_id, version.version, version.details_sealed)
                  .description,
              ),
              correctionReason: version.correction_reason_sealed
                ? redact(
                    openText(
                      caseKey,
                      version.correction_reason_sealed,
                      correctionAadOf(caseId, row.entry_id, version.version),
                    ),
                  )
                : null,
            })),
          latestVersion: row.version,
          correctionReason: row.correction_reason_sealed
            ? redact(
                openText(
                  caseKey,
                  row.correction_reason_sealed,
                  correctionAadOf(caseId, row.entry_id, row.version),
                ),
              )
            : null,
          exhibits: exhibitsOf.get(row.entry_id) ?? [],
        };
      }
      const last = rows.at(-1)!;
      after = { occurredFrom: last.occurred_from, entryNumber: last.entry_number };
    }
  }

  private async thumbnail(storageKey: string, key: Buffer): Promise<Buffer> {
    const object = await openVerified(
      this.evidenceStorage,
      storageKey,
      key,
      derivativeAad(storageKey),
      null,
      Number.MAX_SAFE_INTEGER,
    );
    if (object === 'missing' || !object.body) throw new Error('A thumbnail is missing');
    await object.close();
    return object.body;
  }

  private async original(
    organisationId: string,
    caseId: string,
    storageKey: string,
    key: Buffer,
    exhibit: { exhibit_number: number; sha256: Buffer },
  ): Promise<Readable> {
    let object: VerifiedObject | 'missing';
    try {
      object = await openVerified(
        this.evidenceStorage,
        storageKey,
        key,
        originalAad(organisationId, caseId),
        exhibit.sha256,
        0,
      );
    } catch (error) {
      if (error instanceof IntegrityError) throw new ExhibitIntegrityError(exhibit.exhibit_number);
      throw error;
    }
    if (object === 'missing') throw new ExhibitIntegrityError(exhibit.exhibit_number);
    const stream = object.stream();
    stream.once('close', () => void object.close());
    return stream;
  }

  // -------------------------------------------------------------------------------------------------------
  // The job

  /**
   * Builds a claimed job: the ZIP is sealed into a temporary object as it is written, placed under its
   * SHA-256, and the job marked done, with the generation and the exhibits' bundling audited. A failure marks
   * the job failed with a message naming no one.
   */
  async runJob(organisationId: string, bundleId: string): Promise<BundleStatus> {
    const row = await inOrganisation(this.db, organisationId, async (trx) =>
      trx
        .selectFrom('bundle_jobs as j')
        .innerJoin('cases as c', (join) =>
          join.onRef('c.organisation_id', '=', 'j.organisation_id').onRef('c.case_id', '=', 'j.case_id'),
        )
        .select(['j.case_id', 'j.attempts', 'j.requested_by', 'c.reference', 'c.data_key_wrapped'])
        .where('j.organisation_id', '=', organisationId)
        .where('j.bundle_id', '=', bundleId)
        .executeTakeFirstOrThrow(),
    );
    const record = (trx: Trx, action: string, details: Record<string, unknown>) =>
      appendAuditEvent(
        trx,
        {
          organisationId,
          actorUserId: row.requested_by,
          action,
          recordType: 'case',
          recordId: row.reference,
          details,
        },
        this.clock.now(),
      );
    const fail = async (failure: string) => {
      await inOrganisation(this.db, organisationId, async (trx) => {
        await trx
          .updateTable('bundle_jobs')
          .set({ status: 'failed', failure, finished_at: this.clock.now(), stage: 'Failed' })
          .where('organisation_id', '=', organisationId)
          .where('bundle_id', '=', bundleId)
          .execute();
        await record(trx, 'bundle.failed', { bundle: bundleId, failure });
      });
      return 'failed' as const;
    };
    if (row.attempts > MOST_ATTEMPTS) return fail('It was tried several times and did not finish');

    let lastReport = 0;
    let reporting: Promise<unknown> = Promise.resolve();
    const report = (progress: number, stage: string, force = false) => {
      const now = Date.now();
      if (!force && now - lastReport < 500) return;
      lastReport = now;
      reporting = reporting.then(() =>
        inOrganisation(this.db, organisationId, (trx) =>
          trx
            .updateTable('bundle_jobs')
            .set({ progress: Math.min(99, progress), stage, heartbeat_at: new Date() })
            .where('organisation_id', '=', organisationId)
            .where('bundle_id', '=', bundleId)
            .where('status', '=', 'running')
            .execute(),
        ).catch(() => undefined),
      );
    };
    report(1, 'Starting', true);

    const organisationKey = await inOrganisation(this.db, organisationId, (trx) =>
      this.keys.organisationKey(trx, organisationId),
    );
    const caseKey = this.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, `case:${row.case_id}`);
    const temp = await this.bundleStorage.createTemp();
    try {
      const sealing = sealingStream(bundlesKey(caseKey), bundleAad(organisationId, row.case_id, bundleId));
      const written = pipeline(sealing, temp.stream);
      let result: BuildResult;
      try {
        result = await this.build(organisationId, bundleId, sealing, report);
        await written;
      } catch (error) {
        sealing.destroy();
        await written.catch(() => undefined);
        throw error;
      }
      await temp.complete();
      const storageKey = storageKeyOf(organisationId, row.case_id, result.zipSha256);
      await temp.place(storageKey);
      await reporting;
      await inOrganisation(this.db, organisationId, async (trx) => {
        await trx
          .updateTable('bundle_jobs')
          .set({
            status: 'done',
            progress: 100,
            stage: 'Ready',
            finished_at: this.clock.now(),
            incidents: result.incidents,
            exhibits: result.exhibits,
            pages: result.document.pages,
            pdf_sha256: Buffer.from(result.document.sha256, 'hex'),
            zip_sha256: Buffer.from(result.zipSha256, 'hex'),
            zip_size: result.zipSizeBytes,
            storage_key: storageKey,
            failure: null,
          })
          .where('organisation_id', '=', organisationId)
          .where('bundle_id', '=', bundleId)
          .execute();
        await record(trx, 'bundle.generated', {
          bundle: bundleId,
          incidents: result.incidents,
          exhibits: result.exhibits,
          pages: result.document.pages,
          pdfSha256: result.document.sha256,
          zipSha256: result.zipSha256,
        });
        if (result.manifest.exhibits.length)
          await record(trx, 'evidence.bundled', {
            bundle: bundleId,
            exhibitNumbers: result.manifest.exhibits.map((exhibit) => exhibit.exhibit),
          });
      });
      return 'done';
    } catch (error) {
      await reporting;
      if (error instanceof ExhibitIntegrityError) {
        await inOrganisation(this.db, organisationId, (trx) =>
          record(trx, 'evidence.integrity_failed', { exhibitNumber: error.exhibit, bundle: bundleId }),
        );
        return fail(error.message);
      }
      throw error;
    } finally {
      await temp.discard();
    }
  }

  /** Marks a job failed after an unexpected error (the message is kept out: it may name someone). */
  async failJob(organisationId: string, bundleId: string): Promise<void> {
    await inOrganisation(this.db, organisationId, (trx) =>
      trx
        .updateTable('bundle_jobs')
        .set({
          status: 'failed',
          failure: 'Something went wrong while building it',
          finished_at: this.clock.now(),
          stage: 'Failed',
        })
        .where('organisation_id', '=', organisationId)
        .where('bundle_id', '=', bundleId)
        .execute(),
    );
  }

  /** Takes the oldest waiting job of any organisation (or a stalled one), marking it running. */
  async claimJob(staleAfterMs = STALE_JOB_MS): Promise<{ organisationId: string; bundleId: string } | null> {
    const { rows } = await sql<{ organisation_id: string; bundle_id: string }>`
      SELECT * FROM vigil_claim_bundle_job(${`${Math.round(staleAfterMs / 1000)} seconds`}::interval)
    `.execute(this.db);
    const row = rows[0];
    return row ? { organisationId: row.organisation_id, bundleId: row.bundle_id } : null;
  }

  /** Removes temporary files a stopped build left, and stored bundles no job refers to, once an hour old. */
  async sweep(now: Date = this.clock.now()): Promise<{ temporary: number; unreferenced: number }> {
    return this.bundleStorage.sweep(new Date(now.getTime() - 60 * 60 * 1000), async (keys) => {
      const [organisationId, caseId] = keys[0]!.split('/') as [string, string];
      return inOrganisation(this.db, organisationId, async (trx) => {
        const rows = await trx
          .selectFrom('bundle_jobs')
          .select('storage_key')
          .where('organisation_id', '=', organisationId)
          .where('case_id', '=', caseId)
          .where('storage_key', 'in', keys)
          .execute();
        return new Set(rows.map((row) => row.storage_key!));
      });
    });
  }
}

const correctionAadOf = (caseId: string, entryId: string, version: number) =>
  `case:${caseId}:diary-correction:${entryId}:v${version}`;

function formatIso(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));
}

/** Every week from the first with an incident to the last, weeks without any included as nought. */
export function everyWeek(
  weeks: { week_start: string; incidents: number }[],
): { weekStart: string; incidents: number }[] {
  if (!weeks.length) return [];
  const counts = new Map(weeks.map((week) => [week.week_start, week.incidents]));
  const all: { weekStart: string; incidents: number }[] = [];
  for (let week = weeks[0]!.week_start; week <= weeks.at(-1)!.week_start; week = addDays(week, 7))
    all.push({ weekStart: week, incidents: counts.get(week) ?? 0 });
  return all;
}

/** The SHA-256 of some bytes, as hex. */
export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The background worker: one job at a time, in this process. It polls for waiting jobs (and is woken at once
 * when a bundle is asked for here); a job left running by a stopped server is taken up again once its
 * heartbeat is stale. Stopping waits for the job in hand.
 */
export class BundleWorker {
  private readonly bundles: BundleService;
  private readonly log: (message: string) => void;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(bundles: BundleService, options: { pollMs?: number; log?: (message: string) => void } = {}) {
    this.bundles = bundles;
    this.pollMs = options.pollMs ?? 2000;
    this.log = options.log ?? (() => undefined);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /** Looks for work now rather than at the next poll. */
  wake(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.pollMs);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs waiting jobs until there are none. */
  private async drain(): Promise<void> {
    while (!this.stopped && (await this.runOnce())) {
      // next job
    }
  }

  /** Claims and builds one job; false when there was none. */
  async runOnce(staleAfterMs?: number): Promise<boolean> {
    let claimed: { organisationId: string; bundleId: string } | null;
    try {
      claimed = await this.bundles.claimJob(staleAfterMs);
    } catch {
      return false;
    }
    if (!claimed) return false;
    try {
      const status = await this.bundles.runJob(claimed.organisationId, claimed.bundleId);
      this.log(`Evidence bundle ${claimed.bundleId}: ${status}`);
    } catch (error) {
      this.log(`Evidence bundle ${claimed.bundleId} failed: ${(error as Error).name}`);
      await this.bundles.failJob(claimed.organisationId, claimed.bundleId).catch(() => undefined);
    }
    return true;
  }
}
