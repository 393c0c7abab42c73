import { z } from 'zod';
import type { Db, Trx } from '../../db/database.ts';
import type { MaracConsent } from '../../db/schema.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { pdfSha256, type PdfDocumentSpec } from '../../platform/pdf/pdf.ts';
import { CaseScopedService, lockCase, type InScope, type ScopedCase } from '../cases/case-scope.ts';
import { formatIsoDate } from '../cases/case-view.ts';
import { findClient, rowToClient } from '../cases/clients.repository.ts';
import { dependantDocument } from '../clients/client-record.schema.ts';
import { currentDependants } from '../clients/client-record.repository.ts';
import { ageOn, dependantAge } from '../clients/client-view.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { openEntryDetails } from '../diary/diary-entry.ts';
import { whenText } from '../diary/diary-view.ts';
import { behaviourLabel } from '../diary/incident-types.ts';
import { perpetratorsOfCase } from '../perpetrators/perpetrators.repository.ts';
import { formatDateOfBirth, relationshipText, riskFactorText } from '../perpetrators/perpetrator-view.ts';
import { GENDERS } from '../referrals/referral-answers.ts';
import {
  completedAssessments,
  openAnswers,
  openJudgementReason,
  type CompletedAssessment,
} from '../risk/risk.repository.ts';
import { answerLabel } from '../risk/scoring.ts';
import { questionsOf, RISK_LEVEL_LABELS } from '../risk/templates.ts';
import {
  addMonths,
  DEFAULT_MARAC_SETTINGS,
  longDate,
  maracCriteria,
  repeatOf,
  type ChecklistFacts,
  type CriteriaResult,
  type MaracCriterion,
  type MaracSettings,
} from './criteria.ts';
import {
  actionsOfCase,
  incidentDates,
  incidentsSince,
  referralDates,
  referralsOfCase,
  type ReferralRow,
} from './marac.repository.ts';
import {
  documentIdOf,
  referralContentShape,
  referralDocument,
  type AssessmentContent,
  type CaseContent,
  type ReferralContent,
} from './referral-content.ts';

export type MaracDeps = { db: Db; clock: Clock; keys: KeyRing; settings?: MaracSettings };

/** What the caseworker adds to a referral: only what the case cannot know. */
export type ReferralForm = {
  criteria: MaracCriterion[];
  concern: string | null;
  consent: MaracConsent;
  consentReason: string | null;
  area: string;
  otherInformation: string | null;
};

export type ReferralSummary = {
  referralId: string;
  number: number;
  referredAt: Date;
  referredBy: string;
  criteria: MaracCriterion[];
  consent: MaracConsent;
  repeat: boolean;
  meetingOn: string | null;
  openActions: number;
};

export type MaracAction = {
  actionId: string;
  what: string;
  owner: string;
  dueOn: string | null;
  done: boolean;
  doneAt: Date | null;
};

export type CaseMarac = {
  criteria: CriteriaResult;
  referrals: ReferralSummary[];
  /** A repeat: the latest referral repeats an earlier one, or an incident has come within 12 months of one. */
  repeat: boolean;
};

export type ReferralDraft = {
  caseId: string;
  reference: string;
  criteria: CriteriaResult;
  content: CaseContent;
  /** The concern the checklist's professional judgement gave, to start the concern box with. */
  judgementReason: string | null;
  repeatOf: { referralNumber: number; referredOn: string } | null;
};

export type ReferralRecord = ReferralSummary & {
  content: ReferralContent;
  outcome: string | null;
  actions: MaracAction[];
};

export type ReferResult =
  | { kind: 'recorded'; referralId: string }
  | { kind: 'stale_form' }
  | { kind: 'not_met'; criterion: MaracCriterion };

/** Incidents in the referral: those in the last this-many months. */
const INCIDENT_MONTHS = 12;

const referralAad = (caseId: string, referralId: string) => `case:${caseId}:marac-referral:${referralId}`;
const outcomeAad = (caseId: string, referralId: string) => `case:${caseId}:marac-outcome:${referralId}`;
const actionAad = (caseId: string, actionId: string) => `case:${caseId}:marac-action:${actionId}`;
const actionShape = z.object({ what: z.string(), owner: z.string() });

function ageText(dateOfBirth: string | null, ageGiven: number | null, today: string): string {
  if (dateOfBirth) return `${ageOn(dateOfBirth, today)} (born ${formatIsoDate(dateOfBirth)})`;
  if (ageGiven !== null) return `About ${ageGiven}`;
  return 'Not known';
}

