import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { inOrganisation, type Trx } from '../../db/database.ts';
import type { RiskLevel, RiskTemplatePurpose } from '../../db/schema.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { seal } from '../../platform/crypto/envelope.ts';
import {
  CaseScopedService,
  lockCase,
  type CaseServiceDeps,
  type InScope,
  type ScopedCase,
} from '../cases/case-scope.ts';
import {
  closeReassessments,
  DEFAULT_RISK_SETTINGS,
  periodicReviewDueOn,
  raiseReassessment,
  type RiskSettings,
} from './reassessment.ts';
import {
  completedAssessments,
  currentTemplateVersions,
  ensureShippedTemplates,
  judgementAad,
  openAnswers,
  openJudgementReason,
  sealAnswers,
  templateVersion,
  templateVersions,
  type CompletedAssessment,
  type TemplateVersion,
} from './risk.repository.ts';
import {
  answerChanges,
  higherLevel,
  judgedLevel,
  scoreAnswers,
  templatesToOffer,
  unansweredQuestions,
  type AnswerChange,
  type Answers,
  type Judgement,
  type Offer,
  type Score,
} from './scoring.ts';
import { definitionSchema, type RiskTemplateDefinition } from './templates.ts';

/** The template every case in a stalking service should be screened with at least once. */
export const STALKING_SCREENING_KEY = 'stalking-screening';

/** Templates whose latest assessment sets the case's level; a local "other" questionnaire informs, no more. */
const LEVEL_PURPOSES: readonly RiskTemplatePurpose[] = ['risk_checklist', 'stalking_screening'];

export type HistoryEntry = {
  assessmentId: string;
  template: TemplateVersion;
  completedAt: Date;
  completedByName: string;
  score: number;
  computedLevel: RiskLevel;
  level: RiskLevel;
  judgement: Judgement | null;
  answers: Answers;
  /** What changed since the previous assessment with the same template; null for the first. */
  changes: AnswerChange[] | null;
};

export type InProgress = {
  assessmentId: string;
  template: TemplateVersion;
  startedAt: Date;
  startedByName: string;
  savedAt: Date;
  answered: number;
  questions: number;
};

export type CaseRisk = {
  reference: string;
  level: RiskLevel | null;
  assessedAt: Date | null;
  /** Newest first. */
  history: HistoryEntry[];
  inProgress: InProgress[];
  /** The newest version of each template, to start an assessment with. */
  templates: TemplateVersion[];
  offers: Offer[];
  /** When the next reassessment is due (the soonest open risk review task), if one is set. */
  reviewDueOn: string | null;
};

export type Assessment = {
  assessmentId: string;
  reference: string;
  status: 'in_progress' | 'completed';
  template: TemplateVersion;
  answers: Answers;
  startedAt: Date;
  startedByName: string;
  savedAt: Date;
  score: Score;
  /** Present once completed. */
  completed: {
    at: Date;
    byName: string;
    level: RiskLevel;
    judgement: Judgement | null;
    changes: AnswerChange[] | null;
  } | null;
};

export type StartResult =
  { kind: 'started' | 'resumed'; assessmentId: string } | { kind: 'no_template' } | { kind: 'stale_form' };

export type CompleteResult =
  | { kind: 'completed'; level: RiskLevel; offers: Offer[] }
  | { kind: 'not_found' }
  | { kind: 'already_completed' }
  | { kind: 'unanswered'; questions: { id: string; text: string; sectionId: string }[] }
  | { kind: 'not_higher'; computed: RiskLevel }
  | { kind: 'reason_missing' };

export type AddTemplateResult =
  | { kind: 'added' | 'unchanged'; templateVersionId: string; versionNumber: number }
  | { kind: 'purpose_differs'; purpose: RiskTemplatePurpose };

const assessmentFacts = (entry: HistoryEntry) => ({
  templateKey: entry.template.templateKey,
  completedAt: entry.completedAt,
  definition: entry.template.definition,
  answers: entry.answers,
});

/**
 * Risk assessments on a case: started from the newest version of a template, answered a section at a time and
 * saved as the assessor goes (sealed under the case key), completed once with the score, the computed level and
 * any professional judgement that raises it. Completing one sets the case's level (the higher of its latest risk
 * checklist and latest stalking screening), closes the case's open reassessment tasks and raises the next
 * periodic one. Organisations hold Vigil's shipped templates and may add their own versions.
 */
export class RiskService extends CaseScopedService {
  private readonly settings: RiskSettings;

