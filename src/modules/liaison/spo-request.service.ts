import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { ukDate } from '../../platform/clock.ts';
import { openText } from '../../platform/crypto/envelope.ts';
import { pdfSha256, type PdfDocumentSpec } from '../../platform/pdf/pdf.ts';
import { CaseScopedService, lockCase, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import { findClient, rowToClient } from '../cases/clients.repository.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { openEntryDetails } from '../diary/diary-entry.ts';
import { whenText } from '../diary/diary-view.ts';
import { behaviourLabel } from '../diary/incident-types.ts';
import { diaryAggregate } from '../diary/patterns.repository.ts';
import { addDays, daysBetween } from '../diary/patterns.ts';
import { ACCEPTED_TYPES } from '../evidence/content-type.ts';
import { longDate } from '../marac/criteria.ts';
import { incidentsSince } from '../marac/marac.repository.ts';
import { perpetratorsOfCase } from '../perpetrators/perpetrators.repository.ts';
import { formatDateOfBirth, relationshipText } from '../perpetrators/perpetrator-view.ts';
import { completedAssessments } from '../risk/risk.repository.ts';
import { questionsOf, RISK_LEVEL_LABELS } from '../risk/templates.ts';
import { crimeReferencesOf, crimeUpdatesOf, policeContactVersions } from './liaison.repository.ts';
import {
  CRIME_STATUSES,
  labelOf,
  OFFENCES,
  POLICE_ROLES,
  SPO_PROHIBITIONS,
  SPO_REQUIREMENTS,
  type SpoConsent,
} from './options.ts';
import {
  spoDocumentIdOf,
  spoRequestContentShape,
  spoRequestDocument,
  type SpoRequestContent,
} from './spo-request-content.ts';

/** What the caseworker proposes: the standard conditions ticked, others in their own words, places named. */
export type SpoRequestForm = {
  prohibitions: string[];
  otherProhibitions: string[];
  requirements: string[];
  otherRequirements: string[];
  places: string[];
  /** The police contact the request is for (one on the case still involved), if chosen. */
  contactId: string | null;
  otherInformation: string | null;
  consent: SpoConsent;
  /** Why it goes to the police without the client's agreement (required then, null otherwise). */
  consentReason: string | null;
};

export type SpoRequestSummary = { requestId: string; number: number; requestedAt: Date; requestedBy: string };

export type SpoRequestRecord = SpoRequestSummary & { content: SpoRequestContent };

export type SpoRequestResult =
  { kind: 'recorded'; requestId: string } | { kind: 'stale_form' } | { kind: 'no_such_contact' };

const requestAad = (caseId: string, requestId: string) => `case:${caseId}:spo-request:${requestId}`;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Requests to police for a Stalking Protection Order, made from the case: drafted for the caseworker to check,
 * then recorded with their content sealed and the document's SHA-256, so the document downloaded later is the
 * one first given. Every operation is within the caller's record scope and audited without content.
 */
export class SpoRequestService extends CaseScopedService {
  /** The proposed conditions as the document words them: standard ones first, then the caseworker's own. */
  private conditions(form: SpoRequestForm) {
    return {
      prohibitions: [
        ...SPO_PROHIBITIONS.filter((item) => form.prohibitions.includes(item.value)).map((item) => item.text),
        ...form.otherProhibitions,
      ],
      requirements: [
        ...SPO_REQUIREMENTS.filter((item) => form.requirements.includes(item.value)).map((item) => item.text),
        ...form.otherRequirements,
      ],
    };
  }

  private async officer(trx: Trx, session: CurrentSession, kase: ScopedCase, contactId: string | null) {
    if (!contactId) return { found: true, officer: null } as const;
    const versions = (await policeContactVersions(trx, session.organisationId, kase.caseId)).filter(
      (row) => row.contact_id === contactId,
    );
    const current = versions.at(-1);
    if (!current || !current.involved) return { found: false, officer: null } as const;
    return {
      found: true,
      officer: {
        name: current.officer_name,
        collarNumber: current.collar_number,
        force: current.force,
        role: labelOf(POLICE_ROLES, current.role),
      },
    } as const;
  }

  /** Everything the case gives the request, read in the caller's transaction. */
  private async caseContent(trx: Trx, session: CurrentSession, kase: ScopedCase) {
    const organisationId = session.organisationId;
    const now = this.clock.now();
    const caseRow = await trx
      .selectFrom('cases')
      .select(['client_id', 'risk_level'])
      .where('organisation_id', '=', organisationId)
      .where('case_id', '=', kase.caseId)
      .executeTakeFirstOrThrow();
    const clientRow = await findClient(trx, organisationId, caseRow.client_id);
    if (!clientRow) throw new Error('A case without its client');
    const organisationKey = await this.keys.organisationKey(trx, organisationId);
    const clientKey = this.keys.unwrapDataKey(
      organisationKey,
      clientRow.data_key_wrapped,
      `client:${caseRow.client_id}`,
    );
    const client = rowToClient(clientRow, clientKey);
    const perpetrators = await perpetratorsOfCase(trx, organisationId, kase.caseId);
    const checklist =
      (await completedAssessments(trx, organisationId, kase.caseId))
        .filter((assessment) => assessment.template.purpose === 'risk_checklist')
        .at(-1) ?? null;
    const today = ukDate(now);
    const aggregate = await diaryAggregate(trx, organisationId, kase.caseId, addDays(today, -27));
    const incidents = await incidentsSince(trx, organisationId, kase.caseId, new Date(0));
    const [references, updates] = await Promise.all([
      crimeReferencesOf(trx, organisationId, kase.caseId),
      crimeUpdatesOf(trx, organisationId, kase.caseId),
    ]);
    const exhibits = await sql<{
      evidence_id: string;
      exhibit_number: number;
      entry_number: number;
      original_name_sealed: Buffer;
      media_type: string;
      size_bytes: string;
      sha256: Buffer;
    }>`
      SELECT f.evidence_id, f.exhibit_number, e.entry_number, f.original_name_sealed, f.media_type,
        f.size_bytes::text AS size_bytes, f.sha256
      FROM evidence_files f
      JOIN diary_entries e ON e.organisation_id = f.organisation_id AND e.entry_id = f.entry_id
      WHERE f.organisation_id = ${organisationId} AND f.case_id = ${kase.caseId}
        AND NOT EXISTS (
          SELECT 1 FROM diary_entry_redactions r
          WHERE r.organisation_id = f.organisation_id AND r.entry_id = f.entry_id)
      ORDER BY f.exhibit_number
    `.execute(trx);

    const { incidents: count, first, last } = aggregate;
    let summary = 'The diary records no incidents.';
    if (count > 0 && first && last) {
      const weeks = Math.max(1, Math.ceil((daysBetween(ukDate(first), ukDate(last)) + 1) / 7));
      const perWeek = count / weeks;
      summary =
        `The diary records ${plural(count, 'incident', 'incidents')} between ${longDate(first)} and ` +
        `${longDate(last)}: ${plural(weeks, 'week', 'weeks')}, about ${perWeek >= 10 ? Math.round(perWeek) : perWeek.toFixed(1)} a week.`;
    }
    const lastFourWeeks = aggregate.days.reduce((total, day) => total + day.incidents, 0);
    return {
      caseReference: kase.reference,
      client: { name: client.name },
      respondents: perpetrators.map((row) => ({
        name: row.name ?? 'Name not known',
        otherNames: row.aliases.join(', '),
        age: row.date_of_birth
          ? `Born ${formatDateOfBirth(row.date_of_birth)}`
          : row.approximate_age !== null
            ? `About ${row.approximate_age}`
            : 'Not known',
        relationship: relationshipText(row.relationship),
      })),
      risk: {
        level: caseRow.risk_level ? RISK_LEVEL_LABELS[caseRow.risk_level] : 'Not assessed',
        assessment: checklist
          ? {
              title: checklist.template.title,
              completedOn: longDate(checklist.completedAt),
              score: checklist.score,
              scoredQuestions: questionsOf(checklist.template.definition).filter((q) => q.scored).length,
              level: RISK_LEVEL_LABELS[checklist.level],
              raisedOnJudgement: checklist.judgementLevel !== null,
            }
          : null,
      },
      frequency: {
        incidents: count,
        first: first ? longDate(first) : null,
        last: last ? longDate(last) : null,
        summary:
          count > 0
            ? `${summary} ${plural(lastFourWeeks, 'incident', 'incidents')} in the last 4 weeks.`
            : summary,
        lastFourWeeks,
      },
      behaviours: [...aggregate.behaviours]
        .sort((a, b) => b.incidents - a.incidents || a.behaviour.localeCompare(b.behaviour))
        .map((row) => ({
          behaviour: behaviourLabel(row.behaviour),
          incidents: row.incidents,
          first: longDate(row.first),
          last: longDate(row.last),
        })),
      incidents: incidents.map((row) => ({
        number: row.entry_number,
        when: whenText(row.occurred_from, row.occurred_to),
        behaviours: row.behaviours.map(behaviourLabel).join(', ') || 'Not recorded',
        description: openEntryDetails(kase.key, kase.caseId, row.entry_id, row.version, row.details_sealed)
          .description,
        reportedToPolice: row.reported_to_police,
      })),
      crimeReferences: references.map((row) => {
        const latest = updates
          .filter((update) => update.crime_reference_id === row.crime_reference_id)
          .at(-1);
        return {
          reference: row.reference,
          force: row.force,
          offence: labelOf(OFFENCES, row.offence),
          status: latest ? labelOf(CRIME_STATUSES, latest.status) : 'Not recorded',
        };
      }),
      exhibits: exhibits.rows.map((row) => ({
        number: row.exhibit_number,
        entry: row.entry_number,
        fileName: openText(
          kase.key,
          row.original_name_sealed,
          `case:${kase.caseId}:evidence-name:${row.evidence_id}`,
        ),
        type: ACCEPTED_TYPES[row.media_type] ?? row.media_type,
        size: formatSize(Number(row.size_bytes)),
        sha256: row.sha256.toString('hex'),
      })),
    };
  }

  private async content(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    form: SpoRequestForm,
    number: number,
  ): Promise<SpoRequestContent | null> {
    const officer = await this.officer(trx, session, kase, form.contactId);
    if (!officer.found) return null;
    const now = this.clock.now();
    const user = await trx
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.organisation_id', 'users.organisation_id')
      .select(['users.display_name', 'organisations.service_name'])
      .where('users.organisation_id', '=', session.organisationId)
      .where('users.user_id', '=', session.user.userId)
      .executeTakeFirstOrThrow();
    return {
      ...(await this.caseContent(trx, session, kase)),
      documentId: spoDocumentIdOf(kase.reference, number),
      requestNumber: number,
      requestedAtIso: now.toISOString(),
      requestedAt: longDate(now),
      requestedBy: user.display_name,
      serviceName: user.service_name,
      officer: officer.officer,
      ...this.conditions(form),
      places: form.places,
      otherInformation: form.otherInformation,
      consent: {
        position: form.consent,
        reason: form.consent === 'without_consent' ? form.consentReason : null,
      },
    };
  }

  private async nextNumber(trx: Trx, session: CurrentSession, caseId: string): Promise<number> {
    const row = await trx
      .selectFrom('spo_requests')
      .select((eb) => eb.fn.max('request_number').as('last'))
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    return Number(row?.last ?? 0) + 1;
  }

  /** The police contacts still involved, to address the request to. */
  async officers(session: CurrentSession, caseId: string) {
    return this.scoped(session, caseId, async (trx) => {
      const versions = await policeContactVersions(trx, session.organisationId, caseId);
      const latest = new Map<string, (typeof versions)[number]>();
      for (const row of versions) latest.set(row.contact_id, row);
      return [...latest.values()]
        .filter((row) => row.involved)
        .map((row) => ({
          contactId: row.contact_id,
          text: `${row.officer_name}${row.collar_number ? ` (${row.collar_number})` : ''}, ${row.force}, ${labelOf(POLICE_ROLES, row.role)}`,
        }));
    });
  }

  /** What the request will say, for the caseworker to check before it is recorded. Null: no such contact. */
  async draft(
    session: CurrentSession,
    caseId: string,
    form: SpoRequestForm,
  ): Promise<InScope<SpoRequestContent | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const content = await this.content(
        trx,
        session,
        kase,
        form,
        await this.nextNumber(trx, session, caseId),
      );
      if (content)
        await this.audit(trx, session, kase, 'spo_request.drafted', {
          incidents: content.incidents.length,
          exhibits: content.exhibits.length,
        });
      return content;
    });
  }

  /**
   * Records a request: the content as the case gives it now, sealed, with the SHA-256 of its document. The
   * submission id is the request's id, so the same form sent twice records one request.
   */
  async request(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: SpoRequestForm,
  ): Promise<InScope<SpoRequestResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<SpoRequestResult> => {
      await lockCase(trx, session.organisationId, caseId);
      const existing = await trx
        .selectFrom('spo_requests')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('request_id', '=', submissionId)
        .executeTakeFirst();
      if (existing)
        return existing.case_id === caseId
          ? { kind: 'recorded', requestId: submissionId }
          : { kind: 'stale_form' };
      const number = await this.nextNumber(trx, session, caseId);
      const content = await this.content(trx, session, kase, form, number);
      if (!content) return { kind: 'no_such_contact' };
      const sha256 = await pdfSha256(spoRequestDocument(content));
      await trx
        .insertInto('spo_requests')
        .values({
          organisation_id: session.organisationId,
          request_id: submissionId,
          case_id: caseId,
          request_number: number,
          requested_at: this.clock.now(),
          requested_by: session.user.userId,
          consent: form.consent,
          content_sealed: sealDocument(kase.key, content, requestAad(caseId, submissionId), 4096),
          document_sha256: Buffer.from(sha256, 'hex'),
        })
        .execute();
      await this.audit(trx, session, kase, 'spo_request.recorded', {
        request: number,
        consent: form.consent,
        incidents: content.incidents.length,
        exhibits: content.exhibits.length,
      });
      return { kind: 'recorded', requestId: submissionId };
    });
  }

  private async rows(trx: Trx, session: CurrentSession, caseId: string) {
    return trx
      .selectFrom('spo_requests as s')
      .innerJoin('users as u', (join) =>
        join.onRef('u.organisation_id', '=', 's.organisation_id').onRef('u.user_id', '=', 's.requested_by'),
      )
      .select([
        's.request_id',
        's.request_number',
        's.requested_at',
        'u.display_name',
        's.content_sealed',
        's.document_sha256',
      ])
      .where('s.organisation_id', '=', session.organisationId)
      .where('s.case_id', '=', caseId)
      .orderBy('s.request_number', 'desc')
      .execute();
  }

  /** The case's requests, most recent first (for the case page). */
  async forCase(session: CurrentSession, caseId: string): Promise<InScope<SpoRequestSummary[]>> {
    return this.scoped(session, caseId, async (trx) =>
      (await this.rows(trx, session, caseId)).map((row) => ({
        requestId: row.request_id,
        number: row.request_number,
        requestedAt: row.requested_at,
        requestedBy: row.display_name,
      })),
    );
  }

  /** One request as it was made. */
  async record(
    session: CurrentSession,
    caseId: string,
    requestId: string,
  ): Promise<InScope<SpoRequestRecord | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = (await this.rows(trx, session, caseId)).find(
        (candidate) => candidate.request_id === requestId,
      );
      if (!row) return null;
      await this.audit(trx, session, kase, 'spo_request.viewed', { request: row.request_number });
      return {
        requestId,
        number: row.request_number,
        requestedAt: row.requested_at,
        requestedBy: row.display_name,
        content: openDocument(
          kase.key,
          row.content_sealed,
          requestAad(caseId, requestId),
          spoRequestContentShape,
        ),
      };
    });
  }

  /**
   * The document to download: regenerated from the sealed content and checked against the recorded hash, so
   * it is byte for byte the one first given. Null: no such request; 'changed': it could not be reproduced.
   */
  async document(
    session: CurrentSession,
    caseId: string,
    requestId: string,
  ): Promise<InScope<{ spec: PdfDocumentSpec; fileName: string } | null | 'changed'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = (await this.rows(trx, session, caseId)).find(
        (candidate) => candidate.request_id === requestId,
      );
      if (!row) return null;
      const content = openDocument(
        kase.key,
        row.content_sealed,
        requestAad(caseId, requestId),
        spoRequestContentShape,
      );
      const spec = spoRequestDocument(content);
      const sha256 = row.document_sha256.toString('hex');
      if ((await pdfSha256(spec)) !== sha256) return 'changed';
      await this.audit(trx, session, kase, 'spo_request.downloaded', { request: row.request_number, sha256 });
      return { spec, fileName: `${content.documentId}.pdf` };
    });
  }
}