/**
 * MARAC referrals: the four criteria checked against the case, a referral made from what the case already
 * holds (nothing keyed twice) with its document, and the MARAC's meeting date, outcome and actions. Every
 * operation is within the caller's record scope and audited in the same transaction, never with content.
 */
export class MaracService extends CaseScopedService {
  readonly settings: MaracSettings;

  constructor(deps: MaracDeps) {
    super(deps);
    this.settings = deps.settings ?? DEFAULT_MARAC_SETTINGS;
  }

  /** The latest completed assessment of each purpose. */
  private latestAssessments(assessments: CompletedAssessment[]) {
    const latest = (purpose: string) =>
      assessments.filter((a) => a.template.purpose === purpose).at(-1) ?? null;
    return { checklist: latest('risk_checklist'), screening: latest('stalking_screening') };
  }

  private checklistFacts(key: Buffer, checklist: CompletedAssessment | null): ChecklistFacts | null {
    if (!checklist) return null;
    const reason = openJudgementReason(key, checklist.assessmentId, checklist.judgementReasonSealed);
    return {
      completedAt: checklist.completedAt,
      score: checklist.score,
      scoredQuestions: questionsOf(checklist.template.definition).filter((q) => q.scored).length,
      highThreshold: checklist.template.definition.thresholds.high,
      level: checklist.level,
      judgement: checklist.judgementLevel && reason ? { level: checklist.judgementLevel, reason } : null,
    };
  }

  private async criteriaOf(trx: Trx, session: CurrentSession, kase: ScopedCase, concern: string | null) {
    const assessments = await completedAssessments(trx, session.organisationId, kase.caseId);
    const { checklist } = this.latestAssessments(assessments);
    const [incidents, referrals] = await Promise.all([
      incidentDates(trx, session.organisationId, kase.caseId),
      referralDates(trx, session.organisationId, kase.caseId),
    ]);
    const checklistFacts = this.checklistFacts(kase.key, checklist);
    return {
      assessments,
      checklistFacts,
      referrals,
      criteria: maracCriteria({
        checklist: checklistFacts,
        incidents,
        referrals: referrals.map((row) => row.referred_at),
        concern,
        now: this.clock.now(),
        settings: this.settings,
      }),
    };
  }

  private assessmentContent(key: Buffer, assessment: CompletedAssessment): AssessmentContent {
    const answers = openAnswers(key, assessment.assessmentId, assessment.answersSealed);
    const reason = openJudgementReason(key, assessment.assessmentId, assessment.judgementReasonSealed);
    const questions = questionsOf(assessment.template.definition);
    return {
      title: assessment.template.title,
      completedOn: longDate(assessment.completedAt),
      completedBy: assessment.completedByName,
      score: assessment.score,
      scoredQuestions: questions.filter((q) => q.scored).length,
      level: RISK_LEVEL_LABELS[assessment.level],
      judgement:
        assessment.judgementLevel && reason
          ? { level: RISK_LEVEL_LABELS[assessment.judgementLevel], reason }
          : null,
      answers: questions.map((question, index) => ({
        number: index + 1,
        section: question.sectionTitle,
        question: question.text,
        answer: answerLabel(answers[question.id]),
        words: answers[question.id]?.words?.trim() || null,
      })),
    };
  }

