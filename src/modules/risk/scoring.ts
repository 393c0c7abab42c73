import { z } from 'zod';
import type { RiskLevel } from '../../db/schema.ts';
import { questionsOf, RISK_LEVELS, type RiskTemplateDefinition } from './templates.ts';

/** One answer: the choice (yes/no/not known questions), or what was written (text questions), and the
 * client's own words against it. */
export const answerSchema = z.object({
  choice: z.enum(['yes', 'no', 'not_known']).optional(),
  text: z.string().max(5000).optional(),
  words: z.string().max(5000).optional(),
});
export const answersSchema = z.record(z.string(), answerSchema);

export type Answer = z.infer<typeof answerSchema>;
export type Answers = z.infer<typeof answersSchema>;

export type Score = {
  /** "Yes" answers to scored questions. */
  score: number;
  yes: number;
  no: number;
  notKnown: number;
  /** Questions with no answer yet (a text question counts as answered when something is written). */
  unanswered: number;
  level: RiskLevel;
};

/** The score and level an assessment's answers give under its template version. */
export function scoreAnswers(definition: RiskTemplateDefinition, answers: Answers): Score {
  let score = 0;
  let yes = 0;
  let no = 0;
  let notKnown = 0;
  let unanswered = 0;
  for (const question of questionsOf(definition)) {
    const answer = answers[question.id];
    if (question.kind === 'text') {
      if (!answer?.text?.trim()) unanswered += 1;
      continue;
    }
    switch (answer?.choice) {
      case 'yes':
        yes += 1;
        if (question.scored) score += 1;
        break;
      case 'no':
        no += 1;
        break;
      case 'not_known':
        notKnown += 1;
        break;
      default:
        unanswered += 1;
    }
  }
  const { medium, high } = definition.thresholds;
  const level: RiskLevel = score >= high ? 'high' : score >= medium ? 'medium' : 'standard';
  return { score, yes, no, notKnown, unanswered, level };
}

export function levelRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

export function higherLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

export type Judgement = { level: RiskLevel; reason: string };

export type JudgedLevel =
  | { kind: 'ok'; level: RiskLevel; judgement: Judgement | null }
  | { kind: 'not_higher'; computed: RiskLevel }
  | { kind: 'reason_missing' };

/**
 * The level an assessment ends with: the computed level, or a higher one the assessor's professional
 * judgement gives with a reason. Judgement can raise the level, never lower it or leave it where it is.
 */
export function judgedLevel(computed: RiskLevel, judgement: Judgement | null): JudgedLevel {
  if (!judgement) return { kind: 'ok', level: computed, judgement: null };
  if (levelRank(judgement.level) <= levelRank(computed)) return { kind: 'not_higher', computed };
  const reason = judgement.reason.trim();
  if (!reason) return { kind: 'reason_missing' };
  return { kind: 'ok', level: judgement.level, judgement: { level: judgement.level, reason } };
}

export type AnswerChange = { questionId: string; question: string; from: string; to: string };

const CHOICE_LABELS: Record<NonNullable<Answer['choice']>, string> = {
  yes: 'Yes',
  no: 'No',
  not_known: 'Not known',
};

export function answerLabel(answer: Answer | undefined): string {
  if (answer?.choice) return CHOICE_LABELS[answer.choice];
  if (answer?.text?.trim()) return answer.text.trim();
  return 'Not answered';
}

/**
 * What changed between two assessments with the same template (any versions): each question, matched by its
 * id, whose answer differs; questions only one version asks are listed as asked or no longer asked.
 */
export function answerChanges(
  previous: { definition: RiskTemplateDefinition; answers: Answers },
  current: { definition: RiskTemplateDefinition; answers: Answers },
): AnswerChange[] {
  const before = new Map(questionsOf(previous.definition).map((question) => [question.id, question]));
  const changes: AnswerChange[] = [];
  for (const question of questionsOf(current.definition)) {
    const to = answerLabel(current.answers[question.id]);
    const from = before.has(question.id) ? answerLabel(previous.answers[question.id]) : 'Not asked before';
    before.delete(question.id);
    if (from !== to) changes.push({ questionId: question.id, question: question.text, from, to });
  }
  for (const question of before.values())
    changes.push({
      questionId: question.id,
      question: question.text,
      from: answerLabel(previous.answers[question.id]),
      to: 'No longer asked',
    });
  return changes;
}

/** The yes/no/not known questions still without an answer: an assessment cannot be completed with any. */
export function unansweredQuestions(definition: RiskTemplateDefinition, answers: Answers) {
  return questionsOf(definition).filter(
    (question) => question.kind === 'yes_no_not_known' && !answers[question.id]?.choice,
  );
}

export type AssessmentFacts = {
  templateKey: string;
  completedAt: Date;
  definition: RiskTemplateDefinition;
  answers: Answers;
};

export type Offer = { templateKey: string; because: string };

/**
 * The templates a case should be assessed with next: any a question offers when answered "yes" in the latest
 * assessment of its template (the checklist's stalking question offers the stalking screening), unless the
 * offered template has been completed since; and `alwaysOffer` (the stalking screening, in a stalking
 * service) when the case has never been assessed with it. `history` is in any order.
 */
export function templatesToOffer(history: AssessmentFacts[], alwaysOffer: string[] = []): Offer[] {
  const latest = new Map<string, AssessmentFacts>();
  for (const assessment of history) {
    const held = latest.get(assessment.templateKey);
    if (!held || held.completedAt < assessment.completedAt) latest.set(assessment.templateKey, assessment);
  }
  const offers = new Map<string, Offer>();
  for (const assessment of latest.values())
    for (const question of questionsOf(assessment.definition)) {
      if (!question.offers || assessment.answers[question.id]?.choice !== 'yes') continue;
      const since = latest.get(question.offers);
      if (since && since.completedAt >= assessment.completedAt) continue;
      offers.set(question.offers, {
        templateKey: question.offers,
        because: `“${question.text}” was answered yes in the ${assessment.definition.title.toLowerCase()}`,
      });
    }
  for (const templateKey of alwaysOffer)
    if (!latest.has(templateKey) && !offers.has(templateKey))
      offers.set(templateKey, { templateKey, because: 'The case has not had one yet' });
  return [...offers.values()];
}