  constructor(deps: CaseServiceDeps & { settings?: RiskSettings }) {
    super(deps);
    this.settings = deps.settings ?? DEFAULT_RISK_SETTINGS;
  }

  /** Everything the case page and the risk page show; `audited` records a reading of the assessment history. */
  async forCase(session: CurrentSession, caseId: string, audited = false): Promise<InScope<CaseRisk>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      await ensureShippedTemplates(trx, session.organisationId, this.clock.now());
      const [levelRow, completed, inProgressRows, templates, review] = await Promise.all([
        trx
          .selectFrom('cases')
          .select(['risk_level', 'risk_assessed_at'])
          .where('organisation_id', '=', session.organisationId)
          .where('case_id', '=', caseId)
          .executeTakeFirstOrThrow(),
        completedAssessments(trx, session.organisationId, caseId),
        this.inProgressRows(trx, session.organisationId, caseId),
        currentTemplateVersions(trx, session.organisationId),
        trx
          .selectFrom('tasks')
          .select((eb) => eb.fn.min('due_on').as('due_on'))
          .where('organisation_id', '=', session.organisationId)
          .where('case_id', '=', caseId)
          .where('purpose', '=', 'risk_review')
          .where('completed_at', 'is', null)
          .executeTakeFirst(),
      ]);
      const history = this.history(kase, completed);
      const byVersion = new Map(
        (await templateVersions(trx, session.organisationId)).map((t) => [t.templateVersionId, t]),
      );
      const inProgress = inProgressRows.map((row) => {
        const template = byVersion.get(row.template_version_id)!;
        const answers = openAnswers(kase.key, row.assessment_id, row.answers_sealed);
        const score = scoreAnswers(template.definition, answers);
        const questions = score.yes + score.no + score.notKnown + score.unanswered;
        return {
          assessmentId: row.assessment_id,
          template,
          startedAt: row.started_at,
          startedByName: row.display_name,
          savedAt: row.saved_at,
          answered: questions - score.unanswered,
          questions,
        };
      });
      const offers = templatesToOffer(history.map(assessmentFacts), [STALKING_SCREENING_KEY]).filter(
        (offer) =>
          templates.some((template) => template.templateKey === offer.templateKey) &&
          !inProgress.some((assessment) => assessment.template.templateKey === offer.templateKey),
      );
      if (audited)
        await this.audit(trx, session, kase, 'risk.history_viewed', { assessments: history.length });
      return {
        reference: kase.reference,
        level: levelRow.risk_level,
        assessedAt: levelRow.risk_assessed_at,
        history,
        inProgress,
        templates,
        offers,
        reviewDueOn: review?.due_on ?? null,
      };
    });
  }

  /**
   * Starts an assessment with the newest version of a template, or resumes the one already in progress with
   * it (one at a time per template). The form's submission id makes a double click start one.
   */
  async start(
    session: CurrentSession,
    caseId: string,
    templateKey: string,
    submissionId: string,
  ): Promise<InScope<StartResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<StartResult> => {
      const now = this.clock.now();
      await ensureShippedTemplates(trx, session.organisationId, now);
      const again = await trx
        .selectFrom('risk_assessments')
        .select(['assessment_id', 'case_id'])
        .where('organisation_id', '=', session.organisationId)
        .where('submission_id', '=', submissionId)
        .executeTakeFirst();
      if (again)
        return again.case_id === caseId
          ? { kind: 'resumed', assessmentId: again.assessment_id }
          : { kind: 'stale_form' };
      const template = (await currentTemplateVersions(trx, session.organisationId)).find(
        (candidate) => candidate.templateKey === templateKey,
      );
      if (!template) return { kind: 'no_template' };
      // One start at a time per case, so two people starting the same template at once resume one assessment.
      await lockCase(trx, session.organisationId, caseId);
      const open = await trx
        .selectFrom('risk_assessments as a')
        .innerJoin('risk_templates as t', (join) =>
          join
            .onRef('t.organisation_id', '=', 'a.organisation_id')
            .onRef('t.template_version_id', '=', 'a.template_version_id'),
        )
        .select('a.assessment_id')
        .where('a.organisation_id', '=', session.organisationId)
        .where('a.case_id', '=', caseId)
        .where('a.status', '=', 'in_progress')
        .where('t.template_key', '=', templateKey)
        .executeTakeFirst();
      if (open) return { kind: 'resumed', assessmentId: open.assessment_id };
      const assessmentId = randomUUID();
      await trx
        .insertInto('risk_assessments')
        .values({
          organisation_id: session.organisationId,
          assessment_id: assessmentId,
          case_id: caseId,
          template_version_id: template.templateVersionId,
          status: 'in_progress',
          answers_sealed: sealAnswers(kase.key, assessmentId, {}),
          started_by: session.user.userId,
          started_at: now,
          saved_at: now,
          submission_id: submissionId,
          completed_by: null,
          completed_at: null,
          score: null,
          computed_level: null,
          judgement_level: null,
          judgement_reason_sealed: null,
          level: null,
        })
        .execute();
      await this.audit(trx, session, kase, 'risk.assessment_started', {
        template: template.templateKey,
        version: template.versionNumber,
      });
      return { kind: 'started', assessmentId };
    });
  }

  /** One assessment with its answers opened; the reading is audited. */
  async assessment(
    session: CurrentSession,
    caseId: string,
    assessmentId: string,
  ): Promise<InScope<Assessment | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const found = await this.load(trx, session, kase, assessmentId);
      if (found)
        await this.audit(trx, session, kase, 'risk.assessment_viewed', {
          template: found.template.templateKey,
          status: found.status,
        });
      return found;
    });
  }

  /**
   * Saves the answers given on one section of an assessment still in progress, over what that section held.
   * Answers to questions the section does not ask are ignored.
   */
  async saveSection(
    session: CurrentSession,
    caseId: string,
    assessmentId: string,
    sectionId: string,
    given: Answers,
  ): Promise<InScope<'saved' | 'not_found' | 'already_completed'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await this.lockedRow(trx, session.organisationId, caseId, assessmentId);
      if (!row) return 'not_found';
      if (row.status !== 'in_progress') return 'already_completed';
      const template = await templateVersion(trx, session.organisationId, row.template_version_id);
      const section = template?.definition.sections.find((candidate) => candidate.id === sectionId);
      if (!section) return 'not_found';
      const answers = openAnswers(kase.key, assessmentId, row.answers_sealed);
      for (const question of section.questions) {
        const answer = given[question.id];
        if (answer && (answer.choice || answer.text?.trim() || answer.words?.trim()))
          answers[question.id] = answer;
        else delete answers[question.id];
      }
      await trx
        .updateTable('risk_assessments')
        .set({ answers_sealed: sealAnswers(kase.key, assessmentId, answers), saved_at: this.clock.now() })
        .where('organisation_id', '=', session.organisationId)
        .where('assessment_id', '=', assessmentId)
        .execute();
      await this.audit(trx, session, kase, 'risk.answers_saved', {
        template: template!.templateKey,
        section: sectionId,
      });
      return 'saved';
    });
  }

  /**
   * Completes an assessment: every yes/no question answered, the score and level computed, and any professional
   * judgement (which must raise the level and give a reason) applied. Fixed from then on.
   */
  async complete(
    session: CurrentSession,
    caseId: string,
    assessmentId: string,
    judgement: Judgement | null,
  ): Promise<InScope<CompleteResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<CompleteResult> => {
      const now = this.clock.now();
      const row = await this.lockedRow(trx, session.organisationId, caseId, assessmentId);
      if (!row) return { kind: 'not_found' };
      if (row.status !== 'in_progress') return { kind: 'already_completed' };
      const template = (await templateVersion(trx, session.organisationId, row.template_version_id))!;
      const answers = openAnswers(kase.key, assessmentId, row.answers_sealed);
      const unanswered = unansweredQuestions(template.definition, answers);
      if (unanswered.length > 0)
        return {
          kind: 'unanswered',
          questions: unanswered.map((question) => ({
            id: question.id,
            text: question.text,
            sectionId: question.sectionId,
          })),
        };
      const score = scoreAnswers(template.definition, answers);
      const judged = judgedLevel(score.level, judgement);
      if (judged.kind !== 'ok') return judged;
      await trx
        .updateTable('risk_assessments')
        .set({
          status: 'completed',
          completed_by: session.user.userId,
          completed_at: now,
          saved_at: now,
          score: score.score,
          computed_level: score.level,
          judgement_level: judged.judgement ? (judged.judgement.level as 'medium' | 'high') : null,
          judgement_reason_sealed: judged.judgement
            ? seal(kase.key, judged.judgement.reason, judgementAad(assessmentId))
            : null,
          level: judged.level,
        })
        .where('organisation_id', '=', session.organisationId)
        .where('assessment_id', '=', assessmentId)
        .execute();
      const level = await this.setCaseLevel(trx, session.organisationId, caseId, now);
      await closeReassessments(trx, {
        organisationId: session.organisationId,
        caseId,
        userId: session.user.userId,
        now,
      });
      await raiseReassessment(trx, {
        organisationId: session.organisationId,
        caseId,
        ownerId: (await this.activeHolder(trx, session, kase)) ?? session.user.userId,
        createdBy: session.user.userId,
        title: `Reassess the risk (${this.settings.reviewWeeks}-weekly review)`,
        dueOn: periodicReviewDueOn(now, this.settings),
        now,
      });
      await this.audit(trx, session, kase, 'risk.assessment_completed', {
        template: template.templateKey,
        version: template.versionNumber,
        score: score.score,
        level: judged.level,
        judgement: judged.judgement !== null,
      });
      const history = this.history(kase, await completedAssessments(trx, session.organisationId, caseId));
      const offers = templatesToOffer(history.map(assessmentFacts));
      return { kind: 'completed', level: level ?? judged.level, offers };
    });
  }

  /** Every version of every template the organisation holds (Vigil's shipped ones copied in first). */
  async templates(session: CurrentSession): Promise<TemplateVersion[]> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      await ensureShippedTemplates(trx, session.organisationId, this.clock.now());
      return templateVersions(trx, session.organisationId);
    });
  }

  async template(session: CurrentSession, templateVersionId: string): Promise<TemplateVersion | undefined> {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      await ensureShippedTemplates(trx, session.organisationId, this.clock.now());
      return templateVersion(trx, session.organisationId, templateVersionId);
    });
  }

  /**
   * Adds a local template, or a new version of one the organisation holds (a shipped one included): numbered
   * after its newest version, used by assessments started from now on. Past assessments keep theirs.
   */
  async addTemplateVersion(
    session: CurrentSession,
    templateKey: string,
    definition: RiskTemplateDefinition,
  ): Promise<AddTemplateResult> {
    const checked = definitionSchema.parse(definition);
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      await ensureShippedTemplates(trx, session.organisationId, now);
      // One new version of a template at a time, so two saved at once are numbered one after the other.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`risk-templates:${session.organisationId}`}, 17))`.execute(
        trx,
      );
      const held = await trx
        .selectFrom('risk_templates')
        .select(['purpose', 'version_number', 'definition', 'template_version_id'])
        .where('organisation_id', '=', session.organisationId)
        .where('template_key', '=', templateKey)
        .orderBy('version_number', 'desc')
        .executeTakeFirst();
      if (held && held.purpose !== checked.purpose) return { kind: 'purpose_differs', purpose: held.purpose };
      // The same definition sent twice (a double click) is one version.
      if (held && JSON.stringify(definitionSchema.parse(held.definition)) === JSON.stringify(checked))
        return {
          kind: 'unchanged',
          templateVersionId: held.template_version_id,
          versionNumber: held.version_number,
        };
      const templateVersionId = randomUUID();
      const versionNumber = (held?.version_number ?? 0) + 1;
      await trx
        .insertInto('risk_templates')
        .values({
          organisation_id: session.organisationId,
          template_version_id: templateVersionId,
          template_key: templateKey,
          version_number: versionNumber,
          purpose: checked.purpose,
          title: checked.title,
          definition: JSON.stringify(checked),
          origin: 'local',
          created_by: session.user.userId,
          created_at: now,
        })
        .execute();
      await appendAuditEvent(
        trx,
        {
          organisationId: session.organisationId,
          actorUserId: session.user.userId,
          action: 'risk.template_version_added',
          recordType: 'risk_template',
          recordId: templateVersionId,
          details: { template: templateKey, version: versionNumber },
        },
        now,
      );
      return { kind: 'added', templateVersionId, versionNumber };
    });
  }

  private history(kase: ScopedCase, completed: CompletedAssessment[]): HistoryEntry[] {
    const previousOf = new Map<string, { definition: RiskTemplateDefinition; answers: Answers }>();
    const entries: HistoryEntry[] = [];
    for (const assessment of completed) {
      const answers = openAnswers(kase.key, assessment.assessmentId, assessment.answersSealed);
      const previous = previousOf.get(assessment.template.templateKey);
      const reason = openJudgementReason(kase.key, assessment.assessmentId, assessment.judgementReasonSealed);
      entries.push({
        assessmentId: assessment.assessmentId,
        template: assessment.template,
        completedAt: assessment.completedAt,
        completedByName: assessment.completedByName,
        score: assessment.score,
        computedLevel: assessment.computedLevel,
        level: assessment.level,
        judgement: assessment.judgementLevel && reason ? { level: assessment.judgementLevel, reason } : null,
        answers,
        changes: previous
          ? answerChanges(previous, { definition: assessment.template.definition, answers })
          : null,
      });
      previousOf.set(assessment.template.templateKey, {
        definition: assessment.template.definition,
        answers,
      });
    }
    return entries.reverse();
  }

  private async load(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    assessmentId: string,
  ): Promise<Assessment | null> {
    const row = await trx
      .selectFrom('risk_assessments as a')
      .innerJoin('users as u', (join) =>
        join.onRef('u.organisation_id', '=', 'a.organisation_id').onRef('u.user_id', '=', 'a.started_by'),
      )
      .select([
        'a.assessment_id',
        'a.status',
        'a.template_version_id',
        'a.answers_sealed',
        'a.started_at',
        'a.saved_at',
        'u.display_name',
      ])
      .where('a.organisation_id', '=', session.organisationId)
      .where('a.case_id', '=', kase.caseId)
      .where('a.assessment_id', '=', assessmentId)
      .executeTakeFirst();
    if (!row) return null;
    const template = (await templateVersion(trx, session.organisationId, row.template_version_id))!;
    const answers = openAnswers(kase.key, assessmentId, row.answers_sealed);
    let completed: Assessment['completed'] = null;
    if (row.status === 'completed') {
      const history = this.history(
        kase,
        await completedAssessments(trx, session.organisationId, kase.caseId),
      );
      const entry = history.find((candidate) => candidate.assessmentId === assessmentId)!;
      completed = {
        at: entry.completedAt,
        byName: entry.completedByName,
        level: entry.level,
        judgement: entry.judgement,
        changes: entry.changes,
      };
    }
    return {
      assessmentId,
      reference: kase.reference,
      status: row.status,
      template,
      answers,
      startedAt: row.started_at,
      startedByName: row.display_name,
      savedAt: row.saved_at,
      score: scoreAnswers(template.definition, answers),
      completed,
    };
  }

  private lockedRow(trx: Trx, organisationId: string, caseId: string, assessmentId: string) {
    return trx
      .selectFrom('risk_assessments')
      .select(['status', 'template_version_id', 'answers_sealed'])
      .where('organisation_id', '=', organisationId)
      .where('case_id', '=', caseId)
      .where('assessment_id', '=', assessmentId)
      .forUpdate()
      .executeTakeFirst();
  }

  private inProgressRows(trx: Trx, organisationId: string, caseId: string) {
    return trx
      .selectFrom('risk_assessments as a')
      .innerJoin('users as u', (join) =>
        join.onRef('u.organisation_id', '=', 'a.organisation_id').onRef('u.user_id', '=', 'a.started_by'),
      )
      .select([
        'a.assessment_id',
        'a.template_version_id',
        'a.answers_sealed',
        'a.started_at',
        'a.saved_at',
        'u.display_name',
      ])
      .where('a.organisation_id', '=', organisationId)
      .where('a.case_id', '=', caseId)
      .where('a.status', '=', 'in_progress')
      .orderBy('a.started_at')
      .execute();
  }

  /**
   * The case's level: the higher of its latest completed risk checklist and latest completed stalking screening,
   * kept on the case so lists show it without reading assessments.
   */
  private async setCaseLevel(
    trx: Trx,
    organisationId: string,
    caseId: string,
    now: Date,
  ): Promise<RiskLevel | null> {
    const rows = await trx
      .selectFrom('risk_assessments as a')
      .innerJoin('risk_templates as t', (join) =>
        join
          .onRef('t.organisation_id', '=', 'a.organisation_id')
          .onRef('t.template_version_id', '=', 'a.template_version_id'),
      )
      .distinctOn('t.purpose')
      .select(['t.purpose', 'a.level'])
      .where('a.organisation_id', '=', organisationId)
      .where('a.case_id', '=', caseId)
      .where('a.status', '=', 'completed')
      .where('t.purpose', 'in', LEVEL_PURPOSES)
      .orderBy('t.purpose')
      .orderBy('a.completed_at', 'desc')
      .execute();
    if (rows.length === 0) return null;
    const level = rows.map((row) => row.level!).reduce(higherLevel);
    await trx
      .updateTable('cases')
      .set({ risk_level: level, risk_assessed_at: now })
      .where('organisation_id', '=', organisationId)
      .where('case_id', '=', caseId)
      .execute();
    return level;
  }
}