  /** Everything the case itself gives a referral: read and opened in the caller's transaction. */
  private async caseContent(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    assessments: CompletedAssessment[],
  ): Promise<CaseContent> {
    const organisationId = session.organisationId;
    const now = this.clock.now();
    const today = ukDate(now);
    const year = Number(today.slice(0, 4));
    const { client_id: clientId } = await trx
      .selectFrom('cases')
      .select('client_id')
      .where('organisation_id', '=', organisationId)
      .where('case_id', '=', kase.caseId)
      .executeTakeFirstOrThrow();
    const clientRow = await findClient(trx, organisationId, clientId);
    if (!clientRow) throw new Error('A case without its client');
    const organisationKey = await this.keys.organisationKey(trx, organisationId);
    const clientKey = this.keys.unwrapDataKey(
      organisationKey,
      clientRow.data_key_wrapped,
      `client:${clientId}`,
    );
    const client = rowToClient(clientRow, clientKey);
    const dependants = await currentDependants(trx, organisationId, clientId);
    const perpetrators = await perpetratorsOfCase(trx, organisationId, kase.caseId);
    const since = addMonths(now, -INCIDENT_MONTHS);
    const incidents = await incidentsSince(trx, organisationId, kase.caseId, since);
    const { checklist, screening } = this.latestAssessments(assessments);
    const gender =
      client.gender === 'self_described'
        ? (client.genderDescription ?? 'Self-described')
        : (GENDERS.find((option) => option.value === client.gender)?.text ?? 'Not recorded');
    return {
      caseReference: kase.reference,
      client: {
        name: client.name,
        age: ageText(client.dateOfBirth, client.ageAtReferral, today),
        gender,
        language: client.language
          ? `${client.language}${client.interpreterNeeded ? ' (needs an interpreter)' : ''}`
          : 'Not recorded',
      },
      household: dependants.map((row) => {
        const details = openDocument(
          clientKey,
          row.details_sealed,
          `client:${clientId}:dependant:${row.dependant_id}`,
          dependantDocument,
        );
        return {
          name: details.name,
          age: dependantAge(details, year),
          livesWithClient: details.livesWithClient,
          notes: details.notes,
        };
      }),
      perpetrators: perpetrators.map((row) => ({
        name: row.name ?? 'Name not known',
        otherNames: row.aliases.join(', '),
        age: row.date_of_birth
          ? `Born ${formatDateOfBirth(row.date_of_birth)}`
          : row.approximate_age !== null
            ? `About ${row.approximate_age}`
            : 'Not known',
        relationship: relationshipText(row.relationship),
        riskFactors: row.risk_factors.map(riskFactorText),
      })),
      assessments: [checklist, screening]
        .filter((assessment): assessment is CompletedAssessment => assessment !== null)
        .map((assessment) => this.assessmentContent(kase.key, assessment)),
      incidentsSince: longDate(since),
      incidents: incidents.map((row) => ({
        number: row.entry_number,
        when: whenText(row.occurred_from, row.occurred_to),
        behaviours: row.behaviours.map(behaviourLabel).join(', ') || 'Not recorded',
        description: openEntryDetails(kase.key, kase.caseId, row.entry_id, row.version, row.details_sealed)
          .description,
        reportedToPolice: row.reported_to_police,
      })),
    };
  }

  private summaryOf(row: ReferralRow, openActions: number): ReferralSummary {
    return {
      referralId: row.referral_id,
      number: row.referral_number,
      referredAt: row.referred_at,
      referredBy: row.referred_by_name,
      criteria: row.criteria as MaracCriterion[],
      consent: row.consent,
      repeat: row.repeat_of !== null,
      meetingOn: row.meeting_on,
      openActions,
    };
  }

