import { randomUUID } from 'node:crypto';
import type { CurrentSession } from '../../src/platform/auth/sessions.ts';
import { seal } from '../../src/platform/crypto/envelope.ts';
import { withCaseInScope } from '../../src/modules/cases/case-scope.ts';
import { ensureShippedTemplates, judgementAad, sealAnswers } from '../../src/modules/risk/risk.repository.ts';
import { judgedLevel, scoreAnswers, type Answers, type Judgement } from '../../src/modules/risk/scoring.ts';
import { questionsOf, SHIPPED_TEMPLATES } from '../../src/modules/risk/templates.ts';
import type { TestApp } from './app.ts';

/**
 * Answers to a shipped template: the first `yes` scored questions answered "yes" and the rest "no", with the
 * client's words against any question named in `words`.
 */
export function answersFor(
  templateKey: 'risk-checklist' | 'stalking-screening',
  yes: number,
  words: Record<string, string> = {},
): Answers {
  const template = SHIPPED_TEMPLATES.find((candidate) => candidate.templateKey === templateKey)!;
  const answers: Answers = {};
  let given = 0;
  for (const question of questionsOf(template.definition)) {
    if (question.kind === 'text') {
      answers[question.id] = { text: words[question.id] ?? 'Nothing more to add' };
      continue;
    }
    const choice = question.scored && given < yes ? 'yes' : 'no';
    if (choice === 'yes') given += 1;
    answers[question.id] = { choice, ...(words[question.id] ? { words: words[question.id] } : {}) };
  }
  return answers;
}

/**
 * A completed assessment on a case, written straight into the database as the risk module writes one: the
 * answers sealed under the case key, scored with the template, and any professional judgement with its reason.
 */
export async function givenCompletedAssessment(
  test: TestApp,
  session: CurrentSession,
  caseId: string,
  options: {
    templateKey?: 'risk-checklist' | 'stalking-screening';
    answers?: Answers;
    /** Instead of answers: how many scored questions were answered "yes". */
    yes?: number;
    words?: Record<string, string>;
    judgement?: Judgement;
    completedAt?: Date;
  } = {},
): Promise<{ assessmentId: string; score: number }> {
  const templateKey = options.templateKey ?? 'risk-checklist';
  const template = SHIPPED_TEMPLATES.find((candidate) => candidate.templateKey === templateKey)!;
  const answers = options.answers ?? answersFor(templateKey, options.yes ?? 0, options.words);
  const { services } = test;
  const at = options.completedAt ?? services.clock.now();
  const assessmentId = randomUUID();
  const scored = scoreAnswers(template.definition, answers);
  const judged = judgedLevel(scored.level, options.judgement ?? null);
  if (judged.kind !== 'ok') throw new Error(`judgement not allowed: ${judged.kind}`);
  const deps = { db: test.database.db, clock: services.clock, keys: services.keys };
  const result = await withCaseInScope(deps, session, caseId, async (trx, kase) => {
    await ensureShippedTemplates(trx, session.organisationId, at);
    await trx
      .insertInto('risk_assessments')
      .values({
        organisation_id: session.organisationId,
        assessment_id: assessmentId,
        case_id: caseId,
        template_version_id: template.templateVersionId,
        status: 'completed',
        answers_sealed: sealAnswers(kase.key, assessmentId, answers),
        started_by: session.user.userId,
        started_at: at,
        saved_at: at,
        submission_id: randomUUID(),
        completed_by: session.user.userId,
        completed_at: at,
        score: scored.score,
        computed_level: scored.level,
        judgement_level: judged.judgement ? (judged.judgement.level as 'medium' | 'high') : null,
        judgement_reason_sealed: judged.judgement
          ? seal(kase.key, judged.judgement.reason, judgementAad(assessmentId))
          : null,
        level: judged.level,
      })
      .execute();
  });
  if (result.kind !== 'ok') throw new Error(`assessment not recorded: ${result.kind}`);
  return { assessmentId, score: scored.score };
}