  /** For the case page (whose reading is audited as case.viewed): the criteria, past referrals, the flag. */
  async forCase(session: CurrentSession, caseId: string): Promise<InScope<CaseMarac>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const { criteria } = await this.criteriaOf(trx, session, kase, null);
      const rows = await referralsOfCase(trx, session.organisationId, caseId);
      const actions = await actionsOfCase(trx, session.organisationId, caseId);
      const referrals = rows
        .map((row) =>
          this.summaryOf(
            row,
            actions.filter((action) => action.referral_id === row.referral_id && !action.done_at).length,
          ),
        )
        .reverse();
      return {
        criteria,
        referrals,
        repeat: Boolean(referrals[0]?.repeat) || criteria.met.includes('repeat'),
      };
    });
  }

  /** What a new referral will say, taken from the case now, for the caseworker to review. */
  async draft(session: CurrentSession, caseId: string): Promise<InScope<ReferralDraft>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const { assessments, checklistFacts, criteria, referrals } = await this.criteriaOf(
        trx,
        session,
        kase,
        null,
      );
      const content = await this.caseContent(trx, session, kase, assessments);
      await this.audit(trx, session, kase, 'marac.referral_drafted', {
        incidents: content.incidents.length,
        dependants: content.household.length,
      });
      const previous = repeatOf(
        referrals.map((row) => row.referred_at),
        this.clock.now(),
      );
      const previousRow = previous
        ? referrals.find((row) => row.referred_at.getTime() === previous.getTime())
        : undefined;
      return {
        caseId,
        reference: kase.reference,
        criteria,
        content,
        judgementReason: checklistFacts?.judgement?.level === 'high' ? checklistFacts.judgement.reason : null,
        repeatOf: previousRow
          ? { referralNumber: previousRow.referral_number, referredOn: longDate(previousRow.referred_at) }
          : null,
      };
    });
  }

  /**
   * Records a referral: the case's content as it is now with what the caseworker added, sealed, and the
   * SHA-256 of its document. The submission id is the referral's id: the same form sent twice makes one
   * referral; an id already used on another case is a stale form. Every criterion referred under must be met
   * (professional judgement is met by the concern written on the form).
   */
  async refer(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: ReferralForm,
  ): Promise<InScope<ReferResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<ReferResult> => {
      // One referral at a time per case, so numbers and repeats are decided in order.
      await lockCase(trx, session.organisationId, caseId);
      const existing = await trx
        .selectFrom('marac_referrals')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('referral_id', '=', submissionId)
        .executeTakeFirst();
      if (existing)
        return existing.case_id === caseId
          ? { kind: 'recorded', referralId: submissionId }
          : { kind: 'stale_form' };
      const { assessments, criteria, referrals } = await this.criteriaOf(trx, session, kase, form.concern);
      const unmet = form.criteria.find((criterion) => !criteria.met.includes(criterion));
      if (unmet) return { kind: 'not_met', criterion: unmet };
      const now = this.clock.now();
      const number = (referrals.at(-1)?.referral_number ?? 0) + 1;
      const previous = repeatOf(
        referrals.map((row) => row.referred_at),
        now,
      );
      const previousRow = previous
        ? referrals.find((row) => row.referred_at.getTime() === previous.getTime())
        : undefined;
      const referrer = await trx
        .selectFrom('users')
        .select('display_name')
        .where('organisation_id', '=', session.organisationId)
        .where('user_id', '=', session.user.userId)
        .executeTakeFirstOrThrow();
      const content: ReferralContent = {
        ...(await this.caseContent(trx, session, kase, assessments)),
        documentId: documentIdOf(kase.reference, number),
        referralNumber: number,
        referredAtIso: now.toISOString(),
        referredAt: longDate(now),
        referredBy: referrer.display_name,
        area: form.area,
        criteria: criteria.results.filter((result) => form.criteria.includes(result.criterion)),
        automatic: criteria.results,
        concern: form.concern,
        consent: { position: form.consent, reason: form.consentReason },
        otherInformation: form.otherInformation,
        repeatOf: previousRow
          ? { referralNumber: previousRow.referral_number, referredOn: longDate(previousRow.referred_at) }
          : null,
      };
      const sha256 = await pdfSha256(referralDocument(content));
      await trx
        .insertInto('marac_referrals')
        .values({
          organisation_id: session.organisationId,
          referral_id: submissionId,
          case_id: caseId,
          referral_number: number,
          referred_at: now,
          referred_by: session.user.userId,
          criteria: form.criteria,
          consent: form.consent,
          repeat_of: previousRow?.referral_id ?? null,
          content_sealed: sealDocument(kase.key, content, referralAad(caseId, submissionId), 4096),
          document_sha256: Buffer.from(sha256, 'hex'),
        })
        .execute();
      await this.audit(trx, session, kase, 'marac.referral_created', {
        referral: number,
        criteria: form.criteria,
        consent: form.consent,
        repeat: previousRow !== undefined,
      });
      return { kind: 'recorded', referralId: submissionId };
    });
  }

  private async loadReferral(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    referralId: string,
  ): Promise<ReferralRecord | null> {
    const rows = await referralsOfCase(trx, session.organisationId, kase.caseId);
    const row = rows.find((candidate) => candidate.referral_id === referralId);
    if (!row) return null;
    const actions = (await actionsOfCase(trx, session.organisationId, kase.caseId))
      .filter((action) => action.referral_id === referralId)
      .map((action): MaracAction => {
        const details = openDocument(
          kase.key,
          action.details_sealed,
          actionAad(kase.caseId, action.action_id),
          actionShape,
        );
        return {
          actionId: action.action_id,
          what: details.what,
          owner: details.owner,
          dueOn: action.due_on,
          done: action.done_at !== null,
          doneAt: action.done_at,
        };
      });
    return {
      ...this.summaryOf(row, actions.filter((action) => !action.done).length),
      content: openDocument(
        kase.key,
        row.content_sealed,
        referralAad(kase.caseId, referralId),
        referralContentShape,
      ),
      outcome: row.outcome_sealed
        ? openText(kase.key, row.outcome_sealed, outcomeAad(kase.caseId, referralId))
        : null,
      actions,
    };
  }

  /** One referral with what it said, its meeting, outcome and actions. */
  async referral(
    session: CurrentSession,
    caseId: string,
    referralId: string,
  ): Promise<InScope<ReferralRecord | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const found = await this.loadReferral(trx, session, kase, referralId);
      if (found) await this.audit(trx, session, kase, 'marac.referral_viewed', { referral: found.number });
      return found;
    });
  }

  /**
   * The referral document to download: regenerated from the sealed content and checked against the hash
   * recorded when it was referred, so what is downloaded is what was referred. Null if there is no such
   * referral; 'changed' if the regenerated document differs (it is then not given out).
   */
  async document(
    session: CurrentSession,
    caseId: string,
    referralId: string,
  ): Promise<InScope<{ spec: PdfDocumentSpec; fileName: string } | null | 'changed'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = (await referralsOfCase(trx, session.organisationId, caseId)).find(
        (candidate) => candidate.referral_id === referralId,
      );
      if (!row) return null;
      const content = openDocument(
        kase.key,
        row.content_sealed,
        referralAad(caseId, referralId),
        referralContentShape,
      );
      const spec = referralDocument(content);
      if ((await pdfSha256(spec)) !== row.document_sha256.toString('hex')) return 'changed';
      await this.audit(trx, session, kase, 'marac.referral_downloaded', {
        referral: row.referral_number,
        sha256: row.document_sha256.toString('hex'),
      });
      return { spec, fileName: `${content.documentId}.pdf` };
    });
  }

  /** Sets the meeting date and the outcome note (either may be cleared). */
  async recordMeeting(
    session: CurrentSession,
    caseId: string,
    referralId: string,
    meeting: { meetingOn: string | null; outcome: string | null },
  ): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const updated = await trx
        .updateTable('marac_referrals')
        .set({
          meeting_on: meeting.meetingOn,
          outcome_sealed: meeting.outcome
            ? seal(kase.key, meeting.outcome, outcomeAad(caseId, referralId))
            : null,
          tracking_updated_at: this.clock.now(),
          tracking_updated_by: session.user.userId,
        })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('referral_id', '=', referralId)
        .returning('referral_number')
        .executeTakeFirst();
      if (!updated) return false;
      await this.audit(trx, session, kase, 'marac.meeting_recorded', {
        referral: updated.referral_number,
        meetingDate: meeting.meetingOn !== null,
        outcome: meeting.outcome !== null,
      });
      return true;
    });
  }

  /** Adds an action the MARAC agreed; the submission id is its id, so a double submit adds one. */
  async addAction(
    session: CurrentSession,
    caseId: string,
    referralId: string,
    submissionId: string,
    action: { what: string; owner: string; dueOn: string | null },
  ): Promise<InScope<'added' | 'not_found' | 'stale_form'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const referral = await trx
        .selectFrom('marac_referrals')
        .select('referral_number')
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('referral_id', '=', referralId)
        .executeTakeFirst();
      if (!referral) return 'not_found';
      const existing = await trx
        .selectFrom('marac_actions')
        .select('referral_id')
        .where('organisation_id', '=', session.organisationId)
        .where('action_id', '=', submissionId)
        .executeTakeFirst();
      if (existing) return existing.referral_id === referralId ? 'added' : 'stale_form';
      await trx
        .insertInto('marac_actions')
        .values({
          organisation_id: session.organisationId,
          action_id: submissionId,
          case_id: caseId,
          referral_id: referralId,
          details_sealed: sealDocument(
            kase.key,
            { what: action.what, owner: action.owner },
            actionAad(caseId, submissionId),
          ),
          due_on: action.dueOn,
          added_at: this.clock.now(),
          added_by: session.user.userId,
        })
        .execute();
      await this.audit(trx, session, kase, 'marac.action_added', { referral: referral.referral_number });
      return 'added';
    });
  }

  /** Marks an agreed action done (once). */
  async markActionDone(
    session: CurrentSession,
    caseId: string,
    referralId: string,
    actionId: string,
  ): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const updated = await trx
        .updateTable('marac_actions')
        .set({ done_at: this.clock.now(), done_by: session.user.userId })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('referral_id', '=', referralId)
        .where('action_id', '=', actionId)
        .where('done_at', 'is', null)
        .executeTakeFirst();
      const done = Number(updated.numUpdatedRows) === 1;
      if (done) await this.audit(trx, session, kase, 'marac.action_done', {});
      return done;
    });
  }
}
